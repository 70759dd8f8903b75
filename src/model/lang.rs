//! Multilingual text: `name`, `documentation`, `label` and `value` may each
//! appear once per `xml:lang`.

use serde::Serialize;

/// One language variant of a text.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LangString {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lang: Option<String>,
    pub text: String,
}

/// All variants of one text, in file order.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Texts(pub Vec<LangString>);

impl Texts {
    pub fn push(&mut self, lang: Option<String>, text: String) {
        // Most texts come in one language: no room for more until needed.
        if self.0.capacity() == 0 {
            self.0.reserve_exact(1);
        }
        self.0.push(LangString { lang, text });
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// True when there is at most one variant (the chosen text says it all).
    pub fn is_single(&self) -> bool {
        self.0.len() <= 1
    }

    /// Like [`Texts::pick`], but owned. A lone variant is moved out rather
    /// than copied, leaving the list empty: the chosen text then says it all.
    pub fn take_pick(&mut self, lang: &str) -> Option<String> {
        if self.0.len() == 1 {
            return self.0.pop().map(|s| s.text);
        }
        self.pick(lang).map(str::to_owned)
    }

    /// The variant to show: the one tagged `lang` (tags compared without regard
    /// to case), else the untagged one, else the first.
    pub fn pick(&self, lang: &str) -> Option<&str> {
        let v = &self.0;
        v.iter()
            .find(|s| {
                s.lang
                    .as_deref()
                    .is_some_and(|l| l.eq_ignore_ascii_case(lang))
            })
            .or_else(|| {
                v.iter()
                    .find(|s| s.lang.as_deref().is_none_or(str::is_empty))
            })
            .or_else(|| v.first())
            .map(|s| s.text.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(v: &[(Option<&str>, &str)]) -> Texts {
        let mut t = Texts::default();
        for (l, s) in v {
            t.push(l.map(str::to_owned), (*s).to_owned());
        }
        t
    }

    #[test]
    fn picks_requested_language_case_insensitively() {
        let t = texts(&[
            (Some("fr"), "Client"),
            (Some("EN"), "Customer"),
            (None, "x"),
        ]);
        assert_eq!(t.pick("en"), Some("Customer"));
        assert_eq!(t.pick("Fr"), Some("Client"));
    }

    #[test]
    fn falls_back_to_untagged_then_first() {
        let t = texts(&[(Some("fr"), "Client"), (None, "Kunde")]);
        assert_eq!(t.pick("en"), Some("Kunde"));
        let t = texts(&[(Some("fr"), "Client"), (Some("de"), "Kunde")]);
        assert_eq!(t.pick("en"), Some("Client"));
        assert_eq!(Texts::default().pick("en"), None);
    }
}

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

/// All variants of one text, in file order. Most items have none left once
/// the reader has chosen their text, so the list costs one pointer until it
/// holds something.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
// A Vec is three words; boxed, an empty list is one (`None`).
#[allow(clippy::box_collection)]
pub struct Texts(Option<Box<Vec<LangString>>>);

impl Serialize for Texts {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.as_slice().serialize(s)
    }
}

impl Texts {
    pub fn push(&mut self, lang: Option<String>, text: String) {
        self.0
            .get_or_insert_with(|| Box::new(Vec::with_capacity(1)))
            .push(LangString { lang, text });
    }

    /// The variants, in file order.
    pub fn as_slice(&self) -> &[LangString] {
        self.0.as_deref().map_or(&[], Vec::as_slice)
    }

    pub fn is_empty(&self) -> bool {
        self.as_slice().is_empty()
    }

    /// True when there is at most one variant (the chosen text says it all).
    pub fn is_single(&self) -> bool {
        self.as_slice().len() <= 1
    }

    /// Like [`Texts::pick`], but owned. A lone variant is moved out rather
    /// than copied, leaving the list empty: the chosen text then says it all.
    pub fn take_pick(&mut self, lang: &str) -> Option<String> {
        if self.as_slice().len() == 1 {
            return self.0.take().and_then(|mut v| v.pop()).map(|s| s.text);
        }
        self.pick(lang).map(str::to_owned)
    }

    /// The variant to show: the one tagged `lang` (tags compared without regard
    /// to case), else the untagged one, else the first.
    pub fn pick(&self, lang: &str) -> Option<&str> {
        let v = self.as_slice();
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

    #[test]
    fn a_lone_variant_is_taken_and_several_are_kept() {
        let mut t = texts(&[(Some("fr"), "Client")]);
        assert_eq!(t.take_pick("en").as_deref(), Some("Client"));
        assert!(t.is_empty());
        let mut t = texts(&[(Some("fr"), "Client"), (Some("en"), "Customer")]);
        assert_eq!(t.take_pick("en").as_deref(), Some("Customer"));
        assert_eq!(t.as_slice().len(), 2);
        assert_eq!(
            serde_json::to_string(&t).unwrap(),
            r#"[{"lang":"fr","text":"Client"},{"lang":"en","text":"Customer"}]"#
        );
        assert_eq!(serde_json::to_string(&Texts::default()).unwrap(), "[]");
    }
}

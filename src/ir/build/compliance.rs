//! Compliance frameworks the model names (`archgen:compliance`, or
//! motivation elements that name GDPR, SOC 2, HIPAA…).

use super::*;

impl<'m> Builder<'m> {
    pub(super) fn compliance(&mut self) -> Vec<Compliance> {
        let mut found: BTreeMap<Framework, (Vec<String>, Vec<String>)> = BTreeMap::new();
        if let Some(p) = prop(&self.m.properties, "archgen:compliance") {
            match profile::parse_compliance(p.value.as_deref().unwrap_or("")) {
                Ok(fs) => {
                    for f in fs {
                        let e = found.entry(f).or_default();
                        e.0.push("property archgen:compliance".into());
                        e.1.push(self.m.identifier.clone());
                    }
                }
                Err(e) => self.bad_prop(Code::ProfileValue, p, e),
            }
        }
        for t in [T::Requirement, T::Constraint, T::Principle] {
            for el in self.elements(t) {
                let text = format!(
                    "{} {}",
                    el.text.name.as_deref().unwrap_or(""),
                    el.text.documentation.as_deref().unwrap_or("")
                );
                let named = Framework::mentioned_in(&text);
                if !named.is_empty() {
                    let list: Vec<&str> = named.iter().map(|f| f.title()).collect();
                    self.explain(
                        el,
                        format!("compliance framework(s) {}", list.join(", ")),
                        "rule: a Requirement, Constraint or Principle that names a framework",
                    );
                }
                for f in named {
                    let e = found.entry(f).or_default();
                    e.0.push(format!("{} {} names it", el.kind, shown(&display(el))));
                    e.1.push(el.identifier.clone());
                }
            }
        }
        found
            .into_iter()
            .map(|(f, (why, from))| Compliance {
                framework: f,
                key: naming::snake(f.key()).unwrap_or_default(),
                title: f.title().into(),
                why: why.join("; "),
                from,
            })
            .collect()
    }
}

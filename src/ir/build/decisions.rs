//! Decisions: archgen's own, the pack's (from its manifest), and the
//! model's principles and constraints, as architecture decision records.

use super::*;

impl<'m> Builder<'m> {
    /// The model's principles and constraints whose name or documentation
    /// mentions one of `words` (lower-case stems), as "Principle: Name".
    pub(super) fn related_motivation(&self, words: &[&str]) -> Vec<String> {
        let mut out = Vec::new();
        for kind in [T::Principle, T::Constraint, T::Requirement] {
            for e in self.elements(kind) {
                let text = format!(
                    "{} {}",
                    e.text.name.as_deref().unwrap_or_default(),
                    e.text.documentation.as_deref().unwrap_or_default()
                )
                .to_lowercase();
                if words.iter().any(|w| text.contains(w)) {
                    out.push(format!("{}: {}", e.kind.as_str(), display(e)));
                }
            }
        }
        out.sort();
        out
    }

    pub(super) fn decisions(
        &mut self,
        project: &Project,
        metrics: &[Metric],
        compliance: &[super::Compliance],
        infra: &Infrastructure,
        auth: &Auth,
    ) -> Vec<Decision> {
        let mut out: Vec<Decision> = Vec::new();
        let add = |out: &mut Vec<Decision>, d: Decision| {
            let number = out.len() + 1;
            out.push(Decision { number, ..d });
        };
        let lines = |xs: &[&str]| xs.iter().map(|x| (*x).to_owned()).collect::<Vec<_>>();
        let generator = |key: &str, title: String, context: String| Decision {
            number: 0,
            key: key.into(),
            title,
            context,
            drivers: Vec::new(),
            options: Vec::new(),
            decision: String::new(),
            consequences: Vec::new(),
            source: "generator".into(),
            from: Vec::new(),
            supersedes: None,
        };
        let mut stack = generator(
            "stack",
            format!("Generate the service with the `{}` template pack", project.pack),
            "The blueprint describes what the system is, not how it is built; a stack had to be chosen to make it run.".into(),
        );
        stack.drivers = lines(&[
            "The model's elements should become running code without hand translation",
            "Regeneration must keep hand edits",
        ]);
        stack.options = vec![
            format!("archgen's `{}` pack", project.pack),
            "Another archgen pack (`archgen packs`, or `--pack DIR`)".into(),
            "Code written by hand from the model".into(),
        ];
        stack.decision = format!("The blueprint's archgen:pack property or archgen's default names `{}`; it renders every part the model describes and regenerates without losing hand edits.", project.pack);
        stack.consequences = lines(&["Good, because the code follows the model on every regeneration, with hand edits merged", "Bad, because changing the stack means another pack and a regeneration"]);
        stack.from = project.from.clone();
        add(&mut out, stack);

        let database_name = infra
            .database
            .name
            .clone()
            .or_else(|| self.stack.database_name.clone())
            .unwrap_or_else(|| "the database".into());
        for rule in &self.stack.decisions {
            let items: Vec<Option<&super::Compliance>> = match rule.when {
                DecisionWhen::Always => vec![None],
                DecisionWhen::Metrics if metrics.is_empty() => Vec::new(),
                DecisionWhen::Metrics => vec![None],
                DecisionWhen::EachCompliance => compliance.iter().map(Some).collect(),
            };
            for item in items {
                let kebab = item.map(|c| naming::kebab(&c.key)).unwrap_or_default();
                let vars = [
                    ("pack", project.pack.as_str()),
                    ("database", database_name.as_str()),
                    ("key", item.map_or("", |c| c.key.as_str())),
                    ("kebab", kebab.as_str()),
                    ("title", item.map_or("", |c| c.title.as_str())),
                    ("why", item.map_or("", |c| c.why.as_str())),
                ];
                let f = |t: &str| stack::fill(t, &vars);
                let all = |ts: &[String]| ts.iter().map(|t| f(t)).collect::<Vec<_>>();
                let mut d = generator(&f(&rule.key), f(&rule.title), f(&rule.context));
                let stems = all(&rule.model_drivers);
                d.drivers = all(&rule.drivers);
                d.drivers.extend(
                    self.related_motivation(&stems.iter().map(String::as_str).collect::<Vec<_>>()),
                );
                d.options = all(&rule.options);
                d.decision = f(&rule.decision);
                d.consequences = all(&rule.consequences);
                d.from = match rule.from {
                    DecisionFrom::None => Vec::new(),
                    DecisionFrom::Database => infra.database.from.clone(),
                    DecisionFrom::Auth => auth.from.clone(),
                    DecisionFrom::Metrics => metrics.iter().flat_map(|m| m.from.clone()).collect(),
                    DecisionFrom::Item => item.map(|c| c.from.clone()).unwrap_or_default(),
                };
                add(&mut out, d);
            }
        }
        let mut motivation: Vec<&Element> = self.elements(T::Principle);
        motivation.extend(self.elements(T::Constraint));
        motivation.sort_by(|a, b| a.identifier.cmp(&b.identifier));
        let mut keys = Allocator::new();
        for e in motivation {
            let kind = if e.kind == T::Principle {
                "principle"
            } else {
                "constraint"
            };
            let key = self.element_key(&mut keys, "decision", kind, e);
            let name = display(e);
            add(
                &mut out,
                Decision {
                    number: 0,
                    key: naming::kebab(&key),
                    title: name.clone(),
                    context: e
                        .text.documentation
                        .clone()
                        .unwrap_or_else(|| format!("The blueprint states this {kind}.")),
                    drivers: Vec::new(),
                    options: vec![name],
                    decision: format!("The model states this {kind}; the implementation follows it."),
                    consequences: vec!["Bad, for any change that would break it: that needs a new decision that supersedes this one".into()],
                    source: "blueprint".into(),
                    from: vec![e.identifier.clone()],
                    supersedes: None,
                },
            );
            self.explain(
                e,
                format!("ADR-{:03}", out.len()),
                format!("rule: every {kind} becomes an architecture decision record"),
            );
        }
        out
    }
}

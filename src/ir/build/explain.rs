//! Explanations: what each element of the model became, and why; then the
//! relationships that became something themselves (channels).

use super::*;

impl<'m> Builder<'m> {
    /// Takes what [`Builder::explain`] gathered: the strings are moved,
    /// not copied (a model has as many as it has elements).
    pub(super) fn explanations(&mut self) -> Vec<Explanation> {
        let mut why = std::mem::take(&mut self.why);
        let mut out: Vec<Explanation> = self
            .m
            .elements
            .iter()
            .map(|e| {
                let (became, why) = why
                    .remove(e.identifier.as_str())
                    .unwrap_or_else(|| ("nothing".into(), "not used by the generator".into()));
                Explanation {
                    element: e.identifier.clone(),
                    kind: e.kind.as_str(),
                    name: display(e),
                    became,
                    why,
                    relationship: false,
                }
            })
            .collect();
        out.extend(self.m.relationships.iter().filter_map(|r| {
            let (became, why) = why.remove(r.identifier.as_str())?;
            Some(Explanation {
                element: r.identifier.clone(),
                kind: r.kind.as_str(),
                name: r
                    .text
                    .name
                    .as_deref()
                    .map(str::trim)
                    .filter(|n| !n.is_empty())
                    .map_or_else(|| "(unnamed)".to_owned(), str::to_owned),
                became,
                why,
                relationship: true,
            })
        }));
        out
    }
}

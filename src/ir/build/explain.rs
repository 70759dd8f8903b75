//! Explanations: what each element of the model became, and why; then the
//! relationships that became something themselves (channels).

use super::*;

impl<'m> Builder<'m> {
    pub(super) fn explanations(&self) -> Vec<Explanation> {
        self.m
            .elements
            .iter()
            .map(|e| {
                let (became, why) = self
                    .why
                    .get(e.identifier.as_str())
                    .cloned()
                    .unwrap_or_else(|| ("nothing".into(), "not used by the generator".into()));
                Explanation {
                    element: e.identifier.clone(),
                    kind: e.kind.as_str().into(),
                    name: display(e),
                    became,
                    why,
                    relationship: false,
                }
            })
            .chain(self.m.relationships.iter().filter_map(|r| {
                let (became, why) = self.why.get(r.identifier.as_str())?.clone();
                Some(Explanation {
                    element: r.identifier.clone(),
                    kind: r.kind.as_str().into(),
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
            }))
            .collect()
    }
}

//! Explanations: what each element of the model became, and why.

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
                }
            })
            .collect()
    }
}

//! The model's views as the IR lists them: which view, the file its
//! drawing goes to, and what part of the system it shows, so that a pack
//! can put each drawing where its documentation describes that part.
//!
//! The drawings themselves are made from the model by
//! [`crate::diagram`]; a pack receives each one's SVG text with the view
//! (`each = "view"`, see `docs/diagrams.md`).

use super::Provenance;
use crate::model::{ElementType, Model};
use serde::Serialize;
use std::collections::HashMap;

#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct View {
    /// Unique among views, from the name (see [`crate::diagram::view_keys`]).
    pub key: String,
    pub identifier: String,
    /// The name, or the identifier when the view has none.
    pub name: String,
    pub documentation: Option<String>,
    pub viewpoint: Option<String>,
    /// The drawing's file name: the key in kebab case, `.svg`.
    pub file: String,
    /// What the view mostly shows: the layer most of its elements belong
    /// to (`strategy`, `business`, `application`, `technology`,
    /// `implementation`, `motivation`), `data` for an application view
    /// made mostly of data objects, `other` when it shows no element of
    /// these layers. Physical elements count as technology.
    pub topic: String,
    /// The elements it shows, in the order of their first box, each once.
    pub elements: Vec<String>,
    /// The view itself.
    pub from: Provenance,
}

/// Topics in the order that breaks a tie.
const TOPICS: [&str; 6] = [
    "application",
    "business",
    "technology",
    "motivation",
    "strategy",
    "implementation",
];

/// Every view of `m`, in order.
pub fn views(m: &Model) -> Vec<View> {
    let kinds: HashMap<&str, ElementType> = m
        .elements
        .iter()
        .map(|e| (e.identifier.as_str(), e.kind))
        .collect();
    let keys = crate::diagram::view_keys(m);
    m.views
        .iter()
        .zip(keys)
        .map(|(v, key)| {
            let mut seen: HashMap<&str, ()> = HashMap::default();
            let mut elements = Vec::new();
            let mut count = [0usize; TOPICS.len()];
            let mut data = 0usize;
            for n in &v.nodes {
                let Some(id) = n.element_ref.as_deref() else {
                    continue;
                };
                let Some(&kind) = kinds.get(id) else {
                    continue;
                };
                if seen.insert(id, ()).is_some() {
                    continue;
                }
                elements.push(id.to_owned());
                let layer = match kind.layer() {
                    "physical" => "technology",
                    l => l,
                };
                if let Some(i) = TOPICS.iter().position(|t| *t == layer) {
                    count[i] += 1;
                }
                if kind == ElementType::DataObject {
                    data += 1;
                }
            }
            let best = (0..TOPICS.len())
                .filter(|&i| count[i] > 0)
                .max_by_key(|&i| (count[i], std::cmp::Reverse(i)));
            let topic = match best {
                Some(0) if 2 * data > count[0] => "data",
                Some(i) => TOPICS[i],
                None => "other",
            };
            View {
                file: format!("{}.svg", crate::naming::kebab(&key)),
                key,
                identifier: v.identifier.clone(),
                name: v.text.name.clone().unwrap_or_else(|| v.identifier.clone()),
                documentation: v.text.documentation.clone(),
                viewpoint: v.viewpoint.clone(),
                topic: topic.to_owned(),
                elements,
                from: vec![v.identifier.clone()],
            }
        })
        .collect()
}

//! The ArchiMate vocabulary: every element and relationship type of 3.1, and the
//! mapping of the 2.1 spellings onto it.
//!
//! In: the `xsi:type` text of an `element` or `relationship`. Out: the 3.x type,
//! or `None` when the name is not part of any published version.

use serde::Serialize;

macro_rules! vocabulary {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $layer:literal),* $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
        pub enum $name { $($variant),* }

        impl $name {
            /// Every type, in the order of the specification's tables.
            pub const ALL: &'static [$name] = &[$($name::$variant),*];

            /// The 3.x spelling, as written in `xsi:type`.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => stringify!($variant)),* }
            }

            /// The layer or family the type belongs to.
            pub fn layer(self) -> &'static str {
                match self { $($name::$variant => $layer),* }
            }

            fn from_exact(s: &str) -> Option<Self> {
                match s { $(stringify!($variant) => Some($name::$variant),)* _ => None }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

vocabulary! {
    /// An ArchiMate 3.1 element type (60 types plus the two junctions).
    ElementType {
        BusinessActor => "business", BusinessRole => "business",
        BusinessCollaboration => "business", BusinessInterface => "business",
        BusinessProcess => "business", BusinessFunction => "business",
        BusinessInteraction => "business", BusinessEvent => "business",
        BusinessService => "business", BusinessObject => "business",
        Contract => "business", Representation => "business", Product => "business",
        ApplicationComponent => "application", ApplicationCollaboration => "application",
        ApplicationInterface => "application", ApplicationFunction => "application",
        ApplicationInteraction => "application", ApplicationProcess => "application",
        ApplicationEvent => "application", ApplicationService => "application",
        DataObject => "application",
        Node => "technology", Device => "technology", SystemSoftware => "technology",
        TechnologyCollaboration => "technology", TechnologyInterface => "technology",
        Path => "technology", CommunicationNetwork => "technology",
        TechnologyFunction => "technology", TechnologyProcess => "technology",
        TechnologyInteraction => "technology", TechnologyEvent => "technology",
        TechnologyService => "technology", Artifact => "technology",
        Equipment => "physical", Facility => "physical",
        DistributionNetwork => "physical", Material => "physical",
        Stakeholder => "motivation", Driver => "motivation", Assessment => "motivation",
        Goal => "motivation", Outcome => "motivation", Principle => "motivation",
        Requirement => "motivation", Constraint => "motivation", Meaning => "motivation",
        Value => "motivation",
        Resource => "strategy", Capability => "strategy", CourseOfAction => "strategy",
        ValueStream => "strategy",
        WorkPackage => "implementation", Deliverable => "implementation",
        ImplementationEvent => "implementation", Plateau => "implementation",
        Gap => "implementation",
        Grouping => "other", Location => "other",
        AndJunction => "connector", OrJunction => "connector",
    }
}

/// The element families a reader meets in ArchiMate's overview, in the
/// specification's order: key, title, and the layers of [`ElementType`]
/// each gathers (physical elements go with technology). Groupings,
/// locations and junctions belong to none.
pub const LAYERS: &[(&str, &str, &[&str])] = &[
    ("strategy", "Strategy", &["strategy"]),
    ("business", "Business", &["business"]),
    ("application", "Application", &["application"]),
    (
        "technology",
        "Technology and physical",
        &["technology", "physical"],
    ),
    (
        "implementation",
        "Implementation and migration",
        &["implementation"],
    ),
    ("motivation", "Motivation", &["motivation"]),
];

/// The element types of each of [`LAYERS`], in the specification's order.
pub fn layer_types(layers: &[&str]) -> Vec<&'static str> {
    ElementType::ALL
        .iter()
        .filter(|t| layers.contains(&t.layer()))
        .map(|t| t.as_str())
        .collect()
}

vocabulary! {
    /// An ArchiMate relationship type (11 types).
    RelationshipType {
        Composition => "structural", Aggregation => "structural",
        Assignment => "structural", Realization => "structural",
        Serving => "dependency", Access => "dependency", Influence => "dependency",
        Association => "dependency",
        Triggering => "dynamic", Flow => "dynamic",
        Specialization => "other",
    }
}

impl ElementType {
    /// Reads an element type written by any version: the 3.x names, and the
    /// 2.1 names (`InfrastructureService`, `CommunicationPath`, `Network`,
    /// `Junction`). A 2.1 `Junction` reads as an AND junction; the reader
    /// turns it into an OR junction when its `JunctionType` property says so.
    pub fn parse(s: &str) -> Option<Self> {
        let s = strip_prefix(s);
        if let Some(t) = Self::from_exact(s) {
            return Some(t);
        }
        Some(match s {
            "InfrastructureFunction" => Self::TechnologyFunction,
            "InfrastructureInterface" => Self::TechnologyInterface,
            "InfrastructureService" => Self::TechnologyService,
            "CommunicationPath" => Self::Path,
            "Network" => Self::CommunicationNetwork,
            "Junction" => Self::AndJunction,
            _ => return None,
        })
    }

    /// True for the two junction types, which may be nameless.
    pub fn is_junction(self) -> bool {
        matches!(self, Self::AndJunction | Self::OrJunction)
    }
}

impl RelationshipType {
    /// Reads a relationship type written by any version: `Serving`, and 2.1's
    /// `UsedByRelationship`, `RealisationRelationship`, … .
    pub fn parse(s: &str) -> Option<Self> {
        let s = strip_prefix(s);
        let base = s.strip_suffix("Relationship").unwrap_or(s);
        if let Some(t) = Self::from_exact(base) {
            return Some(t);
        }
        Some(match base {
            "UsedBy" => Self::Serving,
            "Realisation" => Self::Realization,
            "Specialisation" => Self::Specialization,
            _ => return None,
        })
    }
}

/// `archimate:BusinessActor` is `BusinessActor`: an `xsi:type` value is a QName.
fn strip_prefix(s: &str) -> &str {
    s.rsplit_once(':').map_or(s, |(_, local)| local).trim()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_match_the_specification() {
        assert_eq!(ElementType::ALL.len(), 62);
        assert_eq!(RelationshipType::ALL.len(), 11);
    }

    #[test]
    fn every_3x_name_round_trips() {
        for t in ElementType::ALL {
            assert_eq!(ElementType::parse(t.as_str()), Some(*t));
        }
        for t in RelationshipType::ALL {
            assert_eq!(RelationshipType::parse(t.as_str()), Some(*t));
        }
    }

    #[test]
    fn v21_names_map_onto_3x() {
        use ElementType as E;
        use RelationshipType as R;
        assert_eq!(
            E::parse("InfrastructureService"),
            Some(E::TechnologyService)
        );
        assert_eq!(E::parse("CommunicationPath"), Some(E::Path));
        assert_eq!(E::parse("Network"), Some(E::CommunicationNetwork));
        assert_eq!(E::parse("Junction"), Some(E::AndJunction));
        assert_eq!(R::parse("UsedByRelationship"), Some(R::Serving));
        assert_eq!(R::parse("RealisationRelationship"), Some(R::Realization));
        assert_eq!(
            R::parse("SpecialisationRelationship"),
            Some(R::Specialization)
        );
        assert_eq!(R::parse("TriggeringRelationship"), Some(R::Triggering));
        assert_eq!(R::parse("archimate:Flow"), Some(R::Flow));
        assert_eq!(E::parse("UsedByRelationship"), None);
        assert_eq!(R::parse("Depends"), None);
    }
}

//! The model's items as the reader meets them: elements, relationships,
//! properties and their definitions, organization folders, and the texts
//! (names, documentation, values) that belong to them.

use super::*;

impl<'a> State<'a> {
    /// Decides what a child element is, and records it.
    pub(super) fn child(&mut self, parent: Ctx, local: &[u8], a: &Attrs<'_>, at: usize) -> Ctx {
        let mut buf = [0u8; 32];
        let l = lower(local, &mut buf);
        match (parent, l) {
            (Ctx::Skip | Ctx::Text, _) => Ctx::Skip,
            (_, b"name" | b"label") if text_owner(parent).is_some() => {
                if l == b"label"
                    && !matches!(
                        parent,
                        Ctx::Node(..) | Ctx::Connection(..) | Ctx::OrgItem(_)
                    )
                {
                    self.saw_v21 = true;
                }
                self.begin_text(parent, TextField::Name, a)
            }
            (_, b"documentation") if text_owner(parent).is_some() => {
                self.begin_text(parent, TextField::Documentation, a)
            }
            (Ctx::Property(..), b"value") => self.begin_text(parent, TextField::Value, a),
            (Ctx::Model, b"elements") => {
                let n = count_children(self.text, at, b"element");
                self.model.elements.reserve(n);
                Ctx::Elements
            }
            (Ctx::Model, b"relationships") => {
                let n = count_children(self.text, at, b"relationship");
                self.model.relationships.reserve(n);
                Ctx::Relationships
            }
            (Ctx::Model, b"properties") => Ctx::Properties(PropOwner::Model),
            (Ctx::Model, b"propertydefinitions") => Ctx::PropertyDefs,
            (Ctx::Model, b"propertydefs") => {
                self.saw_v21 = true;
                Ctx::PropertyDefs
            }
            (Ctx::Model, b"organizations") => Ctx::Orgs,
            (Ctx::Model, b"organization") => {
                self.saw_v21 = true;
                Ctx::Orgs
            }
            (Ctx::Model, b"views") => Ctx::Views,
            (Ctx::Views, b"diagrams") => Ctx::Diagrams,
            (Ctx::Views | Ctx::Diagrams, b"view") => self.view(a, at),
            (Ctx::Elements, b"element") => self.element(a, at),
            (Ctx::Relationships, b"relationship") => self.relationship(a, at),
            (Ctx::Element(i), b"properties") => Ctx::Properties(PropOwner::Element(i)),
            (Ctx::Relationship(i), b"properties") => Ctx::Properties(PropOwner::Relationship(i)),
            (Ctx::View(i), b"properties") => Ctx::Properties(PropOwner::View(i)),
            (Ctx::Properties(o), b"property") => self.property(o, a, at),
            (Ctx::PropertyDefs, b"propertydefinition" | b"propertydef") => self.property_def(a, at),
            (Ctx::Orgs | Ctx::OrgItem(_), b"item") => self.org_item(parent, a, at),
            (Ctx::View(_) | Ctx::Node(..), b"node") => self.node(parent, a, at),
            (Ctx::View(v), b"connection") => self.connection(v, a, at),
            (Ctx::Node(v, n), b"style") => Ctx::Style(StyleOwner::Node(v, n)),
            (Ctx::Connection(v, c), b"style") => Ctx::Style(StyleOwner::Connection(v, c)),
            // 2.1 draft 0.602 puts colours directly under the node.
            (Ctx::Node(v, n), b"fillcolor" | b"linecolor") => {
                self.color(StyleOwner::Node(v, n), l, a);
                Ctx::Skip
            }
            (Ctx::Style(o), b"fillcolor" | b"linecolor") => {
                self.color(o, l, a);
                Ctx::Skip
            }
            (Ctx::Style(o), b"font") => {
                let font = Font {
                    name: a.name().map(|(v, _)| v.to_string()),
                    size: a.size().map(|(v, _)| v.to_string()),
                    style: a.style().map(|(v, _)| v.to_string()),
                    color: None,
                };
                self.style_mut(o).font = Some(font);
                Ctx::Font(o)
            }
            (Ctx::Font(o), b"color") => {
                let c = self.parse_color(a);
                if let Some(f) = self.style_mut(o).font.as_mut() {
                    f.color = c;
                }
                Ctx::Skip
            }
            (Ctx::Node(v, n), b"viewref") => {
                if let Some((r, off)) = a.reference() {
                    let node = &mut self.model.views[v].nodes[n];
                    node.view_ref = Some(r.to_string());
                    node.view_ref_pos = Pos::at(off);
                }
                Ctx::Skip
            }
            (Ctx::Connection(v, c), b"bendpoint" | b"sourceattachment" | b"targetattachment") => {
                let p = Point {
                    x: self.int(a.x()).unwrap_or(0),
                    y: self.int(a.y()).unwrap_or(0),
                };
                let conn = &mut self.model.views[v].connections[c];
                match l {
                    b"bendpoint" => conn.bendpoints.push(p),
                    b"sourceattachment" => conn.source_attachment = Some(p),
                    _ => conn.target_attachment = Some(p),
                }
                Ctx::Skip
            }
            _ => Ctx::Skip,
        }
    }

    pub(super) fn begin_text(&mut self, parent: Ctx, field: TextField, a: &Attrs<'_>) -> Ctx {
        let Some(owner) = text_owner(parent) else {
            return Ctx::Skip;
        };
        self.text_buf.clear();
        self.text_lang = a.lang().map(|(l, _)| l.to_owned());
        self.text_slot = Some((owner, field));
        Ctx::Text
    }

    pub(super) fn end(&mut self) {
        let Some(ctx) = self.stack.pop() else { return };
        let depth = self.stack.len() + 1;
        while self
            .prefixes
            .last()
            .is_some_and(|(_, d)| *d >= depth && *d > 0)
        {
            self.prefixes.pop();
        }
        if self.stack.is_empty() {
            self.root_closed = true;
        }
        if let Ctx::Text = ctx {
            if let Some((owner, field)) = self.text_slot.take() {
                let text = std::mem::take(&mut self.text_buf);
                let lang = self.text_lang.take();
                if let Some(t) = self.texts_mut(owner, field) {
                    t.push(lang, text);
                }
            }
        }
    }

    pub(super) fn texts_mut(&mut self, owner: TextOwner, field: TextField) -> Option<&mut Texts> {
        use TextField::{Documentation as D, Name as N};
        let m = &mut self.model;
        Some(match (owner, field) {
            (TextOwner::Model, N) => &mut m.text.names,
            (TextOwner::Model, D) => &mut m.text.documentations,
            (TextOwner::Element(i), N) => &mut m.elements[i].text.names,
            (TextOwner::Element(i), D) => &mut m.elements[i].text.documentations,
            (TextOwner::Relationship(i), N) => &mut m.relationships[i].text.names,
            (TextOwner::Relationship(i), D) => &mut m.relationships[i].text.documentations,
            (TextOwner::PropDef(i), N) => &mut m.property_definitions[i].names,
            (TextOwner::Property(o, i), TextField::Value) => &mut props_mut(m, o)[i].values,
            (TextOwner::Org(i), N) => &mut m.organizations[i].labels,
            (TextOwner::Org(i), D) => &mut m.organizations[i].documentations,
            (TextOwner::View(i), N) => &mut m.views[i].text.names,
            (TextOwner::View(i), D) => &mut m.views[i].text.documentations,
            (TextOwner::Node(v, n), N) => &mut m.views[v].nodes[n].labels,
            (TextOwner::Connection(v, c), N) => &mut m.views[v].connections[c].labels,
            _ => return None,
        })
    }

    pub(super) fn element(&mut self, a: &Attrs<'_>, at: usize) -> Ctx {
        let Some((id, _)) = a.identifier() else {
            self.missing(at, "identifier", "this element");
            return Ctx::Skip;
        };
        let Some((ty, ty_at)) = a.xsi_type() else {
            self.missing(at, "xsi:type", "this element");
            return Ctx::Skip;
        };
        let Some(kind) = ElementType::parse(ty) else {
            let help = match RelationshipType::parse(ty) {
                Some(r) => format!("`{r}` is a relationship type: move it under <relationships>"),
                None => "use one of the ArchiMate 3.1 element types (BusinessActor, ApplicationComponent, DataObject, Node, …); `archgen validate` accepts the 2.1 names too".into(),
            };
            self.diags.push(
                Diagnostic::error(
                    Code::UnknownElementType,
                    format!("unknown element type {}", shown(ty)),
                )
                .at(ty_at, ty.len())
                .help(help),
            );
            return Ctx::Skip;
        };
        if kind == ElementType::ValueStream {
            self.saw_v31 = true;
        }
        let source_type = (kind.as_str() != ty).then(|| ty.to_string());
        if source_type.as_deref().is_some_and(|t| !t.contains(':')) {
            self.saw_v21 = true;
        }
        self.model.elements.push(Element {
            identifier: id.to_string(),
            kind,
            source_type,
            text: Described::default(),
            properties: Vec::new(),
            pos: Pos::at(at),
        });
        Ctx::Element(self.model.elements.len() - 1)
    }

    pub(super) fn relationship(&mut self, a: &Attrs<'_>, at: usize) -> Ctx {
        let Some((id, _)) = a.identifier() else {
            self.missing(at, "identifier", "this relationship");
            return Ctx::Skip;
        };
        let Some((ty, ty_at)) = a.xsi_type() else {
            self.missing(at, "xsi:type", "this relationship");
            return Ctx::Skip;
        };
        let Some(kind) = RelationshipType::parse(ty) else {
            let help = match ElementType::parse(ty) {
                Some(e) => format!("`{e}` is an element type: move it under <elements>"),
                None => "use one of Composition, Aggregation, Assignment, Realization, Serving, Access, Influence, Triggering, Flow, Specialization, Association".into(),
            };
            self.diags.push(
                Diagnostic::error(
                    Code::UnknownRelationshipType,
                    format!("unknown relationship type {}", shown(ty)),
                )
                .at(ty_at, ty.len())
                .help(help),
            );
            return Ctx::Skip;
        };
        let (Some((source, s_at)), Some((target, t_at))) = (a.source(), a.target()) else {
            let which = if a.source().is_none() {
                "source"
            } else {
                "target"
            };
            self.missing(at, which, "this relationship");
            return Ctx::Skip;
        };
        let source_type = (kind.as_str() != ty).then(|| ty.to_string());
        if source_type
            .as_deref()
            .is_some_and(|t| t.ends_with("Relationship"))
        {
            self.saw_v21 = true;
        }
        let access_type = (kind == RelationshipType::Access).then(|| match a.access_type() {
            None => AccessType::Access,
            Some((v, v_at)) => AccessType::parse(v).unwrap_or_else(|| {
                self.diags.push(
                    Diagnostic::new(
                        Code::InvalidValue,
                        format!(
                            "accessType {} is not Access, Read, Write or ReadWrite",
                            shown(v)
                        ),
                    )
                    .at(v_at, v.len())
                    .help("the value is ignored and the access read as unspecified (Access)"),
                );
                AccessType::Access
            }),
        });
        let is_directed = if kind == RelationshipType::Association {
            match a.is_directed() {
                None => Some(false),
                Some((v, v_at)) => {
                    self.saw_v31 = true;
                    Some(match v.trim() {
                        "true" | "1" => true,
                        "false" | "0" => false,
                        _ => {
                            self.diags.push(
                                Diagnostic::new(
                                    Code::InvalidValue,
                                    format!("isDirected {} is not a boolean", shown(v)),
                                )
                                .at(v_at, v.len())
                                .help("write isDirected=\"true\" or \"false\"; read as false"),
                            );
                            false
                        }
                    })
                }
            }
        } else {
            None
        };
        let modifier = (kind == RelationshipType::Influence)
            .then(|| a.modifier().map(|(m, _)| m.to_string()))
            .flatten();
        self.model.relationships.push(Relationship {
            identifier: id.to_string(),
            kind,
            source_type,
            source: source.to_string(),
            target: target.to_string(),
            text: Described::default(),
            access_type,
            modifier,
            is_directed,
            properties: Vec::new(),
            pos: Pos::at(at),
            source_pos: Pos::at(s_at),
            target_pos: Pos::at(t_at),
        });
        Ctx::Relationship(self.model.relationships.len() - 1)
    }

    pub(super) fn property(&mut self, owner: PropOwner, a: &Attrs<'_>, at: usize) -> Ctx {
        let Some((r, r_at)) = a.property_definition_ref().or(a.identifier_ref()) else {
            self.missing(at, "propertyDefinitionRef", "this property");
            return Ctx::Skip;
        };
        let list = props_mut(&mut self.model, owner);
        list.push(Property {
            property_definition_ref: r.to_string(),
            key: None,
            value: None,
            values: Texts::default(),
            pos: Pos::at(at),
            ref_pos: Pos::at(r_at),
        });
        Ctx::Property(owner, list.len() - 1)
    }

    pub(super) fn property_def(&mut self, a: &Attrs<'_>, at: usize) -> Ctx {
        let Some((id, _)) = a.identifier() else {
            self.missing(at, "identifier", "this property definition");
            return Ctx::Skip;
        };
        let mut names = Texts::default();
        if let Some((n, _)) = a.name() {
            names.push(None, n.to_string());
        }
        self.model.property_definitions.push(PropertyDefinition {
            identifier: id.to_string(),
            name: None,
            names,
            data_type: a.plain_type().map(|(t, _)| t.to_string()),
            pos: Pos::at(at),
        });
        Ctx::PropertyDef(self.model.property_definitions.len() - 1)
    }

    pub(super) fn org_item(&mut self, parent: Ctx, a: &Attrs<'_>, at: usize) -> Ctx {
        let (parent, depth) = match parent {
            Ctx::OrgItem(p) => (Some(p), self.model.organizations[p].depth + 1),
            _ => (None, 0),
        };
        let r = a.identifier_ref();
        self.model.organizations.push(OrgItem {
            parent,
            depth,
            identifier: a.identifier().map(|(i, _)| i.to_string()),
            identifier_ref: r.map(|(i, _)| i.to_string()),
            label: None,
            labels: Texts::default(),
            documentation: None,
            documentations: Texts::default(),
            pos: Pos::at(at),
            ref_pos: Pos::at(r.map_or(at, |(_, o)| o)),
        });
        Ctx::OrgItem(self.model.organizations.len() - 1)
    }
}

pub(super) fn text_owner(ctx: Ctx) -> Option<TextOwner> {
    Some(match ctx {
        Ctx::Model => TextOwner::Model,
        Ctx::Element(i) => TextOwner::Element(i),
        Ctx::Relationship(i) => TextOwner::Relationship(i),
        Ctx::PropertyDef(i) => TextOwner::PropDef(i),
        Ctx::Property(o, i) => TextOwner::Property(o, i),
        Ctx::OrgItem(i) => TextOwner::Org(i),
        Ctx::View(i) => TextOwner::View(i),
        Ctx::Node(v, n) => TextOwner::Node(v, n),
        Ctx::Connection(v, c) => TextOwner::Connection(v, c),
        _ => return None,
    })
}

pub(super) fn props_mut(m: &mut Model, o: PropOwner) -> &mut Vec<Property> {
    match o {
        PropOwner::Model => &mut m.properties,
        PropOwner::Element(i) => &mut m.elements[i].properties,
        PropOwner::Relationship(i) => &mut m.relationships[i].properties,
        PropOwner::View(i) => &mut m.views[i].properties,
    }
}

//! Channels: the Flows and Triggerings the model draws between application
//! components become messages one component sends another.
//!
//! A relationship from or to a component's behaviour (the functions,
//! processes and interactions assigned to it) counts as the component's; an
//! ApplicationEvent between two components (the sender's relationship into
//! it, its own out to the receiver) is the message. A component talking to
//! itself makes no channel. Relationships between the same two components
//! saying the same message make one channel.

use super::*;

/// A channel as the model draws it, before entities and keys exist.
pub(super) struct Link<'m> {
    sender: &'m Element,
    receiver: &'m Element,
    kind: ChannelKind,
    /// The relationships, in identifier order.
    rels: Vec<&'m Relationship>,
    event: Option<&'m Element>,
    /// The name the relationships (or the event) give the message.
    name: Option<String>,
}

/// A name given, trimmed: none when blank.
fn named(n: Option<&str>) -> Option<String> {
    n.map(str::trim)
        .filter(|n| !n.is_empty())
        .map(str::to_owned)
}

impl<'m> Builder<'m> {
    /// The channels the model draws between its components (see the module
    /// documentation), in the order of their first relationship.
    pub(super) fn links(&self) -> Vec<Link<'m>> {
        let mut owners: HashMap<&str, Vec<&'m Element>> = HashMap::default();
        for c in self.elements(T::ApplicationComponent) {
            for b in self.with_behaviour(c) {
                owners.entry(b.identifier.as_str()).or_default().push(c);
            }
        }
        let of = |id: &str| owners.get(id).cloned().unwrap_or_default();
        let mut rels: Vec<&'m Relationship> = self
            .m
            .relationships
            .iter()
            .filter(|r| matches!(r.kind, R::Flow | R::Triggering))
            .collect();
        rels.sort_by(|a, b| a.identifier.cmp(&b.identifier));
        let kind_of = |r: &Relationship| match r.kind {
            R::Triggering => ChannelKind::Trigger,
            _ => ChannelKind::Flow,
        };
        let mut links: Vec<Link<'m>> = Vec::new();
        let mut add = |sender: &'m Element,
                       receiver: &'m Element,
                       kind: ChannelKind,
                       via: Vec<&'m Relationship>,
                       event: Option<&'m Element>| {
            if sender.identifier == receiver.identifier {
                return;
            }
            let name = via
                .iter()
                .find_map(|r| named(r.text.name.as_deref()))
                .or_else(|| event.and_then(|e| named(e.text.name.as_deref())));
            let same = |l: &Link| {
                l.sender.identifier == sender.identifier
                    && l.receiver.identifier == receiver.identifier
                    && l.kind == kind
                    && l.event.map(|e| &e.identifier) == event.map(|e| &e.identifier)
                    && l.name.as_deref().and_then(naming::snake)
                        == name.as_deref().and_then(naming::snake)
            };
            match links.iter_mut().find(|l| same(l)) {
                Some(l) => {
                    for r in via {
                        if !l.rels.iter().any(|x| x.identifier == r.identifier) {
                            l.rels.push(r);
                        }
                    }
                    l.rels.sort_by(|a, b| a.identifier.cmp(&b.identifier));
                }
                None => links.push(Link {
                    sender,
                    receiver,
                    kind,
                    rels: via,
                    event,
                    name,
                }),
            }
        };
        for r in &rels {
            let senders = of(&r.source);
            if senders.is_empty() {
                continue;
            }
            for receiver in of(&r.target) {
                for &sender in &senders {
                    add(sender, receiver, kind_of(r), vec![*r], None);
                }
            }
            // Through an event: sender → event → receiver.
            let Some(ev) = self.by_id.get(r.target.as_str()).copied() else {
                continue;
            };
            if ev.kind != T::ApplicationEvent {
                continue;
            }
            for out in self
                .rels_from(&ev.identifier)
                .iter()
                .filter(|x| matches!(x.kind, R::Flow | R::Triggering))
            {
                for receiver in of(&out.target) {
                    for &sender in &senders {
                        let kind = if r.kind == R::Triggering || out.kind == R::Triggering {
                            ChannelKind::Trigger
                        } else {
                            ChannelKind::Flow
                        };
                        add(sender, receiver, kind, vec![*r, *out], Some(ev));
                    }
                }
            }
        }
        links
    }

    /// The keys of `links`: `<sender>_to_<receiver>`, made unique. A key an
    /// earlier generation gave a channel (recorded under any of its
    /// relationships) is kept and claimed before the new ones, and every key
    /// is recorded: a channel drawn later between the same two components
    /// takes the next suffix instead of renaming those there were.
    fn channel_keys(
        &mut self,
        links: &[Link<'m>],
        comp_key_by_id: &HashMap<&str, String>,
    ) -> Vec<String> {
        let memory = self.memory;
        let recorded: Vec<Option<&String>> = links
            .iter()
            .map(|l| {
                l.rels.iter().find_map(|r| {
                    let slot = format!("channel:{}", r.identifier);
                    memory.recorded.get(&slot).filter(|k| is_key(k))
                })
            })
            .collect();
        let mut keys = Allocator::new();
        let mut claimed: Vec<Option<String>> =
            recorded.iter().map(|k| k.map(|k| keys.claim(k))).collect();
        for (l, k) in links.iter().zip(&mut claimed) {
            if k.is_none() {
                let sender = &comp_key_by_id[l.sender.identifier.as_str()];
                let receiver = &comp_key_by_id[l.receiver.identifier.as_str()];
                let fresh = naming::key_for(
                    Some(&format!("{sender} to {receiver}")),
                    "channel",
                    &l.rels[0].identifier,
                );
                *k = Some(keys.claim(&fresh));
            }
        }
        links
            .iter()
            .zip(claimed)
            .map(|(l, k)| {
                let key = k.expect("every channel claimed a key");
                self.remember
                    .insert(format!("channel:{}", l.rels[0].identifier), key.clone());
                key
            })
            .collect()
    }

    /// The channels of `links`, with their keys and messages: the entity a
    /// data object associated with a relationship makes, else the entity
    /// named like the message.
    pub(super) fn channels(
        &mut self,
        links: Vec<Link<'m>>,
        comp_key_by_id: &HashMap<&str, String>,
        entities: &[Entity],
    ) -> Vec<Channel> {
        let keys = self.channel_keys(&links, comp_key_by_id);
        let mut out = Vec::new();
        // Looked up once per channel: built once, not searched per channel.
        let mut by_origin: HashMap<&str, &Entity> = HashMap::default();
        // The model's own data only (no pack table: the outbox, say), by
        // key and by the snake form of its name; the first entity wins.
        let mut by_name: HashMap<String, &Entity> = HashMap::default();
        for e in entities {
            for f in &e.from {
                by_origin.entry(f.as_str()).or_insert(e);
            }
            if !e.from.is_empty() {
                by_name.entry(e.key.clone()).or_insert(e);
                if let Some(n) = naming::snake(&e.name) {
                    by_name.entry(n).or_insert(e);
                }
            }
        }
        let entity_of = |id: &str| by_origin.get(id).copied();
        for (l, key) in links.into_iter().zip(keys) {
            let sender = comp_key_by_id[l.sender.identifier.as_str()].clone();
            let receiver = comp_key_by_id[l.receiver.identifier.as_str()].clone();
            // A data object associated with one of the relationships.
            let associated = l
                .rels
                .iter()
                .flat_map(|r| {
                    let to = self
                        .rels_to(&r.identifier)
                        .iter()
                        .map(|a| a.source.as_str());
                    let from = self
                        .rels_from(&r.identifier)
                        .iter()
                        .map(|a| a.target.as_str());
                    to.chain(from).collect::<Vec<_>>()
                })
                .filter_map(|id| self.by_id.get(id).copied())
                .filter(|e| matches!(e.kind, T::DataObject | T::BusinessObject))
                .find_map(|e| entity_of(&e.identifier).map(|en| (en, e)));
            let named = || {
                let n = l.name.as_deref().and_then(naming::snake)?;
                by_name.get(&n).copied()
            };
            let (entity, entity_why) = match associated {
                Some((e, el)) => (
                    Some(e),
                    format!(
                        "; its message is entity `{}` ({} associated with the relationship)",
                        e.key,
                        shown(&display(el))
                    ),
                ),
                None => match named() {
                    Some(e) => (
                        Some(e),
                        format!("; its message is entity `{}` (named like it)", e.key),
                    ),
                    None => (None, String::new()),
                },
            };
            let name = l
                .name
                .clone()
                .unwrap_or_else(|| format!("{} to {}", display(l.sender), display(l.receiver)));
            let message = Message {
                name: match (entity, &l.name, l.event) {
                    (Some(e), _, _) => e.name.clone(),
                    (None, _, Some(ev)) => display(ev),
                    (None, Some(n), None) => n.clone(),
                    (None, None, None) => name.clone(),
                },
                entity: entity.map(|e| e.key.clone()),
                event: l.event.map(|e| e.identifier.clone()),
            };
            let drawn: Vec<String> = l
                .rels
                .iter()
                .map(|r| format!("{} {}", r.kind.as_str(), shown(&r.identifier)))
                .collect();
            let through = l
                .event
                .map(|e| format!(" through event {}", shown(&display(e))))
                .unwrap_or_default();
            let why = format!(
                "rule: {} from `{sender}` to `{receiver}`{through}{entity_why}",
                drawn.join(", ")
            );
            for r in &l.rels {
                self.why.insert(
                    &r.identifier,
                    (
                        format!("channel `{key}` from `{sender}` to `{receiver}`"),
                        format!("rule: a {} between two components (or their behaviour) is a message one sends the other{through}{entity_why}", r.kind.as_str()),
                    ),
                );
            }
            if let Some(ev) = l.event {
                self.why.entry(&ev.identifier).or_insert_with(|| {
                    (
                        format!("the message of channel `{key}`"),
                        "rule: an event between two components is the message one sends the other"
                            .to_owned(),
                    )
                });
            }
            let mut from: Provenance = l.rels.iter().map(|r| r.identifier.clone()).collect();
            from.extend(l.event.map(|e| e.identifier.clone()));
            out.push(Channel {
                key,
                name,
                kind: l.kind,
                sender,
                receiver,
                message,
                why,
                from,
            });
        }
        out
    }
}

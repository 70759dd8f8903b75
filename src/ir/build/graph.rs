//! The model as a graph: elements by type, relationships from and to an
//! element, what a component's behaviour accesses, realises and exposes.

use super::*;

impl<'m> Builder<'m> {
    pub(super) fn elements(&self, t: T) -> Vec<&'m Element> {
        self.by_kind.get(&t).cloned().unwrap_or_default()
    }

    /// The relationships from `src`, in file order.
    pub(super) fn rels_from(&self, src: &str) -> &[&'m Relationship] {
        self.from_src.get(src).map_or(&[], Vec::as_slice)
    }

    /// The relationships into `dst`, in file order.
    pub(super) fn rels_to(&self, dst: &str) -> &[&'m Relationship] {
        self.to_dst.get(dst).map_or(&[], Vec::as_slice)
    }

    /// Targets of relationships of type `r` from `src`.
    pub(super) fn out(&self, src: &str, r: R) -> Vec<&'m Element> {
        let mut v: Vec<&Element> = self
            .rels_from(src)
            .iter()
            .filter(|x| x.kind == r)
            .filter_map(|x| self.by_id.get(x.target.as_str()).copied())
            .collect();
        v.sort_by(|a, b| a.identifier.cmp(&b.identifier));
        v.dedup_by(|a, b| a.identifier == b.identifier);
        v
    }

    /// Sources of relationships of type `r` into `dst`.
    pub(super) fn incoming(&self, dst: &str, r: R) -> Vec<&'m Element> {
        let mut v: Vec<&Element> = self
            .rels_to(dst)
            .iter()
            .filter(|x| x.kind == r)
            .filter_map(|x| self.by_id.get(x.source.as_str()).copied())
            .collect();
        v.sort_by(|a, b| a.identifier.cmp(&b.identifier));
        v.dedup_by(|a, b| a.identifier == b.identifier);
        v
    }

    /// The element and the behaviour (functions, processes, interactions)
    /// assigned to it.
    pub(super) fn with_behaviour(&self, c: &'m Element) -> Vec<&'m Element> {
        let mut v = vec![c];
        v.extend(
            self.out(&c.identifier, R::Assignment)
                .into_iter()
                .filter(|e| {
                    matches!(
                        e.kind,
                        T::ApplicationFunction | T::ApplicationProcess | T::ApplicationInteraction
                    )
                }),
        );
        v
    }

    /// What `c` (with its assigned behaviour) reads and writes among `kinds`.
    pub(super) fn access(&self, c: &'m Element, kinds: &[T]) -> Access<'m> {
        let mut a = Access::default();
        for actor in self.with_behaviour(c) {
            for r in self
                .rels_from(&actor.identifier)
                .iter()
                .filter(|r| r.kind == R::Access)
            {
                let Some(t) = self.by_id.get(r.target.as_str()).copied() else {
                    continue;
                };
                if !kinds.contains(&t.kind) {
                    continue;
                }
                let (rd, wr) = match r.access_type.unwrap_or(AccessType::Access) {
                    AccessType::Read => (true, false),
                    AccessType::Write => (false, true),
                    AccessType::ReadWrite | AccessType::Access => (true, true),
                };
                if rd {
                    a.reads.push(t);
                }
                if wr {
                    a.writes.push(t);
                }
                if matches!(
                    r.access_type,
                    Some(AccessType::Write | AccessType::ReadWrite)
                ) {
                    a.stated_writes.push(t);
                }
            }
        }
        for l in [&mut a.reads, &mut a.writes, &mut a.stated_writes] {
            l.sort_by(|x, y| x.identifier.cmp(&y.identifier));
            l.dedup_by(|x, y| x.identifier == y.identifier);
        }
        a
    }

    pub(super) fn realised_services(&self, c: &'m Element) -> Vec<&'m Element> {
        let mut v: Vec<&Element> = self
            .with_behaviour(c)
            .into_iter()
            .flat_map(|a| self.out(&a.identifier, R::Realization))
            .filter(|e| e.kind == T::ApplicationService)
            .collect();
        for iface in self.interfaces(c) {
            v.extend(
                self.out(&iface.identifier, R::Assignment)
                    .into_iter()
                    .filter(|e| e.kind == T::ApplicationService),
            );
        }
        v.sort_by(|a, b| a.identifier.cmp(&b.identifier));
        v.dedup_by(|a, b| a.identifier == b.identifier);
        v
    }

    pub(super) fn interfaces(&self, c: &'m Element) -> Vec<&'m Element> {
        let mut v: Vec<&Element> = [R::Composition, R::Assignment, R::Aggregation]
            .into_iter()
            .flat_map(|r| self.out(&c.identifier, r))
            .filter(|e| e.kind == T::ApplicationInterface)
            .collect();
        v.sort_by(|a, b| a.identifier.cmp(&b.identifier));
        v.dedup_by(|a, b| a.identifier == b.identifier);
        v
    }
}

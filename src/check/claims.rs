//! Claim identity per StatefulSet ordinal: while an ordinal stays in range its claims keep their uid
//! across pod incarnations; they go only as `persistentVolumeClaimRetentionPolicy` allows
//! (kk:pkg/controller/statefulset/stateful_pod_control.go `createPersistentVolumeClaims`,
//! stateful_set_utils.go `isClaimOwnerUpToDate`: whenScaled Delete lets a condemned ordinal's claims
//! go, whenDeleted Delete lets them go with the set).

use super::{Checker, Delta, Findings, Invariant};
use crate::api::{Owner, PvcId, Retention, Store, StsId};
use crate::controllers::statefulset::utils::claim_name;
use crate::engine::SimTime;
use crate::sim::WorldView;
use std::collections::{BTreeMap, BTreeSet};

/// What one claim of one in-range ordinal shows now against what it showed first.
pub fn claim_fault(first_uid: &str, now_uid: Option<&str>) -> Option<String> {
    match now_uid {
        Some(uid) if uid == first_uid => None,
        Some(uid) => Some(format!(
            "the claim was replaced (uid {first_uid} became {uid})"
        )),
        None => Some(format!("the claim (uid {first_uid}) was deleted")),
    }
}

/// `namespace` and name of an object.
type Name = (String, String);

/// One claim a set wants: (set, ordinal, index of its template).
type Slot = (StsId, u32, usize);

/// What of a set decides which claims it wants: live, start, replicas, template names, and
/// whether a scale-down lets claims go.
type Shape = (bool, u32, u32, Vec<String>, bool);

/// Remembers the first uid of every claim of every ordinal in range, and forgets it when the
/// retention policy allows the claim to go (the ordinal was condemned under whenScaled Delete).
/// A claim is judged again when it, or the set's shape, changed.
#[derive(Debug, Default)]
pub struct ClaimChecker {
    /// (set, claim name) -> the uid first seen.
    first: BTreeMap<(StsId, String), String>,
    /// Every claim ever seen, by name.
    claims: BTreeMap<Name, BTreeSet<PvcId>>,
    /// The slots that want each claim name, and the names each set wants.
    wanted: BTreeMap<Name, BTreeSet<Slot>>,
    wants: BTreeMap<StsId, Vec<Name>>,
    shapes: BTreeMap<StsId, Shape>,
}

impl Checker for ClaimChecker {
    fn observe(
        &mut self,
        view: &WorldView<'_>,
        delta: &Delta,
        now: SimTime,
        findings: &mut Findings,
    ) {
        let store = view.store;
        let mut slots: BTreeSet<Slot> = BTreeSet::new();
        // Sets first: a set deleted in this event wants no claim any more.
        for id in delta.stateful_sets.iter().copied() {
            slots.extend(self.reshape(store, id));
        }
        for pvc in delta.claims.iter().copied() {
            let m = &store.claims[pvc.index()].meta;
            let name = (m.namespace.clone(), m.name.clone());
            slots.extend(self.wanted.get(&name).into_iter().flatten());
            self.claims.entry(name).or_default().insert(pvc);
        }
        for (id, ordinal, t) in slots {
            let set = &store.stateful_sets[id.index()];
            let name = claim_name(&set.claim_templates[t].meta.name, &set.meta.name, ordinal);
            let fault = self.judge(store, id, name, view.scenario_action);
            findings.judged(Invariant::ClaimIdentity, 1);
            if let Some((name, detail)) = fault {
                let object = format!(
                    "StatefulSet {}/{} ordinal {ordinal} claim {name}",
                    set.meta.namespace, set.meta.name
                );
                findings.violate(now, Invariant::ClaimIdentity, object, detail);
            }
        }
    }
}

impl ClaimChecker {
    /// Re-reads which claims set `id` wants if its shape changed; returns the slots to judge.
    fn reshape(&mut self, store: &Store, id: StsId) -> Vec<Slot> {
        let set = &store.stateful_sets[id.index()];
        let live = set.meta.exists() && set.meta.deletion.is_none();
        let templates = set.claim_templates.iter().map(|t| t.meta.name.clone());
        let scaled_delete = set.retention.when_scaled == Retention::Delete;
        let shape = (
            live,
            set.start_ordinal,
            set.replicas,
            templates.collect(),
            scaled_delete,
        );
        if self.shapes.get(&id) == Some(&shape) {
            return Vec::new();
        }
        self.shapes.insert(id, shape);
        for name in self.wants.remove(&id).unwrap_or_default() {
            if let Some(slots) = self.wanted.get_mut(&name) {
                slots.retain(|(s, _, _)| *s != id);
                if slots.is_empty() {
                    self.wanted.remove(&name);
                }
            }
        }
        if !live {
            return Vec::new();
        }
        if scaled_delete {
            self.forget_condemned(store, id);
        }
        let mut slots = Vec::new();
        let mut names = Vec::new();
        for ordinal in set.start_ordinal..set.start_ordinal.saturating_add(set.replicas) {
            for (t, template) in set.claim_templates.iter().enumerate() {
                let claim = claim_name(&template.meta.name, &set.meta.name, ordinal);
                let name = (set.meta.namespace.clone(), claim);
                self.wanted
                    .entry(name.clone())
                    .or_default()
                    .insert((id, ordinal, t));
                names.push(name);
                slots.push((id, ordinal, t));
            }
        }
        self.wants.insert(id, names);
        slots
    }

    /// The live claim `namespace/name` (the first, as `Store::claim_by_name` finds it).
    fn claim_by_name(&self, store: &Store, name: Name) -> Option<PvcId> {
        let ids = self.claims.get(&name)?;
        ids.iter()
            .copied()
            .find(|c| store.claims[c.index()].meta.exists())
    }

    /// Judges claim `name` of set `id`; a person's action (`kubectl delete pvc`) resets it.
    fn judge(
        &mut self,
        store: &Store,
        id: StsId,
        name: String,
        by_person: bool,
    ) -> Option<(String, String)> {
        let ns = store.stateful_sets[id.index()].meta.namespace.clone();
        let full_name = (ns, name.clone());
        let uid = self
            .claim_by_name(store, full_name.clone())
            .map(|c| store.claims[c.index()].meta.uid.clone());
        let excused = by_person || (uid.is_none() && self.went_with_its_pod(store, &full_name));
        let key = (id, name);
        let Some(first) = self.first.get(&key) else {
            if let Some(uid) = uid {
                self.first.insert(key, uid);
            }
            return None;
        };
        let fault = claim_fault(first, uid.as_deref());
        if fault.is_some() {
            // Report once: from now on the claim is judged against what it became.
            match uid {
                Some(uid) => self.first.insert(key.clone(), uid),
                None => self.first.remove(&key),
            };
        }
        fault.filter(|_| !excused).map(|d| (key.1, d))
    }

    /// Whether the newest claim called `name` was owned by a pod when it went. Under whenScaled
    /// Delete a scale-down makes the condemned pod the claim's owner (stateful_set_utils.go
    /// `updateClaimOwnerRefForSetAndPods`), and the garbage collector deletes the claim once that
    /// pod is gone, even if the set was scaled up again before the controller took the claim back:
    /// KEP-1847's test plan expects it ("immediately scale down to one pod, scale back to two
    /// pods, confirm PV is empty").
    fn went_with_its_pod(&self, store: &Store, name: &Name) -> bool {
        let newest = self.claims.get(name).and_then(|ids| ids.last());
        newest.is_some_and(|c| matches!(store.claims[c.index()].meta.owner, Some(Owner::Pod(_))))
    }

    /// Forgets the claims of ordinals no longer in range (they may be deleted and made anew).
    fn forget_condemned(&mut self, store: &Store, id: StsId) {
        let set = &store.stateful_sets[id.index()];
        let names: BTreeSet<String> = (set.start_ordinal
            ..set.start_ordinal.saturating_add(set.replicas))
            .flat_map(|o| {
                set.claim_templates
                    .iter()
                    .map(move |t| claim_name(&t.meta.name, &set.meta.name, o))
            })
            .collect();
        let condemned: Vec<(StsId, String)> = (self.first.range((id, String::new())..))
            .take_while(|((s, _), _)| *s == id)
            .filter(|((_, name), _)| !names.contains(name))
            .map(|(k, _)| k.clone())
            .collect();
        for k in condemned {
            self.first.remove(&k);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_claim_that_keeps_its_uid_is_the_same_identity() {
        assert_eq!(claim_fault("u1", Some("u1")), None);
    }

    #[test]
    fn a_replaced_or_deleted_claim_of_an_ordinal_in_range_is_a_violation() {
        assert!(claim_fault("u1", Some("u2")).unwrap().contains("replaced"));
        assert!(claim_fault("u1", None).unwrap().contains("deleted"));
    }
}

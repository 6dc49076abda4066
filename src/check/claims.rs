//! Claim identity per StatefulSet ordinal: while an ordinal stays in range its claims keep their uid
//! across pod incarnations; they go only as `persistentVolumeClaimRetentionPolicy` allows
//! (kk:pkg/controller/statefulset/stateful_pod_control.go `createPersistentVolumeClaims`,
//! stateful_set_utils.go `isClaimOwnerUpToDate`: whenScaled Delete lets a condemned ordinal's claims
//! go, whenDeleted Delete lets them go with the set).

use super::{Checker, Findings, Invariant};
use crate::api::{Retention, Store, StsId};
use crate::controllers::statefulset::utils::claim_name;
use crate::engine::SimTime;
use crate::sim::WorldView;
use std::collections::BTreeMap;

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

/// Remembers the first uid of every claim of every ordinal in range, and forgets it when the
/// retention policy allows the claim to go (the ordinal was condemned under whenScaled Delete).
#[derive(Debug, Default)]
pub struct ClaimChecker {
    /// (set, claim name) -> the uid first seen.
    first: BTreeMap<(StsId, String), String>,
}

impl Checker for ClaimChecker {
    fn observe(&mut self, view: &WorldView<'_>, now: SimTime, findings: &mut Findings) {
        let store = view.store;
        for (i, set) in store.stateful_sets.iter().enumerate() {
            if !set.meta.exists() || set.meta.deletion.is_some() {
                continue;
            }
            let id = StsId(i as u32);
            if set.retention.when_scaled == Retention::Delete {
                self.forget_condemned(store, id);
            }
            for ordinal in set.start_ordinal..set.start_ordinal.saturating_add(set.replicas) {
                for t in &set.claim_templates {
                    let name = claim_name(&t.meta.name, &set.meta.name, ordinal);
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
    }
}

impl ClaimChecker {
    /// Judges claim `name` of set `id`; a person's action (`kubectl delete pvc`) resets it.
    fn judge(
        &mut self,
        store: &Store,
        id: StsId,
        name: String,
        by_person: bool,
    ) -> Option<(String, String)> {
        let ns = &store.stateful_sets[id.index()].meta.namespace;
        let uid = store
            .claim_by_name(ns, &name)
            .map(|c| store.claims[c.index()].meta.uid.clone());
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
        fault.filter(|_| !by_person).map(|d| (key.1, d))
    }

    /// Forgets the claims of ordinals no longer in range (they may be deleted and made anew).
    fn forget_condemned(&mut self, store: &Store, id: StsId) {
        let set = &store.stateful_sets[id.index()];
        let names: Vec<String> = (set.start_ordinal
            ..set.start_ordinal.saturating_add(set.replicas))
            .flat_map(|o| {
                set.claim_templates
                    .iter()
                    .map(move |t| claim_name(&t.meta.name, &set.meta.name, o))
            })
            .collect();
        self.first
            .retain(|(s, name), _| *s != id || names.contains(name));
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

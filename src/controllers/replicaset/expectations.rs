//! Controller expectations (kk:pkg/controller/controller_utils.go `UIDTrackingControllerExpectations`).
//
// A controller that has asked for creations or deletions records how many it expects to observe, and does
// not act again on that key until it has observed them (or they expired): its informer cache may not show
// its own writes yet. Upstream keys controllers by `namespace/name` and pods by `PodKey` (`namespace/name`);
// we key them by their store ids (a pod id is one incarnation, and a controller's pods have generated,
// unique names, so the two keys pick out the same pods). Counts are `int64` upstream, `i64` here; time is
// the simulation's, so `isExpired` compares against `now` instead of the wall clock.

use crate::api::PodId;
use crate::engine::SimTime;
use std::collections::{BTreeMap, BTreeSet};

/// `ExpectationsTimeout = 5 * time.Minute` (controller_utils.go): older expectations no longer block a sync.
pub const EXPECTATIONS_TIMEOUT_MS: u64 = 5 * 60 * 1_000;

/// `ControlleeExpectations`: what one controller still expects to observe, and when it started expecting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ControlleeExpectations {
    pub add: i64,
    pub del: i64,
    pub timestamp: SimTime,
}

impl ControlleeExpectations {
    /// `Fulfilled`: both counts are at or below zero.
    pub fn fulfilled(&self) -> bool {
        self.add <= 0 && self.del <= 0
    }

    /// `isExpired`: set more than [`EXPECTATIONS_TIMEOUT_MS`] before `now` (strictly more, as `Since(t) > timeout`).
    pub fn is_expired(&self, now: SimTime) -> bool {
        now.since_ms(self.timestamp) > EXPECTATIONS_TIMEOUT_MS
    }
}

/// `UIDTrackingControllerExpectations` over `ControllerExpectations`, for controllers keyed by `K`:
/// counts per controller, and the pods whose deletion each one awaits, so that a pod's deletion counts once
/// whether it is seen as a new deletionTimestamp, as the removal, or both.
#[derive(Debug, Clone)]
pub struct Expectations<K: Ord + Copy> {
    counts: BTreeMap<K, ControlleeExpectations>,
    deleting: BTreeMap<K, BTreeSet<PodId>>,
}

impl<K: Ord + Copy> Default for Expectations<K> {
    fn default() -> Self {
        Expectations {
            counts: BTreeMap::new(),
            deleting: BTreeMap::new(),
        }
    }
}

impl<K: Ord + Copy> Expectations<K> {
    /// The expectations recorded for `key` (`GetExpectations`).
    pub fn get(&self, key: K) -> Option<&ControlleeExpectations> {
        self.counts.get(&key)
    }

    /// `SatisfiedExpectations`: true when none are recorded, when they are fulfilled, or when they expired.
    pub fn satisfied(&self, key: K, now: SimTime) -> bool {
        self.counts
            .get(&key)
            .is_none_or(|e| e.fulfilled() || e.is_expired(now))
    }

    /// `SetExpectations`: replaces whatever `key` expected (the deletion keys are kept, as upstream).
    fn set(&mut self, key: K, add: i64, del: i64, now: SimTime) {
        let timestamp = now;
        self.counts.insert(
            key,
            ControlleeExpectations {
                add,
                del,
                timestamp,
            },
        );
    }

    /// `ExpectCreations`: expect `adds` new pods and no deletion, from `now`.
    pub fn expect_creations(&mut self, key: K, adds: usize, now: SimTime) {
        self.set(key, adds as i64, 0, now);
    }

    /// `UIDTrackingControllerExpectations.ExpectDeletions`: expect the deletion of exactly `pods`
    /// (replacing, "clobbering", any earlier set) and no creation, from `now`.
    pub fn expect_deletions(&mut self, key: K, pods: &[PodId], now: SimTime) {
        let set: BTreeSet<PodId> = pods.iter().copied().collect();
        let n = set.len() as i64;
        self.deleting.insert(key, set);
        self.set(key, 0, n, now);
    }

    /// `LowerExpectations`: a no-op when nothing is recorded for `key`.
    fn lower(&mut self, key: K, add: i64, del: i64) {
        if let Some(e) = self.counts.get_mut(&key) {
            e.add -= add;
            e.del -= del;
        }
    }

    /// `CreationObserved`: one of the expected pods was seen (or will never be, its create was skipped).
    pub fn creation_observed(&mut self, key: K) {
        self.lower(key, 1, 0);
    }

    /// `UIDTrackingControllerExpectations.DeletionObserved`: counts `pod` only if its deletion is awaited,
    /// and only the first time.
    pub fn deletion_observed(&mut self, key: K, pod: PodId) {
        let awaited = self.deleting.get_mut(&key).is_some_and(|s| s.remove(&pod));
        if awaited {
            self.lower(key, 0, 1);
        }
    }

    /// `DeleteExpectations`: forgets `key` (its controller is gone).
    pub fn delete(&mut self, key: K) {
        self.counts.remove(&key);
        self.deleting.remove(&key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RS: u32 = 7;
    const T0: SimTime = SimTime(10_000);

    #[test]
    fn a_controller_without_expectations_is_satisfied() {
        let e = Expectations::<u32>::default();
        assert!(e.satisfied(RS, T0));
        assert_eq!(e.get(RS), None);
    }

    #[test]
    fn creations_are_satisfied_once_each_is_observed() {
        let mut e = Expectations::default();
        e.expect_creations(RS, 2, T0);
        assert!(!e.satisfied(RS, T0));
        e.creation_observed(RS);
        assert!(!e.satisfied(RS, T0));
        e.creation_observed(RS);
        assert!(e.satisfied(RS, T0));
        e.creation_observed(RS);
        assert_eq!(
            e.get(RS).map(|x| x.add),
            Some(-1),
            "below zero still counts as satisfied"
        );
        assert!(e.satisfied(RS, T0));
    }

    #[test]
    fn expectations_expire_after_five_minutes() {
        let mut e = Expectations::default();
        e.expect_creations(RS, 1, T0);
        assert!(
            !e.satisfied(RS, T0.plus_ms(EXPECTATIONS_TIMEOUT_MS)),
            "exactly 5 min is not older"
        );
        assert!(e.satisfied(RS, T0.plus_ms(EXPECTATIONS_TIMEOUT_MS + 1)));
    }

    #[test]
    fn a_deletion_counts_once_per_awaited_pod() {
        let mut e = Expectations::default();
        e.expect_deletions(RS, &[PodId(1), PodId(2)], T0);
        e.deletion_observed(RS, PodId(1));
        e.deletion_observed(RS, PodId(1)); // the removal after the deletionTimestamp
        assert_eq!(e.get(RS).map(|x| x.del), Some(1));
        assert!(!e.satisfied(RS, T0));
        e.deletion_observed(RS, PodId(3)); // a pod this controller did not delete
        assert!(!e.satisfied(RS, T0));
        e.deletion_observed(RS, PodId(2));
        assert!(e.satisfied(RS, T0));
    }

    #[test]
    fn expecting_creations_replaces_the_deletion_count() {
        let mut e = Expectations::default();
        e.expect_deletions(RS, &[PodId(1)], T0);
        e.expect_creations(RS, 1, T0.plus_ms(5));
        let now = e.get(RS).copied();
        assert_eq!(
            now,
            Some(ControlleeExpectations {
                add: 1,
                del: 0,
                timestamp: T0.plus_ms(5)
            })
        );
    }

    #[test]
    fn deleted_expectations_are_forgotten_and_observations_of_them_ignored() {
        let mut e = Expectations::default();
        e.expect_deletions(RS, &[PodId(1)], T0);
        e.delete(RS);
        assert!(e.satisfied(RS, T0));
        e.deletion_observed(RS, PodId(1));
        e.creation_observed(RS);
        assert_eq!(e.get(RS), None);
    }
}

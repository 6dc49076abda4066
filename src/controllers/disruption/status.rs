//! The numbers of a PodDisruptionBudget's status as pure functions (kk:pkg/controller/disruption/
//! disruption.go `getExpectedPodCount`, `getExpectedScale`, `countHealthyPods`, `updatePdbStatus`,
//! `buildDisruptedPodMap`).

use crate::api::Budget;
use crate::engine::SimTime;
use std::collections::BTreeMap;

/// What the controller knows of one pod the budget selects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PodFacts<K> {
    pub name: String,
    /// Ready (PodReady) and not being deleted: `countHealthyPods`.
    pub healthy: bool,
    pub controller: Controller<K>,
}

/// A pod's controller as the finders see it (`finders`: Deployment, ReplicaSet, StatefulSet, ...).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Controller<K> {
    /// No controller reference: an unmanaged pod.
    None,
    /// A controller with its identity and scale (`spec.replicas`).
    Scaled(K, i32),
    /// A controller reference no finder resolves (a missing or unknown controller).
    Unknown,
}

/// `getExpectedScale`: the sum of the scales of the pods' distinct controllers, and how many pods
/// are unmanaged; an error when a pod's controller cannot be found.
pub fn expected_scale<K: Ord + Clone>(pods: &[PodFacts<K>]) -> Result<(i32, usize), String> {
    let mut scales: BTreeMap<K, i32> = BTreeMap::new();
    let mut unmanaged = 0;
    for p in pods {
        match &p.controller {
            Controller::None => unmanaged += 1,
            Controller::Scaled(k, scale) => {
                scales.insert(k.clone(), *scale);
            }
            Controller::Unknown => {
                return Err(format!("found no controllers for pod {:?}", p.name))
            }
        }
    }
    Ok((scales.values().sum(), unmanaged))
}

/// `getExpectedPodCount`: (expectedCount, desiredHealthy, unmanaged pods). An integer minAvailable
/// counts the selected pods; a percentage, or maxUnavailable, the controllers' scale (rounded up).
pub fn expected_pod_count<K: Ord + Clone>(
    budget: Budget,
    pods: &[PodFacts<K>],
) -> Result<(i32, i32, usize), String> {
    use crate::api::IntOrPercent::Int;
    Ok(match budget {
        Budget::MaxUnavailable(max) => {
            let (expected, unmanaged) = expected_scale(pods)?;
            let desired = (expected - max.scaled(expected, true)).max(0);
            (expected, desired, unmanaged)
        }
        Budget::MinAvailable(Int(n)) => (pods.len() as i32, n, 0),
        Budget::MinAvailable(min) => {
            let (expected, unmanaged) = expected_scale(pods)?;
            (expected, min.scaled(expected, true), unmanaged)
        }
        Budget::Unset => (0, 0, 0),
    })
}

/// `updatePdbStatus`: disruptions allowed are the healthy pods above the desired ones, none while
/// no pod is expected.
pub fn disruptions_allowed(current_healthy: i32, desired_healthy: i32, expected: i32) -> i32 {
    if expected <= 0 {
        return 0;
    }
    (current_healthy - desired_healthy).max(0)
}

/// `countHealthyPods`: ready, not being deleted, and not recently evicted (`healthy` of each pod
/// already says so: [`recently_disrupted`]).
pub fn count_healthy<K>(pods: &[PodFacts<K>]) -> i32 {
    pods.iter().filter(|p| p.healthy).count() as i32
}

/// `DeletionTimeout` (kk:pkg/controller/disruption/disruption.go): how long after its eviction a pod
/// in `disruptedPods` is expected to be deleted; after that it counts again.
pub const DELETION_TIMEOUT_MS: u64 = 2 * 60 * 1000;

/// True if `disruptedPods` holds the pod, evicted at `evicted`, and its deletion is still expected at `now`.
pub fn recently_disrupted(evicted: Option<SimTime>, now: SimTime) -> bool {
    evicted.is_some_and(|t| t.plus_ms(DELETION_TIMEOUT_MS) > now)
}

/// A pod `buildDisruptedPodMap` looks at: its name, whether it is being deleted, and when it was
/// evicted if `disruptedPods` holds it.
pub struct Disrupted<'a> {
    pub name: &'a str,
    pub deleting: bool,
    pub evicted: Option<SimTime>,
}

/// `buildDisruptedPodMap`: the entries to keep (pods not yet being deleted whose deletion is still
/// expected), the earliest time one expires (the budget is synced again then), and the pods that
/// were expected to be deleted but were not (a `NotDeleted` Warning each).
pub fn disrupted_pod_map<'a>(
    pods: &[Disrupted<'a>],
    now: SimTime,
) -> (BTreeMap<String, SimTime>, Option<SimTime>, Vec<&'a str>) {
    let (mut kept, mut recheck, mut overdue) = (BTreeMap::new(), None::<SimTime>, Vec::new());
    for p in pods.iter().filter(|p| !p.deleting) {
        let Some(evicted) = p.evicted else { continue };
        let expected = evicted.plus_ms(DELETION_TIMEOUT_MS);
        // Upstream's `expectedDeletion.Before(currentTime)` runs on a clock that has moved on by the
        // time the recheck at `expectedDeletion` syncs; here the recheck runs at that very instant,
        // so the deadline counts as passed (else the recheck would requeue itself at once, forever).
        if expected <= now {
            overdue.push(p.name);
        } else {
            recheck = Some(recheck.map_or(expected, |r| r.min(expected)));
            kept.insert(p.name.to_string(), evicted);
        }
    }
    (kept, recheck, overdue)
}

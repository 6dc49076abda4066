//! The numbers of a PodDisruptionBudget's status as pure functions (kk:pkg/controller/disruption/
//! disruption.go `getExpectedPodCount`, `getExpectedScale`, `countHealthyPods`, `updatePdbStatus`).

use crate::api::Budget;
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

/// `countHealthyPods` (no evictions are modelled, so `disruptedPods` stays empty).
pub fn count_healthy<K>(pods: &[PodFacts<K>]) -> i32 {
    pods.iter().filter(|p| p.healthy).count() as i32
}

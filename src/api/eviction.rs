//! The Eviction API, `POST pods/<name>/eviction` (kk:pkg/registry/core/pod/storage/eviction.go
//! `EvictionREST.Create`): a graceful delete that a PodDisruptionBudget may refuse.

use super::ids::{PdbId, PodId};
use super::objects::{Pod, PodPhase};
use super::store::Store;
use super::write::Write;
use crate::engine::SimTime;

/// Why the API server refused an eviction.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EvictionError {
    /// 404: the pod is gone (kubectl drain counts it as evicted).
    #[error("pods \"{0}\" not found")]
    NotFound(String),
    /// 429 TooManyRequests: the budget allows no disruption now (or its status is stale:
    /// `observedGeneration < generation`); the client retries.
    #[error("Cannot evict pod as it would violate the pod's disruption budget.")]
    TooManyRequests {
        /// The budget that refused it.
        pdb: String,
    },
    /// 500: more than one budget selects the pod.
    #[error("This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.")]
    MultipleBudgets,
}

impl EvictionError {
    /// The HTTP status code the API server answers with.
    pub fn code(&self) -> u16 {
        match self {
            EvictionError::NotFound(_) => 404,
            EvictionError::TooManyRequests { .. } => 429,
            EvictionError::MultipleBudgets => 500,
        }
    }
}

/// Evicts `pod` at `now`: the writes the API server makes (the budget's status, then the graceful
/// delete with `grace_period_ms`, None: the pod's own), or why it refuses.
pub fn evict(
    store: &Store,
    pod: PodId,
    grace_period_ms: Option<u64>,
    now: SimTime,
) -> Result<Vec<Write>, EvictionError> {
    let p = &store.pods[pod.index()];
    if !p.meta.exists() {
        return Err(EvictionError::NotFound(p.meta.name.clone()));
    }
    let delete = Write::DeletePod {
        pod,
        grace_period_ms,
    };
    // `canIgnorePDB`: a pod that is terminal, Pending or already terminating is deleted at once.
    if can_ignore_pdb(p) {
        return Ok(vec![delete]);
    }
    let pdbs = budgets_for(store, p);
    let pdb = match pdbs[..] {
        [] => return Ok(vec![delete]),
        [one] => one,
        _ => return Err(EvictionError::MultipleBudgets),
    };
    let budget = &store.pdbs[pdb.index()];
    let status = &budget.status;
    // A pod that is not ready does not count towards healthy: no decrement while the budget is met.
    if !p.ready && status.current_healthy >= status.desired_healthy && status.desired_healthy > 0 {
        return Ok(vec![delete]);
    }
    let status = check_and_decrement(store, pdb, &p.meta.name, now)?;
    Ok(vec![Write::SetPdbStatus { pdb, status }, delete])
}

/// `canIgnorePDB`: Succeeded, Failed, Pending or terminating.
fn can_ignore_pdb(pod: &Pod) -> bool {
    matches!(
        pod.phase,
        PodPhase::Succeeded | PodPhase::Failed | PodPhase::Pending
    ) || pod.meta.deletion.is_some()
}

/// `getPodDisruptionBudgets`: the budgets of the pod's namespace whose selector matches it; a missing
/// or empty selector matches nothing here (unlike the disruption controller's).
pub fn budgets_for(store: &Store, pod: &Pod) -> Vec<PdbId> {
    let selects = |sel: &super::LabelSelector| {
        let empty = sel.match_labels.is_empty() && sel.match_expressions.is_empty();
        !empty && sel.matches(&pod.meta.labels)
    };
    (0..store.pdbs.len() as u32)
        .map(PdbId)
        .filter(|id| {
            let pdb = &store.pdbs[id.index()];
            pdb.meta.exists()
                && pdb.meta.namespace == pod.meta.namespace
                && pdb.selector.as_ref().is_some_and(selects)
        })
        .collect()
}

/// `checkAndDecrement`: 429 while the status is stale or allows no disruption; else one disruption
/// fewer, and the pod recorded in `disruptedPods` with the time of its eviction.
fn check_and_decrement(
    store: &Store,
    pdb: PdbId,
    pod_name: &str,
    now: SimTime,
) -> Result<super::PdbStatus, EvictionError> {
    let budget = &store.pdbs[pdb.index()];
    let mut status = budget.status.clone();
    if status.observed_generation < budget.meta.generation || status.disruptions_allowed <= 0 {
        let pdb = budget.meta.name.clone();
        return Err(EvictionError::TooManyRequests { pdb });
    }
    status.disruptions_allowed -= 1;
    if status.disruptions_allowed == 0 {
        // `pdbhelper.UpdateDisruptionAllowedCondition`.
        status.condition = Some("InsufficientPods");
    }
    status.disrupted_pods.insert(pod_name.to_string(), now);
    Ok(status)
}

#[cfg(test)]
#[path = "eviction_tests.rs"]
pub(crate) mod tests;

//! Liveness after the faults stop: once no scenario action has happened for a quiet period, every
//! controller's objects reach their desired state and stay there, their status tells the truth, and
//! no controller keeps creating, deleting or scaling once converged.
//!
//! A workload is judged only when every pod it has is Ready and not terminating: a program that
//! never becomes Ready (a crash loop, an image that never pulls) stalls a rollout by design
//! (OrderedReady waits, maxUnavailable holds), which is no fault of the controller.

use super::{Checker, Delta, Findings, Invariant};
use crate::api::{Owner, PodId, RsId, Store};
use crate::engine::SimTime;
use crate::sim::WorldView;

/// How long no scenario action must have happened before liveness is judged (10 min).
pub const QUIET_MS: u64 = 10 * 60 * 1000;

/// The Events of a controller creating, deleting or resizing something.
const CONTROLLER_WRITES: &[&str] = &["SuccessfulCreate", "SuccessfulDelete", "ScalingReplicaSet"];
/// The controllers whose writes after convergence are judged.
const JUDGED_KINDS: &[&str] = &["ReplicaSet", "StatefulSet", "Deployment"];

/// What one workload shows at the end, as the rule reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkloadFacts {
    /// `spec.replicas`.
    pub desired: u32,
    /// Live, active pods.
    pub pods: u32,
    /// Of them, Ready ones.
    pub ready: u32,
    /// `status.replicas` and `status.readyReplicas`.
    pub status: (u32, u32),
}

/// Why a workload whose pods are all Ready has not converged, if it has not.
pub fn not_converged(f: &WorkloadFacts) -> Option<String> {
    if f.pods != f.desired {
        return Some(format!(
            "{} pods where spec.replicas is {}",
            f.pods, f.desired
        ));
    }
    if f.status != (f.pods, f.ready) {
        let (r, ready) = f.status;
        return Some(format!(
            "status says {r} replicas, {ready} ready, but {} pods exist, {} ready",
            f.pods, f.ready
        ));
    }
    None
}

/// Judges convergence at the end of a run with a quiet tail, and writes after convergence.
#[derive(Debug, Default)]
pub struct LivenessChecker {
    /// When the scenario's control-plane faults stop acting; None: never known (not judged).
    faults_end: Option<SimTime>,
    last_action: SimTime,
    /// The problems seen after the last event judged within the quiet tail.
    problems: Vec<(String, String)>,
    /// When the world last became converged (no problems), within the quiet tail.
    converged_at: Option<SimTime>,
    judged: bool,
    /// The workloads' problems, kept up to date within the quiet tail (None outside it).
    index: Option<super::liveness_index::LiveIndex>,
}

impl LivenessChecker {
    /// Judges liveness once no scenario action has happened, and every control-plane fault ended
    /// (`faults_end_ms`, None: never), for [`QUIET_MS`].
    pub fn new(faults_end_ms: Option<u64>) -> Self {
        LivenessChecker {
            faults_end: faults_end_ms.map(SimTime),
            ..Default::default()
        }
    }

    /// The start of the quiet tail so far, if one can be known.
    fn quiet_from(&self) -> Option<SimTime> {
        self.faults_end.map(|end| end.max(self.last_action))
    }
}

impl Checker for LivenessChecker {
    fn observe(
        &mut self,
        view: &WorldView<'_>,
        delta: &Delta,
        now: SimTime,
        findings: &mut Findings,
    ) {
        if view.scenario_action {
            self.last_action = now;
            self.converged_at = None;
            self.judged = false;
            self.index = None;
            return;
        }
        match self.quiet_from() {
            Some(from) if now.0 >= from.0.saturating_add(QUIET_MS) => {}
            _ => return,
        }
        self.judged = true;
        let writes = (view.new_events.iter()).find(|e| {
            CONTROLLER_WRITES.contains(&e.reason.as_str())
                && JUDGED_KINDS.contains(&e.kind.as_str())
        });
        if let (Some(e), Some(_)) = (writes, self.converged_at) {
            let object = format!("{} {}/{}", e.kind, e.namespace, e.name);
            let detail = format!(
                "keeps writing after converging: {}: {}",
                e.reason, e.message
            );
            findings.violate(now, Invariant::Liveness, object, detail);
            self.converged_at = None;
        }
        let index = match &mut self.index {
            Some(index) => {
                index.update(view.store, delta);
                index
            }
            // The tail begins: every workload is judged once, then only what events change.
            None => {
                let mut index = super::liveness_index::LiveIndex::default();
                index.update(view.store, &Delta::everything(view));
                self.index.insert(index)
            }
        };
        let (problems, all_ready) = index.problems();
        self.problems = problems;
        if self.problems.is_empty() && all_ready {
            self.converged_at.get_or_insert(now);
        } else {
            self.converged_at = None;
        }
    }

    fn finish(&mut self, end: SimTime, findings: &mut Findings) {
        let Some(from) = self.quiet_from() else {
            return;
        };
        if !self.judged || end.0 < from.0.saturating_add(QUIET_MS) {
            return;
        }
        findings.judged(Invariant::Liveness, 1);
        for (object, detail) in std::mem::take(&mut self.problems) {
            let quiet_s = (end.0 - from.0) / 1000;
            let detail = format!("not converged {quiet_s} s after the last action: {detail}");
            findings.violate(end, Invariant::Liveness, object, detail);
        }
    }
}

/// A workload's problem, if all its pods are Ready (else it is not judged).
pub(super) fn judge(
    store: &Store,
    pods: &[PodId],
    desired: u32,
    status: (u32, u32),
) -> Option<String> {
    let all = pods.iter().map(|p| &store.pods[p.index()]);
    if all.clone().any(|p| !p.ready || p.meta.deletion.is_some()) {
        return None;
    }
    let active = all.filter(|p| p.is_active()).count() as u32;
    let facts = WorkloadFacts {
        desired,
        pods: active,
        ready: active,
        status,
    };
    not_converged(&facts)
}

/// A Deployment whose pods are all Ready: every replica updated, and old ReplicaSets scaled to 0;
/// `rss` holds every ReplicaSet it owns (and maybe others: only live ones it owns count).
pub(super) fn deployment_problem(
    store: &Store,
    rss: &[RsId],
    d: &crate::api::Deployment,
    owner: Owner,
) -> Option<String> {
    let rss: Vec<RsId> = (rss.iter().copied())
        .filter(|r| {
            let meta = &store.replica_sets[r.index()].meta;
            meta.exists() && meta.owner == Some(owner)
        })
        .collect();
    let mut pods = rss.iter().flat_map(|r| store.pods_of_rs(*r));
    if pods.any(|p| !store.pods[p.index()].ready || store.pods[p.index()].meta.deletion.is_some()) {
        return None;
    }
    let total: u32 = rss
        .iter()
        .map(|r| store.replica_sets[r.index()].replicas)
        .sum();
    let st = &d.status;
    if total != d.replicas || st.updated != d.replicas || st.replicas != d.replicas {
        return Some(format!(
            "its ReplicaSets hold {total} replicas, status says {} replicas, {} updated, where spec.replicas is {}",
            st.replicas, st.updated, d.replicas
        ));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn converged() -> WorkloadFacts {
        WorkloadFacts {
            desired: 3,
            pods: 3,
            ready: 3,
            status: (3, 3),
        }
    }

    #[test]
    fn a_workload_at_its_size_with_a_true_status_has_converged() {
        assert_eq!(not_converged(&converged()), None);
    }

    #[test]
    fn too_few_pods_or_a_stale_status_is_not_converged() {
        let short = WorkloadFacts {
            pods: 2,
            ready: 2,
            ..converged()
        };
        assert!(not_converged(&short).unwrap().contains("2 pods"));
        let stale = WorkloadFacts {
            status: (3, 2),
            ..converged()
        };
        assert!(not_converged(&stale).unwrap().contains("status says"));
    }
}

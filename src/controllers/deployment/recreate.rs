//! Recreate decisions of the Deployment controller (kk:pkg/controller/deployment/recreate.go).

use super::util::{
    filter_active, get_actual_replica_count_for_replica_sets, DeploymentView, RsView, ScaleAction,
};

/// What one `rolloutRecreate` sync does besides syncing the rollout status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecreateStep {
    /// Old active ReplicaSets are scaled to 0 (then only the status is synced).
    ScaleDownOld(Vec<ScaleAction>),
    /// Old pods are still running: nothing but the status.
    WaitForOldPods,
    /// There is no new ReplicaSet: create it with `replicas` (`NewRSNewReplicas` for Recreate).
    CreateNew { replicas: i32 },
    /// Scale the new ReplicaSet to `spec.replicas` (None: already there); upstream then runs
    /// `cleanupDeployment` when the Deployment is complete.
    ScaleUpNew(Option<ScaleAction>),
}

/// `rolloutRecreate`: `old_rss` are all old ReplicaSets; `old_pods_running` counts the pods not
/// owned by the new ReplicaSet that are not Succeeded or Failed (terminating ones included).
pub fn rollout_recreate(
    d: &DeploymentView,
    old_rss: &[RsView],
    new_rs: Option<&RsView>,
    old_pods_running: usize,
) -> RecreateStep {
    let scaled = scale_down_old_replica_sets_for_recreate(&filter_active(old_rss));
    if !scaled.is_empty() {
        return RecreateStep::ScaleDownOld(scaled);
    }
    if self::old_pods_running(old_rss, old_pods_running) {
        return RecreateStep::WaitForOldPods;
    }
    match new_rs {
        None => RecreateStep::CreateNew {
            replicas: d.replicas,
        },
        Some(rs) => RecreateStep::ScaleUpNew(scale_up_new_replica_set_for_recreate(rs, d)),
    }
}

/// `scaleDownOldReplicaSetsForRecreate`: every old ReplicaSet with replicas goes to 0.
pub fn scale_down_old_replica_sets_for_recreate(old_rss: &[RsView]) -> Vec<ScaleAction> {
    old_rss
        .iter()
        .filter(|rs| rs.replicas != 0)
        .map(|rs| ScaleAction {
            key: rs.key,
            replicas: 0,
        })
        .collect()
}

/// `oldPodsRunning`: old ReplicaSets still report pods, or some old pod is not terminal.
pub fn old_pods_running(old_rss: &[RsView], old_non_terminal_pods: usize) -> bool {
    get_actual_replica_count_for_replica_sets(old_rss) > 0 || old_non_terminal_pods > 0
}

/// `scaleUpNewReplicaSetForRecreate`: the new ReplicaSet goes to `spec.replicas`.
pub fn scale_up_new_replica_set_for_recreate(
    new_rs: &RsView,
    d: &DeploymentView,
) -> Option<ScaleAction> {
    (new_rs.replicas != d.replicas).then_some(ScaleAction {
        key: new_rs.key,
        replicas: d.replicas,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::Strategy;

    fn recreate(replicas: i32) -> DeploymentView {
        DeploymentView {
            strategy: Strategy::Recreate,
            ..DeploymentView::rolling(replicas, "0", "0")
        }
    }

    fn with_status(name: &str, spec: i32, status: i32) -> RsView {
        RsView {
            status_replicas: status,
            ..RsView::new(0, name, 0, spec)
        }
    }

    #[test]
    fn old_replica_sets_are_all_scaled_to_zero() {
        // TestScaleDownOldReplicaSets: one old RS of 3.
        let old = [RsView::new(4, "foo-0", 0, 3)];
        assert_eq!(
            scale_down_old_replica_sets_for_recreate(&old),
            vec![ScaleAction {
                key: 4,
                replicas: 0
            }]
        );
    }

    #[test]
    fn old_pods_count_while_status_or_non_terminal_pods_remain() {
        // TestOldPodsRunning: (name, old RSs (spec, status), non-terminal old pods, expected).
        type Case = (&'static str, &'static [(i32, i32)], usize, bool);
        let cases: [Case; 8] = [
            ("no old RSs", &[], 0, false),
            ("old RSs with running pods", &[(0, 0), (0, 0)], 4, true),
            (
                "old RSs without pods but with non-zero status replicas",
                &[(0, 1)],
                0,
                true,
            ),
            (
                "old RSs without pods or non-zero status replicas",
                &[(0, 0)],
                0,
                false,
            ),
            (
                "old RSs with zero status replicas but pods in terminal state",
                &[(0, 0)],
                0,
                false,
            ),
            (
                "old RSs with zero status replicas but pod in unknown phase",
                &[(0, 0)],
                1,
                true,
            ),
            (
                "old RSs with zero status replicas with pending pod present",
                &[(0, 0)],
                1,
                true,
            ),
            (
                "old RSs with zero status replicas with running pod present",
                &[(0, 0)],
                1,
                true,
            ),
        ];
        for (name, rss, pods, want) in cases {
            let old: Vec<RsView> = rss
                .iter()
                .map(|&(spec, status)| with_status("rs-1", spec, status))
                .collect();
            assert_eq!(old_pods_running(&old, pods), want, "{name}");
        }
    }

    #[test]
    fn recreate_scales_down_then_waits_then_creates_the_new_replica_set() {
        let d = recreate(3);
        let old = RsView {
            status_replicas: 3,
            ..RsView::new(1, "old", 0, 3)
        };
        let step = rollout_recreate(&d, std::slice::from_ref(&old), None, 3);
        assert_eq!(
            step,
            RecreateStep::ScaleDownOld(vec![ScaleAction {
                key: 1,
                replicas: 0
            }])
        );
        let drained = RsView {
            replicas: 0,
            ..old.clone()
        };
        assert_eq!(
            rollout_recreate(&d, std::slice::from_ref(&drained), None, 0),
            RecreateStep::WaitForOldPods
        );
        let gone = RsView {
            status_replicas: 0,
            ..drained.clone()
        };
        assert_eq!(
            rollout_recreate(&d, std::slice::from_ref(&gone), None, 1),
            RecreateStep::WaitForOldPods
        );
        assert_eq!(
            rollout_recreate(&d, std::slice::from_ref(&gone), None, 0),
            RecreateStep::CreateNew { replicas: 3 }
        );
        let new_rs = RsView::new(2, "new", 0, 1);
        let up = RecreateStep::ScaleUpNew(Some(ScaleAction {
            key: 2,
            replicas: 3,
        }));
        assert_eq!(
            rollout_recreate(&d, std::slice::from_ref(&gone), Some(&new_rs), 0),
            up
        );
        let at_size = RsView {
            replicas: 3,
            ..new_rs
        };
        assert_eq!(
            rollout_recreate(&d, &[gone], Some(&at_size), 0),
            RecreateStep::ScaleUpNew(None)
        );
    }
}

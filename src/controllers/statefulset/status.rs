//! The StatefulSet's status: `computeReplicaStatus`, `completeRollingUpdate` and `inconsistentStatus`
//! (kk:pkg/controller/statefulset/stateful_set_control.go, stateful_set_utils.go).

use super::utils::PodView;
use crate::api::StatefulSetStatus;

/// `updateStatus` over the set's pods: every pod counts as created (the store holds only pods the
/// API server accepted); ready = Running and Ready; available = ready for minReadySeconds; current
/// and updated count the pods that are not terminating by their revision label.
pub fn compute(
    pods: &[&PodView],
    current_revision: &str,
    update_revision: &str,
    observed_generation: i64,
) -> StatefulSetStatus {
    let mut s = StatefulSetStatus {
        current_revision: current_revision.to_string(),
        update_revision: update_revision.to_string(),
        observed_generation,
        ..StatefulSetStatus::default()
    };
    for pod in pods {
        s.replicas += 1;
        if pod.running_and_ready() {
            s.ready += 1;
            if pod.running_and_available() {
                s.available += 1;
            }
        }
        if !pod.terminating {
            s.current += u32::from(pod.revision == current_revision);
            s.updated += u32::from(pod.revision == update_revision);
        }
    }
    s
}

/// `completeRollingUpdate`: a RollingUpdate whose pods are all updated and ready is complete: the
/// update revision becomes the current one.
pub fn complete_rolling_update(rolling: bool, s: &mut StatefulSetStatus) {
    if rolling && s.updated == s.replicas && s.ready == s.replicas {
        s.current = s.updated;
        s.current_revision = s.update_revision.clone();
    }
}

/// `inconsistentStatus`: the status needs writing (a newer generation, or any count or revision
/// differs; the collision count is not compared, as upstream).
pub fn inconsistent(stored: &StatefulSetStatus, s: &StatefulSetStatus) -> bool {
    s.observed_generation > stored.observed_generation
        || s.replicas != stored.replicas
        || s.current != stored.current
        || s.ready != stored.ready
        || s.available != stored.available
        || s.updated != stored.updated
        || s.current_revision != stored.current_revision
        || s.update_revision != stored.update_revision
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::PodPhase;

    fn pod(revision: &str, ready: bool, available: bool, terminating: bool) -> PodView {
        PodView {
            key: 0,
            ordinal: 0,
            revision: revision.into(),
            phase: PodPhase::Running,
            ready,
            available,
            terminating,
        }
    }

    #[test]
    fn status_counts_ready_available_current_and_updated_pods() {
        let pods = [
            pod("web-1", true, true, false),
            pod("web-1", true, false, false),
            pod("web-2", false, false, false),
            pod("web-2", true, true, true),
        ];
        let refs: Vec<&PodView> = pods.iter().collect();
        let s = compute(&refs, "web-1", "web-2", 3);
        assert_eq!(
            (s.replicas, s.ready, s.available, s.current, s.updated),
            (4, 3, 2, 2, 1)
        );
        assert_eq!(s.observed_generation, 3);
    }

    #[test]
    fn a_rolling_update_completes_when_every_pod_is_updated_and_ready() {
        let pods = [
            pod("web-2", true, true, false),
            pod("web-2", true, true, false),
        ];
        let refs: Vec<&PodView> = pods.iter().collect();
        let mut s = compute(&refs, "web-1", "web-2", 2);
        complete_rolling_update(false, &mut s);
        assert_eq!(s.current_revision, "web-1", "OnDelete never completes");
        complete_rolling_update(true, &mut s);
        assert_eq!((s.current_revision.as_str(), s.current), ("web-2", 2));
        assert!(inconsistent(&StatefulSetStatus::default(), &s));
        assert!(!inconsistent(&s.clone(), &s));
    }
}

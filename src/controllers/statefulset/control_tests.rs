//! Unit tests of `updateStatefulSet`'s decisions (after kk:pkg/controller/statefulset/stateful_set_control_test.go).

use super::*;
use crate::api::PodPhase;

const CUR: &str = "web-1";
const UPD: &str = "web-2";

fn set(replicas: u32, monotonic: bool, partition: Option<u32>) -> SetView {
    SetView {
        replicas,
        start: 0,
        monotonic,
        partition,
        max_unavailable: None,
        current_revision: CUR.into(),
        update_revision: UPD.into(),
        deleting: false,
        early_scale_down: false,
    }
}

/// A pod of `ordinal` (its key is the ordinal) at `revision`.
fn pod(ordinal: u32, revision: &str, phase: PodPhase, ready: bool) -> PodView {
    PodView {
        key: ordinal,
        ordinal,
        revision: revision.into(),
        phase,
        ready,
        available: ready,
        terminating: false,
    }
}

fn healthy(ordinal: u32, revision: &str) -> PodView {
    pod(ordinal, revision, PodPhase::Running, true)
}

fn slot(ordinal: u32, pod: Option<PodView>) -> Slot {
    Slot {
        ordinal,
        pod,
        claims_stale: false,
        claims_match: true,
    }
}

fn slots(pods: Vec<Option<PodView>>) -> Vec<Slot> {
    pods.into_iter()
        .enumerate()
        .map(|(i, p)| slot(i as u32, p))
        .collect()
}

fn condemned(pods: Vec<PodView>) -> Vec<Condemned> {
    let mut c: Vec<Condemned> = pods
        .into_iter()
        .map(|pod| Condemned {
            pod,
            claims_match: true,
        })
        .collect();
    c.sort_by_key(|c| std::cmp::Reverse(c.pod.ordinal));
    c
}

fn create(ordinal: u32) -> Action {
    Action::Create {
        ordinal,
        at_current: false,
    }
}

#[test]
fn statefulset_creates_pods_in_ordinal_order_one_per_sync() {
    let s = set(3, true, Some(0));
    let d = update_stateful_set(&s, &slots(vec![None, None, None]), &[]);
    assert_eq!(d.actions, vec![create(0)]);
    let d = update_stateful_set(&s, &slots(vec![Some(healthy(0, UPD)), None, None]), &[]);
    assert_eq!(d.actions, vec![create(1)]);
}

#[test]
fn ordered_ready_waits_for_the_previous_pod_to_be_running_and_ready() {
    let s = set(3, true, Some(0));
    let creating = pod(0, UPD, PodPhase::Pending, false);
    let d = update_stateful_set(&s, &slots(vec![Some(creating), None, None]), &[]);
    assert_eq!(
        d.actions,
        vec![Action::CreateMissingClaims { ordinal: 0, pod: 0 }]
    );
    let running = pod(0, UPD, PodPhase::Running, false);
    let d = update_stateful_set(&s, &slots(vec![Some(running), None, None]), &[]);
    assert!(d.actions.is_empty());
}

#[test]
fn ordered_ready_waits_for_min_ready_seconds() {
    let s = set(2, true, Some(0));
    let mut young = healthy(0, UPD);
    young.available = false;
    let d = update_stateful_set(&s, &slots(vec![Some(young), None]), &[]);
    assert!(d.actions.is_empty());
}

#[test]
fn any_unhealthy_pod_halts_creation_scale_down_and_update() {
    let s = set(3, true, Some(0));
    let sick = pod(1, CUR, PodPhase::Running, false);
    let pods = slots(vec![Some(healthy(0, CUR)), Some(sick), None]);
    let d = update_stateful_set(&s, &pods, &condemned(vec![healthy(3, CUR)]));
    assert!(d.actions.is_empty(), "{:?}", d.actions);
}

#[test]
fn a_terminating_pod_blocks_until_it_is_gone() {
    let s = set(2, true, Some(0));
    let mut leaving = healthy(0, UPD);
    leaving.terminating = true;
    let d = update_stateful_set(&s, &slots(vec![Some(leaving), None]), &[]);
    assert!(d.actions.is_empty());
}

#[test]
fn parallel_creates_every_missing_pod_at_once_and_does_not_wait() {
    let s = set(4, false, Some(0));
    let sick = pod(1, UPD, PodPhase::Running, false);
    let d = update_stateful_set(&s, &slots(vec![None, Some(sick), None, None]), &[]);
    assert_eq!(d.actions, vec![create(0), create(2), create(3)]);
}

#[test]
fn slow_start_batches_double_up_to_the_max_batch_size() {
    assert_eq!(slow_start_batch_sizes(0), Vec::<usize>::new());
    assert_eq!(slow_start_batch_sizes(10), vec![1, 2, 4, 3]);
    let big = slow_start_batch_sizes(2_000);
    assert_eq!(big[..10], [1, 2, 4, 8, 16, 32, 64, 128, 256, 500]);
    assert_eq!(big.iter().sum::<usize>(), 2_000);
}

#[test]
fn a_failed_pod_is_deleted_and_recreated_once_gone() {
    let s = set(2, true, Some(0));
    let failed = pod(0, UPD, PodPhase::Failed, false);
    let d = update_stateful_set(&s, &slots(vec![Some(failed), Some(healthy(1, UPD))]), &[]);
    assert_eq!(d.actions, vec![Action::DeleteFinished { pod: 0 }]);
    let d = update_stateful_set(&s, &slots(vec![None, Some(healthy(1, UPD))]), &[]);
    assert_eq!(d.actions, vec![create(0)]);
}

#[test]
fn scale_down_deletes_the_highest_ordinal_first_one_at_a_time() {
    let s = set(2, true, Some(0));
    let pods = slots(vec![Some(healthy(0, UPD)), Some(healthy(1, UPD))]);
    let extra = condemned(vec![healthy(2, UPD), healthy(4, UPD), healthy(3, UPD)]);
    let d = update_stateful_set(&s, &pods, &extra);
    assert_eq!(d.actions, vec![Action::DeleteCondemned { pod: 4 }]);
    let mut leaving = healthy(4, UPD);
    leaving.terminating = true;
    let extra = condemned(vec![healthy(2, UPD), leaving, healthy(3, UPD)]);
    assert!(update_stateful_set(&s, &pods, &extra).actions.is_empty());
}

#[test]
fn scale_down_removes_the_first_unhealthy_condemned_pod_but_waits_on_others() {
    let s = set(1, true, Some(0));
    let pods = slots(vec![Some(healthy(0, UPD))]);
    // The lowest unavailable condemned pod is the "first unhealthy": it may go.
    let extra = condemned(vec![pod(1, UPD, PodPhase::Pending, false)]);
    let d = update_stateful_set(&s, &pods, &extra);
    assert_eq!(d.actions, vec![Action::DeleteCondemned { pod: 1 }]);
    // An unhealthy pod above the first unhealthy one (a lower ordinal) blocks the scale-down.
    let sick = |o| pod(o, UPD, PodPhase::Pending, false);
    let extra = condemned(vec![sick(1), sick(2)]);
    assert!(update_stateful_set(&s, &pods, &extra).actions.is_empty());
    let extra = condemned(vec![sick(1), healthy(2, UPD)]);
    let d = update_stateful_set(&s, &pods, &extra);
    assert_eq!(d.actions, vec![Action::DeleteCondemned { pod: 2 }]);
}

#[test]
fn parallel_scale_down_deletes_every_condemned_pod_at_once() {
    let s = set(1, false, Some(0));
    let pods = slots(vec![Some(healthy(0, UPD))]);
    let d = update_stateful_set(
        &s,
        &pods,
        &condemned(vec![healthy(1, UPD), healthy(2, UPD)]),
    );
    let deleted = [
        Action::DeleteCondemned { pod: 2 },
        Action::DeleteCondemned { pod: 1 },
    ];
    assert_eq!(d.actions, deleted);
}

#[test]
fn rolling_update_replaces_the_highest_ordinal_first_and_waits_for_it() {
    let s = set(3, true, Some(0));
    let all_old = slots((0..3).map(|i| Some(healthy(i, CUR))).collect());
    let d = update_stateful_set(&s, &all_old, &[]);
    assert_eq!(d.actions, vec![Action::DeleteForUpdate { pod: 2 }]);
    assert_eq!(d.deleted_for_update, 1);
    // web-2 recreated at the update revision but not ready yet: nothing more (OrderedReady blocks).
    let pods = slots(vec![
        Some(healthy(0, CUR)),
        Some(healthy(1, CUR)),
        Some(pod(2, UPD, PodPhase::Running, false)),
    ]);
    assert!(update_stateful_set(&s, &pods, &[]).actions.is_empty());
    let pods = slots(vec![
        Some(healthy(0, CUR)),
        Some(healthy(1, CUR)),
        Some(healthy(2, UPD)),
    ]);
    let d = update_stateful_set(&s, &pods, &[]);
    assert_eq!(d.actions, vec![Action::DeleteForUpdate { pod: 1 }]);
}

#[test]
fn rolling_update_never_touches_ordinals_below_the_partition() {
    let s = set(5, true, Some(3));
    let pods = slots(vec![
        Some(healthy(0, CUR)),
        Some(healthy(1, CUR)),
        Some(healthy(2, CUR)),
        Some(healthy(3, UPD)),
        Some(healthy(4, UPD)),
    ]);
    assert!(update_stateful_set(&s, &pods, &[]).actions.is_empty());
}

#[test]
fn a_missing_pod_below_the_partition_is_recreated_at_the_current_revision() {
    let s = set(5, true, Some(3));
    assert!(s.creates_at_current(2) && !s.creates_at_current(3));
    let mut pods = slots((0..5).map(|i| Some(healthy(i, CUR))).collect());
    pods[2].pod = None;
    let d = update_stateful_set(&s, &pods, &[]);
    let at_current = Action::Create {
        ordinal: 2,
        at_current: true,
    };
    assert_eq!(d.actions, vec![at_current]);
    let on_delete = set(5, true, None);
    assert!(
        !on_delete.creates_at_current(0),
        "OnDelete recreates at the update revision"
    );
}

#[test]
fn on_delete_never_deletes_pods_for_an_update() {
    let s = set(2, true, None);
    let pods = slots(vec![Some(healthy(0, CUR)), Some(healthy(1, CUR))]);
    assert!(update_stateful_set(&s, &pods, &[]).actions.is_empty());
}

#[test]
fn max_unavailable_deletes_up_to_that_many_stale_pods_at_once() {
    let mut s = set(5, true, Some(1));
    s.max_unavailable = Some(2);
    let pods = slots((0..5).map(|i| Some(healthy(i, CUR))).collect());
    let d = update_stateful_set(&s, &pods, &[]);
    let expected = [
        Action::DeleteForUpdate { pod: 4 },
        Action::DeleteForUpdate { pod: 3 },
    ];
    assert_eq!(
        (d.actions.as_slice(), d.deleted_for_update),
        (&expected[..], 2)
    );
    // One already unavailable (being replaced, Parallel so nothing blocks before): one more.
    let mut s = set(5, false, Some(1));
    s.max_unavailable = Some(2);
    let mut pods = slots((0..5).map(|i| Some(healthy(i, CUR))).collect());
    pods[4].pod = Some(pod(4, UPD, PodPhase::Running, false));
    let d = update_stateful_set(&s, &pods, &[]);
    assert_eq!(d.actions, vec![Action::DeleteForUpdate { pod: 3 }]);
}

#[test]
fn a_stale_claim_blocks_the_creation_of_its_pod() {
    let s = set(2, true, Some(0));
    let mut pods = slots(vec![Some(healthy(0, UPD)), None]);
    pods[1].claims_stale = true;
    assert!(update_stateful_set(&s, &pods, &[]).actions.is_empty());
}

#[test]
fn claims_of_condemned_pods_get_their_owner_before_the_pod_is_deleted() {
    let s = set(1, true, Some(0));
    let pods = slots(vec![Some(healthy(0, UPD))]);
    let mut extra = condemned(vec![healthy(1, UPD)]);
    extra[0].claims_match = false;
    let d = update_stateful_set(&s, &pods, &extra);
    let expected = [
        Action::FixClaims {
            pod: 1,
            condemned: true,
        },
        Action::DeleteCondemned { pod: 1 },
    ];
    assert_eq!(d.actions, expected);
}

#[test]
fn a_set_being_deleted_only_updates_its_status() {
    let mut s = set(2, true, Some(0));
    s.deleting = true;
    assert!(update_stateful_set(&s, &slots(vec![None, None]), &[])
        .actions
        .is_empty());
}

//! Unit tests of the StatefulSet invariant rules on hand-made instants.

use super::*;

fn set(ordered: bool, partition: Option<u32>) -> SetFacts {
    SetFacts {
        key: "default/web".into(),
        start: 0,
        replicas: 3,
        ordered,
        partition,
        update_revision: "web-new".into(),
    }
}

fn pod(ordinal: u32, healthy: bool) -> PodFacts {
    PodFacts {
        key: ordinal + 100,
        ordinal,
        revision: "web-old".into(),
        terminating: false,
        finished: false,
        healthy,
    }
}

#[test]
fn ordered_creation_requires_every_lower_ordinal_healthy() {
    let pods = [pod(0, true), pod(1, false), pod(2, false)];
    let kind = check_created(&set(true, Some(0)), &pods, &pods[2]);
    assert_eq!(kind, Some(ViolationKind::CreatedBeforePredecessorReady(1)));
    let pods = [pod(0, true), pod(2, false)];
    let kind = check_created(&set(true, Some(0)), &pods, &pods[1]);
    assert_eq!(kind, Some(ViolationKind::CreatedBeforePredecessor(1)));
    let pods = [pod(0, true), pod(1, true), pod(2, false)];
    assert_eq!(check_created(&set(true, Some(0)), &pods, &pods[2]), None);
}

#[test]
fn parallel_creation_never_waits() {
    let pods = [pod(0, false), pod(1, false), pod(2, false)];
    assert_eq!(check_created(&set(false, Some(0)), &pods, &pods[2]), None);
}

#[test]
fn ordered_scale_down_deletes_the_highest_ordinal_first() {
    let mut s = set(true, Some(0));
    s.replicas = 1;
    let after = [pod(0, true), pod(2, true)];
    let kind = check_deleted(&s, &after, &pod(1, true));
    assert_eq!(kind, Some(ViolationKind::ScaleDownOutOfOrder(2)));
    assert_eq!(check_deleted(&s, &after[..1], &pod(1, true)), None);
    s.ordered = false;
    assert_eq!(check_deleted(&s, &after, &pod(1, true)), None, "Parallel");
}

#[test]
fn a_rolling_update_never_deletes_below_the_partition() {
    let after = [pod(0, true), pod(1, true)];
    let kind = check_deleted(&set(true, Some(2)), &after, &pod(1, true));
    assert_eq!(kind, Some(ViolationKind::UpdatedBelowPartition(2)));
    assert_eq!(
        check_deleted(&set(true, Some(2)), &after, &pod(2, true)),
        None
    );
    let mut updated = pod(2, true);
    updated.revision = "web-new".into();
    let kind = check_deleted(&set(true, Some(2)), &after, &updated);
    assert_eq!(
        kind,
        Some(ViolationKind::DeletedAtUpdateRevision("web-new".into()))
    );
}

#[test]
fn on_delete_only_lets_the_controller_delete_finished_pods() {
    let kind = check_deleted(&set(true, None), &[], &pod(1, true));
    assert_eq!(kind, Some(ViolationKind::UpdatedUnderOnDelete));
    let mut failed = pod(1, false);
    failed.finished = true;
    assert_eq!(check_deleted(&set(true, None), &[], &failed), None);
}

#[test]
fn shared_ordinals_lists_identities_held_twice() {
    let shared = shared_ordinals([(0, 7), (1, 8), (0, 9)]);
    assert_eq!(shared, vec![(0, vec![7, 9])]);
}

#[test]
fn a_violation_names_time_set_ordinal_and_what_happened() {
    let v = Violation {
        at: SimTime(61_250),
        set: "default/web".into(),
        ordinal: 1,
        kind: ViolationKind::CreatedBeforePredecessorReady(0),
    };
    assert_eq!(
        v.to_string(),
        "at 61.250 s: StatefulSet default/web, ordinal 1: pod created while ordinal 0's pod was not Running, Ready and available (OrderedReady)"
    );
}

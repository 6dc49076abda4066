//! Unit tests of the DaemonSet controller's decisions (after the cases of
//! kk:pkg/controller/daemon/daemon_controller_test.go and update_test.go).

use super::control::{manage, rolling_update, scaled, PodView, Slot};
use crate::api::{NodeId, PodPhase};
use crate::engine::SimTime;

fn pod(key: u32, updated: bool, available: bool) -> PodView {
    PodView {
        key,
        name: format!("ds-{key}"),
        created: SimTime(u64::from(key)),
        scheduled: true,
        updated,
        ready: available,
        available,
        terminating: false,
        phase: PodPhase::Running,
    }
}

fn slot(node: u32, pods: Vec<PodView>) -> Slot {
    Slot {
        node: NodeId(node),
        should_run: true,
        should_continue: true,
        pods,
    }
}

#[test]
fn a_pod_is_created_on_each_eligible_node_without_one_and_removed_where_it_may_not_run() {
    let mut tainted = slot(2, vec![pod(7, true, true)]);
    tainted.should_run = false;
    tainted.should_continue = false;
    let mut ineligible = slot(3, vec![]);
    ineligible.should_run = false;
    let slots = vec![
        slot(0, vec![]),
        slot(1, vec![pod(5, true, true)]),
        tainted,
        ineligible,
    ];
    let a = manage(&slots, false);
    assert_eq!(a.create_on, vec![NodeId(0)]);
    assert_eq!(a.delete, vec![7]);
}

#[test]
fn a_node_with_two_pods_keeps_the_oldest_without_surge() {
    let a = manage(
        &[slot(0, vec![pod(1, false, true), pod(2, true, false)])],
        false,
    );
    assert_eq!(a.delete, vec![2]);
}

#[test]
fn rolling_update_deletes_old_pods_one_unavailable_node_at_a_time() {
    let old = |k| slot(k, vec![pod(k, false, true)]);
    let slots = vec![old(0), old(1), old(2)];
    assert_eq!(rolling_update(&slots, 1, 0).delete, vec![0]);
    assert_eq!(rolling_update(&slots, 2, 0).delete, vec![0, 1]);
    // A node whose new pod is not yet available uses up the budget.
    let slots = vec![slot(0, vec![pod(9, true, false)]), old(1), old(2)];
    assert!(rolling_update(&slots, 1, 0).delete.is_empty());
    // An unavailable old pod is replaced whatever the budget.
    let slots = vec![
        slot(0, vec![pod(9, true, false)]),
        slot(1, vec![pod(1, false, false)]),
    ];
    assert_eq!(rolling_update(&slots, 1, 0).delete, vec![1]);
}

#[test]
fn rolling_update_with_surge_starts_new_pods_beside_old_ones_then_deletes_the_old() {
    let old = |k| slot(k, vec![pod(k, false, true)]);
    let a = rolling_update(&[old(0), old(1)], 0, 1);
    assert_eq!((a.create_on, a.delete), (vec![NodeId(0)], vec![]));
    let both = slot(0, vec![pod(0, false, true), pod(5, true, true)]);
    let a = rolling_update(&[both, old(1)], 0, 1);
    assert_eq!((a.create_on, a.delete), (vec![NodeId(1)], vec![0]));
}

#[test]
fn max_unavailable_and_max_surge_percentages_round_up() {
    assert_eq!(scaled("10%", 3), 1);
    assert_eq!(scaled("50%", 3), 2);
    assert_eq!(scaled("2", 3), 2);
}

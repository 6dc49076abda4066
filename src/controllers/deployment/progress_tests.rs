//! Unit tests of `progress`, with cases from the upstream controller's own tests.

use super::*;
use crate::api::Strategy;
use crate::controllers::deployment::{sync::calculate_status, util::RsView};
use ConditionStatus::{False, True};

const T: u64 = 1_000_000_000; // testTime

fn status(replicas: i32, updated: i32, available: i32) -> StatusView {
    StatusView {
        replicas,
        updated,
        available,
        ..StatusView::default()
    }
}

fn recreate(replicas: i32) -> DeploymentView {
    DeploymentView {
        strategy: Strategy::Recreate,
        ..DeploymentView::rolling(replicas, "0", "0")
    }
}

fn cond(status: ConditionStatus, reason: &'static str, at: u64) -> Condition {
    Condition::new(status, reason, at)
}

#[test]
fn a_rollout_times_out_once_the_deadline_has_passed_since_the_last_progress() {
    // TestDeploymentTimedOut: Progressing=True, lastUpdate 00:01:09 or 00:01:11, now 00:01:20.
    let (at9, at11, now) = (69_000, 71_000, 80_000);
    let c = |at| Some(cond(True, "", at));
    assert!(!deployment_timed_out(c(at9).as_ref(), None, now)); // nil progressDeadlineSeconds
    assert!(!deployment_timed_out(c(at9).as_ref(), Some(i32::MAX), now)); // infinite
    assert!(deployment_timed_out(c(at9).as_ref(), Some(10), now)); // 11s
    assert!(!deployment_timed_out(c(at11).as_ref(), Some(10), now)); // 9s
    let complete = cond(True, NEW_RS_AVAILABLE_REASON, 0); // previous status was a complete deployment
    assert!(!deployment_timed_out(Some(&complete), Some(10), now));
    assert!(deployment_timed_out(
        Some(&cond(False, TIMED_OUT_REASON, now)),
        Some(600),
        now
    ));
}

#[test]
fn progress_is_more_updated_ready_or_available_or_fewer_old_replicas() {
    // TestDeploymentProgressing: (current, updated, ready, available) before and after.
    let s = |r, u, rd, a| StatusView {
        replicas: r,
        updated: u,
        ready: rd,
        available: a,
        ..StatusView::default()
    };
    let cases = [
        (
            "progressing: updated pods",
            s(10, 4, 4, 4),
            s(10, 6, 4, 4),
            true,
        ),
        ("not progressing", s(10, 4, 4, 4), s(10, 4, 4, 4), false),
        (
            "progressing: old pods removed",
            s(10, 4, 6, 6),
            s(8, 4, 6, 6),
            true,
        ),
        (
            "not progressing: less new pods",
            s(10, 7, 3, 3),
            s(10, 6, 3, 3),
            false,
        ),
        (
            "progressing: less overall but more new pods",
            s(10, 4, 7, 7),
            s(8, 8, 5, 5),
            true,
        ),
        (
            "progressing: more ready pods",
            s(10, 10, 9, 8),
            s(10, 10, 10, 8),
            true,
        ),
        (
            "progressing: more available pods",
            s(10, 10, 10, 9),
            s(10, 10, 10, 10),
            true,
        ),
    ];
    for (name, old, new, want) in cases {
        assert_eq!(deployment_progressing(&old, &new), want, "{name}");
    }
}

#[test]
fn a_stuck_deployment_is_requeued_when_its_deadline_expires() {
    // TestRequeueStuckDeployment (pds 60, stuck = Progressing=True updated at 18:49:00).
    let (stuck, failed) = (cond(True, "", T), cond(False, TIMED_OUT_REASON, 0));
    let cases = [
        (
            "nil progressDeadlineSeconds specified",
            None,
            4,
            status(3, 3, 2),
            None,
            T,
            Requeue::Never,
        ),
        (
            "infinite progressDeadlineSeconds specified",
            Some(i32::MAX),
            4,
            status(3, 3, 2),
            None,
            T,
            Requeue::Never,
        ),
        (
            "no progressing condition found",
            Some(60),
            4,
            status(3, 3, 2),
            None,
            T,
            Requeue::Never,
        ),
        (
            "complete deployment does not need to be requeued",
            Some(60),
            3,
            status(3, 3, 3),
            None,
            T,
            Requeue::Never,
        ),
        (
            "already failed deployment does not need to be requeued",
            Some(60),
            3,
            status(3, 3, 0),
            Some(failed),
            T,
            Requeue::Never,
        ),
        (
            "stuck deployment - 30s",
            Some(60),
            3,
            status(3, 3, 1),
            Some(stuck),
            T + 30_000,
            Requeue::After { after_ms: 30_000 },
        ),
        (
            "stuck deployment - 1s",
            Some(60),
            3,
            status(3, 3, 1),
            Some(stuck),
            T + 59_000,
            Requeue::After { after_ms: 1_000 },
        ),
        // upstream: 1 ns less than a second; here 1 ms.
        (
            "failed deployment - less than a second => now",
            Some(60),
            3,
            status(3, 3, 1),
            Some(stuck),
            T + 59_001,
            Requeue::Now,
        ),
        (
            "failed deployment - now",
            Some(60),
            3,
            status(3, 3, 1),
            Some(stuck),
            T + 60_000,
            Requeue::Now,
        ),
        (
            "failed deployment - 1s after deadline",
            Some(60),
            3,
            status(3, 3, 1),
            Some(stuck),
            T + 61_000,
            Requeue::Now,
        ),
        (
            "failed deployment - 60s after deadline",
            Some(60),
            3,
            status(3, 3, 1),
            Some(stuck),
            T + 120_000,
            Requeue::Now,
        ),
    ];
    for (name, pds, replicas, new, current, now, want) in cases {
        assert_eq!(
            requeue_stuck_deployment(&recreate(replicas), pds, current.as_ref(), &new, now),
            want,
            "{name}"
        );
    }
}

/// One TestSyncRolloutStatus case: deadline, (replicas, status replicas, updated, available),
/// current condition, old RSs and new RS as (spec, status, available), expected condition and
/// whether lastUpdateTime / lastTransitionTime stay at testTime.
type RolloutCase = (
    &'static str,
    Option<i32>,
    (i32, i32, i32, i32),
    Option<Condition>,
    &'static [(i32, i32, i32)],
    Option<(i32, i32, i32)>,
    Option<(ConditionStatus, &'static str)>,
    bool,
    bool,
);

#[test]
#[rustfmt::skip]
fn rollout_status_sets_progressing_complete_or_timed_out() {
    let failed = Some(cond(False, TIMED_OUT_REASON, 0));
    let (available, updated) = (Some(cond(True, NEW_RS_AVAILABLE_REASON, T)), Some(cond(True, REPLICA_SET_UPDATED_REASON, T)));
    let cases: [RolloutCase; 11] = [
        ("General: remove Progressing condition and do not estimate progress if deployment has no Progress Deadline", None, (3, 2, 2, 2), updated, &[(0, 1, 1)], Some((3, 2, 2)), None, false, false),
        ("General: do not estimate progress of deployment with only one active ReplicaSet", Some(60), (3, 3, 3, 3), available, &[(3, 3, 3)], None, Some((True, NEW_RS_AVAILABLE_REASON)), true, true),
        ("DeploymentProgressing: dont update lastTransitionTime if deployment already has Progressing=True", Some(60), (3, 2, 2, 2), updated, &[(0, 1, 1)], Some((3, 2, 2)), Some((True, REPLICA_SET_UPDATED_REASON)), false, true),
        ("DeploymentProgressing: update everything if deployment has Progressing=False", Some(60), (3, 2, 2, 2), failed, &[(0, 1, 1)], Some((3, 2, 2)), Some((True, REPLICA_SET_UPDATED_REASON)), false, false),
        ("DeploymentProgressing: create Progressing condition if it does not exist", Some(60), (3, 2, 2, 2), None, &[(0, 1, 1)], Some((3, 2, 2)), Some((True, REPLICA_SET_UPDATED_REASON)), false, false),
        ("DeploymentComplete: dont update lastTransitionTime if deployment already has Progressing=True", Some(60), (3, 3, 3, 3), updated, &[], Some((3, 3, 3)), Some((True, NEW_RS_AVAILABLE_REASON)), false, true),
        ("DeploymentComplete: update everything if deployment has Progressing=False", Some(60), (3, 3, 3, 3), failed, &[], Some((3, 3, 3)), Some((True, NEW_RS_AVAILABLE_REASON)), false, false),
        ("DeploymentComplete: create Progressing condition if it does not exist", Some(60), (3, 3, 3, 3), None, &[], Some((3, 3, 3)), Some((True, NEW_RS_AVAILABLE_REASON)), false, false),
        ("DeploymentComplete: defend against NPE when newRS=nil", Some(60), (0, 3, 3, 3), updated, &[(0, 0, 0)], None, Some((True, NEW_RS_AVAILABLE_REASON)), false, false),
        ("DeploymentTimedOut: update status if rollout exceeds Progress Deadline", Some(60), (3, 2, 2, 2), updated, &[], Some((3, 2, 2)), Some((False, TIMED_OUT_REASON)), false, false),
        ("DeploymentTimedOut: do not update status if deployment has existing timedOut condition", Some(60), (3, 2, 2, 2), failed, &[], Some((3, 2, 2)), Some((False, TIMED_OUT_REASON)), true, true),
    ];
    let now = T + 86_400_000;
    let now_cond = || cond(True, "", now);
    let view = |&(spec, st, av): &(i32, i32, i32)| RsView { status_replicas: st, available: av, ..RsView::new(0, "rs", 0, spec) };
    for (name, pds, (replicas, st, up, av), current, old, new_rs, want, keep_update, keep_transition) in cases {
        let d = recreate(replicas);
        let new_rs = new_rs.as_ref().map(view);
        let all: Vec<RsView> = old.iter().map(view).chain(new_rs.clone()).collect();
        let new = calculate_status(&all, new_rs.as_ref(), &d);
        let got = sync_rollout_progressing(&d, pds, current.as_ref(), &status(st, up, av), &new, now);
        assert_eq!(got.map(|c| (c.status, c.reason)), want, "{name}");
        let (got, current) = (got.unwrap_or(now_cond()), current.unwrap_or(now_cond()));
        if keep_update { assert_eq!(got.last_update_ms, current.last_update_ms, "{name}"); }
        if keep_transition { assert_eq!(got.last_transition_ms, current.last_transition_ms, "{name}"); }
    }
}

#[test]
fn setting_a_condition_keeps_it_for_the_same_reason_and_the_transition_for_the_same_status() {
    // TestSetCondition: set for the first time, overwrite.
    let (first, second) = (
        cond(False, "ForSomeReason", 1),
        cond(True, "BecauseItIs", 2),
    );
    assert_eq!(set_condition(None, first), first);
    assert_eq!(set_condition(Some(&first), second), second);
    assert_eq!(
        set_condition(Some(&second), cond(True, "BecauseItIs", 3)),
        second
    );
    let other = set_condition(Some(&second), cond(True, "Other", 3));
    assert_eq!((other.last_update_ms, other.last_transition_ms), (3, 2));
}

#[test]
fn availability_and_pause_conditions_follow_min_available_and_the_paused_flag() {
    let d = DeploymentView::rolling(10, "25%", "25%"); // maxUnavailable 2
    assert_eq!(
        available_condition(&d, None, 8, 5).reason,
        MINIMUM_REPLICAS_AVAILABLE
    );
    assert_eq!(available_condition(&d, None, 7, 5).status, False);
    let paused = paused_condition(Some(600), None, true, 5).unwrap();
    assert_eq!(paused.reason, PAUSED_DEPLOY_REASON);
    assert_eq!(paused_condition(Some(600), Some(&paused), true, 6), None);
    assert_eq!(
        paused_condition(Some(600), Some(&paused), false, 6)
            .unwrap()
            .reason,
        RESUMED_DEPLOY_REASON
    );
    assert_eq!(paused_condition(None, None, true, 5), None);
    assert_eq!(
        paused_condition(Some(600), Some(&cond(False, TIMED_OUT_REASON, 1)), true, 5),
        None
    );
}

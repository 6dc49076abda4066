//! The budget arithmetic with the cases of upstream's disruption_test.go (`TestNoSelector`,
//! `TestUnavailable`, `TestIntegerMaxUnavailable*`, `TestPercentageMaxUnavailableWithScaling`,
//! `TestNakedPod`, `TestReplicaSet`, `TestReplicationController`, `TestStatefulSetController`,
//! `TestTwoControllers`), as (disruptionsAllowed, currentHealthy, desiredHealthy, expectedPods).

use super::status::{count_healthy, disruptions_allowed, expected_pod_count, Controller, PodFacts};
use crate::api::{Budget, IntOrPercent};

type Status = (i32, i32, i32, i32);

/// `VerifyPdbStatus`'s four numbers, or the error that makes the controller fail safe.
fn status(budget: Budget, pods: &[PodFacts<u32>]) -> Result<Status, String> {
    let (expected, desired, _) = expected_pod_count(budget, pods)?;
    let current = count_healthy(pods);
    Ok((
        disruptions_allowed(current, desired, expected),
        current,
        desired,
        expected,
    ))
}

fn pod(healthy: bool, controller: Controller<u32>) -> PodFacts<u32> {
    PodFacts {
        name: "pod".into(),
        healthy,
        controller,
    }
}

/// `n` ready pods of controller `k` with scale `scale`.
fn owned(n: usize, k: u32, scale: i32) -> Vec<PodFacts<u32>> {
    (0..n)
        .map(|_| pod(true, Controller::Scaled(k, scale)))
        .collect()
}

fn naked(n: usize) -> Vec<PodFacts<u32>> {
    (0..n).map(|_| pod(true, Controller::None)).collect()
}

use IntOrPercent::{Int, Percent};
const fn min(v: IntOrPercent) -> Budget {
    Budget::MinAvailable(v)
}
const fn max(v: IntOrPercent) -> Budget {
    Budget::MaxUnavailable(v)
}

#[test]
fn pdb_min_available_two_of_three_allows_one_disruption() {
    assert_eq!(status(min(Int(2)), &owned(3, 1, 3)), Ok((1, 3, 2, 3)));
    let mut pods = owned(3, 1, 3);
    pods[0].healthy = false;
    assert_eq!(status(min(Int(2)), &pods), Ok((0, 2, 2, 3)));
}

#[test]
fn an_integer_min_available_counts_the_selected_pods_whoever_runs_them() {
    // TestNoSelector / TestUnavailable: minAvailable 3, pods added one by one, then one not ready.
    assert_eq!(status(min(Int(3)), &[]), Ok((0, 0, 3, 0)));
    for n in 1..=4 {
        let allowed = if n == 4 { 1 } else { 0 };
        assert_eq!(
            status(min(Int(3)), &naked(n)),
            Ok((allowed, n as i32, 3, n as i32))
        );
    }
    let mut pods = naked(4);
    pods[0].healthy = false;
    assert_eq!(status(min(Int(3)), &pods), Ok((0, 3, 3, 4)));
}

#[test]
fn max_unavailable_follows_the_controllers_scale() {
    // TestIntegerMaxUnavailableWithScaling: maxUnavailable 2 of a ReplicaSet of 7, then 5.
    assert_eq!(status(max(Int(2)), &owned(1, 1, 7)), Ok((0, 1, 5, 7)));
    assert_eq!(status(max(Int(2)), &owned(1, 1, 5)), Ok((0, 1, 3, 5)));
    // TestPercentageMaxUnavailableWithScaling: 30% of 7 rounds up to 3, of 3 up to 1.
    assert_eq!(status(max(Percent(30)), &owned(1, 1, 7)), Ok((0, 1, 4, 7)));
    assert_eq!(status(max(Percent(30)), &owned(1, 1, 3)), Ok((0, 1, 2, 3)));
}

#[test]
fn unmanaged_pods_allow_no_disruption_under_a_scale_based_budget() {
    // TestIntegerMaxUnavailable, TestNakedPod: nothing expected, nothing allowed.
    assert_eq!(status(max(Int(1)), &[]), Ok((0, 0, 0, 0)));
    assert_eq!(status(max(Int(1)), &naked(1)), Ok((0, 1, 0, 0)));
    assert_eq!(status(min(Percent(28)), &naked(1)), Ok((0, 1, 0, 0)));
}

#[test]
fn a_pod_whose_controller_cannot_be_found_is_an_error() {
    // TestUnsupportedControllerPod: the controller fails safe with no disruption allowed.
    let pods = [pod(true, Controller::Unknown)];
    assert!(status(min(Percent(28)), &pods).is_err());
    assert_eq!(
        status(min(Int(1)), &pods),
        Ok((0, 1, 1, 1)),
        "an integer needs no scale"
    );
}

#[test]
fn percent_min_available_rounds_up_against_the_scale() {
    // TestReplicaSet: 20% of 10 is 2.
    assert_eq!(
        status(min(Percent(20)), &owned(1, 1, 10)),
        Ok((0, 1, 2, 10))
    );
    // TestReplicationController / TestStatefulSetController: 34% of 3 rounds up to 2.
    for n in 1..=3 {
        let allowed = if n == 3 { 1 } else { 0 };
        assert_eq!(
            status(min(Percent(34)), &owned(n, 1, 3)),
            Ok((allowed, n as i32, 2, 3))
        );
    }
    // ... and a rogue pod without a controller adds to the healthy pods only.
    let mut pods = owned(3, 1, 3);
    pods.extend(naked(1));
    assert_eq!(status(min(Percent(34)), &pods), Ok((2, 4, 2, 3)));
}

#[test]
fn two_controllers_add_their_scales() {
    // TestTwoControllers: 28% of 11 rounds up to 4, of 22 to 7; 9 of 22 ready allows 2.
    let mut pods = owned(11, 1, 11);
    for p in pods.iter_mut().take(6) {
        p.healthy = false;
    }
    assert_eq!(status(min(Percent(28)), &pods), Ok((1, 5, 4, 11)));
    let mut second = owned(11, 2, 11);
    for p in second.iter_mut().take(7) {
        p.healthy = false;
    }
    pods.extend(second);
    assert_eq!(status(min(Percent(28)), &pods), Ok((2, 9, 7, 22)));
}

#[test]
fn percentages_scale_with_rounding_up_or_down() {
    assert_eq!(Percent(30).scaled(7, true), 3);
    assert_eq!(Percent(30).scaled(7, false), 2);
    assert_eq!(Percent(50).scaled(4, true), 2);
    assert_eq!(Int(5).scaled(100, true), 5);
}

mod disrupted_pods {
    use super::super::status::{disrupted_pod_map, recently_disrupted, Disrupted};
    use crate::engine::SimTime;

    fn seen(name: &str, deleting: bool, evicted: Option<u64>) -> Disrupted<'_> {
        Disrupted {
            name,
            deleting,
            evicted: evicted.map(SimTime),
        }
    }

    #[test]
    fn evicted_pods_are_kept_until_deleted_or_two_minutes_pass() {
        // buildDisruptedPodMap: zk-0 is being deleted (dropped), zk-1 was evicted 10 s ago (kept,
        // recheck when its 2 minutes end), zk-2 3 minutes ago (overdue: NotDeleted), zk-3 never.
        let now = SimTime(200_000);
        let pods = [
            seen("zk-0", true, Some(190_000)),
            seen("zk-1", false, Some(190_000)),
            seen("zk-2", false, Some(20_000)),
            seen("zk-3", false, None),
        ];
        let (kept, recheck, overdue) = disrupted_pod_map(&pods, now);
        assert_eq!(kept.keys().collect::<Vec<_>>(), ["zk-1"]);
        assert_eq!(recheck, Some(SimTime(310_000)));
        assert_eq!(overdue, ["zk-2"]);
    }

    /// Regression: generated scenario (seed 1059: a drain under a PDB and a delayed disruption
    /// watch) whose recheck ran exactly at the deletion timeout and requeued itself at that instant.
    #[test]
    fn a_recheck_at_the_deletion_timeout_finds_the_pod_overdue_and_asks_no_other_recheck() {
        let pods = [seen("zk-1", false, Some(190_000))];
        let (kept, recheck, overdue) = disrupted_pod_map(&pods, SimTime(310_000));
        assert!(kept.is_empty());
        assert_eq!(recheck, None);
        assert_eq!(overdue, ["zk-1"]);
    }

    #[test]
    fn a_recently_evicted_pod_is_not_healthy_until_its_deletion_timeout() {
        let evicted = Some(SimTime(1_000));
        assert!(recently_disrupted(evicted, SimTime(120_999)));
        assert!(!recently_disrupted(evicted, SimTime(121_000)));
        assert!(!recently_disrupted(None, SimTime(0)));
    }
}

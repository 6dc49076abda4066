//! Unit tests of `util`, with cases from the upstream controller's own tests.

use super::*;

fn d_rolling(replicas: i32, surge: &str, unavailable: &str) -> DeploymentView {
    DeploymentView::rolling(replicas, surge, unavailable)
}

#[test]
fn fenceposts_round_surge_up_and_unavailable_down_and_never_both_zero() {
    // TestResolveFenceposts, cases 0..6 in order.
    let cases = [
        (Some("0%"), Some("0%"), 0, Ok((0, 1))),
        (Some("39%"), Some("39%"), 10, Ok((4, 3))),
        (Some("oops"), Some("39%"), 10, Err(())),
        (Some("55%"), Some("urg"), 10, Err(())),
        (None, Some("39%"), 10, Ok((0, 3))),
        (Some("39%"), None, 10, Ok((4, 0))),
        (None, None, 10, Ok((0, 1))),
    ];
    for (surge, unavailable, desired, want) in cases {
        let got = resolve_fenceposts(surge, unavailable, desired).map_err(|_| ());
        assert_eq!(got, want, "{surge:?} {unavailable:?} {desired}");
    }
    // reference §3.1 examples: 10 → (3, 2); 1 → (1, 0); 3 → (1, 0).
    for (n, want) in [(10, (3, 2)), (1, (1, 0)), (3, (1, 0))] {
        assert_eq!(resolve_fenceposts(Some("25%"), Some("25%"), n), Ok(want));
    }
}

#[test]
fn new_replica_set_grows_within_surge_and_recreate_takes_everything() {
    // TestNewRSNewReplicas: all RSs = [rs5] (5 replicas), maxUnavailable 1.
    let rs5 = RsView::new(0, "rs5", 0, 5);
    let cases = [
        ("can not scale up - to newRSReplicas", true, 1, 5, 1, 5),
        ("scale up - to depReplicas", true, 6, 2, 10, 6),
        ("recreate - to depReplicas", false, 3, 1, 1, 3),
    ];
    for (name, rolling, replicas, new_replicas, surge, want) in cases {
        let mut d = d_rolling(replicas, &surge.to_string(), "1");
        if !rolling {
            d.strategy = Strategy::Recreate;
        }
        let new_rs = RsView::new(1, "new", 0, new_replicas);
        let all = [rs5.clone()];
        assert_eq!(new_rs_new_replicas(&d, &all, &new_rs), Ok(want), "{name}");
    }
}

#[test]
fn max_unavailable_is_capped_by_replicas_and_zero_for_recreate() {
    // TestMaxUnavailable (maxSurge 1).
    let cases = [
        ("maxUnavailable less than replicas", 10, "5", 5),
        ("maxUnavailable equal replicas", 10, "10", 10),
        ("maxUnavailable greater than replicas", 5, "10", 5),
        ("maxUnavailable with replicas is 0", 0, "10", 0),
        (
            "maxUnavailable less than replicas with percents",
            10,
            "50%",
            5,
        ),
        (
            "maxUnavailable equal replicas with percents",
            10,
            "100%",
            10,
        ),
        (
            "maxUnavailable greater than replicas with percents",
            5,
            "100%",
            5,
        ),
    ];
    for (name, replicas, unavailable, want) in cases {
        assert_eq!(
            max_unavailable(&d_rolling(replicas, "1", unavailable)),
            want,
            "{name}"
        );
    }
    // "maxUnavailable with Recreate deployment strategy"
    let recreate = DeploymentView {
        strategy: Strategy::Recreate,
        ..d_rolling(0, "1", "1")
    };
    assert_eq!(max_unavailable(&recreate), 0);
}

#[test]
fn min_available_subtracts_max_unavailable_from_replicas() {
    // TestMinAvailable (maxSurge 1).
    let cases = [
        ("replicas greater than maxUnavailable", 10, "5", 5),
        ("replicas equal maxUnavailable", 10, "10", 0),
        ("replicas less than maxUnavailable", 5, "10", 0),
        ("replicas is 0", 0, "10", 0),
        (
            "replicas greater than maxUnavailable with percents",
            10,
            "60%",
            4,
        ),
        ("replicas equal maxUnavailable with percents", 10, "100%", 0),
        (
            "replicas less than maxUnavailable with percents",
            5,
            "100%",
            0,
        ),
    ];
    for (name, replicas, unavailable, want) in cases {
        assert_eq!(
            min_available(&d_rolling(replicas, "1", unavailable)),
            want,
            "{name}"
        );
    }
    // "minAvailable with Recreate deployment strategy"
    let recreate = DeploymentView {
        strategy: Strategy::Recreate,
        ..d_rolling(10, "1", "1")
    };
    assert_eq!(min_available(&recreate), 0);
}

#[test]
fn replica_set_fraction_scales_by_max_replicas_annotation_or_status() {
    // TestGetReplicaSetFraction (maxUnavailable 1): (d replicas, status, surge, rs, max-replicas).
    let cases = [
        (
            "empty deployment always scales to 0",
            0,
            0,
            0,
            10,
            None,
            -10,
        ),
        ("unsynced, max-replicas missing", 10, 0, 0, 5, None, 0),
        ("unsynced, max-replicas set to 0", 10, 0, 0, 5, Some(0), 0),
        (
            "scale up by 1/5, max-replicas missing",
            120,
            100,
            0,
            50,
            None,
            10,
        ),
        (
            "scale up by 1/5, max-replicas set to 0",
            120,
            100,
            0,
            50,
            Some(0),
            10,
        ),
        ("scale up by 1/5", 120, 0, 0, 50, Some(100), 10),
        (
            "scale up with maxSurge by 1/5",
            120,
            0,
            10,
            50,
            Some(110),
            9,
        ),
        ("scale down by 1/6", 10, 0, 0, 6, Some(12), -1),
        (
            "scale down with maxSurge by 1/6",
            100,
            0,
            10,
            50,
            Some(130),
            -8,
        ),
    ];
    for (name, replicas, status, surge, rs_replicas, max, want) in cases {
        let d = DeploymentView {
            status_replicas: status,
            ..d_rolling(replicas, &surge.to_string(), "1")
        };
        let rs = RsView {
            max_annotation: max,
            ..RsView::new(0, "rs", 0, rs_replicas)
        };
        assert_eq!(get_replica_set_fraction(&rs, &d), want, "{name}");
    }
}

#[test]
fn proportion_never_exceeds_what_is_left_to_add_or_remove() {
    // GetProportion (exercised upstream through TestScale): fraction 10, capped by what is left.
    let d = d_rolling(120, "0", "1");
    let rs = RsView {
        max_annotation: Some(100),
        ..RsView::new(0, "rs", 0, 50)
    };
    assert_eq!(get_proportion(&rs, &d, 20, 0), 10);
    assert_eq!(get_proportion(&rs, &d, 20, 15), 5);
    assert_eq!(get_proportion(&rs, &d, 20, 20), 0);
    assert_eq!(get_proportion(&RsView::new(1, "empty", 0, 0), &d, 20, 0), 0);
    let shrink = d_rolling(10, "0", "1");
    let rs = RsView {
        max_annotation: Some(12),
        ..RsView::new(0, "rs", 0, 6)
    };
    assert_eq!(get_proportion(&rs, &shrink, -3, 0), -1);
    assert_eq!(get_proportion(&rs, &shrink, -3, -3), 0);
}

#[test]
fn replicas_annotations_accept_only_non_negative_int32() {
    // TestGetNonNegativeInt32FromAnnotation (the present-value cases).
    assert!(parse_replicas_annotation("invalid")
        .unwrap_err()
        .contains("invalid syntax"));
    assert!(parse_replicas_annotation("-1")
        .unwrap_err()
        .contains("invalid syntax"));
    assert_eq!(parse_replicas_annotation("0"), Ok(0));
    assert_eq!(parse_replicas_annotation("13"), Ok(13));
    assert_eq!(parse_replicas_annotation("2147483647"), Ok(i32::MAX));
    assert!(parse_replicas_annotation("2147483648")
        .unwrap_err()
        .contains("out of range"));
    assert!(parse_replicas_annotation("4294967296")
        .unwrap_err()
        .contains("out of range"));
}

#[test]
fn replicas_annotations_need_update_when_either_differs() {
    // TestReplicasAnnotationsNeedUpdate (desired 10, max 20).
    let rs = |desired, max| RsView {
        desired_annotation: desired,
        max_annotation: max,
        ..RsView::new(0, "hello", 0, 0)
    };
    assert!(replicas_annotations_need_update(&rs(None, None), 10, 20)); // test Annotations nil
    assert!(replicas_annotations_need_update(
        &rs(Some(8), Some(20)),
        10,
        20
    )); // desiredReplicas update
    assert!(replicas_annotations_need_update(
        &rs(Some(10), Some(16)),
        10,
        20
    )); // maxReplicas update
    assert!(!replicas_annotations_need_update(
        &rs(Some(10), Some(20)),
        10,
        20
    )); // needn't update
}

#[test]
fn revision_history_keeps_the_newest_revisions_within_the_limit() {
    // TestAnnotationUtils/SetNewReplicaSetAnnotations (limit 5 characters).
    let (mut revision, mut history): (Option<String>, Option<String>) = (None, None);
    for i in 10..20 {
        let next = (i + 1).to_string();
        let (r, h) =
            new_rs_revision_annotations(revision.as_deref(), history.as_deref(), &next, 5).unwrap();
        (revision, history) = (Some(r), h.or(history));
        if i >= 12 {
            assert_eq!(
                history.as_deref(),
                Some(format!("{},{}", i - 1, i).as_str())
            );
        }
        assert_eq!(revision.as_deref(), Some(next.as_str()));
    }
    assert_eq!(new_rs_revision_annotations(Some("3"), None, "3", 5), None);
    assert_eq!(new_rs_revision_annotations(Some("x"), None, "3", 5), None);
}

#[test]
fn saturation_needs_size_annotation_and_availability_to_match() {
    // TestAnnotationUtils/IsSaturated: desired 1, available 1, replicas 1.
    let d = d_rolling(1, "25%", "25%");
    let rs = RsView {
        desired_annotation: Some(1),
        available: 1,
        ..RsView::new(0, "rs", 0, 1)
    };
    assert!(is_saturated(&d, Some(&rs)));
    assert!(!is_saturated(
        &d,
        Some(&RsView {
            available: 0,
            ..rs.clone()
        })
    ));
    assert!(!is_saturated(
        &d,
        Some(&RsView {
            desired_annotation: None,
            ..rs
        })
    ));
    assert!(!is_saturated(&d, None));
}

#[test]
fn completion_needs_every_replica_updated_and_available() {
    // TestDeploymentComplete: (desired, current, updated, available, maxUnavailable, maxSurge).
    let cases = [
        (
            "not complete: min but not all pods become available",
            (5, 5, 5, 4, 1, 0),
            false,
        ),
        (
            "not complete: min availability is not honored",
            (5, 5, 5, 3, 1, 0),
            false,
        ),
        ("complete", (5, 5, 5, 5, 0, 0), true),
        (
            "not complete: all pods are available but not updated",
            (5, 5, 4, 5, 0, 0),
            false,
        ),
        (
            "not complete: still running old pods",
            (1, 2, 1, 1, 0, 1),
            false,
        ),
        (
            "not complete: one replica deployment never comes up",
            (1, 1, 1, 0, 1, 1),
            false,
        ),
    ];
    for (name, (desired, replicas, updated, available, unavailable, surge), want) in cases {
        let d = d_rolling(desired, &surge.to_string(), &unavailable.to_string());
        let s = StatusView {
            replicas,
            updated,
            available,
            ..StatusView::default()
        };
        assert_eq!(deployment_complete(&d, &s), want, "{name}");
    }
}

#[test]
fn replica_counts_sum_spec_status_and_availability() {
    // TestGetReplicaCountForReplicaSets (count and actual columns).
    let rs = |spec, status| RsView {
        status_replicas: status,
        ..RsView::new(0, "rs", 0, spec)
    };
    let (rs1, rs2, rs3) = (rs(1, 2), rs(2, 3), rs(3, 0));
    let all = [rs1.clone(), rs2.clone(), rs3.clone()];
    assert_eq!(
        get_replica_count_for_replica_sets(std::slice::from_ref(&rs1)),
        1
    );
    assert_eq!(get_actual_replica_count_for_replica_sets(&[rs1, rs2]), 5);
    assert_eq!(get_replica_count_for_replica_sets(&all), 6);
    assert_eq!(get_actual_replica_count_for_replica_sets(&all), 5);
}

#[test]
fn creation_order_compares_whole_seconds_then_names() {
    let (a, b) = (RsView::new(0, "b", 1_100, 1), RsView::new(1, "a", 1_900, 2));
    assert_eq!(by_creation_timestamp(&a, &b), Ordering::Greater);
    assert_eq!(by_size_newer(&a, &b), Ordering::Greater);
    assert_eq!(
        by_size_older(
            &RsView {
                replicas: 2,
                ..a.clone()
            },
            &b
        ),
        Ordering::Greater
    );
    assert_eq!(IntOrPercent::parse("3"), Ok(IntOrPercent::Int(3)));
    assert_eq!(IntOrPercent::parse("25%"), Ok(IntOrPercent::Percent(25)));
}

//! RollingUpdate decisions of the Deployment controller (kk:pkg/controller/deployment/rolling.go).

use super::util::{
    by_creation_timestamp, filter_active, get_available_replica_count_for_replica_sets,
    get_replica_count_for_replica_sets, max_unavailable, new_rs_new_replicas, DeploymentView,
    RsView, ScaleAction,
};

/// The scale updates of one step, in upstream order, and whether upstream reports it scaled (when
/// it did, `rolloutRolling` only syncs the status; otherwise it also runs `cleanupDeployment`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Scaling {
    pub actions: Vec<ScaleAction>,
    pub scaled: bool,
}

/// `rolloutRolling` without status and history: scale the new ReplicaSet up (or down to
/// `replicas`), else scale old ones down. `old_rss` are all old ReplicaSets (active or not).
/// Err: maxSurge does not parse (upstream returns the error and requeues).
pub fn rollout_rolling(
    d: &DeploymentView,
    old_rss: &[RsView],
    new_rs: &RsView,
) -> Result<Scaling, String> {
    let mut all_rss = old_rss.to_vec();
    all_rss.push(new_rs.clone());
    if let Some(replicas) = reconcile_new_replica_set(&all_rss, new_rs, d)? {
        let actions = vec![ScaleAction {
            key: new_rs.key,
            replicas,
        }];
        return Ok(Scaling {
            actions,
            scaled: true,
        });
    }
    Ok(reconcile_old_replica_sets(
        &all_rss,
        &filter_active(old_rss),
        new_rs,
        d,
    ))
}

/// `reconcileNewReplicaSet`: the size the new ReplicaSet is scaled to, or None when it stays.
pub fn reconcile_new_replica_set(
    all_rss: &[RsView],
    new_rs: &RsView,
    d: &DeploymentView,
) -> Result<Option<i32>, String> {
    if new_rs.replicas == d.replicas {
        return Ok(None);
    }
    if new_rs.replicas > d.replicas {
        return Ok(Some(d.replicas));
    }
    let replicas = new_rs_new_replicas(d, all_rss, new_rs)?;
    Ok((replicas != new_rs.replicas).then_some(replicas))
}

/// `reconcileOldReplicaSets`: `all_rss` holds every ReplicaSet, `old_rss` the active old ones.
/// Scales down unhealthy old replicas first, then old ones while availability allows.
pub fn reconcile_old_replica_sets(
    all_rss: &[RsView],
    old_rss: &[RsView],
    new_rs: &RsView,
    d: &DeploymentView,
) -> Scaling {
    if get_replica_count_for_replica_sets(old_rss) == 0 {
        return Scaling::default();
    }
    let all_pods = get_replica_count_for_replica_sets(all_rss);
    let min_available = d.replicas - max_unavailable(d);
    let new_rs_unavailable = new_rs.replicas - new_rs.available;
    let max_scaled_down = all_pods - min_available - new_rs_unavailable;
    if max_scaled_down <= 0 {
        return Scaling::default();
    }
    let (old_rss, mut actions, cleaned) = match cleanup_unhealthy_replicas(old_rss, max_scaled_down)
    {
        Ok(done) => done,
        // Upstream returns "not scaled" after an invalid request, keeping the updates already made.
        Err(actions) => {
            return Scaling {
                actions,
                scaled: false,
            }
        }
    };
    let mut all_rss = old_rss.clone();
    all_rss.push(new_rs.clone());
    let (more, scaled_down) = scale_down_old_replica_sets_for_rolling_update(&all_rss, &old_rss, d);
    actions.extend(more);
    Scaling {
        actions,
        scaled: cleaned + scaled_down > 0,
    }
}

/// `cleanupUnhealthyReplicas`: scale old ReplicaSets (oldest first) down by their unavailable
/// replicas, at most `max_cleanup` in all. Ok: the old ReplicaSets sorted and updated, the updates
/// and the count scaled down. Err: the updates made before an invalid request (available > spec).
pub fn cleanup_unhealthy_replicas(
    old_rss: &[RsView],
    max_cleanup: i32,
) -> Result<(Vec<RsView>, Vec<ScaleAction>, i32), Vec<ScaleAction>> {
    let mut old_rss = old_rss.to_vec();
    old_rss.sort_by(by_creation_timestamp);
    let (mut total, mut actions) = (0, Vec::new());
    for rs in old_rss.iter_mut() {
        if total >= max_cleanup {
            break;
        }
        if rs.replicas == 0 || rs.replicas == rs.available {
            continue;
        }
        let scaled_down = (max_cleanup - total).min(rs.replicas - rs.available);
        let replicas = rs.replicas - scaled_down;
        if replicas > rs.replicas {
            return Err(actions);
        }
        if replicas != rs.replicas {
            actions.push(ScaleAction {
                key: rs.key,
                replicas,
            });
        }
        rs.replicas = replicas;
        total += scaled_down;
    }
    Ok((old_rss, actions, total))
}

/// `scaleDownOldReplicaSetsForRollingUpdate`: scale old ReplicaSets (oldest first) down by the
/// available pods above `minAvailable`. Returns the updates and the count scaled down.
pub fn scale_down_old_replica_sets_for_rolling_update(
    all_rss: &[RsView],
    old_rss: &[RsView],
    d: &DeploymentView,
) -> (Vec<ScaleAction>, i32) {
    let min_available = d.replicas - max_unavailable(d);
    let available = get_available_replica_count_for_replica_sets(all_rss);
    if available <= min_available {
        return (Vec::new(), 0);
    }
    let mut old_rss = old_rss.to_vec();
    old_rss.sort_by(by_creation_timestamp);
    let (wanted, mut total, mut actions) = (available - min_available, 0, Vec::new());
    for rs in &old_rss {
        if total >= wanted {
            break;
        }
        if rs.replicas == 0 {
            continue;
        }
        let scaled_down = rs.replicas.min(wanted - total);
        actions.push(ScaleAction {
            key: rs.key,
            replicas: rs.replicas - scaled_down,
        });
        total += scaled_down;
    }
    (actions, total)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rs(key: usize, name: &str, replicas: i32, available: i32) -> RsView {
        RsView {
            available,
            ..RsView::new(key, name, 0, replicas)
        }
    }

    #[test]
    fn the_new_replica_set_grows_by_the_surge_left_and_shrinks_to_replicas() {
        // TestDeploymentController_reconcileNewReplicaSet (maxUnavailable 0, feature gates off):
        // (name, replicas, maxSurge, old, new, expected new size or None).
        let cases = [
            (
                "should not scale up when old replica set is fully saturated",
                10,
                "0",
                10,
                0,
                None,
            ),
            (
                "should scale up according to the maxSurge when old replica set is fully saturated",
                10,
                "2",
                10,
                0,
                Some(2),
            ),
            (
                "should scale up according to the maxSurge",
                10,
                "2",
                5,
                0,
                Some(7),
            ),
            (
                "should not scale when maxSurge is fully saturated",
                10,
                "2",
                10,
                2,
                None,
            ),
            (
                "should scale down when there are replicas above maxSurge",
                10,
                "2",
                2,
                11,
                Some(10),
            ),
        ];
        for (name, replicas, surge, old, new, want) in cases {
            let d = DeploymentView::rolling(replicas, surge, "0");
            let (new_rs, old_rs) = (rs(0, "foo-v2", new, 0), rs(1, "foo-v1", old, 0));
            let all = [new_rs.clone(), old_rs];
            assert_eq!(
                reconcile_new_replica_set(&all, &new_rs, &d),
                Ok(want),
                "{name}"
            );
        }
    }

    #[test]
    fn old_replica_sets_shrink_by_unhealthy_then_by_surplus_availability() {
        // TestDeploymentController_reconcileOldReplicaSets (maxSurge 0), scenarios 0..4:
        // (replicas, maxUnavailable, old, new, old available, new available, expected old sizes).
        type Case = (i32, &'static str, i32, i32, i32, i32, &'static [i32]);
        let cases: [Case; 5] = [
            (10, "0", 10, 0, 10, 0, &[9]),
            (10, "2", 10, 0, 10, 0, &[8]),
            (10, "2", 10, 0, 8, 0, &[8]), // unhealthy replicas of old replica sets cleaned up
            (10, "2", 10, 0, 9, 0, &[9, 8]), // 1 unhealthy cleaned up, 1 ready pod scaled down
            (10, "2", 8, 2, 8, 0, &[]),   // new RS's unavailable pods block further scale-down
        ];
        for (i, (replicas, unavailable, old, new, old_avail, new_avail, want)) in
            cases.into_iter().enumerate()
        {
            let d = DeploymentView::rolling(replicas, "0", unavailable);
            let (old_rs, new_rs) = (
                rs(0, "foo-old", old, old_avail),
                rs(1, "foo-new", new, new_avail),
            );
            let all = [old_rs.clone(), new_rs.clone()];
            let got = reconcile_old_replica_sets(&all, &[old_rs], &new_rs, &d);
            let sizes: Vec<i32> = got.actions.iter().map(|a| a.replicas).collect();
            assert_eq!(
                (sizes.as_slice(), got.scaled),
                (want, !want.is_empty()),
                "scenario {i}"
            );
        }
    }

    #[test]
    fn unhealthy_cleanup_is_bounded_by_the_maximum_and_the_unavailable_count() {
        // TestDeploymentController_cleanupUnhealthyReplicas: (old, ready, max cleanup, expected).
        for (old, ready, max, want) in [(10, 8, 1, 1), (10, 8, 3, 2), (10, 8, 0, 0), (10, 10, 3, 0)]
        {
            let (rss, actions, count) =
                cleanup_unhealthy_replicas(&[rs(0, "foo-v2", old, ready)], max).unwrap();
            assert_eq!(count, want, "old {old} ready {ready} max {max}");
            assert_eq!(rss[0].replicas, old - want);
            assert_eq!(actions.len(), usize::from(want > 0));
        }
        // An old set with more available than desired replicas is an invalid request.
        assert_eq!(
            cleanup_unhealthy_replicas(&[rs(0, "a", 8, 10)], 3),
            Err(vec![])
        );
    }

    #[test]
    fn rolling_scale_down_keeps_min_available_pods() {
        // TestDeploymentController_scaleDownOldReplicaSetsForRollingUpdate (maxSurge 0,
        // allRSs = oldRSs = [old]): (replicas, maxUnavailable, ready, old, expected old size).
        let cases = [
            (10, "0", 10, 10, Some(9)),
            (10, "2", 10, 10, Some(8)),
            (10, "2", 8, 10, None),
            (10, "2", 10, 0, None),
            (10, "2", 1, 10, None),
        ];
        for (replicas, unavailable, ready, old, want) in cases {
            let d = DeploymentView::rolling(replicas, "0", unavailable);
            let old_rs = [rs(0, "foo-v2", old, ready)];
            let (actions, count) =
                scale_down_old_replica_sets_for_rolling_update(&old_rs, &old_rs, &d);
            assert_eq!(
                actions.first().map(|a| a.replicas),
                want,
                "{replicas} {unavailable} {ready} {old}"
            );
            assert_eq!(count > 0, want.is_some());
        }
    }

    #[test]
    fn old_replica_sets_are_scaled_down_oldest_first() {
        let d = DeploymentView::rolling(4, "1", "1");
        let older = RsView {
            available: 2,
            ..RsView::new(5, "b", 1_000, 2)
        };
        let old = RsView {
            available: 2,
            ..RsView::new(6, "a", 9_000, 2)
        };
        let new_rs = RsView {
            available: 1,
            ..RsView::new(7, "c", 20_000, 1)
        };
        let got = rollout_rolling(&d, &[old, older], &new_rs).unwrap();
        // allPods 5, minAvailable 3, new unavailable 0: available 5 − 3 = 2 go from the oldest.
        assert_eq!(
            got.actions,
            vec![ScaleAction {
                key: 5,
                replicas: 0
            }]
        );
        assert!(got.scaled);
    }

    #[test]
    fn a_rollout_first_scales_the_new_replica_set_up_to_the_surge() {
        // reference §3.1: replicas 10, 25%/25% → surge 3; the new set starts at 3 while old is 10.
        let d = DeploymentView::rolling(10, "25%", "25%");
        let old = RsView {
            available: 10,
            ..RsView::new(0, "old", 0, 10)
        };
        let got = rollout_rolling(
            &d,
            std::slice::from_ref(&old),
            &RsView::new(1, "new", 5_000, 0),
        )
        .unwrap();
        assert_eq!(
            got.actions,
            vec![ScaleAction {
                key: 1,
                replicas: 3
            }]
        );
        // With the new set at 3 (unavailable), old goes down by 13 − 8 − 3 = 2 → 8.
        let got = rollout_rolling(&d, &[old], &RsView::new(1, "new", 5_000, 3)).unwrap();
        assert_eq!(
            got.actions,
            vec![ScaleAction {
                key: 0,
                replicas: 8
            }]
        );
    }
}

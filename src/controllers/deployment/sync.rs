//! Scaling events, proportional scaling, status and history of the Deployment controller (kk:pkg/controller/deployment/sync.go).

use super::util::{
    by_creation_timestamp, by_revision, by_size_newer, by_size_older, filter_active,
    find_active_or_latest, get_actual_replica_count_for_replica_sets,
    get_available_replica_count_for_replica_sets, get_proportion,
    get_ready_replica_count_for_replica_sets, get_replica_count_for_replica_sets,
    is_rolling_update, is_saturated, max_surge, replicas_annotations,
    replicas_annotations_need_update, DeploymentView, RsView, ScaleAction, StatusView,
};
use std::cmp::Ordering;

/// `isScalingEvent`: an active ReplicaSet's desired-replicas annotation differs from `spec.replicas`.
pub fn is_scaling_event(d: &DeploymentView, new_rs: Option<&RsView>, old_rss: &[RsView]) -> bool {
    old_rss
        .iter()
        .chain(new_rs)
        .filter(|rs| rs.replicas > 0)
        .any(|rs| {
            rs.desired_annotation
                .is_some_and(|desired| desired != d.replicas)
        })
}

/// `scale`: the updates of a scaling event (or a paused Deployment), in upstream order. An update
/// may keep the size and only rewrite the replicas annotations (`scaleReplicaSet`).
pub fn scale(d: &DeploymentView, new_rs: Option<&RsView>, old_rss: &[RsView]) -> Vec<ScaleAction> {
    // FindActiveOrLatest sorts the caller's old ReplicaSets newest first; the rest sees that order.
    let mut old_rss = old_rss.to_vec();
    old_rss.sort_by(|a, b| by_creation_timestamp(b, a));
    if let Some(rs) = find_active_or_latest(new_rs, &old_rss) {
        return match rs.replicas == d.replicas {
            true => Vec::new(),
            false => vec![ScaleAction {
                key: rs.key,
                replicas: d.replicas,
            }],
        };
    }
    if is_saturated(d, new_rs) {
        let old = filter_active(&old_rss);
        return old
            .iter()
            .map(|rs| ScaleAction {
                key: rs.key,
                replicas: 0,
            })
            .collect();
    }
    if !is_rolling_update(d) {
        return Vec::new();
    }
    old_rss.extend(new_rs.cloned());
    scale_proportionally(d, filter_active(&old_rss))
}

/// The proportional part of `scale`: `allowedSize − Σ replicas` shared by size, leftover to the first.
fn scale_proportionally(d: &DeploymentView, mut all_rss: Vec<RsView>) -> Vec<ScaleAction> {
    let allowed_size = if d.replicas > 0 {
        d.replicas + max_surge(d)
    } else {
        0
    };
    let to_add = allowed_size - get_replica_count_for_replica_sets(&all_rss);
    match to_add.cmp(&0) {
        Ordering::Greater => all_rss.sort_by(by_size_newer),
        Ordering::Less => all_rss.sort_by(by_size_older),
        Ordering::Equal => {}
    }
    let mut added = 0;
    let mut sizes = Vec::with_capacity(all_rss.len());
    for rs in &all_rss {
        let proportion = get_proportion(rs, d, to_add, added);
        sizes.push(rs.replicas + proportion);
        added += proportion;
    }
    if let Some(first) = sizes.first_mut().filter(|_| to_add != 0) {
        *first = (*first + to_add - added).max(0);
    }
    let (desired, max) = replicas_annotations(d);
    all_rss
        .iter()
        .zip(sizes)
        .filter(|(rs, size)| {
            rs.replicas != *size || replicas_annotations_need_update(rs, desired, max)
        })
        .map(|(rs, replicas)| ScaleAction {
            key: rs.key,
            replicas,
        })
        .collect()
}

/// `calculateStatus` without conditions: `all_rss` holds every ReplicaSet including the new one.
pub fn calculate_status(
    all_rss: &[RsView],
    new_rs: Option<&RsView>,
    d: &DeploymentView,
) -> StatusView {
    let available = get_available_replica_count_for_replica_sets(all_rss);
    let total = get_replica_count_for_replica_sets(all_rss);
    StatusView {
        replicas: get_actual_replica_count_for_replica_sets(all_rss),
        updated: new_rs.map_or(0, |rs| rs.status_replicas),
        ready: get_ready_replica_count_for_replica_sets(all_rss),
        available,
        unavailable: (total - available).max(0),
        observed_generation: d.generation,
    }
}

/// `cleanupDeployment`: the keys of the old ReplicaSets to delete beyond `revisionHistoryLimit`
/// (None or `i32::MAX`: keep all), lowest revision first, only empty and observed ones.
pub fn cleanup_deployment(old_rss: &[RsView], revision_history_limit: Option<i32>) -> Vec<usize> {
    let Some(limit) = revision_history_limit.filter(|l| *l != i32::MAX) else {
        return Vec::new();
    };
    let mut cleanable: Vec<&RsView> = old_rss.iter().filter(|rs| !rs.deleting).collect();
    let diff = cleanable.len() as i64 - limit as i64;
    if diff <= 0 {
        return Vec::new();
    }
    cleanable.sort_by(|a, b| by_revision(a, b));
    cleanable[..diff as usize]
        .iter()
        .filter(|rs| rs.status_replicas == 0 && rs.replicas == 0 && rs.observed && !rs.deleting)
        .map(|rs| rs.key)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::controllers::deployment::util::max_surge;

    const NEW: u64 = 7_200_000; // 2016-05-20 02:00
    const OLD: u64 = 3_600_000; // 01:00
    const OLDER: u64 = 0; // 00:00

    /// One TestScale case: the Deployment now and before (replicas, maxSurge), the new RS
    /// (name, replicas), old RSs (name, replicas, created), desired-annotation overrides and the
    /// expected sizes by name.
    struct Case {
        name: &'static str,
        d: (i32, &'static str),
        before: (i32, &'static str),
        new_rs: Option<(&'static str, i32)>,
        old: &'static [(&'static str, i32, u64)],
        desired: &'static [(&'static str, i32)],
        want: &'static [(&'static str, i32)],
    }

    fn run(c: &Case) {
        let before = DeploymentView::rolling(c.before.0, c.before.1, "0");
        let annotate = |mut rs: RsView| {
            let desired = c
                .desired
                .iter()
                .find(|(n, _)| *n == rs.name)
                .map_or(before.replicas, |x| x.1);
            rs.desired_annotation = Some(desired);
            rs.max_annotation = Some(desired + max_surge(&before));
            rs
        };
        let new_rs = c.new_rs.map(|(n, r)| annotate(RsView::new(100, n, NEW, r)));
        let old: Vec<RsView> = c
            .old
            .iter()
            .enumerate()
            .map(|(i, &(n, r, t))| annotate(RsView::new(i, n, t, r)))
            .collect();
        let d = DeploymentView::rolling(c.d.0, c.d.1, "0");
        let mut sizes: Vec<(String, i32)> = old
            .iter()
            .chain(&new_rs)
            .map(|rs| (rs.name.clone(), rs.replicas))
            .collect();
        for a in scale(&d, new_rs.as_ref(), &old) {
            let name = if a.key == 100 {
                &new_rs.as_ref().unwrap().name
            } else {
                &old[a.key].name
            };
            sizes.iter_mut().find(|(n, _)| n == name).unwrap().1 = a.replicas;
        }
        for (name, want) in c.want {
            assert_eq!(
                sizes.iter().find(|(n, _)| n == name).unwrap().1,
                *want,
                "{}: {name}",
                c.name
            );
        }
    }

    #[test]
    #[rustfmt::skip]
    fn scaling_events_are_shared_proportionally_among_active_replica_sets() {
        // TestScale, in upstream order (the default maxSurge and maxUnavailable of newDeployment are 0).
        let cases = [
            Case { name: "normal scaling event: 10 -> 12", d: (12, "0"), before: (10, "0"), new_rs: Some(("foo-v1", 10)), old: &[], desired: &[], want: &[("foo-v1", 12)] },
            Case { name: "normal scaling event: 10 -> 5", d: (5, "0"), before: (10, "0"), new_rs: Some(("foo-v1", 10)), old: &[], desired: &[], want: &[("foo-v1", 5)] },
            Case { name: "proportional scaling: 5 -> 10", d: (10, "0"), before: (5, "0"), new_rs: Some(("foo-v2", 2)), old: &[("foo-v1", 3, OLD)], desired: &[], want: &[("foo-v2", 4), ("foo-v1", 6)] },
            Case { name: "proportional scaling: 5 -> 3", d: (3, "0"), before: (5, "0"), new_rs: Some(("foo-v2", 2)), old: &[("foo-v1", 3, OLD)], desired: &[], want: &[("foo-v2", 1), ("foo-v1", 2)] },
            Case { name: "proportional scaling: 9 -> 4", d: (4, "0"), before: (9, "0"), new_rs: Some(("foo-v2", 8)), old: &[("foo-v1", 1, OLD)], desired: &[], want: &[("foo-v2", 4), ("foo-v1", 0)] },
            Case { name: "proportional scaling: 7 -> 10", d: (10, "0"), before: (7, "0"), new_rs: Some(("foo-v3", 2)), old: &[("foo-v2", 3, OLD), ("foo-v1", 2, OLDER)], desired: &[], want: &[("foo-v3", 3), ("foo-v2", 4), ("foo-v1", 3)] },
            Case { name: "proportional scaling: 13 -> 8", d: (8, "0"), before: (13, "0"), new_rs: Some(("foo-v3", 2)), old: &[("foo-v2", 8, OLD), ("foo-v1", 3, OLDER)], desired: &[], want: &[("foo-v3", 1), ("foo-v2", 5), ("foo-v1", 2)] },
            Case { name: "leftover distribution: 3 -> 4", d: (4, "0"), before: (3, "0"), new_rs: Some(("foo-v3", 1)), old: &[("foo-v2", 1, OLD), ("foo-v1", 1, OLDER)], desired: &[], want: &[("foo-v3", 2), ("foo-v2", 1), ("foo-v1", 1)] },
            Case { name: "leftover distribution: 3 -> 2", d: (2, "0"), before: (3, "0"), new_rs: Some(("foo-v3", 1)), old: &[("foo-v2", 1, OLD), ("foo-v1", 1, OLDER)], desired: &[], want: &[("foo-v3", 1), ("foo-v2", 1), ("foo-v1", 0)] },
            Case { name: "proportional scaling (no new rs): 4 -> 5", d: (5, "0"), before: (4, "0"), new_rs: None, old: &[("foo-v2", 2, OLD), ("foo-v1", 2, OLDER)], desired: &[], want: &[("foo-v2", 3), ("foo-v1", 2)] },
            Case { name: "proportional scaling: 6 -> 0", d: (0, "0"), before: (6, "0"), new_rs: Some(("foo-v3", 3)), old: &[("foo-v2", 2, OLD), ("foo-v1", 1, OLDER)], desired: &[], want: &[("foo-v3", 0), ("foo-v2", 0), ("foo-v1", 0)] },
            Case { name: "proportional scaling: 0 -> 6", d: (6, "0"), before: (6, "0"), new_rs: Some(("foo-v3", 0)), old: &[("foo-v2", 0, OLD), ("foo-v1", 0, OLDER)], desired: &[], want: &[("foo-v3", 6), ("foo-v2", 0), ("foo-v1", 0)] },
            Case { name: "failed rs update", d: (5, "0"), before: (5, "0"), new_rs: Some(("foo-v3", 2)), old: &[("foo-v2", 1, OLD), ("foo-v1", 1, OLDER)], desired: &[("foo-v2", 3)], want: &[("foo-v3", 2), ("foo-v2", 2), ("foo-v1", 1)] },
            Case { name: "deployment with surge pods", d: (20, "2"), before: (10, "2"), new_rs: Some(("foo-v2", 6)), old: &[("foo-v1", 6, OLD)], desired: &[], want: &[("foo-v2", 11), ("foo-v1", 11)] },
            Case { name: "change both surge and size", d: (50, "6"), before: (10, "3"), new_rs: Some(("foo-v2", 5)), old: &[("foo-v1", 8, OLD)], desired: &[], want: &[("foo-v2", 22), ("foo-v1", 34)] },
            Case { name: "change both size and template", d: (14, "0"), before: (10, "0"), new_rs: None, old: &[("foo-v2", 7, NEW), ("foo-v1", 3, OLD)], desired: &[], want: &[("foo-v2", 10), ("foo-v1", 4)] },
        ];
        cases.iter().for_each(run);
    }

    #[test]
    fn a_saturated_but_broken_new_replica_set_leaves_old_pods_alone() {
        // TestScale "saturated but broken new replica set does not affect old pods" (1/1 surge/unavailable).
        let d = DeploymentView::rolling(2, "1", "1");
        let ann = |rs: RsView| RsView {
            desired_annotation: Some(2),
            max_annotation: Some(3),
            ..rs
        };
        let new_rs = ann(RsView::new(1, "foo-v2", NEW, 2));
        assert_eq!(
            scale(&d, Some(&new_rs), &[ann(RsView::new(0, "foo-v1", OLD, 1))]),
            vec![]
        );
        // Once it is available, the old replica sets are scaled to 0.
        let saturated = RsView {
            available: 2,
            ..new_rs
        };
        let zero = vec![ScaleAction {
            key: 0,
            replicas: 0,
        }];
        assert_eq!(
            scale(
                &d,
                Some(&saturated),
                &[ann(RsView::new(0, "foo-v1", OLD, 1))]
            ),
            zero
        );
    }

    #[test]
    fn a_scaling_event_is_a_desired_annotation_that_differs_from_replicas() {
        let d = DeploymentView::rolling(5, "1", "1");
        let rs = |replicas, desired| RsView {
            desired_annotation: desired,
            ..RsView::new(0, "rs", 0, replicas)
        };
        assert!(is_scaling_event(&d, Some(&rs(2, Some(4))), &[]));
        assert!(!is_scaling_event(
            &d,
            Some(&rs(2, Some(5))),
            &[rs(0, Some(4))]
        ));
        assert!(!is_scaling_event(&d, None, &[rs(3, None)]));
    }

    #[test]
    fn status_counts_actual_replicas_and_never_negative_unavailable() {
        let d = DeploymentView {
            generation: 4,
            ..DeploymentView::rolling(3, "1", "1")
        };
        let old = RsView {
            status_replicas: 3,
            ready: 3,
            available: 3,
            ..RsView::new(0, "old", 0, 1)
        };
        let new_rs = RsView {
            status_replicas: 1,
            ..RsView::new(1, "new", 0, 1)
        };
        let s = calculate_status(&[old, new_rs.clone()], Some(&new_rs), &d);
        let want = StatusView {
            replicas: 4,
            updated: 1,
            ready: 3,
            available: 3,
            unavailable: 0,
            observed_generation: 4,
        };
        assert_eq!(s, want);
    }

    #[test]
    fn history_cleanup_deletes_only_empty_replica_sets_beyond_the_limit() {
        // TestDeploymentController_cleanupDeployment: (old RSs (spec, status, deleting), limit, deletions).
        type Case = (&'static [(i32, i32, bool)], i32, usize);
        let cases: [Case; 6] = [
            (&[(0, 0, false), (0, 0, false), (0, 0, false)], 1, 2),
            (
                &[(0, 0, false), (0, 1, false), (1, 0, false), (1, 1, false)],
                0,
                1,
            ),
            (&[(0, 0, false), (0, 0, false)], 0, 2),
            (&[(1, 1, false), (1, 1, false)], 0, 0),
            (&[(0, 0, true)], 0, 0),
            (&[(0, 0, false), (0, 0, false), (0, 0, false)], i32::MAX, 0),
        ];
        for (i, (rss, limit, want)) in cases.into_iter().enumerate() {
            let old: Vec<RsView> = rss
                .iter()
                .enumerate()
                .map(|(k, &(spec, status, deleting))| RsView {
                    status_replicas: status,
                    deleting,
                    ..RsView::new(k, &format!("foo-{}", k + 1), 0, spec)
                })
                .collect();
            assert_eq!(
                cleanup_deployment(&old, Some(limit)).len(),
                want,
                "scenario {i}"
            );
        }
    }
}

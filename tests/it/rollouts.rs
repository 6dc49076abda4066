//! Rollouts end to end: the rolling-update and recreate examples, their invariants after every event,
//! and the changes a person makes with kubectl (scale, pause/resume, undo, patch, apply).

use kubesim::api::{Owner, Store};
use kubesim::engine::SimTime;
use kubesim::metrics::{Outcome, RunOutput};
use kubesim::scenario::Scenario;

fn load(name: &str) -> Scenario {
    let path = super::util::root().join("scenarios").join(name);
    kubesim::scenario::load(&path).expect("scenario loads")
}

/// Pods of Deployment 0 that exist and are not being deleted, and those of them that are available.
fn counts(store: &Store, now: SimTime) -> (u32, u32) {
    let d = &store.deployments[0];
    let (mut live, mut available) = (0, 0);
    for p in store.live_pods.iter().map(|p| &store.pods[p.index()]) {
        let Some(Owner::ReplicaSet(rs)) = p.meta.owner else {
            continue;
        };
        if store.replica_sets[rs.index()].meta.owner.is_none() || p.meta.deletion.is_some() {
            continue;
        }
        live += 1;
        available += u32::from(p.is_available(d.min_ready_ms, now));
    }
    (live, available)
}

/// Runs `scenario`, checking after every event from `from_ms` on that the Deployment keeps within
/// [replicas - maxUnavailable, replicas + maxSurge]; returns the output and the extremes seen.
fn run_checked(
    scenario: &Scenario,
    from_ms: u64,
    surge: u32,
    unavailable: u32,
) -> (RunOutput, u32, u32) {
    let (mut most, mut fewest) = (0, u32::MAX);
    let out = kubesim::sim::run_observed(scenario, scenario.seed, |store, now| {
        if now.0 < from_ms {
            return;
        }
        let replicas = store.deployments[0].replicas;
        let (live, available) = counts(store, now);
        assert!(
            live <= replicas + surge,
            "at {now}: {live} pods > {replicas} + {surge}"
        );
        assert!(
            available + unavailable >= replicas,
            "at {now}: {available} available < {replicas} - {unavailable}"
        );
        most = most.max(live);
        fewest = fewest.min(available);
    })
    .expect("runs");
    (out, most, fewest)
}

fn refused(out: &RunOutput) -> usize {
    out.requests
        .iter()
        .filter(|r| r.outcome != Outcome::Ok)
        .count()
}

#[test]
fn rolling_update_stays_within_surge_and_unavailability_after_every_event_seed_1() {
    let scenario = load("rolling-update.yaml");
    let (out, most, fewest) = run_checked(&scenario, 120_000, 3, 2);
    // The bounds are reached, not just respected: the rollout uses its whole surge and budget.
    assert_eq!(most, 13, "the rollout surges to replicas + maxSurge");
    assert_eq!(fewest, 8, "availability dips to replicas - maxUnavailable");
    let last: Vec<_> = out.rollouts.iter().rev().take(2).collect();
    assert!(last
        .iter()
        .any(|r| r.revision == 2 && r.replicas == 10 && r.available == 10));
    assert!(last.iter().any(|r| r.revision == 1 && r.replicas == 0));
    let spans = &out.summary.rollouts;
    assert_eq!(spans.len(), 2, "{spans:?}");
    assert_eq!((spans[1].revision, spans[1].started), (2, SimTime(120_010)));
    let took = spans[1]
        .completed
        .expect("complete")
        .since_ms(spans[1].started);
    assert!((5_000..30_000).contains(&took), "rollout took {took} ms");
}

#[test]
fn recreate_has_lower_availability_than_rolling_update_seed_1() {
    let rolling = kubesim::sim::run(&load("rolling-update.yaml"), 1).expect("runs");
    let recreate = kubesim::sim::run(&load("recreate.yaml"), 1).expect("runs");
    assert!(
        refused(&recreate) > 5 * refused(&rolling).max(1),
        "recreate {} failed requests, rolling {}",
        refused(&recreate),
        refused(&rolling)
    );
    assert!(recreate.summary.services[0].availability < rolling.summary.services[0].availability);
}

#[test]
fn recreate_never_runs_old_and_new_pods_together_seed_1() {
    let scenario = load("recreate.yaml");
    kubesim::sim::run_observed(&scenario, 1, |store, _| {
        let revisions: std::collections::BTreeSet<&str> = store
            .live_pods
            .iter()
            .filter_map(|p| match store.pods[p.index()].meta.owner {
                Some(Owner::ReplicaSet(rs)) => Some(&store.replica_sets[rs.index()].meta.name),
                _ => None,
            })
            .map(String::as_str)
            .collect();
        assert!(
            revisions.len() <= 1,
            "old and new pods together: {revisions:?}"
        );
    })
    .expect("runs");
}

/// The rolling-update example with `faults` in place of its own.
fn with_faults(faults: &str) -> Scenario {
    let path = super::util::root().join("scenarios/rolling-update.yaml");
    let text = std::fs::read_to_string(&path).expect("read");
    let head = &text[..text.find("faults:").expect("has faults")];
    let text = format!("{head}faults:\n{faults}");
    kubesim::scenario::load_str(&text, &path).expect("scenario loads")
}

fn final_sets(out: &RunOutput) -> Vec<(u64, u32)> {
    let mut last = std::collections::BTreeMap::new();
    for r in &out.rollouts {
        last.insert(r.replicaset.clone(), (r.revision, r.replicas));
    }
    let mut sets: Vec<(u64, u32)> = last.into_values().collect();
    sets.sort();
    sets
}

#[test]
fn rollout_undo_goes_back_to_the_first_template_as_revision_three() {
    let s = with_faults(
        "  - {at: 2m, set-image: {deployment: my-nginx, image: nginx:broken}}\n  - {at: 4m, rollout-undo: {deployment: my-nginx}}\n",
    );
    let out = kubesim::sim::run(&s, 1).expect("runs");
    // The first ReplicaSet is reused with a new revision; the second is scaled to 0.
    assert_eq!(final_sets(&out), vec![(2, 0), (3, 10)]);
}

#[test]
fn a_paused_deployment_starts_no_rollout_until_resumed() {
    let s = with_faults(
        "  - {at: 2m, rollout-pause: {deployment: my-nginx}}\n  - {at: 2m10s, set-image: {deployment: my-nginx, image: nginx:next}}\n  - {at: 4m, rollout-resume: {deployment: my-nginx}}\n",
    );
    let out = kubesim::sim::run(&s, 1).expect("runs");
    let first_new = out
        .rollouts
        .iter()
        .find(|r| r.revision == 2)
        .expect("a rollout happened");
    assert!(
        first_new.time >= SimTime(240_000),
        "rollout began at {}",
        first_new.time
    );
    assert_eq!(final_sets(&out), vec![(1, 0), (2, 10)]);
}

#[test]
fn scaling_mid_rollout_shares_the_new_size_proportionally() {
    let s = with_faults(
        "  - {at: 2m, set-image: {deployment: my-nginx, image: nginx:next}}\n  - {at: 2m0.5s, scale: {deployment: my-nginx, replicas: 20}}\n",
    );
    let out = kubesim::sim::run(&s, 1).expect("runs");
    // Right after the scale the 13 replicas (old 8, new 5; max-replicas 13) become 25 (20 + 5 surge),
    // shared in proportion: old round(8 x 25 / 13) = 15, new round(5 x 25 / 13) = 10.
    let at_scale: Vec<(u64, u32)> = out
        .rollouts
        .iter()
        .filter(|r| r.time == SimTime(120_510))
        .map(|r| (r.revision, r.replicas))
        .collect();
    assert_eq!(at_scale, vec![(1, 15), (2, 10)]);
    assert_eq!(final_sets(&out), vec![(1, 0), (2, 20)]);
}

#[test]
fn a_refused_change_is_an_event_with_kubectls_message_and_changes_nothing() {
    let s = with_faults("  - {at: 2m, rollout-resume: {deployment: my-nginx}}\n");
    let out = kubesim::sim::run(&s, 1).expect("runs");
    let refused = out
        .events
        .iter()
        .find(|e| e.reason == "ChangeRefused")
        .expect("refused");
    assert_eq!(
        refused.message,
        "rollout-resume: deployments.apps \"my-nginx\" is not paused"
    );
    assert_eq!(final_sets(&out), vec![(1, 10)]);
}

#[test]
fn a_merge_patch_that_breaks_validation_is_refused_like_the_api_server() {
    let s =
        with_faults("  - {at: 2m, patch: {deployment: my-nginx, merge: {spec: {replicas: -1}}}}\n");
    let out = kubesim::sim::run(&s, 1).expect("runs");
    let refused = out
        .events
        .iter()
        .find(|e| e.reason == "ChangeRefused")
        .expect("refused");
    assert!(
        refused.message.contains("spec.replicas"),
        "{}",
        refused.message
    );
}

#[test]
fn a_merge_patch_of_the_template_rolls_out_a_new_revision() {
    let s = with_faults("  - {at: 2m, patch: {deployment: my-nginx, merge: {spec: {template: {metadata: {labels: {tier: web}}}}}}}\n");
    let out = kubesim::sim::run(&s, 1).expect("runs");
    assert_eq!(final_sets(&out), vec![(1, 0), (2, 10)]);
}

#[test]
fn apply_of_a_new_version_replaces_the_spec_and_keeps_the_pods_when_the_template_is_the_same() {
    let s = with_faults("  - {at: 2m, apply: nginx/nginx-deployment-recreate.yaml}\n");
    let mut strategy_after = None;
    let out = kubesim::sim::run_observed(&s, 1, |store, now| {
        if now >= SimTime(120_000) {
            strategy_after = Some(store.deployments[0].strategy.clone());
        }
    })
    .expect("runs");
    assert_eq!(strategy_after, Some(kubesim::api::Strategy::Recreate));
    assert_eq!(final_sets(&out), vec![(1, 10)]);
}

/// A Deployment manifest with the given rollout parameters (the my-nginx template).
fn nginx_manifest(replicas: u32, surge: &str, unavailable: &str, min_ready_s: u32) -> String {
    let base =
        std::fs::read_to_string(super::util::root().join("scenarios/nginx/nginx-deployment.yaml"))
            .expect("read");
    base.replace(
        "replicas: 10",
        &format!("replicas: {replicas}\n  minReadySeconds: {min_ready_s}"),
    )
    .replace("maxSurge: 25%", &format!("maxSurge: {surge}"))
    .replace(
        "maxUnavailable: 25%",
        &format!("maxUnavailable: {unavailable}"),
    )
}

/// `GetScaledValueFromIntOrPercent`: `3` or `25%` of `replicas`, rounded up or down.
fn scaled(v: &str, replicas: u32, round_up: bool) -> u32 {
    match v.strip_suffix('%') {
        Some(p) => {
            let p: u32 = p.parse().unwrap();
            if round_up {
                (p * replicas).div_ceil(100)
            } else {
                p * replicas / 100
            }
        }
        None => v.parse().unwrap(),
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig { cases: 24, ..Default::default() })]

    /// Any RollingUpdate parameters and image changes (a rollover mid-rollout included, without
    /// minReadySeconds: see `a_rollover_with_min_ready_seconds_can_delete_an_available_pod_first`):
    /// after every event, pods not being deleted stay within replicas + maxSurge and available pods
    /// at or above replicas - maxUnavailable, and the last template ends up fully rolled out.
    #[test]
    fn rolling_updates_keep_within_surge_and_unavailability_for_any_parameters(
        replicas in 1u32..=12,
        surge in proptest::sample::select(vec!["0", "1", "3", "25%", "50%", "100%"]),
        unavailable in proptest::sample::select(vec!["0", "1", "2", "25%", "50%"]),
        min_ready_s in proptest::sample::select(vec![0u32, 5]),
        changes in proptest::collection::vec(60_000u64..200_000, 1..=3),
    ) {
        let (surge_n, unavail_n) = (scaled(surge, replicas, true), scaled(unavailable, replicas, false));
        proptest::prop_assume!(surge_n + unavail_n > 0);
        proptest::prop_assume!(min_ready_s == 0 || changes.len() == 1);
        let dir = super::util::temp_dir("prop");
        std::fs::write(dir.path().join("d.yaml"), nginx_manifest(replicas, surge, unavailable, min_ready_s)).unwrap();
        std::fs::write(dir.path().join("s.yaml"), prop_scenario(&changes)).unwrap();
        let scenario = kubesim::scenario::load(&dir.path().join("s.yaml")).expect("scenario loads");
        let (out, _, _) = run_checked(&scenario, 60_000, surge_n, unavail_n);
        let last = out.summary.rollouts.last().expect("rollouts");
        proptest::prop_assert!(last.completed.is_some(), "{:?}", out.summary.rollouts);
    }
}

/// First found by the property test above, and upstream behaviour, not a modelling bug:
/// the rollover's `cleanupUnhealthyReplicas` scales revision 2 down by its 2 unavailable pods, but
/// the ReplicaSet's deletion ranking (`ActivePodsWithRanks`) knows readiness, not availability: a pod
/// Ready for 5 s but not yet available for minReadySeconds ranks in the same log2 bucket as one Ready
/// for 8 s, so an available pod can go first and availability dips below replicas - maxUnavailable. Case:
/// replicas 6, maxSurge 2, maxUnavailable 0, minReadySeconds 5, images changed at 60 s and 79.36 s,
/// seed 1 (found by a scan after the system default spread constraints changed pod placement).
#[test]
fn a_rollover_with_min_ready_seconds_can_delete_an_available_pod_first() {
    let dir = super::util::temp_dir("rollover");
    std::fs::write(dir.path().join("d.yaml"), nginx_manifest(6, "2", "0", 5)).unwrap();
    std::fs::write(dir.path().join("s.yaml"), prop_scenario(&[60_000, 79_360])).unwrap();
    let scenario = kubesim::scenario::load(&dir.path().join("s.yaml")).expect("scenario loads");
    let mut fewest = u32::MAX;
    kubesim::sim::run_observed(&scenario, 1, |store, now| {
        if now.0 >= 60_000 {
            fewest = fewest.min(counts(store, now).1);
        }
    })
    .expect("runs");
    assert_eq!(
        fewest, 5,
        "availability dips from 6 to 5 although maxUnavailable is 0"
    );
}

/// A scenario around `d.yaml` with one `set-image` per time in `changes_ms`.
fn prop_scenario(changes_ms: &[u64]) -> String {
    let mut faults = String::new();
    for (i, at) in changes_ms.iter().enumerate() {
        faults.push_str(&format!(
            "  - {{at: {at}ms, set-image: {{deployment: my-nginx, image: \"nginx:{i}\"}}}}\n"
        ));
    }
    format!("name: prop\nseed: 1\nduration: 8m\ncluster:\n  nodes:\n    - {{count: 3, name: \"node-{{i}}\", allocatable: {{cpu: \"8\", memory: 16Gi, pods: 110}}}}\nmanifests: [d.yaml, {svc}]\napps:\n  - {{match: {{run: my-nginx}}, image-pull: 3s, listen-after: 300ms, serve-after: 300ms, latency: 5ms, on-sigterm: {{close-listener: true, exit-after: 200ms}}}}\nfaults:\n{faults}",
        svc = super::util::root().join("scenarios/nginx/nginx-service.yaml").display())
}

//! `kubectl cordon` / `uncordon` / `drain` and the Eviction API: draining the ZooKeeper ensemble
//! node by node never takes it below its PodDisruptionBudget, refused evictions are 429s in the
//! events, and every drain completes.

use super::util::{check_golden, root, temp_dir};
use kubesim::api::Store;
use kubesim::check::StatefulSetChecker;
use kubesim::metrics::RunOutput;
use kubesim::scenario::Scenario;

fn example(name: &str) -> Scenario {
    kubesim::scenario::load(&root().join("scenarios").join(name)).expect("scenario loads")
}

/// The zk members that count for the budget: Ready and not being deleted.
fn ready_members(store: &Store) -> usize {
    store
        .live_pods
        .iter()
        .map(|p| &store.pods[p.index()])
        .filter(|p| p.meta.labels.get("app").map(String::as_str) == Some("zk"))
        .filter(|p| p.ready && p.meta.deletion.is_none())
        .count()
}

fn reasons<'o>(out: &'o RunOutput, reason: &str) -> Vec<&'o kubesim::metrics::EventRecord> {
    out.events.iter().filter(|e| e.reason == reason).collect()
}

#[test]
fn draining_the_ensemble_never_leaves_fewer_than_two_ready_members() {
    let scenario = example("drain-with-pdb.yaml");
    let first_drain = scenario.faults[0].at_ms;
    let mut fewest = usize::MAX;
    let mut checker = StatefulSetChecker::new();
    kubesim::sim::run_inspected(&scenario, 1, |view, now| {
        checker.observe(view, now);
        if now.0 >= first_drain {
            fewest = fewest.min(ready_members(view.store));
        }
    })
    .expect("runs");
    assert_eq!(
        fewest, 2,
        "the PDB's minAvailable 2 is the floor, and it is reached"
    );
    assert!(
        checker.violations().is_empty(),
        "{:?}",
        checker.violations()
    );
}

#[test]
fn refused_evictions_are_429s_in_the_events_and_every_drain_completes() {
    let out = kubesim::sim::run(&example("drain-with-pdb.yaml"), 1).expect("runs");
    let refused = reasons(&out, "TooManyRequests");
    assert!(
        !refused.is_empty(),
        "some eviction met a budget with no disruption left"
    );
    assert!(refused.iter().all(|e| e.message.ends_with(
        "(will retry after 5s): Cannot evict pod as it would violate the pod's disruption budget."
    )));
    // Each refused pod is retried every 5 s until it goes.
    for pair in refused.windows(2).filter(|w| w[0].name == w[1].name) {
        assert_eq!(pair[1].time.0 - pair[0].time.0, 5_000);
    }
    let drained: Vec<&str> = reasons(&out, "Drained")
        .iter()
        .map(|e| e.name.as_str())
        .collect();
    assert_eq!(drained, ["node-1", "node-2", "node-3"]);
    // One after another: each node is cordoned only after the previous one was uncordoned.
    let cordons = reasons(&out, "Cordon");
    let uncordons = reasons(&out, "Uncordon");
    assert_eq!((cordons.len(), uncordons.len()), (3, 3));
    for (next, prev) in cordons[1..].iter().zip(&uncordons) {
        assert!(next.time >= prev.time, "{} before {}", next.name, prev.name);
    }
    assert!(reasons(&out, "DrainFailed").is_empty());
    // Every member came back (a second incarnation, Ready) and the budget allows one disruption again.
    for m in ["zk-0", "zk-1", "zk-2"] {
        let lives: Vec<_> = out.pods.iter().filter(|p| p.pod == m).collect();
        assert_eq!(lives.len(), 2, "{m}");
        assert!(lives[1].ready.is_some(), "{m} is Ready again");
    }
    assert_eq!(out.summary.disruption_budgets[0].disruptions_allowed, 1);
}

#[test]
fn the_summary_reports_that_the_ensemble_kept_its_quorum() {
    let out = kubesim::sim::run(&example("drain-with-pdb.yaml"), 1).expect("runs");
    let q = &out.summary.quorums[0];
    assert_eq!((q.name.as_str(), q.min_ready), ("zookeeper", 2));
    assert!(q.outages.is_empty() && q.availability == 1.0, "{q:?}");
}

/// A two-node cluster running `web` (2 replicas, PDB minAvailable 2), with `faults`.
fn web_scenario(dir: &std::path::Path, faults: &str) -> Scenario {
    let manifest = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  replicas: 2\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec: {containers: [{name: web, image: nginx:1.27}]}\n---\napiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: web}\nspec:\n  minAvailable: 2\n  selector: {matchLabels: {app: web}}\n";
    std::fs::write(dir.join("web.yaml"), manifest).unwrap();
    let text = format!("name: web-drain\nduration: 3m\ncluster:\n  nodes: [{{count: 2, name: 'n{{i}}', allocatable: {{cpu: '4', memory: 8Gi}}}}]\nmanifests: [web.yaml]\napps:\n  - {{match: {{app: web}}, image-pull: 1s, serve-after: 1s}}\nfaults:\n{faults}");
    let path = dir.join("s.yaml");
    std::fs::write(&path, text).unwrap();
    kubesim::scenario::load(&path).expect("scenario loads")
}

#[test]
fn a_drain_the_budget_never_allows_times_out_and_stops_the_chain() {
    let tmp = temp_dir("drain-timeout");
    let faults = "  - {at: 30s, drain: {nodes: [n1, n2], timeout: 30s}}\n";
    let out = kubesim::sim::run(&web_scenario(tmp.path(), faults), 1).expect("runs");
    let failed = reasons(&out, "DrainFailed");
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].time.0, 60_000);
    assert!(
        failed[0].message.contains("global timeout reached: 30s"),
        "{}",
        failed[0].message
    );
    // `kubectl drain n1 && kubectl drain n2`: n2 is never touched.
    assert!(reasons(&out, "Cordon").iter().all(|e| e.name == "n1"));
    assert!(reasons(&out, "Evicted").is_empty());
}

#[test]
fn a_cordoned_node_takes_no_new_pods_until_it_is_uncordoned() {
    let tmp = temp_dir("cordon");
    let faults = "  - {at: 0s, cordon: n1}\n  - {at: 1m, uncordon: n1}\n  - {at: 1m10s, scale: {deployment: web, replicas: 8}}\n";
    let out = kubesim::sim::run(&web_scenario(tmp.path(), faults), 1).expect("runs");
    let scheduled = |p: &&kubesim::metrics::PodRecord| p.scheduled.is_some();
    let (before, after): (Vec<_>, Vec<_>) = out
        .pods
        .iter()
        .filter(scheduled)
        .partition(|p| p.created.0 < 60_000);
    assert!(before.iter().all(|p| p.node.as_deref() == Some("n2")));
    assert!(after.iter().any(|p| p.node.as_deref() == Some("n1")));
}

#[test]
fn drain_with_pdb_matches_its_golden_files() {
    check_golden(
        "drain-with-pdb",
        &["events.csv", "pods.csv", "summary.json", super::util::WATCH],
    );
}

#[test]
fn deleting_the_members_past_the_budget_shows_as_a_quorum_outage() {
    // A plain `kubectl delete pod` does not ask the budget: the ensemble loses its quorum until two
    // members are Ready again (OrderedReady recreates them one by one).
    let path = root().join("scenarios/zookeeper.yaml");
    let text = std::fs::read_to_string(&path)
        .unwrap()
        .replace("duration: 3m", "duration: 6m")
        + "faults:\n  - {at: 150s, delete-pod: {selector: app=zk}}\n";
    let scenario = kubesim::scenario::load_str(&text, &path).expect("scenario loads");
    let out = kubesim::sim::run(&scenario, 1).expect("runs");
    let q = &out.summary.quorums[0];
    assert_eq!(q.outages.len(), 1, "{q:?}");
    let (start, end) = q.outages[0];
    assert_eq!(start.0, 150_000);
    assert!(end.0 > start.0 + 40_000 && end.0 < 360_000, "{q:?}");
    assert!(q.availability < 1.0 && q.downtime_ms == end.0 - start.0);
}

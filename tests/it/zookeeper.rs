//! `scenarios/zookeeper.yaml` reproduces the ordered start-up of article 003's ZooKeeper ensemble.

use super::util::{check_golden, kubesim, root, temp_dir};
use kubesim::api::Store;
use kubesim::engine::SimTime;
use kubesim::metrics::{RunOutput, WatchLine};

const MEMBERS: [&str; 3] = ["zk-0", "zk-1", "zk-2"];
/// What `kubectl get pods -w` showed in the article, seconds after each member's creation:
/// ContainerCreating at 0 s, Running (0/1) at 19 s (18 s for zk-1), Ready (1/1) at 40 s.
const ARTICLE: [(u64, u64, u64); 3] = [(0, 19, 40), (0, 18, 40), (0, 19, 40)];
const TOLERANCE_MS: u64 = 2_000;

fn run(name: &str) -> RunOutput {
    let path = root().join(format!("scenarios/{name}.yaml"));
    let scenario = kubesim::scenario::load(&path).expect("scenario loads");
    kubesim::sim::run(&scenario, scenario.seed).expect("scenario runs")
}

/// The first watch-log line of `pod` with `ready` and `status`.
fn seen<'a>(out: &'a RunOutput, pod: &str, ready: &str, status: &str) -> Option<&'a WatchLine> {
    out.watch
        .iter()
        .find(|l| l.name == pod && l.ready == ready && l.status == status)
}

/// Milliseconds from the member's first (Pending) line to its first line with `ready` and `status`.
fn after_creation(out: &RunOutput, pod: &str, ready: &str, status: &str) -> u64 {
    let created = seen(out, pod, "0/1", "Pending").expect("created").time;
    let at = seen(out, pod, ready, status).unwrap_or_else(|| panic!("{pod} {ready} {status}"));
    at.time.since_ms(created)
}

fn assert_near(what: &str, actual_ms: u64, article_s: u64) {
    let article_ms = article_s * 1_000;
    assert!(
        actual_ms.abs_diff(article_ms) <= TOLERANCE_MS,
        "{what}: {actual_ms} ms, the article {article_s} s"
    );
}

#[test]
fn zookeeper_members_start_running_19_s_and_become_ready_40_s_after_creation() {
    let out = run("zookeeper");
    for (pod, (creating, running, ready)) in MEMBERS.iter().zip(ARTICLE) {
        let t = |r, s| after_creation(&out, pod, r, s);
        assert_near(
            &format!("{pod} ContainerCreating"),
            t("0/1", "ContainerCreating"),
            creating,
        );
        assert_near(&format!("{pod} Running 0/1"), t("0/1", "Running"), running);
        assert_near(&format!("{pod} Running 1/1"), t("1/1", "Running"), ready);
    }
}

#[test]
fn zookeeper_members_become_ready_40_seconds_apart_in_ordinal_order() {
    let out = run("zookeeper");
    for pair in MEMBERS.windows(2) {
        let ready = seen(&out, pair[0], "1/1", "Running").expect("ready").time;
        let next = seen(&out, pair[1], "0/1", "Pending").expect("created").time;
        // OrderedReady: the next member is created only once the previous one is Ready, at once.
        assert!(next >= ready && next.since_ms(ready) < 1_000, "{pair:?}");
        let created = seen(&out, pair[0], "0/1", "Pending").unwrap().time;
        assert_near(
            &format!("{} to {}", pair[0], pair[1]),
            next.since_ms(created),
            40,
        );
    }
}

#[test]
fn each_zookeeper_member_runs_on_its_own_node() {
    let out = run("zookeeper");
    let mut nodes: Vec<&str> = out
        .pods
        .iter()
        .map(|p| p.node.as_deref().expect("scheduled"))
        .collect();
    nodes.sort();
    nodes.dedup();
    assert_eq!(nodes.len(), 3, "{nodes:?}");
}

#[test]
fn on_two_nodes_the_third_member_stays_pending_because_of_anti_affinity() {
    let out = run("zookeeper-two-nodes");
    let zk2 = out.pods.iter().find(|p| p.pod == "zk-2").expect("zk-2");
    assert_eq!((zk2.scheduled, zk2.started), (None, None));
    let last = out.watch.iter().rev().find(|l| l.name == "zk-2").unwrap();
    assert_eq!(
        (last.ready.as_str(), last.status.as_str()),
        ("0/1", "Pending")
    );
    let why = out
        .events
        .iter()
        .find(|e| e.name == "zk-2" && e.reason == "FailedScheduling")
        .expect("FailedScheduling");
    assert_eq!(
        why.message,
        "0/2 nodes are available: 2 node(s) didn't match pod anti-affinity rules. \
         preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod."
    );
    let pending = &out.summary.pending;
    assert_eq!(pending.len(), 1, "{pending:?}");
    assert_eq!(pending[0].name, "zk-2");
    assert_eq!(pending[0].reason.as_deref(), Some(why.message.as_str()));
    let text = kubesim::report::summary_text(&out.summary);
    let ms = pending[0].created.0;
    let line = format!(
        "pod default/zk-2: Pending since {}.{:03}s: {}",
        ms / 1000,
        ms % 1000,
        why.message
    );
    assert!(text.contains(&line), "{text}");
}

#[test]
fn the_articles_apps_v1beta1_statefulset_is_rejected_with_a_hint_to_use_apps_v1() {
    let tmp = temp_dir("zk-v1beta1");
    let dir = tmp.path();
    let fixture = root().join("tests/fixtures/zookeeper-v1beta1.yaml");
    std::fs::copy(fixture, dir.join("zookeeper-v1beta1.yaml")).unwrap();
    let scenario = "name: zk-old\nduration: 1m\ncluster:\n  nodes: [{count: 3, name: 'node-{i}', allocatable: {cpu: '4', memory: 15Gi}}]\nmanifests: [zookeeper-v1beta1.yaml]\n";
    std::fs::write(dir.join("s.yaml"), scenario).unwrap();
    let out_dir = dir.join("out");
    let out = kubesim(&[
        "run",
        dir.join("s.yaml").to_str().unwrap(),
        "--out",
        out_dir.to_str().unwrap(),
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("zookeeper-v1beta1.yaml"), "{err}");
    assert!(
        err.contains("apps/v1beta1") && err.contains("use apiVersion: apps/v1"),
        "{err}"
    );
    assert!(!out_dir.exists(), "bad input must write no output");
}

/// The budget zk-budget's (currentHealthy, desiredHealthy, disruptionsAllowed) in `store`.
fn budget(store: &Store) -> (i32, i32, i32) {
    let pdb = store
        .pdbs
        .iter()
        .find(|p| p.meta.name == "zk-budget")
        .expect("zk-budget");
    let s = &pdb.status;
    (s.current_healthy, s.desired_healthy, s.disruptions_allowed)
}

#[test]
fn with_all_three_members_ready_the_budget_allows_one_disruption() {
    let path = root().join("scenarios/zookeeper.yaml");
    let scenario = kubesim::scenario::load(&path).expect("scenario loads");
    let mut seen: Vec<(i32, i32, i32)> = Vec::new();
    let mut last = (0, 0, 0);
    let out = kubesim::sim::run_observed(&scenario, scenario.seed, |store, _| {
        last = budget(store);
        if seen.last() != Some(&last) {
            seen.push(last);
        }
    })
    .expect("scenario runs");
    // minAvailable 2: no disruption while fewer than 3 members are healthy, one with all 3.
    assert_eq!(last, (3, 2, 1), "{seen:?}");
    assert!(seen.contains(&(2, 2, 0)), "{seen:?}");
    let b = &out.summary.disruption_budgets[0];
    let summary = (
        b.current_healthy,
        b.desired_healthy,
        b.expected_pods,
        b.disruptions_allowed,
    );
    assert_eq!(summary, (3, 2, 3, 1));
    let ready = out.pods.iter().filter_map(|p| p.ready).max().unwrap();
    assert!(ready < SimTime(scenario.duration_ms));
}

#[test]
fn on_two_nodes_the_budget_allows_no_disruption() {
    let out = run("zookeeper-two-nodes");
    let b = &out.summary.disruption_budgets[0];
    assert_eq!(
        (b.current_healthy, b.desired_healthy, b.disruptions_allowed),
        (2, 2, 0)
    );
}

#[test]
fn zookeeper_and_its_two_node_variant_match_their_golden_files() {
    check_golden(
        "zookeeper",
        &["events.csv", "pods.csv", "summary.json", super::util::WATCH],
    );
    check_golden(
        "zookeeper-two-nodes",
        &["events.csv", "pods.csv", "summary.json", super::util::WATCH],
    );
}

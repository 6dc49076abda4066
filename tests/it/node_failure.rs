//! The node-failure chain: a crashed or partitioned node, the node lifecycle controller, taint
//! eviction, pod GC and force-detach, measured from the example scenarios' outputs.

use super::util::{check_golden, kubesim, root, temp_dir, WATCH};
use kubesim::engine::SimTime;
use kubesim::metrics::{EventRecord, Outcome, RunOutput};
use kubesim::scenario::NodeFault;
use std::collections::BTreeMap;

fn load(name: &str) -> kubesim::scenario::Scenario {
    let path = root().join(format!("scenarios/{name}.yaml"));
    kubesim::scenario::load(&path).expect("scenario loads")
}

fn run(name: &str) -> RunOutput {
    let s = load(name);
    kubesim::sim::run(&s, s.seed).expect("scenario runs")
}

/// The first Event with `reason` about `name`.
fn first<'a>(out: &'a RunOutput, name: &str, reason: &str) -> &'a EventRecord {
    out.events
        .iter()
        .find(|e| e.name == name && e.reason == reason)
        .unwrap_or_else(|| panic!("no {reason} event for {name}"))
}

fn secs(t: SimTime) -> f64 {
    t.as_ms() as f64 / 1000.0
}

fn crash_at(out: &RunOutput, action: &str) -> SimTime {
    out.faults
        .iter()
        .find(|f| f.action == action)
        .expect("fault")
        .at
}

#[test]
fn a_crashed_nodes_pods_are_not_ready_after_about_50_s_and_replaced_300_s_later() {
    let out = run("node-crash-deployment");
    let crash = crash_at(&out, "crash-node");
    let not_ready = first(&out, "node-2", "NodeNotReady").time;
    // Grace period 50 s after the last Lease renewal (at most 10 s before the crash), at a 5 s pass.
    let detect = not_ready.since_ms(crash);
    assert!(
        (40_000..=55_000).contains(&detect),
        "NotReady {detect} ms after the crash"
    );
    let dead = out
        .pods
        .iter()
        .find(|p| p.node.as_deref() == Some("node-2"))
        .unwrap();
    let evicted = first(&out, &dead.pod, "TaintManagerEviction").time;
    let tolerated = evicted.since_ms(not_ready);
    assert!(
        (300_000..301_000).contains(&tolerated),
        "evicted {tolerated} ms after NotReady"
    );
    let replacement = out
        .pods
        .iter()
        .find(|p| p.created >= evicted)
        .expect("a replacement");
    assert_ne!(replacement.node.as_deref(), Some("node-2"));
    let ready = replacement.ready.expect("the replacement becomes ready");
    let total = ready.since_ms(crash);
    assert!(
        (340_000..370_000).contains(&total),
        "replaced {total} ms after the crash"
    );
    assert_eq!(dead.gone, None, "nothing confirms the dead pod's end");
    let c = &out.summary.node_report.capacity[0];
    assert_eq!((c.desired, c.lowest_ready), (3, 2));
    assert_eq!(c.first_below, not_ready);
    assert_eq!(c.below_ms, ready.since_ms(not_ready), "{c:?}");
}

#[test]
fn requests_to_the_dead_pod_fail_only_until_the_endpoints_drop_it() {
    let out = run("node-crash-deployment");
    let crash = crash_at(&out, "crash-node");
    let not_ready = first(&out, "node-2", "NodeNotReady").time;
    let failed: Vec<SimTime> = out
        .requests
        .iter()
        .filter(|r| r.outcome != Outcome::Ok)
        .map(|r| r.time)
        .collect();
    assert!(failed.len() > 50, "{} failed", failed.len());
    assert!(failed.iter().all(|t| *t >= crash));
    // kube-proxy applies the EndpointSlice change within its 1 s minSyncPeriod and 100 ms sync.
    let last = *failed.last().unwrap();
    assert!(
        last <= not_ready.plus_ms(2_000),
        "last failure at {}",
        secs(last)
    );
    assert!(
        last.plus_ms(5_000) >= not_ready,
        "failures stop before NotReady"
    );
}

#[test]
fn the_grace_period_of_kubernetes_1_31_detects_the_crash_10_s_sooner() {
    let mut s = load("node-crash-deployment");
    let with_50 = kubesim::sim::run(&s, 1).unwrap();
    s.timings.node_monitor_grace_period_ms = 40_000;
    let with_40 = kubesim::sim::run(&s, 1).unwrap();
    let at = |o: &RunOutput| first(o, "node-2", "NodeNotReady").time;
    assert_eq!(at(&with_50).since_ms(at(&with_40)), 10_000);
}

#[test]
fn a_statefulset_pod_on_a_crashed_node_stays_terminating_and_is_not_replaced() {
    let out = run("node-crash-statefulset");
    let zk1: Vec<_> = out.pods.iter().filter(|p| p.pod == "zk-1").collect();
    assert_eq!(zk1.len(), 1, "no second zk-1");
    let evicted = first(&out, "zk-1", "TaintManagerEviction").time;
    assert_eq!(zk1[0].deleted, Some(evicted));
    assert_eq!(zk1[0].gone, None);
    let stuck = &out.summary.node_report.stuck_terminating;
    assert_eq!(stuck.len(), 1);
    assert_eq!(
        (stuck[0].pod.as_str(), stuck[0].node.as_str()),
        ("default/zk-1", "node-4")
    );
    let text = kubesim::report::summary_text(&out.summary);
    assert!(
        text.contains("pod default/zk-1: Terminating since 525.010s, waiting for node node-4"),
        "{text}"
    );
}

#[test]
fn the_out_of_service_taint_frees_zk_1_and_its_disk_at_once() {
    let out = run("node-crash-statefulset-out-of-service");
    let tainted = crash_at(&out, "taint-node");
    let gc = first(&out, "zk-1", "DeletionByPodGC").time;
    assert!(gc.since_ms(tainted) <= 20_000, "pod GC's 20 s pass");
    let zk1: Vec<_> = out.pods.iter().filter(|p| p.pod == "zk-1").collect();
    assert_eq!(zk1.len(), 2);
    assert_eq!(zk1[0].gone, Some(gc));
    assert_ne!(zk1[1].node, zk1[0].node);
    // The disk is detached at once: the new zk-1 starts after attach and the image pull (~25 s).
    let started = zk1[1].started.expect("the new zk-1 runs");
    assert!(
        started.since_ms(gc) < 30_000,
        "started {} s after GC",
        secs(started) - secs(gc)
    );
    assert!(out.summary.node_report.stuck_terminating.is_empty());
}

#[test]
fn deleting_the_node_object_frees_zk_1_but_its_disk_waits_six_minutes() {
    let out = run("node-crash-statefulset-delete-node");
    let deleted = crash_at(&out, "delete-node");
    let gc = first(&out, "zk-1", "DeletionByPodGC").time;
    let waited = gc.since_ms(deleted);
    assert!(
        (40_000..=60_000).contains(&waited),
        "40 s quarantine, 20 s passes: {waited}"
    );
    let multi = first(&out, "zk-1", "FailedAttachVolume");
    assert!(
        multi.message.contains("Multi-Attach error"),
        "{}",
        multi.message
    );
    let new = out
        .pods
        .iter()
        .filter(|p| p.pod == "zk-1")
        .nth(1)
        .expect("a new zk-1");
    let started = new.started.expect("it runs in the end");
    assert!(started.since_ms(gc) > 360_000, "maxWaitForUnmountDuration");
}

/// After every event: at most one live container process per StatefulSet identity (`zk-N`).
#[test]
fn under_a_partition_zk_1_keeps_serving_and_never_runs_twice() {
    let s = load("partition-vs-crash");
    let mut worst = 0;
    let mut checked = 0;
    let out = kubesim::sim::run_inspected(&s, s.seed, |view, _| {
        let mut per_name: BTreeMap<&str, usize> = BTreeMap::new();
        for pod in view.runtime.running() {
            *per_name
                .entry(&view.store.pods[pod.index()].meta.name)
                .or_default() += 1;
        }
        worst = worst.max(per_name.values().copied().max().unwrap_or(0));
        checked += 1;
    })
    .unwrap();
    assert!(checked > 1_000);
    assert_eq!(worst, 1, "two processes of one identity ran at once");
    // Until the endpoints dropped it, zk-1 answered: under a crash the same requests are refused.
    let partition = crash_at(&out, "partition-node");
    let not_ready = first(&out, "node-4", "NodeNotReady").time;
    let to_zk1 = |o: &RunOutput, outcome| {
        o.requests
            .iter()
            .filter(|r| r.time >= partition && r.time < not_ready)
            .filter(|r| r.pod.as_deref() == Some("zk-1") && r.outcome == outcome)
            .count()
    };
    let crashed = run("node-crash-statefulset");
    assert!(to_zk1(&out, Outcome::Ok) > 10);
    assert_eq!(
        to_zk1(&out, Outcome::Ok),
        to_zk1(&crashed, Outcome::Refused)
    );
    // The API shows zk-1 Terminating long before its process ends, when node-4 reconnects.
    let zk1: Vec<_> = out.pods.iter().filter(|p| p.pod == "zk-1").collect();
    let recovered = crash_at(&out, "recover-node");
    assert!(zk1[0].deleted.unwrap() < recovered && zk1[0].gone.unwrap() > recovered);
    assert!(zk1[1].created >= zk1[0].gone.unwrap());
}

#[test]
fn node_failure_examples_match_their_golden_files() {
    for name in [
        "node-crash-deployment",
        "node-crash-statefulset",
        "node-crash-statefulset-out-of-service",
        "node-crash-statefulset-delete-node",
        "partition-vs-crash",
    ] {
        check_golden(name, &["events.csv", "pods.csv", "summary.json", WATCH]);
    }
}

fn run_bad(fault: &str) -> (i32, String) {
    let tmp = temp_dir("node-fault");
    let dir = tmp.path();
    let manifest = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec: {containers: [{name: web, image: nginx}]}\n";
    std::fs::write(dir.join("web.yaml"), manifest).unwrap();
    let text = format!("name: bad\nduration: 5m\ncluster:\n  nodes:\n    - count: 2\n      name: n{{i}}\n      zones: [a]\n      allocatable: {{cpu: '4', memory: 8Gi}}\nmanifests: [web.yaml]\nfaults:\n  - {fault}\n");
    std::fs::write(dir.join("s.yaml"), text).unwrap();
    let out = kubesim(&[
        "run",
        dir.join("s.yaml").to_str().unwrap(),
        "--out",
        dir.join("out").to_str().unwrap(),
    ]);
    assert!(!dir.join("out").exists());
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_node_fault_naming_an_unknown_node_taint_or_zone_exits_2_naming_the_field() {
    let cases = [
        (
            "{at: 1m, crash-node: n3}",
            "faults[0].crash-node",
            "no node named n3",
        ),
        (
            "{at: 1m, taint-node: {node: n1, taint: 'x=y:Often'}}",
            "faults[0].taint-node.taint",
            "not a taint effect",
        ),
        (
            "{at: 1m, zone-outage: b}",
            "faults[0].zone-outage",
            "no node of cluster.nodes is in zone b",
        ),
        (
            "{at: 1m, zone-outage: {zone: a, mode: melt}}",
            "faults[0].zone-outage.mode",
            "not a mode",
        ),
        (
            "{at: 1m, restart-node: {node: n1, down: -1s}}",
            "faults[0].restart-node.down",
            "",
        ),
    ];
    for (fault, field, why) in cases {
        let (code, err) = run_bad(fault);
        assert_eq!(code, 2, "{fault}: {err}");
        assert!(
            err.contains("s.yaml") && err.contains(field) && err.contains(why),
            "{fault}: {err}"
        );
    }
}

#[test]
fn when_every_node_is_down_evictions_stop() {
    let s = load("node-crash-deployment");
    let all = s.nodes.iter().map(|n| n.name.clone()).collect();
    let out = node_fault_at_120s(s, NodeFault::ZoneOutage(Box::new(NodeFault::Crash)), all);
    let not_ready = out
        .events
        .iter()
        .filter(|e| e.reason == "NodeNotReady" && e.kind == "Node");
    assert_eq!(not_ready.count(), 3);
    // Every zone fully disrupted: "master disruption mode", no NoExecute taint, no eviction.
    // The first node's eviction, scheduled while the zone was still Normal, is cancelled.
    assert!(out
        .events
        .iter()
        .all(|e| !e.message.starts_with("Marking for deletion")));
    assert!(out.pods.iter().all(|p| p.deleted.is_none()));
    assert_eq!(out.pods.len(), 3);
}

#[test]
fn a_node_rebooted_within_the_grace_period_keeps_its_pods_and_restarts_their_containers() {
    let out = node_fault_at_120s(
        load("node-crash-deployment"),
        NodeFault::Restart { down_ms: 20_000 },
        vec!["node-2".into()],
    );
    assert!(out.events.iter().all(|e| e.reason != "NodeNotReady"));
    assert_eq!(out.pods.len(), 3, "no pod replaced");
    let back = first(&out, "node-2", "NodeReady").time;
    assert_eq!(back, SimTime(140_000));
    let pod = out
        .pods
        .iter()
        .find(|p| p.node.as_deref() == Some("node-2"))
        .unwrap();
    let restarted = out
        .events
        .iter()
        .filter(|e| e.name == pod.pod && e.reason == "Started")
        .count();
    assert_eq!(
        restarted, 2,
        "the booted kubelet starts the container again"
    );
    let refused = out.requests.iter().filter(|r| r.outcome != Outcome::Ok);
    assert!(refused.clone().count() > 10);
    assert!(refused
        .clone()
        .all(|r| r.time >= SimTime(120_000) && r.time < back.plus_ms(5_000)));
}

#[test]
fn a_graceful_node_shutdown_fails_the_pods_at_once_and_they_are_replaced_elsewhere() {
    let out = node_fault_at_120s(
        load("node-crash-deployment"),
        NodeFault::Shutdown { grace_ms: 30_000 },
        vec!["node-2".into()],
    );
    assert_eq!(first(&out, "node-2", "Shutdown").time, SimTime(120_000));
    // The kubelet reports Ready=False at once: NotReady at the next 5 s pass, not 50 s later.
    let not_ready = first(&out, "node-2", "NodeNotReady").time;
    assert!(not_ready.since_ms(SimTime(120_000)) <= 5_010);
    let old = out
        .pods
        .iter()
        .find(|p| p.node.as_deref() == Some("node-2"))
        .unwrap();
    // A shut-down pod is left Failed; the taint eviction 300 s later removes the terminal object at once.
    let deleted = old.deleted.expect("evicted in the end");
    assert!(deleted.since_ms(not_ready) >= 300_000 && old.gone == Some(deleted));
    let new = out
        .pods
        .iter()
        .find(|p| p.created > SimTime(120_000))
        .expect("replaced");
    assert_ne!(new.node.as_deref(), Some("node-2"));
    assert!(
        new.created.since_ms(SimTime(120_000)) < 2_000,
        "replaced at once"
    );
    let stopped = out
        .watch
        .iter()
        .find(|l| l.name == old.pod && l.time > SimTime(120_000));
    let stopped = stopped.expect("the pod's status changes");
    assert!(
        stopped.time.since_ms(SimTime(120_000)) < 2_000,
        "{stopped:?}"
    );
    assert_eq!(
        (stopped.ready.as_str(), stopped.status.as_str()),
        ("0/1", "Completed")
    );
}

/// Runs scenario `s` (seed 1) with its faults replaced by one node fault on `nodes` at 120 s.
fn node_fault_at_120s(
    mut s: kubesim::scenario::Scenario,
    fault: NodeFault,
    nodes: Vec<String>,
) -> RunOutput {
    use kubesim::scenario::{FaultAction, FaultSpec, FaultTiming, Pick};
    s.faults = vec![FaultSpec {
        timing: FaultTiming::Fixed,
        pick: Pick::All,
        at_ms: 120_000,
        action: FaultAction::Node {
            fault,
            nodes,
            repair: None,
        },
    }];
    kubesim::sim::run(&s, 1).unwrap()
}

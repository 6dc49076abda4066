//! The scheduling queue: a pod that fits no node waits in unschedulablePods and is attempted again
//! only at the 5-minute flush or when a cluster event may make it fit (scheduling_queue.go).

use super::util::root;
use kubesim::metrics::RunOutput;

/// Runs zookeeper-two-nodes with its duration replaced by `duration` and `faults` appended.
fn two_nodes(duration: &str, faults: &str) -> RunOutput {
    let path = root().join("scenarios/zookeeper-two-nodes.yaml");
    let text = std::fs::read_to_string(&path).expect("scenario");
    let text = text.replace("duration: 3m", &format!("duration: {duration}")) + faults;
    let scenario = kubesim::scenario::load_str(&text, &path).expect("scenario loads");
    kubesim::sim::run(&scenario, scenario.seed).expect("scenario runs")
}

/// Times (ms) of `pod`'s Events with `reason`.
fn times(out: &RunOutput, pod: &str, reason: &str) -> Vec<u64> {
    out.events
        .iter()
        .filter(|e| e.kind == "Pod" && e.name == pod && e.reason == reason)
        .map(|e| e.time.0)
        .collect()
}

#[test]
fn zk_2_fails_once_at_the_start_and_again_only_at_the_five_minute_flush() {
    let out = two_nodes("7m", "");
    let failed = times(&out, "zk-2", "FailedScheduling");
    assert_eq!(failed.len(), 2, "{failed:?}");
    // The first attempt when zk-1 is ready (about 80 s); the flush loop runs every 30 s from the
    // scheduler's start and moves pods that stayed more than 5 minutes: at 390 s.
    assert!((70_000..100_000).contains(&failed[0]), "{failed:?}");
    assert_eq!(failed[1], 390_000);
    assert!(times(&out, "zk-2", "Scheduled").is_empty());
}

#[test]
fn deleting_the_member_that_blocks_anti_affinity_wakes_zk_2_promptly() {
    let faults = "faults:\n  - {at: 120s, delete-pod: {pod: zk-0}}\n";
    let out = two_nodes("3m", faults);
    let failed = times(&out, "zk-2", "FailedScheduling");
    let scheduled = times(&out, "zk-2", "Scheduled");
    let attempts: Vec<u64> = failed.iter().chain(&scheduled).copied().collect();
    // zk-0 exits 1 s after SIGTERM and leaves the cache: zk-2 is attempted within a few seconds.
    assert!(
        attempts.iter().any(|t| (120_000..125_000).contains(t)),
        "failed {failed:?}, scheduled {scheduled:?}"
    );
    // Before the deletion, only the first attempt failed.
    assert_eq!(
        failed.iter().filter(|t| **t < 120_000).count(),
        1,
        "{failed:?}"
    );
}

/// A deployment of `name` with one replica requesting 3 of the node's 4 CPUs, as an inline manifest.
fn deployment(name: &str) -> String {
    let text = "{apiVersion: apps/v1, kind: Deployment, metadata: {name: NAME}, spec: {selector: {matchLabels: {app: NAME}}, \
template: {metadata: {labels: {app: NAME}}, spec: {containers: [{name: c, image: 'nginx:1.27', resources: {requests: {cpu: '3'}}}]}}}}";
    text.replace("NAME", name)
}

#[test]
fn a_pod_that_does_not_fit_is_scheduled_as_soon_as_a_pod_frees_the_cpu() {
    let text = format!(
        "name: fit\nduration: 2m\ncluster:\n  nodes: [{{name: n1, allocatable: {{cpu: '4', memory: 8Gi}}}}]\n\
manifests:\n  - {hog}\n\
apps: [{{match: {{app: hog}}, image-pull: 1s}}]\n\
faults:\n  - {{at: 10s, apply: [{web}]}}\n  - {{at: 60s, scale: {{deployment: hog, replicas: 0}}}}\n",
        hog = deployment("hog"),
        web = deployment("web"),
    );
    let path = std::path::Path::new("fit.yaml");
    let scenario = kubesim::scenario::load_str(&text, path).expect("scenario loads");
    let out = kubesim::sim::run(&scenario, 1).expect("runs");
    let web: Vec<_> = out
        .events
        .iter()
        .filter(|e| e.name.starts_with("web-"))
        .collect();
    let failed: Vec<u64> = web
        .iter()
        .filter(|e| e.reason == "FailedScheduling")
        .map(|e| e.time.0)
        .collect();
    let scheduled: Vec<u64> = web
        .iter()
        .filter(|e| e.reason == "Scheduled")
        .map(|e| e.time.0)
        .collect();
    // One attempt when it is created (Insufficient cpu), none while it waits.
    // (A second attempt when the hog's pod turns terminal is allowed: the scheduler's cache drops it
    // then, but NodeResourcesFit in this model counts its requests until the object is gone.)
    assert_eq!(
        failed.iter().filter(|t| **t < 60_000).count(),
        1,
        "{failed:?}"
    );
    assert!(failed.len() <= 2, "{failed:?}");
    assert!((10_000..11_000).contains(&failed[0]), "{failed:?}");
    // The hog's pod leaves the node (SIGTERM, exit, final delete): web is moved at once and bound
    // when the back-off of its second attempt (2 s) ends.
    let gone = out
        .pods
        .iter()
        .filter(|p| p.pod.starts_with("hog-"))
        .filter_map(|p| p.gone)
        .max();
    let gone = gone.expect("hog's pod is gone").0;
    assert_eq!(scheduled.len(), 1, "{scheduled:?}");
    assert!(
        scheduled[0] >= gone && scheduled[0] - gone <= 2_000,
        "gone {gone}, {scheduled:?}"
    );
}

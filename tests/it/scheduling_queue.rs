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
    assert!(
        failed.iter().all(|t| *t < 120_000 || *t < 125_000),
        "{failed:?}"
    );
}

//! Simulated runs of one pod whose program crashes (`crash-after`) or never answers (`serve-after: never`).

use crate::engine::SimTime;
use crate::metrics::RunOutput;
use std::path::Path;

/// One node and a one-replica Deployment `web` of `image` with a readiness probe; `apps` is the
/// scenario's `apps` list.
fn run(image: &str, apps: &str, duration: &str) -> RunOutput {
    let text = format!(
        "name: crash\nduration: {duration}\ncluster:\n  nodes: [{{name: n1, allocatable: {{cpu: '4', memory: 8Gi}}}}]\n\
manifests:\n\
  - {{apiVersion: apps/v1, kind: Deployment, metadata: {{name: web}}, spec: {{selector: {{matchLabels: {{app: web}}}}, template: {{metadata: {{labels: {{app: web}}}}, spec: {{containers: [{{name: web, image: '{image}', readinessProbe: {{tcpSocket: {{port: 80}}, periodSeconds: 5}}}}]}}}}}}}}\n\
apps: {apps}\n"
    );
    let scenario = crate::scenario::load_str(&text, Path::new("crash.yaml")).expect("loads");
    crate::sim::run(&scenario, 1).expect("runs")
}

/// The watch log's `STATUS RESTARTS` columns, consecutive repeats dropped.
fn statuses(out: &RunOutput) -> Vec<String> {
    let mut seen: Vec<String> = Vec::new();
    for line in &out.watch {
        let shown = format!("{} {}", line.status, line.restarts);
        if seen.last() != Some(&shown) {
            seen.push(shown);
        }
    }
    seen
}

fn started(out: &RunOutput) -> Vec<SimTime> {
    let started = out.events.iter().filter(|e| e.reason == "Started");
    started.map(|e| e.time).collect()
}

#[test]
fn a_crashing_program_is_restarted_in_place_after_10_20_40_80_seconds_of_back_off() {
    let out = run("web:crash", "[{image: 'web:crash', crash-after: 5s}]", "4m");
    let starts = started(&out);
    // Each run crashes 5 s after it starts; the next starts after the back-off (the first at once).
    let waits: Vec<u64> = starts
        .windows(2)
        .map(|w| w[1].since_ms(w[0].plus_ms(5_000)) / 1_000)
        .collect();
    assert_eq!(waits[..5], [0, 10, 20, 40, 80], "{starts:?}");
    assert_eq!(out.pods.len(), 1, "restarted in place, not replaced");
    let back_offs = out.events.iter().filter(|e| e.reason == "BackOff").count();
    assert_eq!(back_offs, waits.iter().filter(|w| **w > 0).count() + 1);
}

#[test]
fn a_crash_loop_shows_error_then_crash_loop_back_off_with_restarts_counting_up() {
    let out = run("web:crash", "[{image: 'web:crash', crash-after: 5s}]", "1m");
    let shown = statuses(&out);
    let expected = [
        "Pending 0",
        "ContainerCreating 0",
        "Running 0",
        "Error 0",
        "Running 1",
        "Error 1",
        "CrashLoopBackOff 1",
        "Running 2",
        "Error 2",
        "CrashLoopBackOff 2",
        "Running 3",
    ];
    assert_eq!(shown[..expected.len()], expected, "{shown:#?}");
    assert!(out
        .watch
        .iter()
        .all(|l| l.ready == "0/1" || l.status == "Running"));
}

#[test]
fn only_the_image_named_crashes_and_a_general_entry_after_it_serves_the_rest() {
    let apps = "[{image: 'web:crash', crash-after: 5s}, {match: {app: web}, serve-after: 1s}]";
    let out = run("web:1.0", apps, "1m");
    assert_eq!(started(&out).len(), 1);
    assert_eq!(out.watch.last().map(|l| l.ready.as_str()), Some("1/1"));
}

#[test]
fn a_program_that_never_answers_stays_running_and_never_ready() {
    let out = run(
        "web:hang",
        "[{image: 'web:hang', serve-after: never}]",
        "10m",
    );
    let last = out.watch.last().expect("watch lines");
    assert_eq!(
        (last.status.as_str(), last.ready.as_str(), last.restarts),
        ("Running", "0/1", 0)
    );
    assert!(out.pods[0].ready.is_none());
    let out = run(
        "web:hang",
        "[{image: 'web:hang', listen-after: never}]",
        "10m",
    );
    assert!(out.pods[0].ready.is_none());
}

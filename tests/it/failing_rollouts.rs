//! Failing rollouts (issue 5): `set-image` to an image that never becomes ready stalls the rollout
//! until its progress deadline; to a crash-looping one, the new pod restarts in CrashLoopBackOff.
//! Either way the old pods keep serving.

use kubesim::metrics::{Outcome, RunOutput};
use std::path::Path;

/// Three `web` pods (nginx:1.27, readiness probe, progress deadline 60 s) behind a Service, a client
/// every second, and `set-image` to `image` at 30 s. `nginx:hang` never answers; `nginx:crash` exits
/// 3 s after each start, before it would answer (a crash after the pod turned Ready would let the
/// rollout go on, as it does in Kubernetes without `minReadySeconds`).
fn set_image_to(image: &str) -> RunOutput {
    let text = format!(
        "name: failing\nduration: 4m\ncluster:\n  nodes: [{{count: 2, name: 'n{{i}}', allocatable: {{cpu: '4', memory: 8Gi}}}}]\n\
manifests:\n\
  - {{apiVersion: apps/v1, kind: Deployment, metadata: {{name: web}}, spec: {{replicas: 3, progressDeadlineSeconds: 60, selector: {{matchLabels: {{app: web}}}}, template: {{metadata: {{labels: {{app: web}}}}, spec: {{containers: [{{name: web, image: 'nginx:1.27', readinessProbe: {{httpGet: {{path: /, port: 80}}, periodSeconds: 5}}}}]}}}}}}}}\n\
  - {{apiVersion: v1, kind: Service, metadata: {{name: web}}, spec: {{selector: {{app: web}}, ports: [{{port: 80}}]}}}}\n\
apps:\n\
  - {{image: 'nginx:hang', serve-after: never}}\n\
  - {{image: 'nginx:crash', serve-after: 5s, crash-after: 3s}}\n\
  - {{match: {{app: web}}, serve-after: 1s}}\n\
traffic: [{{service: web, every: 1s, start: 20s}}]\n\
faults: [{{at: 30s, set-image: {{deployment: web, image: '{image}'}}}}]\n"
    );
    let scenario =
        kubesim::scenario::load_str(&text, Path::new("failing.yaml")).expect("scenario loads");
    kubesim::sim::run(&scenario, 1).expect("runs")
}

/// The watch lines of the pods of the ReplicaSet the rollout created (created after the change).
fn new_pod_lines(out: &RunOutput) -> Vec<(String, u32, String)> {
    let new: Vec<&str> = out.pods.iter().skip(3).map(|p| p.pod.as_str()).collect();
    let lines = out.watch.iter().filter(|l| new.contains(&l.name.as_str()));
    lines
        .map(|l| (l.status.clone(), l.restarts, l.ready.clone()))
        .collect()
}

fn all_requests_ok(out: &RunOutput) -> bool {
    !out.requests.is_empty() && out.requests.iter().all(|r| r.outcome == Outcome::Ok)
}

#[test]
fn an_image_that_never_answers_stalls_the_rollout_until_its_progress_deadline() {
    let out = set_image_to("nginx:hang");
    let span = out.summary.rollouts.last().expect("a rollout span");
    assert_eq!(span.revision, 2);
    assert_eq!(span.completed, None, "{span:?}");
    assert!(span.timed_out.is_some(), "{span:?}");
    let lines = new_pod_lines(&out);
    assert!(lines.iter().any(|(s, _, _)| s == "Running"), "{lines:?}");
    assert!(
        lines.iter().all(|(_, _, ready)| ready == "0/1"),
        "{lines:?}"
    );
    assert!(all_requests_ok(&out), "the old pods keep serving");
}

#[test]
fn a_crash_looping_image_restarts_in_crash_loop_back_off_and_never_completes() {
    let out = set_image_to("nginx:crash");
    let lines = new_pod_lines(&out);
    let statuses: Vec<&str> = lines.iter().map(|(s, _, _)| s.as_str()).collect();
    assert!(statuses.contains(&"Error"), "{statuses:?}");
    assert!(statuses.contains(&"CrashLoopBackOff"), "{statuses:?}");
    let restarts = lines.iter().map(|(_, r, _)| *r).max().unwrap_or(0);
    assert!(restarts >= 4, "restarts counted up to {restarts}");
    let span = out.summary.rollouts.last().expect("a rollout span");
    assert_eq!((span.revision, span.completed), (2, None), "{span:?}");
    assert!(all_requests_ok(&out), "the old pods keep serving");
}

/// The example scenarios with Kubernetes' default progressDeadlineSeconds (600 s).
fn example(name: &str) -> RunOutput {
    let path = super::util::root().join("scenarios").join(name);
    let scenario = kubesim::scenario::load(&path).expect("scenario loads");
    kubesim::sim::run(&scenario, scenario.seed).expect("runs")
}

#[test]
fn stalled_and_crash_looping_examples_exceed_the_default_600_s_deadline_with_old_pods_serving_seed_1(
) {
    for name in ["stalled-rollout.yaml", "crash-loop-rollout.yaml"] {
        let out = example(name);
        let span = out.summary.rollouts.last().expect("a rollout span");
        let timed_out = span.timed_out.expect("ProgressDeadlineExceeded").0;
        // The last progress is the new pods' creation just after the change at 120 s; the check
        // runs at the deadline + 1 s.
        assert!((720_000..=725_000).contains(&timed_out), "{name}: {span:?}");
        assert!(out.summary.services[0].availability > 0.999, "{name}");
    }
}

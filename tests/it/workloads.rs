//! DaemonSets and Jobs end to end (issue 4): one pod per eligible node and rolling updates; Jobs'
//! completions, parallelism, pod-failure back-off, backoffLimit, OnFailure and activeDeadlineSeconds.

use super::util::{check_golden, root, WATCH};
use kubesim::api::{ContainerState, Owner, PodPhase};
use kubesim::metrics::RunOutput;
use kubesim::sim::WorldView;
use std::collections::BTreeMap;
use std::path::Path;

fn load(name: &str) -> kubesim::scenario::Scenario {
    let path = root().join("scenarios").join(format!("{name}.yaml"));
    kubesim::scenario::load(&path).expect("scenario loads")
}

fn load_text(text: &str) -> kubesim::scenario::Scenario {
    kubesim::scenario::load_str(text, Path::new("inline.yaml")).expect("scenario loads")
}

/// Times (ms) of the Events of `reason` about `kind` `name`.
fn event_times(out: &RunOutput, kind: &str, name: &str, reason: &str) -> Vec<u64> {
    let about = |e: &&kubesim::api::Event| e.kind == kind && e.name == name && e.reason == reason;
    out.events
        .iter()
        .filter(about)
        .map(|e| e.time.as_ms())
        .collect()
}

/// Runs `scenario`, returning the output and, per pod name, when its container last finished.
fn run_with_finish_times(
    scenario: &kubesim::scenario::Scenario,
) -> (RunOutput, BTreeMap<String, u64>) {
    let mut finished = BTreeMap::new();
    let out = kubesim::sim::run_inspected(scenario, 1, |view: WorldView<'_>, _| {
        for pod in &view.store.pods {
            if let ContainerState::Terminated { finished: t, .. } = pod.container {
                finished.insert(pod.meta.name.clone(), t.as_ms());
            }
        }
    })
    .expect("runs");
    (out, finished)
}

#[test]
fn a_failing_job_retries_after_10_20_40_80_seconds_then_fails_with_backoff_limit_exceeded() {
    let (out, finished) = run_with_finish_times(&load("job-backoff"));
    let created = event_times(&out, "Job", "flaky", "SuccessfulCreate");
    assert_eq!(created.len(), 5, "backoffLimit 4: five attempts");
    let pods: Vec<&str> = out.pods.iter().map(|p| p.pod.as_str()).collect();
    let waits: Vec<u64> = (1..5).map(|i| created[i] - finished[pods[i - 1]]).collect();
    assert_eq!(waits, vec![10_000, 20_000, 40_000, 80_000]);
    let failed = event_times(&out, "Job", "flaky", "BackoffLimitExceeded");
    assert_eq!(failed.len(), 1);
    assert!(
        failed[0] >= finished[pods[4]],
        "fails after the fifth failure"
    );
    let job = &out.summary.jobs[0];
    assert_eq!((job.failed, job.succeeded), (5, 0));
    assert_eq!(
        (job.condition, job.reason),
        (Some("Failed"), Some("BackoffLimitExceeded"))
    );
    // With restartPolicy Never the failed pods stay, with STATUS Error.
    assert!(out.pods.iter().all(|p| p.gone.is_none() && p.restarts == 0));
    assert!(out.watch.iter().any(|l| l.status == "Error"));
}

#[test]
fn a_job_runs_parallelism_pods_at_a_time_until_its_completions_succeed() {
    let mut most_active = 0;
    let out = kubesim::sim::run_inspected(&load("job"), 1, |view: WorldView<'_>, _| {
        let store = view.store;
        let Some(job) = store.jobs.iter().position(|j| j.meta.name == "pi-parallel") else {
            return;
        };
        let owner = Owner::Job(kubesim::api::JobId(job as u32));
        let active = store
            .pods_of(owner)
            .filter(|p| store.pods[p.index()].is_active())
            .count();
        most_active = most_active.max(active);
    })
    .expect("runs");
    assert_eq!(most_active, 2, "parallelism 2");
    let created = event_times(&out, "Job", "pi-parallel", "SuccessfulCreate");
    assert_eq!(created.len(), 6, "completions 6, no failures: six pods");
    let jobs: BTreeMap<&str, _> = out
        .summary
        .jobs
        .iter()
        .map(|j| (j.name.as_str(), j))
        .collect();
    assert_eq!(jobs["pi-parallel"].succeeded, 6);
    assert_eq!(jobs["pi"].succeeded, 1);
    for name in ["pi", "pi-parallel"] {
        assert_eq!(jobs[name].condition, Some("Complete"), "{name}");
        assert_eq!(
            event_times(&out, "Job", name, "Completed").len(),
            1,
            "{name}"
        );
    }
    assert!(out
        .watch
        .iter()
        .any(|l| l.name.starts_with("pi-") && l.status == "Completed"));
}

const JOB_HEAD: &str = "name: j\nduration: 10m\ncluster:\n  nodes: [{name: n1, allocatable: {cpu: '4', memory: 8Gi}}]\n";

fn job_scenario(spec: &str, app: &str) -> String {
    format!(
        "{JOB_HEAD}manifests:\n  - {{apiVersion: batch/v1, kind: Job, metadata: {{name: work}}, spec: {{{spec}, template: {{metadata: {{labels: {{app: work}}}}, spec: {{RESTART, containers: [{{name: w, image: busybox}}]}}}}}}}}\napps:\n  - {{match: {{app: work}}, image-pull: 1s, {app}}}\n"
    )
}

#[test]
fn with_restart_policy_on_failure_container_restarts_count_toward_the_backoff_limit() {
    let text = job_scenario("backoffLimit: 2", "crash-after: 2s")
        .replace("RESTART", "restartPolicy: OnFailure");
    let out = kubesim::sim::run(&load_text(&text), 1).expect("runs");
    // One pod, restarted in place by its kubelet (CrashLoopBackOff), then deleted by the Job controller.
    assert_eq!(out.pods.len(), 1);
    assert!(out.watch.iter().any(|l| l.status == "CrashLoopBackOff"));
    assert_eq!(out.pods[0].restarts, 2);
    assert!(out.pods[0].deleted.is_some());
    assert_eq!(
        event_times(&out, "Job", "work", "SuccessfulDelete").len(),
        1
    );
    let job = &out.summary.jobs[0];
    assert_eq!(job.reason, Some("BackoffLimitExceeded"));
}

#[test]
fn a_job_past_its_active_deadline_fails_and_its_pods_are_deleted() {
    let text = job_scenario("activeDeadlineSeconds: 30", "listen-after: 1s")
        .replace("RESTART", "restartPolicy: Never");
    let out = kubesim::sim::run(&load_text(&text), 1).expect("runs");
    let job = &out.summary.jobs[0];
    assert_eq!(
        (job.condition, job.reason),
        (Some("Failed"), Some("DeadlineExceeded"))
    );
    let at = event_times(&out, "Job", "work", "DeadlineExceeded");
    assert_eq!(at.len(), 1);
    assert_eq!(at[0] - job.started.unwrap().as_ms(), 30_000);
    assert_eq!(out.pods[0].deleted.map(|t| t.as_ms()), Some(at[0]));
}

#[test]
fn a_job_whose_pod_exits_zero_with_on_failure_completes_without_restarts() {
    let text = job_scenario("completions: 2", "exit-after: 5s")
        .replace("RESTART", "restartPolicy: OnFailure");
    let out = kubesim::sim::run(&load_text(&text), 1).expect("runs");
    assert_eq!(
        out.pods.len(),
        2,
        "completions 2, parallelism 1: one after the other"
    );
    assert!(out.pods[1].created >= out.pods[0].started.unwrap());
    assert!(out.pods.iter().all(|p| p.restarts == 0));
    assert_eq!(out.summary.jobs[0].condition, Some("Complete"));
}

/// Per node name, the DaemonSet pods on it whose containers have not finished: (name, ready, image).
/// (A deleted pod whose containers stopped is terminal; the controller counts it out, as upstream's
/// `getNodesToDaemonPods` does, before the kubelet's final delete.)
fn daemon_pods(view: &WorldView<'_>) -> BTreeMap<String, Vec<(String, bool, String)>> {
    let store = view.store;
    let mut by_node: BTreeMap<String, Vec<(String, bool, String)>> = BTreeMap::new();
    for p in store.live_pods.iter().map(|p| &store.pods[p.index()]) {
        if !matches!(p.meta.owner, Some(Owner::DaemonSet(_))) {
            continue;
        }
        let Some(node) = p.node else { continue };
        if matches!(p.phase, PodPhase::Succeeded | PodPhase::Failed) {
            continue;
        }
        let image = p.spec.containers[0].image.clone();
        let ready = p.ready && p.meta.deletion.is_none() && p.phase == PodPhase::Running;
        let node = store.nodes[node.index()].meta.name.clone();
        by_node
            .entry(node)
            .or_default()
            .push((p.meta.name.clone(), ready, image));
    }
    by_node
}

#[test]
fn a_daemon_set_runs_one_pod_per_eligible_node_and_rolls_one_node_at_a_time() {
    let mut least_ready_during_rollout = usize::MAX;
    let mut last = BTreeMap::new();
    let out = kubesim::sim::run_inspected(&load("daemonset"), 1, |view: WorldView<'_>, now| {
        let pods = daemon_pods(&view);
        if now.as_ms() >= 120_000 {
            let ready = pods.values().filter(|ps| ps.iter().any(|p| p.1)).count();
            least_ready_during_rollout = least_ready_during_rollout.min(ready);
        }
        assert!(
            pods.values().all(|ps| ps.len() == 1),
            "one pod per node: {pods:?}"
        );
        last = pods;
    })
    .expect("runs");
    let nodes: Vec<&str> = last.keys().map(String::as_str).collect();
    assert_eq!(
        nodes,
        vec!["node-1", "node-2", "node-3"],
        "gpu-1 is not labelled logging=on"
    );
    assert!(last
        .values()
        .all(|ps| ps[0].1 && ps[0].2.ends_with("fluentd:v2.5.3")));
    assert_eq!(least_ready_during_rollout, 2, "maxUnavailable 1");
    // Each DaemonSet pod was bound by the default scheduler to the node its affinity names.
    let scheduled = out
        .events
        .iter()
        .filter(|e| e.reason == "Scheduled")
        .count();
    assert_eq!(scheduled, 6);
    let ds = &out.summary.daemon_sets[0];
    assert_eq!((ds.desired, ds.ready, ds.updated), (3, 3, 3));
}

const DS_HEAD: &str = "name: ds\nduration: 4m\ncluster:\n  nodes: [{count: 3, name: 'n{i}', allocatable: {cpu: '4', memory: 8Gi}}]\n";

fn ds_scenario(strategy: &str) -> kubesim::scenario::Scenario {
    let text = format!(
        "{DS_HEAD}manifests:\n  - {{apiVersion: apps/v1, kind: DaemonSet, metadata: {{name: agent}}, spec: {{updateStrategy: {strategy}, selector: {{matchLabels: {{app: agent}}}}, template: {{metadata: {{labels: {{app: agent}}}}, spec: {{containers: [{{name: a, image: 'agent:1'}}]}}}}}}}}\napps:\n  - {{match: {{app: agent}}, image-pull: 5s}}\nfaults:\n  - {{at: 1m, set-image: {{daemonset: agent, image: 'agent:2'}}}}\n"
    );
    load_text(&text)
}

#[test]
fn a_daemon_set_with_max_surge_starts_each_new_pod_before_deleting_the_old_one() {
    let strategy = "{type: RollingUpdate, rollingUpdate: {maxSurge: 1, maxUnavailable: 0}}";
    let mut least_ready = usize::MAX;
    let mut most_on_a_node = 0;
    let out = kubesim::sim::run_inspected(&ds_scenario(strategy), 1, |view: WorldView<'_>, now| {
        let pods = daemon_pods(&view);
        if now.as_ms() >= 60_000 {
            let ready = pods.values().filter(|ps| ps.iter().any(|p| p.1)).count();
            least_ready = least_ready.min(ready);
        }
        most_on_a_node = most_on_a_node.max(pods.values().map(Vec::len).max().unwrap_or(0));
    })
    .expect("runs");
    assert_eq!(
        least_ready, 3,
        "maxUnavailable 0: every node keeps a ready pod"
    );
    assert_eq!(most_on_a_node, 2, "old and new side by side");
    assert_eq!(out.summary.daemon_sets[0].updated, 3);
}

#[test]
fn a_daemon_set_with_on_delete_keeps_its_old_pods_after_a_template_change() {
    let out = kubesim::sim::run(&ds_scenario("{type: OnDelete}"), 1).expect("runs");
    assert_eq!(out.pods.len(), 3, "no pod replaced");
    let ds = &out.summary.daemon_sets[0];
    assert_eq!((ds.desired, ds.ready, ds.updated), (3, 3, 0));
}

#[test]
fn daemonset_seed_1_matches_its_golden_files() {
    check_golden("daemonset", &["events.csv", "summary.json", WATCH]);
}

#[test]
fn job_seed_1_matches_its_golden_files() {
    check_golden("job", &["events.csv", "summary.json", WATCH]);
}

#[test]
fn job_backoff_seed_1_matches_its_golden_files() {
    check_golden("job-backoff", &["events.csv", "summary.json", WATCH]);
}

fn load_error(text: &str) -> String {
    let err = kubesim::scenario::load_str(text, Path::new("inline.yaml")).expect_err("refused");
    err.to_string()
}

#[test]
fn exit_code_needs_exit_after_and_a_value_from_0_to_255() {
    let text =
        job_scenario("completions: 1", "exit-code: 3").replace("RESTART", "restartPolicy: Never");
    let err = load_error(&text);
    assert!(err.starts_with("inline.yaml: apps[0].exit-code: "), "{err}");
    assert!(err.contains("needs exit-after"), "{err}");
    let text = job_scenario("completions: 1", "exit-after: 1s, exit-code: 300")
        .replace("RESTART", "restartPolicy: Never");
    let err = load_error(&text);
    assert!(
        err.contains("apps[0].exit-code") && err.contains("0 to 255"),
        "{err}"
    );
}

#[test]
fn a_job_whose_pods_would_always_restart_is_refused_like_kubectl_refuses_it() {
    let text = job_scenario("completions: 1", "exit-after: 1s").replace("RESTART, ", "");
    let err = load_error(&text);
    assert!(
        err.contains("Job.batch \"work\" is invalid: spec.template.spec.restartPolicy: Unsupported value: \"Always\": supported values: \"OnFailure\", \"Never\""),
        "{err}"
    );
}

#[test]
fn set_image_of_an_unknown_daemon_set_names_the_field() {
    let text = format!(
        "{DS_HEAD}manifests: []\nfaults:\n  - {{at: 1m, set-image: {{daemonset: nope, image: 'agent:2'}}}}\n"
    );
    let err = load_error(&text);
    assert!(err.contains("faults[0].set-image.daemonset"), "{err}");
}

//! Control-plane faults end to end: a crashed controller does nothing until it restarts and then
//! catches up; a lagging watch delays its reactions; update conflicts keep its status writes out
//! until the conflicts stop.

use kubesim::metrics::RunOutput;
use kubesim::scenario::Scenario;

/// A StatefulSet `web` and a Deployment `api` of two pods each on two nodes, with `faults`.
fn scenario(dir: &std::path::Path, faults: &[&str]) -> Scenario {
    let manifests = "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: web}\nspec:\n  replicas: 2\n  serviceName: web\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n      terminationGracePeriodSeconds: 5\n      containers: [{name: main, image: nginx:1}]\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api}\nspec:\n  replicas: 2\n  selector: {matchLabels: {app: api}}\n  template:\n    metadata: {labels: {app: api}}\n    spec:\n      terminationGracePeriodSeconds: 5\n      containers: [{name: main, image: nginx:1}]\n";
    std::fs::write(dir.join("m.yaml"), manifests).unwrap();
    let list: Vec<String> = faults.iter().map(|f| format!("  - {f}\n")).collect();
    let text = format!(
        "name: cp\nseed: 1\nduration: 5m\ncluster:\n  nodes:\n    - {{count: 2, name: \"node-{{i}}\", allocatable: {{cpu: \"4\", memory: 8Gi, pods: 110}}}}\nmanifests: [m.yaml]\napps:\n  - {{match: {{app: web}}, image-pull: 1s, listen-after: 0s, serve-after: 0s, on-sigterm: {{close-listener: true, exit-after: 100ms}}}}\n  - {{match: {{app: api}}, image-pull: 1s, listen-after: 0s, serve-after: 0s, on-sigterm: {{close-listener: true, exit-after: 100ms}}}}\nfaults:\n{}",
        list.concat()
    );
    std::fs::write(dir.join("s.yaml"), text).unwrap();
    kubesim::scenario::load(&dir.join("s.yaml")).expect("scenario loads")
}

fn run(faults: &[&str]) -> RunOutput {
    let dir = super::util::temp_dir("control-plane");
    let s = scenario(dir.path(), faults);
    kubesim::sim::run(&s, s.seed).expect("runs")
}

/// When the second incarnation of pod `name` was created, in ms.
fn recreated_ms(out: &RunOutput, name: &str) -> u64 {
    let mut created: Vec<u64> = out
        .pods
        .iter()
        .filter(|p| p.pod == name)
        .map(|p| p.created.0)
        .collect();
    created.sort();
    *created
        .get(1)
        .unwrap_or_else(|| panic!("{name} is recreated"))
}

/// When the first pod whose name starts with `prefix` created after `after_ms` was created.
fn first_created_after(out: &RunOutput, prefix: &str, after_ms: u64) -> u64 {
    out.pods
        .iter()
        .filter(|p| p.pod.starts_with(prefix) && p.created.0 > after_ms)
        .map(|p| p.created.0)
        .min()
        .unwrap_or_else(|| panic!("a {prefix} pod is created after {after_ms} ms"))
}

#[test]
fn a_statefulset_s_pod_is_not_recreated_while_its_controller_is_down_and_is_after_the_restart() {
    let delete = "{at: 60s, delete-pod: {pod: web-1}}";
    let healthy = run(&[delete]);
    let crashed = run(&[
        "{at: 50s, crash-controller: {name: statefulset, down: 40s}}",
        delete,
    ]);
    assert!(
        recreated_ms(&healthy, "web-1") < 80_000,
        "recreated soon without the crash"
    );
    let at = recreated_ms(&crashed, "web-1");
    assert!(
        (90_000..95_000).contains(&at),
        "web-1 recreated at {at} ms, not just after the restart at 90 s"
    );
}

#[test]
fn a_crashed_replicaset_controller_replaces_a_deleted_pod_only_after_its_restart() {
    let delete = "{at: 60s, delete-pod: {selector: app=api}, pick: one}";
    let crashed = run(&[
        "{at: 30s, crash-controller: {name: replicaset, down: 60s}}",
        delete,
    ]);
    let at = first_created_after(&crashed, "api-", 60_000);
    assert!(
        (90_000..95_000).contains(&at),
        "the replacement is created at {at} ms, not just after the restart at 90 s"
    );
    // The Deployment controller is not the one that crashed: its sync still ran meanwhile.
    let live = crashed
        .pods
        .iter()
        .filter(|p| p.pod.starts_with("api-") && p.gone.is_none());
    assert_eq!(live.count(), 2, "two api pods in the end");
}

#[test]
fn a_delayed_watch_makes_the_statefulset_controller_react_that_much_later() {
    let delete = "{at: 60s, delete-pod: {pod: web-1}}";
    let on_time = recreated_ms(&run(&[delete]), "web-1");
    let late = recreated_ms(
        &run(&[
            "{at: 50s, delay-watch: {controller: statefulset, by: 20s, for: 2m}}",
            delete,
        ]),
        "web-1",
    );
    assert!(
        late >= on_time + 20_000,
        "recreated at {late} ms with a 20 s watch delay, at {on_time} ms without"
    );
}

#[test]
fn certain_conflicts_keep_a_statefulset_s_status_stale_until_they_stop() {
    let dir = super::util::temp_dir("control-plane-conflict");
    let s = scenario(
        dir.path(),
        &[
            "{at: 30s, conflict: {controller: statefulset, probability: 1.0, for: 60s}}",
            "{at: 40s, scale: {statefulset: web, replicas: 3}}",
        ],
    );
    let mut status_at_80s = None;
    let mut status_at_end = 0;
    kubesim::sim::run_inspected(&s, s.seed, |view, now| {
        let replicas = view.store.stateful_sets[0].status.replicas;
        if now.0 <= 80_000 {
            status_at_80s = Some(replicas);
        }
        status_at_end = replicas;
    })
    .expect("runs");
    assert_eq!(
        status_at_80s,
        Some(2),
        "status.replicas during the conflicts"
    );
    assert_eq!(status_at_end, 3, "status.replicas after them");
}

#[test]
fn a_pod_deleted_while_the_statefulset_watch_is_broken_is_recreated_at_the_relist() {
    let delete = "{at: 60s, delete-pod: {pod: web-1}}";
    let broken = run(&[
        "{at: 50s, drop-watch: {controller: statefulset, relist-after: 40s}}",
        delete,
    ]);
    let at = recreated_ms(&broken, "web-1");
    assert!(
        (90_000..95_000).contains(&at),
        "web-1 recreated at {at} ms, not just after the relist at 90 s"
    );
}

#[test]
fn a_deployment_scaled_while_its_watch_is_broken_scales_its_replica_set_at_the_relist() {
    let dir = super::util::temp_dir("control-plane-drop");
    let s = scenario(
        dir.path(),
        &[
            "{at: 30s, drop-watch: {controller: deployment, relist-after: 60s}}",
            "{at: 40s, scale: {deployment: api, replicas: 4}}",
        ],
    );
    let mut scaled_at = None;
    kubesim::sim::run_inspected(&s, s.seed, |view, now| {
        let rs = view.store.replica_sets.iter().find(|r| r.meta.exists());
        if scaled_at.is_none() && rs.is_some_and(|r| r.replicas == 4) {
            scaled_at = Some(now.0);
        }
    })
    .expect("runs");
    let at = scaled_at.expect("the ReplicaSet is scaled to 4");
    assert!(
        (90_000..91_000).contains(&at),
        "scaled at {at} ms, not at the relist (90 s)"
    );
}

#[test]
fn a_second_crash_during_the_first_keeps_the_controller_down_until_its_own_end() {
    let delete = "{at: 60s, delete-pod: {pod: web-1}}";
    let crashed = run(&[
        "{at: 30s, crash-controller: {name: statefulset, down: 40s}}",
        "{at: 70s, crash-controller: {name: statefulset, down: 30s}}",
        delete,
    ]);
    let at = recreated_ms(&crashed, "web-1");
    assert!(
        (100_000..105_000).contains(&at),
        "web-1 recreated at {at} ms, not just after the second restart at 100 s"
    );
}

//! How clients see a Service while its only pod is replaced: refused inside the cluster, retransmitted
//! through a cloud load balancer, resolved directly for a headless Service.

use kubesim::metrics::{Outcome, RunOutput};
use std::path::Path;

/// One node, one `web` pod behind a Service of type `svc_type`, a client every 500 ms, and the pod
/// deleted at 30 s. The program exits on SIGTERM at once and serves as soon as it starts.
fn run_with(svc_type: &str) -> RunOutput {
    let text = format!(
        "name: net\nduration: 60s\ncluster:\n  nodes: [{{name: n1, allocatable: {{cpu: '4', memory: 8Gi}}}}]\n\
manifests:\n\
  - {{apiVersion: apps/v1, kind: Deployment, metadata: {{name: web}}, spec: {{selector: {{matchLabels: {{app: web}}}}, template: {{metadata: {{labels: {{app: web}}}}, spec: {{containers: [{{name: web, image: 'nginx:1.27'}}]}}}}}}}}\n\
  - {{apiVersion: v1, kind: Service, metadata: {{name: web}}, spec: {{{svc_type} selector: {{app: web}}, ports: [{{port: 80}}]}}}}\n\
apps: [{{match: {{app: web}}, image-pull: 2s}}]\n\
traffic: [{{service: web, every: 500ms, timeout: 30s, start: 10s}}]\n\
faults: [{{at: 30s, delete-pod: {{selector: app=web}}}}]\n"
    );
    let scenario =
        kubesim::scenario::load_str(&text, Path::new("net.yaml")).expect("scenario loads");
    kubesim::sim::run(&scenario, 1).expect("runs")
}

fn outcomes_after_delete(out: &RunOutput) -> Vec<Outcome> {
    out.requests
        .iter()
        .filter(|r| r.time.as_ms() >= 30_000)
        .map(|r| r.outcome)
        .collect()
}

#[test]
fn a_cluster_ip_client_is_refused_until_the_replacement_is_ready() {
    let out = run_with("type: ClusterIP,");
    let outcomes = outcomes_after_delete(&out);
    assert!(outcomes.contains(&Outcome::Refused), "{outcomes:?}");
    assert!(!outcomes.contains(&Outcome::Timeout), "{outcomes:?}");
    assert_eq!(outcomes.last(), Some(&Outcome::Ok));
    let replacement_pull = out
        .events
        .iter()
        .filter(|e| e.reason == "Pulled" && e.time.as_ms() > 30_000)
        .count();
    assert_eq!(
        replacement_pull, 1,
        "the replacement finds nginx:1.27 on the node"
    );
    assert!(out
        .events
        .iter()
        .any(|e| e.message.contains("already present on machine")));
}

#[test]
fn a_load_balancer_client_retransmits_instead_of_being_refused() {
    let out = run_with("type: LoadBalancer,");
    let outcomes = outcomes_after_delete(&out);
    assert!(outcomes.iter().all(|o| *o == Outcome::Ok), "{outcomes:?}");
    let slowest = out
        .requests
        .iter()
        .filter(|r| r.time.as_ms() >= 30_000)
        .map(|r| r.latency_ms)
        .max()
        .unwrap();
    assert!(
        slowest >= 1_000,
        "a SYN was retransmitted at least once: {slowest} ms"
    );
}

#[test]
fn a_headless_service_is_reached_through_its_ready_endpoints_without_kube_proxy() {
    let out = run_with("clusterIP: None,");
    let replacement = &out.pods.last().expect("a replacement").pod;
    let ready_ms = out.pods.last().unwrap().ready.expect("ready").as_ms();
    // DNS answers only ready endpoints: every request after the replacement is ready goes to it at once,
    // with no kube-proxy sync in between.
    let after: Vec<_> = out
        .requests
        .iter()
        .filter(|r| r.time.as_ms() >= ready_ms + 20)
        .collect();
    assert!(
        !after.is_empty()
            && after
                .iter()
                .all(|r| r.outcome == Outcome::Ok && r.pod.as_ref() == Some(replacement)),
        "{after:?}"
    );
}

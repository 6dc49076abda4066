//! `kind: Node` and bare `kind: Pod` manifests: the nodes join the cluster, the pods (no owner) are
//! scheduled, bound and started like any other; pods that fit no node stay Pending with a reason.

use kubesim::metrics::RunOutput;

const NODE: &str = "apiVersion: v1
kind: Node
metadata:
  name: gpu-node-0
  labels: {topology.kubernetes.io/zone: zone-a, alibabacloud.com/gpu-card-model: P100}
status:
  allocatable: {cpu: '4', memory: 8Gi, pods: '110', alibabacloud.com/gpu-count: '2'}
";

/// A bare pod asking `cpu`, with an annotation kubesim does not know.
fn pod(name: &str, cpu: &str) -> String {
    format!(
        "apiVersion: v1
kind: Pod
metadata:
  name: {name}
  namespace: jobs
  annotations: {{alibabacloud.com/gpu-milli: '460'}}
spec:
  restartPolicy: OnFailure
  containers:
  - name: main
    image: tensorflow:latest
    resources: {{requests: {{cpu: {cpu}, memory: 1Gi}}}}
"
    )
}

/// Runs a scenario whose only manifests are one Node and the pods `small` (1 cpu) and `huge` (8).
fn run() -> RunOutput {
    let dir = super::util::temp_dir("bare-pods");
    let manifests = format!("{NODE}---\n{}---\n{}", pod("small", "1"), pod("huge", "8"));
    std::fs::write(dir.path().join("cluster.yaml"), manifests).expect("write manifests");
    let text = "name: bare-pods\nduration: 1m\nmanifests: [cluster.yaml]\n";
    let path = dir.path().join("scenario.yaml");
    let scenario = kubesim::scenario::load_str(text, &path).expect("scenario loads");
    assert_eq!(scenario.nodes.len(), 1, "the Node manifest is a node");
    assert_eq!(scenario.nodes[0].zone.as_deref(), Some("zone-a"));
    kubesim::sim::run(&scenario, scenario.seed).expect("scenario runs")
}

#[test]
fn a_bare_pod_on_a_node_from_a_manifest_is_scheduled_bound_and_started() {
    let out = run();
    let small = out.pods.iter().find(|p| p.pod == "small").expect("small");
    assert_eq!(small.node.as_deref(), Some("gpu-node-0"));
    assert!(small.started.is_some(), "{small:?}");
    assert_eq!(small.owner, "", "a bare pod has no owner");
}

#[test]
fn a_bare_pod_larger_than_every_node_stays_pending_with_the_scheduler_s_reason() {
    let out = run();
    let pending = &out.summary.pending;
    assert_eq!(pending.len(), 1, "{pending:?}");
    assert_eq!(pending[0].name, "huge");
    let reason = pending[0].reason.as_deref().unwrap_or("");
    assert!(reason.contains("Insufficient cpu"), "{reason}");
}

//! The scheduler's VolumeBinding and VolumeZone plugins end to end: WaitForFirstConsumer claims are
//! provisioned in the zone of the node the pod was given, static volumes draw the pod to their zone,
//! Immediate claims keep the pod Pending until bound, and local-path volumes keep a pod on its node.

use super::util::{root, temp_dir};
use kubesim::api::{Store, ZONE_LABEL};
use kubesim::metrics::RunOutput;
use kubesim::scenario::Scenario;

/// A two-zone cluster (node-1 in zone-a, node-2 in zone-b) running `manifest` for 2 minutes.
fn scenario(dir: &std::path::Path, manifest: &str, provision: &str) -> Scenario {
    let scenario = format!(
        "name: vb
seed: 1
duration: 2m
cluster:
  nodes:
    - {{count: 2, name: \"node-{{i}}\", zones: [zone-a, zone-b], allocatable: {{cpu: \"4\", memory: 8Gi, pods: 110}}}}
  storage-classes:
    disk: {{provision: {provision}, attach: 0s, detach: 0s}}
manifests: [m.yaml]
apps:
  - {{match: {{app: db}}, image-pull: 1s, listen-after: 100ms, serve-after: 100ms}}
"
    );
    std::fs::write(dir.join("m.yaml"), manifest).unwrap();
    std::fs::write(dir.join("s.yaml"), scenario).unwrap();
    kubesim::scenario::load(&dir.join("s.yaml")).expect("scenario loads")
}

/// A one-replica StatefulSet `db` whose pod `db-0` uses claim `data-db-0` of class `disk`.
const POD: &str = "---
apiVersion: v1
kind: Service
metadata: {name: db}
spec:
  clusterIP: None
  selector: {app: db}
  ports: [{port: 5432}]
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  serviceName: db
  replicas: 1
  selector:
    matchLabels: {app: db}
  template:
    metadata:
      labels: {app: db}
    spec:
      containers:
      - name: db
        image: postgres:16
        volumeMounts: [{name: data, mountPath: /var/lib/postgresql/data}]
  volumeClaimTemplates:
  - metadata: {name: data}
    spec:
      storageClassName: disk
      accessModes: [ReadWriteOnce]
      resources: {requests: {storage: 1Gi}}
";

fn class(provisioner: &str, mode: &str) -> String {
    format!(
        "apiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata: {{name: disk}}\n\
         provisioner: {provisioner}\nvolumeBindingMode: {mode}\n"
    )
}

/// Runs `scenario`, keeping the zone label of the volume bound to claim `data-db-0` at the end.
fn run(scenario: &Scenario) -> (RunOutput, Option<String>) {
    let mut zone = None;
    let out = kubesim::sim::run_observed(scenario, scenario.seed, |store: &Store, _| {
        zone = volume_zone_of_data(store);
    })
    .expect("runs");
    (out, zone)
}

fn volume_zone_of_data(store: &Store) -> Option<String> {
    let c = &store.claims[store.claim_by_name("default", "data-db-0")?.index()];
    let v = &store.volumes[c.volume?.index()];
    v.meta.labels.get(ZONE_LABEL).cloned()
}

fn node_of(out: &RunOutput, pod: &str) -> Vec<Option<String>> {
    out.pods
        .iter()
        .filter(|p| p.pod == pod)
        .map(|p| p.node.clone())
        .collect()
}

#[test]
fn a_wait_for_first_consumer_claim_is_provisioned_in_the_zone_of_the_pods_node() {
    let dir = temp_dir("vb-wffc");
    let manifest = class("example.com/disk", "WaitForFirstConsumer") + POD;
    let (out, zone) = run(&scenario(dir.path(), &manifest, "5s"));
    let node = node_of(&out, "db-0")[0].clone().expect("db-0 is scheduled");
    let want = if node == "node-1" { "zone-a" } else { "zone-b" };
    assert_eq!(zone.as_deref(), Some(want), "db-0 runs on {node}");
    let scheduled = out.events.iter().find(|e| e.reason == "Scheduled").unwrap();
    assert!(
        scheduled.time.0 >= 5_000,
        "bound to its node only after provisioning"
    );
}

#[test]
fn a_static_volume_in_zone_b_puts_the_pod_on_the_zone_b_node() {
    let dir = temp_dir("vb-static");
    let pv = "---
apiVersion: v1
kind: PersistentVolume
metadata: {name: pv-b}
spec:
  capacity: {storage: 1Gi}
  accessModes: [ReadWriteOnce]
  storageClassName: disk
  local: {path: /mnt/disks/b}
  nodeAffinity:
    required:
      nodeSelectorTerms:
      - matchExpressions: [{key: topology.kubernetes.io/zone, operator: In, values: [zone-b]}]
";
    let manifest = class("kubernetes.io/no-provisioner", "WaitForFirstConsumer") + pv + POD;
    for seed in 1..5 {
        let mut s = scenario(dir.path(), &manifest, "1s");
        s.seed = seed;
        let (out, _) = run(&s);
        assert_eq!(
            node_of(&out, "db-0"),
            vec![Some("node-2".to_string())],
            "seed {seed}"
        );
    }
}

#[test]
fn an_unbound_immediate_claim_keeps_the_pod_pending_with_upstreams_message_until_it_is_bound() {
    let dir = temp_dir("vb-immediate");
    let manifest = class("example.com/disk", "Immediate") + POD;
    let (out, _) = run(&scenario(dir.path(), &manifest, "30s"));
    let failed: Vec<_> = out
        .events
        .iter()
        .filter(|e| e.reason == "FailedScheduling")
        .collect();
    assert!(!failed.is_empty());
    assert_eq!(
        failed[0].message,
        "0/2 nodes are available: pod has unbound immediate PersistentVolumeClaims. \
         preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling."
    );
    let scheduled = out.events.iter().find(|e| e.reason == "Scheduled").unwrap();
    // Scheduled at the first attempt after the claim is bound (its back-off, at most 10 s, may delay it).
    assert!(
        (30_000..=40_000).contains(&scheduled.time.0),
        "{scheduled:?}"
    );
}

#[test]
fn web_0_of_web_delete_all_comes_back_to_the_node_its_local_path_volume_is_on() {
    let path = root().join("scenarios/web-delete-all.yaml");
    let scenario = kubesim::scenario::load(&path).expect("loads");
    let out = kubesim::sim::run(&scenario, scenario.seed).expect("runs");
    for pod in ["web-0", "web-1"] {
        let nodes = node_of(&out, pod);
        assert_eq!(nodes.len(), 2, "{pod} is deleted and created again");
        assert_eq!(nodes[0], nodes[1], "{pod} returns to its node");
    }
}

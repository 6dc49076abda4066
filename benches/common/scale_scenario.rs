//! The `scale-5k` scenario, generated: 5,000 nodes in 3 zones and 150,000 pods in Deployments and
//! StatefulSets (with claims and Services) through a day of rolling updates, scale changes, node
//! crashes and a zone outage, scaled down by a fraction.
//!
//! Everything is derived from the fraction and the day's length alone, so the same arguments write
//! the same files. Workloads come in blocks, one namespace per block (a team's services): six
//! Deployments and four StatefulSets of 3 to 300 replicas, each with its Service (headless for
//! the sets).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// Nodes and pods of the full-size scenario: Kubernetes' documented limits.
pub const FULL_NODES: u64 = 5_000;
pub const FULL_PODS: u64 = 150_000;

/// A block's workloads, smallest first so that every fraction gets some of each kind:
/// (replicas, StatefulSet?) — 528 pods a block, 11 % of them in StatefulSets.
const BLOCK: [(u64, bool); 10] = [
    (4, false),
    (3, true),
    (8, false),
    (5, true),
    (16, false),
    (12, true),
    (40, false),
    (40, true),
    (100, false),
    (300, false),
];
const ZONES: [&str; 3] = ["zone-a", "zone-b", "zone-c"];

/// What to generate.
#[derive(Debug, Clone, Copy)]
pub struct Size {
    pub nodes: u64,
    pub pods: u64,
    pub duration_ms: u64,
}

impl Size {
    /// `fraction` of the full scenario (at least 3 nodes, one per zone) over `hours` simulated hours.
    pub fn fraction(fraction: f64, hours: f64) -> Self {
        Size {
            nodes: ((FULL_NODES as f64 * fraction).round() as u64).max(3),
            pods: ((FULL_PODS as f64 * fraction).round() as u64).max(1),
            duration_ms: (hours * 3_600_000.0).round() as u64,
        }
    }
}

/// One workload: a Deployment or a StatefulSet and its Service.
struct Workload {
    namespace: String,
    name: String,
    replicas: u64,
    stateful: bool,
}

/// Writes `scenario.yaml` and `workloads.yaml` into `dir`; returns the scenario's path.
pub fn write(dir: &Path, size: Size) -> std::io::Result<PathBuf> {
    let workloads = workloads(size.pods);
    let mut manifests = String::from(STORAGE_CLASS);
    for w in &workloads {
        manifest(&mut manifests, w);
    }
    std::fs::write(dir.join("workloads.yaml"), manifests)?;
    let path = dir.join("scenario.yaml");
    std::fs::write(&path, scenario(size, &workloads))?;
    Ok(path)
}

/// Blocks of workloads until `pods` replicas are placed; the last workload takes the remainder.
fn workloads(pods: u64) -> Vec<Workload> {
    let mut out = Vec::new();
    let mut left = pods;
    for i in 0.. {
        if left == 0 {
            break;
        }
        let (replicas, stateful) = BLOCK[i % BLOCK.len()];
        let replicas = replicas.min(left);
        left -= replicas;
        let kind = if stateful { "db" } else { "web" };
        out.push(Workload {
            namespace: format!("team-{:04}", i / BLOCK.len()),
            name: format!("{kind}-{}", i % BLOCK.len()),
            replicas,
            stateful,
        });
    }
    out
}

const STORAGE_CLASS: &str = "apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: zonal-disk
provisioner: pd.csi.storage.gke.io
reclaimPolicy: Delete
volumeBindingMode: WaitForFirstConsumer
";

/// The workload's manifest and its Service, appended to `out`.
fn manifest(out: &mut String, w: &Workload) {
    let (ns, name, replicas) = (&w.namespace, &w.name, w.replicas);
    let kind = if w.stateful {
        "StatefulSet"
    } else {
        "Deployment"
    };
    let headless = if w.stateful {
        "\n  clusterIP: None"
    } else {
        ""
    };
    let _ = write!(
        out,
        "---
apiVersion: v1
kind: Service
metadata: {{name: {name}, namespace: {ns}}}
spec:{headless}
  selector: {{app: {name}}}
  ports: [{{port: 80}}]
---
apiVersion: apps/v1
kind: {kind}
metadata: {{name: {name}, namespace: {ns}}}
spec:
  replicas: {replicas}
  selector: {{matchLabels: {{app: {name}}}}}
"
    );
    if w.stateful {
        let policy = if replicas > 10 {
            "Parallel"
        } else {
            "OrderedReady"
        };
        let _ = write!(
            out,
            "  serviceName: {name}
  podManagementPolicy: {policy}
  volumeClaimTemplates:
  - metadata: {{name: data}}
    spec:
      storageClassName: zonal-disk
      accessModes: [ReadWriteOnce]
      resources: {{requests: {{storage: 10Gi}}}}
"
        );
    }
    let mount = if w.stateful {
        "\n        volumeMounts: [{name: data, mountPath: /data}]"
    } else {
        ""
    };
    let _ = write!(
        out,
        "  template:
    metadata: {{labels: {{app: {name}}}}}
    spec:
      containers:
      - name: main
        image: registry.local/{name}:1
        resources: {{requests: {{cpu: 200m, memory: 256Mi}}}}
        readinessProbe: {{httpGet: {{path: /, port: 80}}, periodSeconds: 10}}{mount}
"
    );
}

/// The scenario file: the cluster, the apps, and the day's faults and changes.
fn scenario(size: Size, workloads: &[Workload]) -> String {
    let mut s = format!(
        "name: scale-5k
seed: 1
duration: {duration}ms
cluster:
  nodes:
    - count: {nodes}
      name: node-{{i}}
      zones: [{zones}]
      allocatable: {{cpu: \"32\", memory: 128Gi, pods: 110}}
  storage-classes:
    zonal-disk: {{provision: 10s, attach: 5s, detach: 5s}}
manifests:
  - workloads.yaml
apps:
  - image: \"registry.local/*\"
    image-pull: {{lognormal: {{median: 3s, p99: 30s}}}}
    listen-after: 1s
    serve-after: 2s
    on-sigterm: {{close-listener: true, exit-after: 1s}}
faults:
",
        duration = size.duration_ms,
        nodes = size.nodes,
        zones = ZONES.join(", "),
    );
    changes(&mut s, size, workloads);
    node_faults(&mut s, size);
    s
}

/// `at` for the fraction `f` of the day.
fn at(size: Size, f: f64) -> String {
    format!("{}ms", (size.duration_ms as f64 * f).round() as u64)
}

/// A rolling update of every Deployment and of every fourth StatefulSet, spread over the day from
/// 5 % to 95 % of it; every fifth Deployment grows by half at its update and shrinks back later.
fn changes(s: &mut String, size: Size, workloads: &[Workload]) {
    let n = workloads.len().max(1) as f64;
    for (i, w) in workloads.iter().enumerate() {
        let f = 0.05 + 0.9 * (i as f64 / n);
        let (ns, name) = (&w.namespace, &w.name);
        let key = if w.stateful {
            "statefulset"
        } else {
            "deployment"
        };
        if !w.stateful || i % 4 == 0 {
            let t = at(size, f);
            let _ = writeln!(s, "  - {{at: {t}, set-image: {{{key}: {name}, namespace: {ns}, image: \"registry.local/{name}:2\"}}}}");
        }
        if !w.stateful && i % 5 == 0 {
            let (up, down) = (at(size, f), at(size, (f + 0.1).min(1.0)));
            let grown = w.replicas + w.replicas.div_ceil(2);
            let _ = writeln!(
                s,
                "  - {{at: {up}, scale: {{{key}: {name}, namespace: {ns}, replicas: {grown}}}}}"
            );
            let _ = writeln!(
                s,
                "  - {{at: {down}, scale: {{{key}: {name}, namespace: {ns}, replicas: {}}}}}",
                w.replicas
            );
        }
    }
}

/// One node in 200 crashes (spread over the day; those of zone-a come back after 30 minutes, the
/// others stay down), and zone-c fails at 50 % of the day and comes back an hour of 24 later.
fn node_faults(s: &mut String, size: Size) {
    let crashes = (size.nodes / 200).max(1);
    for k in 0..crashes {
        let node = 1 + (k * 197 + 11) % size.nodes;
        let f = 0.1 + 0.8 * (k as f64 / crashes as f64);
        let _ = writeln!(s, "  - {{at: {}, crash-node: node-{node}}}", at(size, f));
        if node % 3 == 1 {
            let back = at(size, f + 0.5 / 24.0);
            let _ = writeln!(s, "  - {{at: {back}, recover-node: node-{node}}}");
        }
    }
    let _ = writeln!(s, "  - {{at: {}, zone-outage: zone-c}}", at(size, 0.5));
    let back = at(size, 0.5 + 1.0 / 24.0);
    for node in (3..=size.nodes).step_by(3) {
        let _ = writeln!(s, "  - {{at: {back}, recover-node: node-{node}}}");
    }
}

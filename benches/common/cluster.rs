//! A cluster in the API store for the micro-benchmarks: nodes in three zones, running pods bound to
//! them, and Services, built through the store's public writes (no scenario run needed).

use kubesim::api::{ContainerState, NodeId, PodId, PodPhase, PodStatus, Store, SvcId, Write};
use kubesim::engine::SimTime;
use kubesim::manifest::{convert, Object};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use std::collections::BTreeMap;

const ZONES: [&str; 3] = ["zone-a", "zone-b", "zone-c"];

/// An empty store with `nodes` nodes of 32 cores, 128 GiB and 110 pods, round-robin over 3 zones.
pub fn with_nodes(nodes: usize) -> Store {
    let mut store = Store::new(ChaCha8Rng::seed_from_u64(1));
    for i in 0..nodes {
        let name = format!("node-{i}");
        let labels = BTreeMap::from([
            ("kubernetes.io/hostname".to_string(), name.clone()),
            (
                "topology.kubernetes.io/zone".to_string(),
                ZONES[i % 3].to_string(),
            ),
        ]);
        let meta = store.new_meta(&name, "", labels, SimTime::ZERO);
        store.add_node(kubesim::api::Node {
            meta,
            cpu_milli: 32_000,
            memory_bytes: 128 << 30,
            pods: 110,
            taints: Vec::new(),
            unschedulable: false,
            ready: true,
            volumes_in_use: Vec::new(),
            images: Vec::new(),
        });
    }
    store
}

/// A pod labelled `app=<app>` asking 200m and 256Mi, created unscheduled.
pub fn add_pod(store: &mut Store, name: &str, app: &str) -> PodId {
    let yaml = format!(
        "apiVersion: v1\nkind: Pod\nmetadata: {{name: {name}, labels: {{app: {app}}}}}\n\
         spec:\n  containers:\n  - name: main\n    image: registry.local/{app}:1\n    \
         resources: {{requests: {{cpu: 200m, memory: 256Mi}}}}\n"
    );
    let loaded = kubesim::manifest::parse_str(&yaml, "bench.yaml").expect("the pod parses");
    let Object::Pod(pod) = &loaded[0].object else {
        unreachable!("a Pod manifest")
    };
    let meta = convert::meta(store, &pod.metadata, SimTime::ZERO);
    let spec = convert::pod_spec(pod.spec.as_ref());
    store.create_pod_with_meta(meta, spec)
}

/// Binds `pod` to `node` and makes it Running with an IP, Ready or not.
pub fn run_on(store: &mut Store, pod: PodId, node: NodeId, ready: bool) {
    store.apply(Write::BindPod { pod, node }, SimTime::ZERO);
    set_ready(store, pod, ready, SimTime::ZERO);
}

/// The pod's status: Running with its IP (unique, from its id), Ready as given.
pub fn set_ready(store: &mut Store, pod: PodId, ready: bool, now: SimTime) {
    let ip = kubesim::api::PodIp {
        node: pod.0 >> 8,
        host: pod.0 & 255,
    };
    let status = PodStatus {
        phase: PodPhase::Running,
        container: ContainerState::Running { started: now },
        ready,
        ip: Some(ip),
        restarts: 0,
    };
    store.apply(Write::SetPodStatus { pod, status }, now);
}

/// A ClusterIP Service selecting `app=<app>`.
pub fn add_service(store: &mut Store, app: &str) -> SvcId {
    let yaml = format!(
        "apiVersion: v1\nkind: Service\nmetadata: {{name: {app}}}\n\
         spec:\n  selector: {{app: {app}}}\n  ports: [{{port: 80}}]\n"
    );
    let loaded = kubesim::manifest::parse_str(&yaml, "bench.yaml").expect("the service parses");
    let Object::Service(svc) = &loaded[0].object else {
        unreachable!("a Service manifest")
    };
    let meta = convert::meta(store, &svc.metadata, SimTime::ZERO);
    store.add_service(convert::service(svc, meta))
}

//! The object store: arenas per kind, name and owner indexes, resourceVersion, and the change log.

use super::ids::*;
use super::objects::*;
use super::write::{PodStatus, Write};
use crate::engine::SimTime;
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use std::collections::{BTreeMap, BTreeSet};

/// One object changed; actors are notified of these after every event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Change {
    pub kind: Kind,
    pub id: u32,
}

/// The API server's state.
pub struct Store {
    pub nodes: Vec<Node>,
    pub pods: Vec<Pod>,
    pub replica_sets: Vec<ReplicaSet>,
    pub deployments: Vec<Deployment>,
    pub services: Vec<Service>,
    pub claims: Vec<Claim>,
    pub volumes: Vec<Volume>,
    /// Pods that exist in the API server.
    pub live_pods: BTreeSet<PodId>,
    /// Live pods per controlling ReplicaSet.
    pods_by_rs: BTreeMap<RsId, BTreeSet<PodId>>,
    /// Live pods per node.
    pods_by_node: BTreeMap<NodeId, BTreeSet<PodId>>,
    resource_version: u64,
    uid_counter: u64,
    changes: Vec<Change>,
    names: ChaCha8Rng,
}

/// Defines `add_<kind>`: push onto the kind's arena, record the change, return the typed id.
macro_rules! adder {
    ($(#[$doc:meta])* $fn:ident, $arena:ident, $ty:ty, $id:ident, $kind:expr) => {
        $(#[$doc])*
        pub fn $fn(&mut self, object: $ty) -> $id {
            let id = $id(self.$arena.len() as u32);
            self.$arena.push(object);
            self.touch($kind, id.0);
            id
        }
    };
}

/// The alphabet of generated name suffixes (k8s.io/apimachinery/pkg/util/rand `alphanums`).
const ALPHANUMS: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";

impl Store {
    /// An empty store drawing generated names from `names`.
    pub fn new(names: ChaCha8Rng) -> Self {
        Store {
            nodes: Vec::new(),
            pods: Vec::new(),
            replica_sets: Vec::new(),
            deployments: Vec::new(),
            services: Vec::new(),
            claims: Vec::new(),
            volumes: Vec::new(),
            live_pods: BTreeSet::new(),
            pods_by_rs: BTreeMap::new(),
            pods_by_node: BTreeMap::new(),
            resource_version: 0,
            uid_counter: 0,
            changes: Vec::new(),
            names,
        }
    }

    /// New metadata with a fresh uid and resourceVersion.
    pub fn new_meta(&mut self, name: &str, namespace: &str, labels: Labels, now: SimTime) -> Meta {
        self.uid_counter += 1;
        self.resource_version += 1;
        Meta {
            name: name.to_string(),
            namespace: namespace.to_string(),
            uid: format!("00000000-0000-4000-8000-{:012x}", self.uid_counter),
            labels,
            annotations: Labels::new(),
            resource_version: self.resource_version,
            generation: 1,
            created: now,
            owner: None,
            deletion: None,
            gone: None,
        }
    }

    /// Takes the changes recorded since the last call, in the order they happened.
    pub fn take_changes(&mut self) -> Vec<Change> {
        std::mem::take(&mut self.changes)
    }

    pub(super) fn touch(&mut self, kind: Kind, id: u32) -> u64 {
        self.resource_version += 1;
        self.changes.push(Change { kind, id });
        self.resource_version
    }

    adder!(
        /// Adds a Node.
        add_node, nodes, Node, NodeId, Kind::Node
    );
    adder!(
        /// Adds a Deployment.
        add_deployment, deployments, Deployment, DeployId, Kind::Deployment
    );
    adder!(
        /// Adds a ReplicaSet.
        add_replica_set, replica_sets, ReplicaSet, RsId, Kind::ReplicaSet
    );
    adder!(
        /// Adds a Service.
        add_service, services, Service, SvcId, Kind::Service
    );
    adder!(
        /// Adds a PersistentVolumeClaim.
        add_claim, claims, Claim, PvcId, Kind::PersistentVolumeClaim
    );
    adder!(
        /// Adds a PersistentVolume.
        add_volume, volumes, Volume, PvId, Kind::PersistentVolume
    );

    /// Adds a pod (created by a controller or from a manifest).
    pub fn add_pod(&mut self, pod: Pod) -> PodId {
        let id = PodId(self.pods.len() as u32);
        if let Some(Owner::ReplicaSet(rs)) = pod.meta.owner {
            self.pods_by_rs.entry(rs).or_default().insert(id);
        }
        self.pods.push(pod);
        self.live_pods.insert(id);
        self.touch(Kind::Pod, id.0);
        id
    }

    /// Live pods controlled by `rs`, in creation order.
    pub fn pods_of_rs(&self, rs: RsId) -> impl Iterator<Item = PodId> + '_ {
        self.pods_by_rs.get(&rs).into_iter().flatten().copied()
    }

    /// Live pods bound to `node`, in creation order.
    pub fn pods_on_node(&self, node: NodeId) -> impl Iterator<Item = PodId> + '_ {
        self.pods_by_node.get(&node).into_iter().flatten().copied()
    }

    /// The claim called `name` in `namespace`, if it exists.
    pub fn claim_by_name(&self, namespace: &str, name: &str) -> Option<PvcId> {
        self.claims
            .iter()
            .position(|c| c.meta.exists() && c.meta.namespace == namespace && c.meta.name == name)
            .map(|i| PvcId(i as u32))
    }

    /// `generateName` + 5 random characters, as the API server does (names.SimpleNameGenerator).
    fn generate_name(&mut self, prefix: &str) -> String {
        let suffix: String = (0..5)
            .map(|_| ALPHANUMS[self.names.random_range(0..ALPHANUMS.len())] as char)
            .collect();
        format!("{prefix}{suffix}")
    }

    /// Applies one write at `now`; returns the id of a pod it created, if any.
    pub fn apply(&mut self, write: Write, now: SimTime) -> Option<PodId> {
        match write {
            Write::CreatePod {
                namespace,
                generate_name,
                owner,
                template,
            } => {
                return Some(self.create_pod(&namespace, &generate_name, owner, template, now));
            }
            Write::DeletePod {
                pod,
                grace_period_ms,
            } => self.delete_pod(pod, grace_period_ms, now),
            Write::RemovePod { pod } => self.remove_pod(pod, now),
            Write::BindPod { pod, node } => self.bind_pod(pod, node),
            Write::SetPodStatus { pod, status } => self.set_pod_status(pod, status, now),
            Write::CreateReplicaSet { rs } => {
                let mut rs = *rs;
                let fresh = self.new_meta(
                    &rs.meta.name,
                    &rs.meta.namespace,
                    rs.meta.labels.clone(),
                    now,
                );
                rs.meta = Meta {
                    owner: rs.meta.owner,
                    annotations: std::mem::take(&mut rs.meta.annotations),
                    ..fresh
                };
                self.add_replica_set(rs);
            }
            Write::ScaleReplicaSet {
                rs,
                replicas,
                annotations,
            } => self.scale_replica_set(rs, replicas, annotations),
            Write::DeleteReplicaSet { rs } => {
                self.replica_sets[rs.index()].meta.gone = Some(now);
                self.touch(Kind::ReplicaSet, rs.0);
            }
            Write::CreateDeployment { object } => self.create_deployment(*object, now),
            Write::UpdateDeployment { deployment, object } => {
                self.update_deployment(deployment, *object)
            }
            Write::SetReplicaSetStatus { rs, status } => {
                self.replica_sets[rs.index()].status = status;
                self.touch(Kind::ReplicaSet, rs.0);
            }
            Write::SetDeploymentStatus {
                deployment,
                status,
                annotations,
            } => {
                let d = &mut self.deployments[deployment.index()];
                d.status = status;
                d.meta.annotations.extend(annotations);
                self.touch(Kind::Deployment, deployment.0);
            }
            Write::SetEndpoints { service, endpoints } => {
                self.services[service.index()].endpoints = endpoints;
                self.touch(Kind::Service, service.0);
            }
            Write::ProvisionVolume {
                claim,
                name,
                capacity_bytes,
            } => self.provision(claim, &name, capacity_bytes, now),
            Write::SetAttached {
                volume,
                node,
                attached,
            } => self.set_attached(volume, node, attached),
            Write::SetNodeImages { node, images } => {
                self.nodes[node.index()].images = images;
                self.touch(Kind::Node, node.0);
            }
            Write::SetVolumesInUse { node, volumes } => {
                self.nodes[node.index()].volumes_in_use = volumes;
                self.touch(Kind::Node, node.0);
            }
        }
        None
    }

    fn create_pod(
        &mut self,
        ns: &str,
        prefix: &str,
        owner: Owner,
        t: PodTemplate,
        now: SimTime,
    ) -> PodId {
        let name = self.generate_name(prefix);
        let mut meta = self.new_meta(&name, ns, t.labels, now);
        meta.owner = Some(owner);
        let node_name = t.spec.node_name.clone();
        let id = self.add_pod(Pod {
            meta,
            spec: t.spec,
            node: None,
            ip: None,
            phase: PodPhase::Pending,
            container: ContainerState::Waiting("Pending"),
            ready: false,
            ready_since: None,
            restarts: 0,
        });
        if let Some(node) = node_name.and_then(|n| self.nodes.iter().position(|x| x.meta.name == n))
        {
            self.bind_pod(id, NodeId(node as u32));
        }
        id
    }

    /// Graceful delete: sets deletionTimestamp; a pod never scheduled is removed at once
    /// (the API server deletes unscheduled pods immediately: kk:pkg/registry/core/pod/strategy.go `CheckGracefulDelete`).
    fn delete_pod(&mut self, id: PodId, grace_period_ms: Option<u64>, now: SimTime) {
        let pod = &mut self.pods[id.index()];
        if !pod.meta.exists() || pod.meta.deletion.is_some() {
            return;
        }
        let grace = grace_period_ms.unwrap_or(pod.spec.termination_grace_period_ms);
        if pod.node.is_none() || grace == 0 && grace_period_ms.is_some() {
            return self.remove_pod(id, now);
        }
        pod.meta.deletion = Some(Deletion {
            requested: now,
            grace_period_ms: grace,
        });
        self.touch(Kind::Pod, id.0);
    }

    fn remove_pod(&mut self, id: PodId, now: SimTime) {
        let pod = &mut self.pods[id.index()];
        if !pod.meta.exists() {
            return;
        }
        pod.meta.gone = Some(now);
        if pod.meta.deletion.is_none() {
            pod.meta.deletion = Some(Deletion {
                requested: now,
                grace_period_ms: 0,
            });
        }
        let (owner, node) = (pod.meta.owner, pod.node);
        self.live_pods.remove(&id);
        if let Some(Owner::ReplicaSet(rs)) = owner {
            self.pods_by_rs.entry(rs).or_default().remove(&id);
        }
        if let Some(node) = node {
            self.pods_by_node.entry(node).or_default().remove(&id);
        }
        self.touch(Kind::Pod, id.0);
    }

    fn bind_pod(&mut self, id: PodId, node: NodeId) {
        self.pods[id.index()].node = Some(node);
        self.pods_by_node.entry(node).or_default().insert(id);
        self.touch(Kind::Pod, id.0);
    }

    fn set_pod_status(&mut self, id: PodId, s: PodStatus, now: SimTime) {
        let pod = &mut self.pods[id.index()];
        if !pod.meta.exists() {
            return;
        }
        if s.ready && !pod.ready {
            pod.ready_since = Some(now);
        }
        if !s.ready {
            pod.ready_since = None;
        }
        pod.phase = s.phase;
        pod.container = s.container;
        pod.ready = s.ready;
        pod.ip = s.ip;
        pod.restarts = s.restarts;
        self.touch(Kind::Pod, id.0);
    }

    fn provision(&mut self, claim: PvcId, name: &str, capacity_bytes: u64, now: SimTime) {
        let c = &self.claims[claim.index()];
        let (class, modes) = (c.storage_class.clone(), c.access_modes.clone());
        let meta = self.new_meta(name, "", Labels::new(), now);
        let volume = self.add_volume(Volume {
            meta,
            storage_class: class,
            capacity_bytes,
            access_modes: modes,
            claim: Some(claim),
            attached_to: Vec::new(),
            binding: super::storage::VolumeBinding {
                phase: super::storage::VolumePhase::Bound,
                attachable: true,
                ..Default::default()
            },
        });
        let c = &mut self.claims[claim.index()];
        c.phase = ClaimPhase::Bound;
        c.volume = Some(volume);
        c.capacity_bytes = Some(capacity_bytes);
        self.touch(Kind::PersistentVolumeClaim, claim.0);
    }

    fn set_attached(&mut self, volume: PvId, node: NodeId, attached: bool) {
        let v = &mut self.volumes[volume.index()];
        v.attached_to.retain(|n| *n != node);
        if attached {
            v.attached_to.push(node);
        }
        self.touch(Kind::PersistentVolume, volume.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{ContainerState, PodSpec, PodTemplate};
    use crate::engine::Streams;

    fn store_with_pod(node: bool) -> (Store, PodId) {
        let mut store = Store::new(Streams::new(1, 0).stream("names"));
        let meta = store.new_meta("n1", "", Labels::new(), SimTime(0));
        let n = store.add_node(Node {
            meta,
            cpu_milli: 1000,
            memory_bytes: 1 << 30,
            pods: 110,
            taints: vec![],
            unschedulable: false,
            ready: true,
            volumes_in_use: vec![],
            images: vec![],
        });
        let spec = PodSpec {
            containers: vec![],
            termination_grace_period_ms: 30_000,
            node_selector: Labels::new(),
            tolerations: vec![],
            claims: vec![],
            node_name: None,
        };
        let template = PodTemplate {
            labels: Labels::new(),
            spec,
        };
        let rs = RsId(0);
        let pod = store
            .apply(
                Write::CreatePod {
                    namespace: "default".into(),
                    generate_name: "web-".into(),
                    owner: Owner::ReplicaSet(rs),
                    template,
                },
                SimTime(0),
            )
            .unwrap();
        if node {
            store.apply(Write::BindPod { pod, node: n }, SimTime(0));
        }
        store.take_changes();
        (store, pod)
    }

    #[test]
    fn a_graceful_delete_marks_the_pod_terminating_and_keeps_it() {
        let (mut store, pod) = store_with_pod(true);
        let rv = store.pods[pod.index()].meta.resource_version;
        store.apply(
            Write::DeletePod {
                pod,
                grace_period_ms: None,
            },
            SimTime(5_000),
        );
        let p = &store.pods[pod.index()];
        assert_eq!(
            p.meta.deletion,
            Some(Deletion {
                requested: SimTime(5_000),
                grace_period_ms: 30_000
            })
        );
        assert!(p.meta.exists() && store.live_pods.contains(&pod));
        assert_eq!(
            store.take_changes(),
            vec![Change {
                kind: Kind::Pod,
                id: pod.0
            }]
        );
        assert!(store.resource_version > rv);
    }

    #[test]
    fn a_force_delete_or_an_unscheduled_pod_goes_at_once() {
        let (mut store, pod) = store_with_pod(true);
        store.apply(
            Write::DeletePod {
                pod,
                grace_period_ms: Some(0),
            },
            SimTime(1_000),
        );
        assert_eq!(store.pods[pod.index()].meta.gone, Some(SimTime(1_000)));
        assert_eq!(store.pods_on_node(NodeId(0)).count(), 0);
        let (mut store, pod) = store_with_pod(false);
        store.apply(
            Write::DeletePod {
                pod,
                grace_period_ms: None,
            },
            SimTime(1_000),
        );
        assert!(!store.pods[pod.index()].meta.exists());
        assert_eq!(store.pods_of_rs(RsId(0)).count(), 0);
    }

    #[test]
    fn generated_pod_names_have_a_five_character_suffix_and_ready_since_tracks_readiness() {
        let (mut store, pod) = store_with_pod(true);
        let name = &store.pods[pod.index()].meta.name;
        assert!(name.starts_with("web-") && name.len() == 9, "{name}");
        let status = |ready| PodStatus {
            phase: crate::api::PodPhase::Running,
            container: ContainerState::Running {
                started: SimTime(1),
            },
            ready,
            ip: None,
            restarts: 0,
        };
        store.apply(
            Write::SetPodStatus {
                pod,
                status: status(true),
            },
            SimTime(2_000),
        );
        store.apply(
            Write::SetPodStatus {
                pod,
                status: status(true),
            },
            SimTime(3_000),
        );
        assert_eq!(store.pods[pod.index()].ready_since, Some(SimTime(2_000)));
        store.apply(
            Write::SetPodStatus {
                pod,
                status: status(false),
            },
            SimTime(4_000),
        );
        assert_eq!(store.pods[pod.index()].ready_since, None);
    }
}

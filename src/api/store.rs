//! The object store: arenas per kind, name and owner indexes, resourceVersion, and the change log.

use super::ids::*;
use super::objects::*;
use super::selector::LabelSelector;
use super::statefulset::{ControllerRevision, StatefulSet};
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

/// The API server's state (`Clone`: a controller's lagging cache is a copy of it).
#[derive(Clone)]
pub struct Store {
    pub nodes: Vec<Node>,
    pub pods: Vec<Pod>,
    pub replica_sets: Vec<ReplicaSet>,
    pub deployments: Vec<Deployment>,
    pub services: Vec<Service>,
    pub claims: Vec<Claim>,
    pub volumes: Vec<Volume>,
    pub pdbs: Vec<super::policy::Pdb>,
    /// StorageClasses by name (from the manifests; they do not change during a run).
    pub storage_classes: BTreeMap<String, super::storage::StorageClass>,
    pub stateful_sets: Vec<StatefulSet>,
    pub revisions: Vec<ControllerRevision>,
    pub daemon_sets: Vec<super::workloads::DaemonSet>,
    pub jobs: Vec<super::workloads::Job>,
    /// Pods that exist in the API server.
    pub live_pods: BTreeSet<PodId>,
    /// Live pods per controlling ReplicaSet.
    pods_by_rs: BTreeMap<RsId, BTreeSet<PodId>>,
    /// Live pods per controlling StatefulSet.
    pods_by_sts: BTreeMap<StsId, BTreeSet<PodId>>,
    /// Live pods per controlling DaemonSet or Job.
    pub(super) pods_by_owner: BTreeMap<Owner, BTreeSet<PodId>>,
    /// Live pods per node.
    pods_by_node: BTreeMap<NodeId, BTreeSet<PodId>>,
    /// ReplicaSets by owning Deployment (owners do not change in the model).
    rs_by_deployment: BTreeMap<DeployId, Vec<RsId>>,
    /// Services by namespace (the namespace indexer of a Service informer).
    services_by_namespace: BTreeMap<String, Vec<SvcId>>,
    /// The newest claim of each name, by namespace.
    claims_by_name: BTreeMap<String, BTreeMap<String, PvcId>>,
    resource_version: u64,
    uid_counter: u64,
    changes: Vec<Change>,
    /// The changes since the journal was last cleared (not emptied by [`Self::take_changes`]).
    journal: Vec<Change>,
    names: ChaCha8Rng,
    /// Nodes' Ready conditions and Leases (`node_health.rs`); absent: Ready, renewing from time zero.
    pub(super) node_health: BTreeMap<NodeId, super::node_health::NodeHealth>,
    /// Live pods by label and with affinity terms (the scheduler's lookups).
    pub(super) pod_index: super::pod_index::PodIndex,
    /// What the pods bound to each node request.
    node_usage: super::node_usage::NodeUsage,
    /// Bound, active pods per node in groups of equal labels (PodTopologySpread's counts).
    pod_groups: super::pod_groups::PodGroups,
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
            pdbs: Vec::new(),
            storage_classes: BTreeMap::new(),
            stateful_sets: Vec::new(),
            revisions: Vec::new(),
            daemon_sets: Vec::new(),
            jobs: Vec::new(),
            live_pods: BTreeSet::new(),
            pods_by_rs: BTreeMap::new(),
            pods_by_sts: BTreeMap::new(),
            pods_by_owner: BTreeMap::new(),
            pods_by_node: BTreeMap::new(),
            rs_by_deployment: BTreeMap::new(),
            services_by_namespace: BTreeMap::new(),
            claims_by_name: BTreeMap::new(),
            resource_version: 0,
            uid_counter: 0,
            changes: Vec::new(),
            journal: Vec::new(),
            names,
            node_health: BTreeMap::new(),
            pod_index: Default::default(),
            node_usage: Default::default(),
            pod_groups: Default::default(),
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

    /// This store with the pods (and every index derived from them) of `seen`: what a controller
    /// reads when only its pod informer lags (each resource has its own informer and watch,
    /// k8s.io/client-go/informers/factory.go `InformerFor`), so its other listers are current.
    pub fn with_pods_of(&self, seen: &Store) -> Store {
        Store {
            pods: seen.pods.clone(),
            live_pods: seen.live_pods.clone(),
            pods_by_rs: seen.pods_by_rs.clone(),
            pods_by_sts: seen.pods_by_sts.clone(),
            pods_by_owner: seen.pods_by_owner.clone(),
            pods_by_node: seen.pods_by_node.clone(),
            pod_index: seen.pod_index.clone(),
            node_usage: seen.node_usage.clone(),
            pod_groups: seen.pod_groups.clone(),
            ..self.clone()
        }
    }

    /// Takes the changes recorded since the last call, in the order they happened.
    pub fn take_changes(&mut self) -> Vec<Change> {
        std::mem::take(&mut self.changes)
    }

    /// Every change recorded since the last [`Self::clear_journal`], in order, whoever took them
    /// since (the invariant checkers read what one event changed here).
    pub fn journal(&self) -> &[Change] {
        &self.journal
    }

    /// Starts a new journal.
    pub fn clear_journal(&mut self) {
        self.journal.clear();
    }

    pub(super) fn touch(&mut self, kind: Kind, id: u32) -> u64 {
        self.resource_version += 1;
        self.changes.push(Change { kind, id });
        self.journal.push(Change { kind, id });
        let rv = self.resource_version;
        if let Some(meta) = self.meta_mut(kind, id as usize) {
            meta.resource_version = rv;
        }
        rv
    }

    /// The metadata of object `id` of `kind`.
    fn meta_mut(&mut self, kind: Kind, id: usize) -> Option<&mut Meta> {
        Some(match kind {
            Kind::Node => &mut self.nodes.get_mut(id)?.meta,
            Kind::Pod => &mut self.pods.get_mut(id)?.meta,
            Kind::ReplicaSet => &mut self.replica_sets.get_mut(id)?.meta,
            Kind::Deployment => &mut self.deployments.get_mut(id)?.meta,
            Kind::Service => &mut self.services.get_mut(id)?.meta,
            Kind::PersistentVolumeClaim => &mut self.claims.get_mut(id)?.meta,
            Kind::PersistentVolume => &mut self.volumes.get_mut(id)?.meta,
            Kind::PodDisruptionBudget => &mut self.pdbs.get_mut(id)?.meta,
            Kind::StatefulSet => &mut self.stateful_sets.get_mut(id)?.meta,
            Kind::ControllerRevision => &mut self.revisions.get_mut(id)?.meta,
            Kind::DaemonSet => &mut self.daemon_sets.get_mut(id)?.meta,
            Kind::Job => &mut self.jobs.get_mut(id)?.meta,
        })
    }

    adder!(
        /// Adds a Node.
        add_node, nodes, Node, NodeId, Kind::Node
    );
    adder!(
        /// Adds a Deployment.
        add_deployment, deployments, Deployment, DeployId, Kind::Deployment
    );
    /// Adds a ReplicaSet.
    pub fn add_replica_set(&mut self, object: ReplicaSet) -> RsId {
        let id = RsId(self.replica_sets.len() as u32);
        if let Some(Owner::Deployment(d)) = object.meta.owner {
            self.rs_by_deployment.entry(d).or_default().push(id);
        }
        self.replica_sets.push(object);
        self.touch(Kind::ReplicaSet, id.0);
        id
    }

    /// The ReplicaSets created with Deployment `d` as their owner (existing or deleted), in id order.
    pub fn replica_sets_of(&self, d: DeployId) -> impl Iterator<Item = RsId> + '_ {
        self.rs_by_deployment.get(&d).into_iter().flatten().copied()
    }
    /// Adds a Service.
    pub fn add_service(&mut self, object: Service) -> SvcId {
        let id = SvcId(self.services.len() as u32);
        let namespace = self
            .services_by_namespace
            .entry(object.meta.namespace.clone());
        namespace.or_default().push(id);
        self.services.push(object);
        self.touch(Kind::Service, id.0);
        id
    }

    /// Adds a PersistentVolumeClaim.
    pub fn add_claim(&mut self, object: Claim) -> PvcId {
        let id = PvcId(self.claims.len() as u32);
        let namespace = self.claims_by_name.entry(object.meta.namespace.clone());
        namespace.or_default().insert(object.meta.name.clone(), id);
        self.claims.push(object);
        self.touch(Kind::PersistentVolumeClaim, id.0);
        id
    }

    /// The Services of `namespace` (existing or deleted), in id order.
    pub fn services_in<'a>(&'a self, namespace: &str) -> impl Iterator<Item = SvcId> + 'a {
        let ids = self.services_by_namespace.get(namespace);
        ids.into_iter().flatten().copied()
    }
    adder!(
        /// Adds a PersistentVolume.
        add_volume, volumes, Volume, PvId, Kind::PersistentVolume
    );
    adder!(
        /// Adds a PodDisruptionBudget.
        add_pdb, pdbs, super::policy::Pdb, PdbId, Kind::PodDisruptionBudget
    );
    adder!(
        /// Adds a StatefulSet.
        add_stateful_set, stateful_sets, StatefulSet, StsId, Kind::StatefulSet
    );

    /// Adds a pod (created by a controller or from a manifest).
    pub fn add_pod(&mut self, pod: Pod) -> PodId {
        let id = PodId(self.pods.len() as u32);
        if let Some(Owner::ReplicaSet(rs)) = pod.meta.owner {
            self.pods_by_rs.entry(rs).or_default().insert(id);
        }
        if let Some(Owner::StatefulSet(set)) = pod.meta.owner {
            self.pods_by_sts.entry(set).or_default().insert(id);
        }
        self.index_owned_pod(pod.meta.owner, id, true);
        self.pod_index.insert(id, &pod);
        self.pod_groups.insert(id, &pod);
        self.pods.push(pod);
        self.live_pods.insert(id);
        self.touch(Kind::Pod, id.0);
        id
    }

    /// What the live pods bound to `node` request, summed.
    pub fn requested_on(&self, node: NodeId) -> super::node_usage::Requested {
        self.node_usage.of(node)
    }

    /// Groups of bound, active pods in `namespace` that `selector` selects, with their counts per node.
    pub fn pod_groups_matching(
        &self,
        namespace: &str,
        selector: &LabelSelector,
    ) -> Vec<&super::pod_groups::PodGroup> {
        self.pod_groups.matching(namespace, selector)
    }

    /// Records a change to pod `id` and recounts it.
    fn touch_pod(&mut self, id: PodId) {
        self.pod_groups.refresh(id, &self.pods[id.index()]);
        self.touch(Kind::Pod, id.0);
    }

    /// Live pods controlled by `rs`, in creation order.
    pub fn pods_of_rs(&self, rs: RsId) -> impl Iterator<Item = PodId> + '_ {
        self.pods_by_rs.get(&rs).into_iter().flatten().copied()
    }

    /// Live pods controlled by `set`, in creation order.
    pub fn pods_of_sts(&self, set: StsId) -> impl Iterator<Item = PodId> + '_ {
        self.pods_by_sts.get(&set).into_iter().flatten().copied()
    }

    /// Live pods bound to `node`, in creation order.
    pub fn pods_on_node(&self, node: NodeId) -> impl Iterator<Item = PodId> + '_ {
        self.pods_by_node.get(&node).into_iter().flatten().copied()
    }

    /// The claim called `name` in `namespace`, if it exists.
    pub fn claim_by_name(&self, namespace: &str, name: &str) -> Option<PvcId> {
        // The newest claim of that name: an older one is gone, as the API server refuses a
        // second claim of a name while the first exists.
        let id = *self.claims_by_name.get(namespace)?.get(name)?;
        self.claims[id.index()].meta.exists().then_some(id)
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
            Write::Volume(w) => self.apply_volume(w, now),
            Write::Node(w) => self.apply_node(w, now),
            Write::SetPdbStatus { pdb, status } => {
                self.pdbs[pdb.index()].status = status;
                self.touch(Kind::PodDisruptionBudget, pdb.0);
            }
            Write::SetAttached {
                volume,
                node,
                attached,
            } => self.set_attached(volume, node, attached),
            Write::SetDetaching { volume, node } => {
                self.volumes[volume.index()].detaching_from.push(node);
                self.touch(Kind::PersistentVolume, volume.0);
            }
            Write::SetNodeImages { node, images } => {
                self.nodes[node.index()].images = images;
                self.touch(Kind::Node, node.0);
            }
            Write::SetNodeUnschedulable {
                node,
                unschedulable,
            } => {
                self.nodes[node.index()].unschedulable = unschedulable;
                self.touch(Kind::Node, node.0);
            }
            Write::SetVolumesInUse { node, volumes } => {
                self.nodes[node.index()].volumes_in_use = volumes;
                self.touch(Kind::Node, node.0);
            }
            w @ (Write::CreateNamedPod { .. }
            | Write::CreateClaim { .. }
            | Write::DeleteClaim { .. }
            | Write::SetClaimOwner { .. }
            | Write::UpdateStatefulSet { .. }
            | Write::SetStatefulSetStatus { .. }
            | Write::CreateRevision { .. }
            | Write::SetRevisionNumber { .. }
            | Write::DeleteRevision { .. }) => return self.apply_stateful(w, now),
            w @ (Write::UpdateDaemonSet { .. }
            | Write::SetDaemonSetStatus { .. }
            | Write::SetJobStatus { .. }) => self.apply_workload(w),
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
        self.create_pod_named(ns, &name, owner, t, now)
    }

    /// Creates a pod called `name` from a template (bound at once if the template names a node).
    pub(super) fn create_pod_named(
        &mut self,
        ns: &str,
        name: &str,
        owner: Owner,
        t: PodTemplate,
        now: SimTime,
    ) -> PodId {
        let mut meta = self.new_meta(name, ns, t.labels, now);
        meta.owner = Some(owner);
        self.create_pod_with_meta(meta, t.spec)
    }

    /// Creates a pod with `meta` (a controller's, or a bare Pod manifest's with no owner): its
    /// tolerations get the DefaultTolerationSeconds admission defaults, and it is bound at once if
    /// the spec names a node.
    pub fn create_pod_with_meta(&mut self, meta: Meta, spec: PodSpec) -> PodId {
        let mut spec = spec;
        super::node_health::default_toleration_seconds(&mut spec.tolerations);
        let node_name = spec.node_name.clone();
        let id = self.add_pod(Pod {
            meta,
            spec,
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
        // A terminated pod is deleted at once too (`CheckGracefulDelete`).
        let terminal = matches!(pod.phase, PodPhase::Succeeded | PodPhase::Failed);
        if pod.node.is_none() || terminal || grace == 0 && grace_period_ms.is_some() {
            return self.remove_pod(id, now);
        }
        pod.meta.deletion = Some(Deletion {
            requested: now,
            grace_period_ms: grace,
        });
        self.touch_pod(id);
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
        self.pod_index.remove(id, &self.pods[id.index()]);
        if let Some(Owner::ReplicaSet(rs)) = owner {
            self.pods_by_rs.entry(rs).or_default().remove(&id);
        }
        if let Some(Owner::StatefulSet(set)) = owner {
            self.pods_by_sts.entry(set).or_default().remove(&id);
        }
        self.index_owned_pod(owner, id, false);
        if let Some(node) = node {
            if self.pods_by_node.entry(node).or_default().remove(&id) {
                let spec = &self.pods[id.index()].spec;
                self.node_usage.update(node, spec, false);
            }
        }
        self.touch_pod(id);
    }

    fn bind_pod(&mut self, id: PodId, node: NodeId) {
        self.pods[id.index()].node = Some(node);
        if self.pods_by_node.entry(node).or_default().insert(id) {
            self.node_usage
                .update(node, &self.pods[id.index()].spec, true);
        }
        self.touch_pod(id);
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
        self.touch_pod(id);
    }

    fn set_attached(&mut self, volume: PvId, node: NodeId, attached: bool) {
        let v = &mut self.volumes[volume.index()];
        v.attached_to.retain(|n| *n != node);
        v.detaching_from.retain(|n| *n != node);
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
            affinity: Default::default(),
            topology_spread: Vec::new(),
            claims: vec![],
            node_name: None,
            hostname: None,
            subdomain: None,
            restart_policy: Default::default(),
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

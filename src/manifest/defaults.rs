//! API defaults of workloads, Services and storage (the `SetDefaults_*` functions the API server runs).
//!
//! Go's zero values decide what "unset" means: a pointer field is unset only when nil (`replicas: 0`
//! stays 0), a string field when empty. Pod-level defaults are in defaults_pod.rs.

use super::defaults_pod;
use super::{kinds, Object};
use k8s_openapi::api::apps::v1::{DaemonSet, Deployment, ReplicaSet, StatefulSet};
use k8s_openapi::api::batch::v1::Job;
use k8s_openapi::api::core::v1::{
    Node, PersistentVolume, PersistentVolumeClaimSpec, Secret, Service, SessionAffinityConfig,
};
use k8s_openapi::api::storage::v1::StorageClass;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

pub use defaults_pod::{pod, pod_template};

/// Applies every default for the object's kind, including metadata.namespace.
pub fn apply(obj: &mut Object) {
    namespace(obj);
    match obj {
        Object::Deployment(d) => deployment(d),
        Object::ReplicaSet(r) => replica_set(r),
        Object::StatefulSet(s) => stateful_set(s),
        Object::DaemonSet(d) => daemon_set(d),
        Object::Job(j) => job(j),
        Object::Pod(p) => pod(p),
        Object::Service(s) => service(s),
        Object::PersistentVolumeClaim(c) => c.spec.iter_mut().for_each(claim_spec),
        Object::PersistentVolume(v) => persistent_volume(v),
        Object::StorageClass(c) => storage_class(c),
        Object::Secret(s) => secret(s),
        Object::Node(n) => node(n),
        Object::ConfigMap(_) | Object::PodDisruptionBudget(_) => {}
    }
}

/// `default` for namespaced kinds (kubectl's namespace when none is given); cluster-scoped kinds
/// lose any namespace (kk:staging/src/k8s.io/apiserver/pkg/registry/rest/create.go `BeforeCreate`).
fn namespace(obj: &mut Object) {
    let namespaced = kinds::is_namespaced(obj.kind());
    let ns = &mut obj.metadata_mut().namespace;
    if !namespaced {
        *ns = None;
    } else {
        set_str(ns, "default");
    }
}

/// kk:pkg/apis/apps/v1/defaults.go `SetDefaults_Deployment` (minReadySeconds stays unset = 0).
pub fn deployment(d: &mut Deployment) {
    let Some(spec) = d.spec.as_mut() else { return };
    set_if_none(&mut spec.replicas, 1);
    let strategy = spec.strategy.get_or_insert_with(Default::default);
    set_str(&mut strategy.type_, "RollingUpdate");
    if strategy.type_.as_deref() == Some("RollingUpdate") {
        let rolling = strategy.rolling_update.get_or_insert_with(Default::default);
        set_if_none(
            &mut rolling.max_unavailable,
            IntOrString::String("25%".into()),
        );
        set_if_none(&mut rolling.max_surge, IntOrString::String("25%".into()));
    }
    set_if_none(&mut spec.revision_history_limit, 10);
    set_if_none(&mut spec.progress_deadline_seconds, 600);
    pod_template(&mut spec.template);
}

/// kk:pkg/apis/apps/v1/defaults.go `SetDefaults_ReplicaSet`.
pub fn replica_set(r: &mut ReplicaSet) {
    let Some(spec) = r.spec.as_mut() else { return };
    set_if_none(&mut spec.replicas, 1);
    spec.template.iter_mut().for_each(pod_template);
}

/// kk:pkg/apis/apps/v1/defaults.go `SetDefaults_StatefulSet`. maxUnavailable is left unset: it is
/// defaulted only behind the alpha MaxUnavailableStatefulSet gate. StatefulSetAutoDeletePVC is GA.
pub fn stateful_set(s: &mut StatefulSet) {
    let Some(spec) = s.spec.as_mut() else { return };
    set_str(&mut spec.pod_management_policy, "OrderedReady");
    let strategy = spec.update_strategy.get_or_insert_with(Default::default);
    if strategy.type_.as_deref().unwrap_or_default().is_empty() {
        strategy.type_ = Some("RollingUpdate".into());
        strategy.rolling_update.get_or_insert_with(Default::default);
    }
    if strategy.type_.as_deref() == Some("RollingUpdate") {
        if let Some(rolling) = strategy.rolling_update.as_mut() {
            set_if_none(&mut rolling.partition, 0);
        }
    }
    let retention = spec
        .persistent_volume_claim_retention_policy
        .get_or_insert_with(Default::default);
    set_str(&mut retention.when_deleted, "Retain");
    set_str(&mut retention.when_scaled, "Retain");
    set_if_none(&mut spec.replicas, 1);
    set_if_none(&mut spec.revision_history_limit, 10);
    pod_template(&mut spec.template);
    // The claim templates get PVC defaults too (kk:pkg/apis/apps/v1/zz_generated.defaults.go).
    let claims = spec.volume_claim_templates.iter_mut().flatten();
    claims.filter_map(|c| c.spec.as_mut()).for_each(claim_spec);
}

/// kk:pkg/apis/apps/v1/defaults.go `SetDefaults_DaemonSet`.
pub fn daemon_set(d: &mut DaemonSet) {
    let Some(spec) = d.spec.as_mut() else { return };
    let strategy = spec.update_strategy.get_or_insert_with(Default::default);
    set_str(&mut strategy.type_, "RollingUpdate");
    if strategy.type_.as_deref() == Some("RollingUpdate") {
        let rolling = strategy.rolling_update.get_or_insert_with(Default::default);
        set_if_none(&mut rolling.max_unavailable, IntOrString::Int(1));
        set_if_none(&mut rolling.max_surge, IntOrString::Int(0));
    }
    set_if_none(&mut spec.revision_history_limit, 10);
    pod_template(&mut spec.template);
}

/// kk:pkg/apis/batch/v1/defaults.go `SetDefaults_Job` (JobPodReplacementPolicy is on by default
/// since 1.29). The selector and its controller-uid label are generated by the API server's
/// registry from the object's uid, which a manifest has not got; they are not generated here.
pub fn job(j: &mut Job) {
    let Some(spec) = j.spec.as_mut() else { return };
    if spec.completions.is_none() && spec.parallelism.is_none() {
        spec.completions = Some(1);
    }
    set_if_none(&mut spec.parallelism, 1);
    let backoff = if spec.backoff_limit_per_index.is_some() {
        i32::MAX
    } else {
        6
    };
    set_if_none(&mut spec.backoff_limit, backoff);
    let template_labels = spec
        .template
        .metadata
        .as_ref()
        .and_then(|m| m.labels.clone());
    if template_labels.is_some() && j.metadata.labels.as_ref().is_none_or(|l| l.is_empty()) {
        j.metadata.labels = template_labels;
    }
    set_if_none(&mut spec.completion_mode, "NonIndexed".into());
    set_if_none(&mut spec.suspend, false);
    let replacement = if spec.pod_failure_policy.is_some() {
        "Failed"
    } else {
        "TerminatingOrFailed"
    };
    set_if_none(&mut spec.pod_replacement_policy, replacement.into());
    pod_template(&mut spec.template);
}

/// kk:pkg/apis/core/v1/defaults.go `SetDefaults_Service`. A headless Service (clusterIP: None)
/// gets the same defaults; it simply has no virtual IP.
pub fn service(s: &mut Service) {
    let Some(spec) = s.spec.as_mut() else { return };
    set_str(&mut spec.session_affinity, "None");
    match spec.session_affinity.as_deref() {
        Some("None") => spec.session_affinity_config = None,
        Some("ClientIP") => client_ip_timeout(&mut spec.session_affinity_config),
        _ => {}
    }
    set_str(&mut spec.type_, "ClusterIP");
    for port in spec.ports.iter_mut().flatten() {
        set_str(&mut port.protocol, "TCP");
        let unset = matches!(&port.target_port, None | Some(IntOrString::Int(0)))
            || matches!(&port.target_port, Some(IntOrString::String(s)) if s.is_empty());
        if unset {
            port.target_port = Some(IntOrString::Int(port.port));
        }
    }
    let ty = spec.type_.as_deref().unwrap_or_default();
    let external = ty == "NodePort" || ty == "LoadBalancer";
    if external {
        set_str(&mut spec.external_traffic_policy, "Cluster");
    }
    if external || ty == "ClusterIP" {
        set_if_none(&mut spec.internal_traffic_policy, "Cluster".into());
    }
    if ty == "LoadBalancer" {
        set_if_none(&mut spec.allocate_load_balancer_node_ports, true);
    }
}

/// ClientIP affinity lasts 10800 s unless configured (`v1.DefaultClientIPServiceAffinitySeconds`).
fn client_ip_timeout(config: &mut Option<SessionAffinityConfig>) {
    let client_ip = config
        .get_or_insert_with(Default::default)
        .client_ip
        .get_or_insert_with(Default::default);
    set_if_none(&mut client_ip.timeout_seconds, 10800);
}

/// kk:pkg/apis/core/v1/defaults.go `SetDefaults_PersistentVolumeClaimSpec`.
pub fn claim_spec(spec: &mut PersistentVolumeClaimSpec) {
    set_if_none(&mut spec.volume_mode, "Filesystem".into());
}

/// kk:pkg/apis/core/v1/defaults.go `SetDefaults_PersistentVolume` (status.phase is left to the
/// simulator's PV controller).
pub fn persistent_volume(v: &mut PersistentVolume) {
    let Some(spec) = v.spec.as_mut() else { return };
    set_str(&mut spec.persistent_volume_reclaim_policy, "Retain");
    set_if_none(&mut spec.volume_mode, "Filesystem".into());
}

/// kk:pkg/apis/storage/v1/defaults.go `SetDefaults_StorageClass`.
pub fn storage_class(c: &mut StorageClass) {
    set_if_none(&mut c.reclaim_policy, "Delete".into());
    set_if_none(&mut c.volume_binding_mode, "Immediate".into());
}

/// kk:pkg/apis/core/v1/defaults.go `SetDefaults_Secret`.
pub fn secret(s: &mut Secret) {
    set_str(&mut s.type_, "Opaque");
}

/// kk:pkg/apis/core/v1/defaults.go `SetDefaults_NodeStatus`: allocatable defaults to capacity.
pub fn node(n: &mut Node) {
    if let Some(status) = n.status.as_mut() {
        if status.allocatable.is_none() {
            status.allocatable = status.capacity.clone();
        }
    }
}

/// A Go string field: unset when absent or empty.
pub(crate) fn set_str(slot: &mut Option<String>, value: &str) {
    if slot.as_deref().is_none_or(str::is_empty) {
        *slot = Some(value.to_string());
    }
}

/// A Go pointer field: unset only when absent.
pub(crate) fn set_if_none<T>(slot: &mut Option<T>, value: T) {
    if slot.is_none() {
        *slot = Some(value);
    }
}

/// A Go integer field that is not a pointer: unset when absent or 0.
pub(crate) fn set_if_zero<T: Default + PartialEq>(slot: &mut Option<T>, value: T) {
    if slot.as_ref().is_none_or(|v| *v == T::default()) {
        *slot = Some(value);
    }
}

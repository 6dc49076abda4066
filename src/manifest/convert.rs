//! Converts defaulted k8s-openapi objects into the store's compact objects (`api`).

use crate::api::*;
use crate::engine::SimTime;
use crate::manifest::quantity::{parse_bytes, parse_cpu_milli};
use k8s_openapi::api::core::v1 as core;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use std::collections::BTreeMap;

pub use super::convert_batch::*;
pub use super::convert_storage::*;

/// `matchLabels` of a selector (`matchExpressions` are not modelled yet).
pub fn selector(sel: &LabelSelector) -> Labels {
    sel.match_labels.clone().unwrap_or_default()
}

fn labels(meta: &k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta) -> Labels {
    meta.labels.clone().unwrap_or_default()
}

/// A pod template's labels and spec.
pub fn template(t: &core::PodTemplateSpec) -> PodTemplate {
    let labels = t.metadata.as_ref().map(labels).unwrap_or_default();
    PodTemplate {
        labels,
        spec: pod_spec(t.spec.as_ref()),
    }
}

/// The parts of a PodSpec the model reads (defaults were applied when loading).
pub fn pod_spec(spec: Option<&core::PodSpec>) -> PodSpec {
    let Some(s) = spec else {
        return PodSpec {
            containers: Vec::new(),
            termination_grace_period_ms: 30_000,
            node_selector: BTreeMap::new(),
            tolerations: Vec::new(),
            affinity: Default::default(),
            topology_spread: Vec::new(),
            claims: Vec::new(),
            node_name: None,
            hostname: None,
            subdomain: None,
            restart_policy: RestartPolicy::Always,
        };
    };
    let claims = s
        .volumes
        .iter()
        .flatten()
        .filter_map(|v| {
            v.persistent_volume_claim
                .as_ref()
                .map(|c| c.claim_name.clone())
        })
        .collect();
    PodSpec {
        containers: s.containers.iter().map(container).collect(),
        termination_grace_period_ms: s.termination_grace_period_seconds.unwrap_or(30).max(0) as u64
            * 1000,
        node_selector: s.node_selector.clone().unwrap_or_default(),
        tolerations: s.tolerations.iter().flatten().map(toleration).collect(),
        affinity: super::convert_affinity::affinity(s.affinity.as_ref()),
        topology_spread: super::convert_affinity::spread(s.topology_spread_constraints.as_ref()),
        claims,
        node_name: s.node_name.clone(),
        hostname: s.hostname.clone(),
        subdomain: s.subdomain.clone(),
        restart_policy: match s.restart_policy.as_deref() {
            Some("OnFailure") => RestartPolicy::OnFailure,
            Some("Never") => RestartPolicy::Never,
            _ => RestartPolicy::Always,
        },
    }
}

fn container(c: &core::Container) -> Container {
    let requests = c.resources.as_ref().and_then(|r| r.requests.as_ref());
    let cpu_milli = requests
        .and_then(|r| r.get("cpu"))
        .and_then(|q| parse_cpu_milli(q).ok())
        .unwrap_or(0);
    let memory_bytes = requests
        .and_then(|r| r.get("memory"))
        .and_then(|q| parse_bytes(q).ok())
        .unwrap_or(0);
    let pull_policy = match c.image_pull_policy.as_deref() {
        Some("Always") => PullPolicy::Always,
        Some("Never") => PullPolicy::Never,
        _ => PullPolicy::IfNotPresent,
    };
    Container {
        name: c.name.clone(),
        image: c.image.clone().unwrap_or_default(),
        pull_policy,
        cpu_milli,
        memory_bytes,
        readiness: c.readiness_probe.as_ref().map(probe),
        liveness: c.liveness_probe.as_ref().map(probe),
        startup: c.startup_probe.as_ref().map(probe),
        has_pre_stop: c.lifecycle.as_ref().is_some_and(|l| l.pre_stop.is_some()),
    }
}

fn secs_ms(v: Option<i32>, default_s: i32) -> u64 {
    v.unwrap_or(default_s).max(0) as u64 * 1000
}

fn probe(p: &core::Probe) -> Probe {
    Probe {
        initial_delay_ms: secs_ms(p.initial_delay_seconds, 0),
        period_ms: secs_ms(p.period_seconds, 10),
        timeout_ms: secs_ms(p.timeout_seconds, 1),
        success_threshold: p.success_threshold.unwrap_or(1).max(1) as u32,
        failure_threshold: p.failure_threshold.unwrap_or(3).max(1) as u32,
    }
}

fn toleration(t: &core::Toleration) -> Toleration {
    Toleration {
        key: t.key.clone().filter(|k| !k.is_empty()),
        value: t.value.clone(),
        effect: t.effect.clone().filter(|e| !e.is_empty()),
        exists: t.operator.as_deref() == Some("Exists"),
        toleration_seconds: t.toleration_seconds.map(|s| s.max(0) as u64),
    }
}

/// A Service.
pub fn service(s: &core::Service, meta: Meta) -> Service {
    let spec = s.spec.clone().unwrap_or_default();
    let kind = match spec.type_.as_deref() {
        Some("LoadBalancer") => ServiceType::LoadBalancer,
        Some("NodePort") => ServiceType::NodePort,
        _ => ServiceType::ClusterIp,
    };
    Service {
        meta,
        kind,
        headless: spec.cluster_ip.as_deref() == Some("None"),
        selector: spec.selector.clone(),
        publish_not_ready: spec.publish_not_ready_addresses.unwrap_or(false),
        cluster_ip: None,
        endpoints: Vec::new(),
    }
}

/// A PersistentVolumeClaim (storage request parsed; access modes mapped).
pub fn claim(c: &core::PersistentVolumeClaim, meta: Meta, default_class: Option<&str>) -> Claim {
    let spec = c.spec.clone().unwrap_or_default();
    let request_bytes = spec
        .resources
        .as_ref()
        .and_then(|r| r.requests.as_ref())
        .and_then(|r| r.get("storage"))
        .and_then(|q| parse_bytes(q).ok())
        .unwrap_or(0);
    Claim {
        meta,
        storage_class: spec
            .storage_class_name
            .clone()
            .or(default_class.map(str::to_string)),
        request_bytes,
        access_modes: spec
            .access_modes
            .iter()
            .flatten()
            .filter_map(|m| access_mode(m))
            .collect(),
        phase: ClaimPhase::Pending,
        volume: None,
        capacity_bytes: None,
        selector: spec.selector.as_ref().map(label_selector),
        volume_name: spec.volume_name.clone().filter(|v| !v.is_empty()),
        volume_mode: volume_mode(spec.volume_mode.as_deref()),
    }
}

/// Metadata for an object loaded from a manifest at `now`.
pub fn meta(
    store: &mut Store,
    m: &k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta,
    now: SimTime,
) -> Meta {
    let name = m.name.clone().unwrap_or_default();
    let ns = m.namespace.clone().unwrap_or_else(|| "default".into());
    let mut meta = store.new_meta(&name, &ns, labels(m), now);
    meta.annotations = m.annotations.clone().unwrap_or_default();
    meta
}

/// Metadata of an object not yet in the store (it gets its uid and times when it is created).
pub fn unstored_meta(m: &k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta) -> Meta {
    Meta {
        name: m.name.clone().unwrap_or_default(),
        namespace: m.namespace.clone().unwrap_or_else(|| "default".into()),
        uid: String::new(),
        labels: labels(m),
        annotations: m.annotations.clone().unwrap_or_default(),
        resource_version: 0,
        generation: 1,
        created: SimTime(0),
        owner: None,
        deletion: None,
        gone: None,
    }
}

/// A Deployment; the defaulted manifest is kept as `source` for later patches and `set-image`.
pub fn deployment(d: &k8s_openapi::api::apps::v1::Deployment, meta: Meta) -> Deployment {
    let spec = d.spec.clone().unwrap_or_default();
    Deployment {
        meta,
        replicas: spec.replicas.unwrap_or(1).max(0) as u32,
        selector: selector(&spec.selector),
        template: template(&spec.template),
        strategy: strategy(spec.strategy.as_ref()),
        min_ready_ms: spec.min_ready_seconds.unwrap_or(0).max(0) as u64 * 1000,
        revision_history_limit: spec.revision_history_limit.unwrap_or(10).max(0) as u32,
        progress_deadline_ms: spec
            .progress_deadline_seconds
            .map(|s| s.max(0) as u64 * 1000),
        paused: spec.paused.unwrap_or(false),
        status: DeploymentStatus::default(),
        source: Box::new(d.clone()),
    }
}

/// `spec.strategy` with maxSurge / maxUnavailable kept as written (`3` or `25%`).
fn strategy(s: Option<&k8s_openapi::api::apps::v1::DeploymentStrategy>) -> Strategy {
    use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
    let show = |v: Option<&IntOrString>, d: &str| match v {
        Some(IntOrString::Int(i)) => i.to_string(),
        Some(IntOrString::String(s)) => s.clone(),
        None => d.to_string(),
    };
    match s.and_then(|s| s.type_.as_deref()) {
        Some("Recreate") => Strategy::Recreate,
        _ => {
            let ru = s.and_then(|s| s.rolling_update.as_ref());
            Strategy::RollingUpdate {
                max_surge: show(ru.and_then(|r| r.max_surge.as_ref()), "25%"),
                max_unavailable: show(ru.and_then(|r| r.max_unavailable.as_ref()), "25%"),
            }
        }
    }
}

/// A StatefulSet; the defaulted manifest is kept as `source` for later patches and `set-image`.
/// Its claim templates get `default_class` when they name no class (the DefaultStorageClass
/// admission plugin sets it on each claim the controller creates).
pub fn stateful_set(
    s: &k8s_openapi::api::apps::v1::StatefulSet,
    meta: Meta,
    default_class: Option<&str>,
) -> StatefulSet {
    let spec = s.spec.clone().unwrap_or_default();
    let claim_templates = spec
        .volume_claim_templates
        .iter()
        .flatten()
        .map(|c| claim(c, unstored_meta(&c.metadata), default_class))
        .collect();
    StatefulSet {
        meta,
        replicas: spec.replicas.unwrap_or(1).max(0) as u32,
        selector: selector(&spec.selector),
        template: template(&spec.template),
        service_name: spec.service_name.clone().unwrap_or_default(),
        pod_management: match spec.pod_management_policy.as_deref() {
            Some("Parallel") => PodManagement::Parallel,
            _ => PodManagement::OrderedReady,
        },
        update_strategy: sts_strategy(spec.update_strategy.as_ref()),
        min_ready_ms: spec.min_ready_seconds.unwrap_or(0).max(0) as u64 * 1000,
        start_ordinal: spec
            .ordinals
            .as_ref()
            .and_then(|o| o.start)
            .unwrap_or(0)
            .max(0) as u32,
        revision_history_limit: spec.revision_history_limit.unwrap_or(10).max(0) as u32,
        claim_templates,
        retention: retention(spec.persistent_volume_claim_retention_policy.as_ref()),
        status: StatefulSetStatus::default(),
        source: Box::new(s.clone()),
    }
}

/// `spec.updateStrategy` (RollingUpdate with partition 0 unless it says OnDelete).
fn sts_strategy(
    s: Option<&k8s_openapi::api::apps::v1::StatefulSetUpdateStrategy>,
) -> StsUpdateStrategy {
    use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
    if s.and_then(|s| s.type_.as_deref()) == Some("OnDelete") {
        return StsUpdateStrategy::OnDelete;
    }
    let ru = s.and_then(|s| s.rolling_update.as_ref());
    StsUpdateStrategy::RollingUpdate {
        partition: ru.and_then(|r| r.partition).unwrap_or(0).max(0) as u32,
        max_unavailable: ru
            .and_then(|r| r.max_unavailable.as_ref())
            .map(|v| match v {
                IntOrString::Int(i) => i.to_string(),
                IntOrString::String(s) => s.clone(),
            }),
    }
}

/// `spec.persistentVolumeClaimRetentionPolicy` (Retain unless it says Delete).
fn retention(
    p: Option<&k8s_openapi::api::apps::v1::StatefulSetPersistentVolumeClaimRetentionPolicy>,
) -> RetentionPolicy {
    let of = |v: Option<&String>| match v.map(String::as_str) {
        Some("Delete") => Retention::Delete,
        _ => Retention::Retain,
    };
    RetentionPolicy {
        when_deleted: of(p.and_then(|p| p.when_deleted.as_ref())),
        when_scaled: of(p.and_then(|p| p.when_scaled.as_ref())),
    }
}

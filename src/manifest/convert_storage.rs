//! Converts storage and policy objects (PersistentVolume, StorageClass, PodDisruptionBudget) and
//! selectors into the store's compact objects; `convert` re-exports these.

use crate::api::*;
use crate::manifest::quantity::parse_bytes;
use k8s_openapi::api::core::v1 as core;
use k8s_openapi::api::storage::v1 as storage;
use k8s_openapi::apimachinery::pkg::apis::meta::v1 as meta;

/// A label selector with its `matchExpressions` (validated when loading; an unknown operator matches nothing).
pub fn label_selector(sel: &meta::LabelSelector) -> LabelSelector {
    let expr = |r: &meta::LabelSelectorRequirement| requirement(&r.key, &r.operator, &r.values);
    LabelSelector {
        match_labels: sel.match_labels.clone().unwrap_or_default(),
        match_expressions: sel.match_expressions.iter().flatten().map(expr).collect(),
    }
}

fn requirement(key: &str, op: &str, values: &Option<Vec<String>>) -> Requirement {
    Requirement {
        key: key.to_string(),
        // An operator that validation let through but the model does not know selects nothing.
        operator: Operator::parse(op).unwrap_or(Operator::In),
        values: if Operator::parse(op).is_some() {
            values.clone().unwrap_or_default()
        } else {
            Vec::new()
        },
    }
}

/// `nodeSelectorTerms` (only `matchExpressions`; `matchFields` select no node here).
pub fn node_selector(sel: &core::NodeSelector) -> NodeSelector {
    let term = |t: &core::NodeSelectorTerm| {
        let exprs = t.match_expressions.iter().flatten();
        exprs
            .map(|r| requirement(&r.key, &r.operator, &r.values))
            .collect()
    };
    NodeSelector {
        terms: sel.node_selector_terms.iter().map(term).collect(),
    }
}

/// `volumeMode` (defaulted to Filesystem when loading).
pub fn volume_mode(mode: Option<&str>) -> VolumeMode {
    match mode {
        Some("Block") => VolumeMode::Block,
        _ => VolumeMode::Filesystem,
    }
}

/// `persistentVolumeReclaimPolicy` or a class's `reclaimPolicy`.
pub fn reclaim_policy(policy: Option<&str>, default: ReclaimPolicy) -> ReclaimPolicy {
    match policy {
        Some("Delete") => ReclaimPolicy::Delete,
        Some("Recycle") => ReclaimPolicy::Recycle,
        Some("Retain") => ReclaimPolicy::Retain,
        _ => default,
    }
}

/// An access mode by its API name.
pub fn access_mode(m: &str) -> Option<AccessMode> {
    match m {
        "ReadWriteOnce" => Some(AccessMode::ReadWriteOnce),
        "ReadOnlyMany" => Some(AccessMode::ReadOnlyMany),
        "ReadWriteMany" => Some(AccessMode::ReadWriteMany),
        "ReadWriteOncePod" => Some(AccessMode::ReadWriteOncePod),
        _ => None,
    }
}

/// A PersistentVolume as created by hand: Pending until the PV controller first syncs it.
pub fn volume(v: &core::PersistentVolume, meta: Meta) -> Volume {
    let spec = v.spec.clone().unwrap_or_default();
    let capacity_bytes = spec
        .capacity
        .as_ref()
        .and_then(|c| c.get("storage"))
        .and_then(|q| parse_bytes(q).ok())
        .unwrap_or(0);
    let modes = spec.access_modes.iter().flatten();
    let pre_bound = spec.claim_ref.as_ref().map(|r| {
        let ns = r.namespace.clone().filter(|n| !n.is_empty());
        (
            ns.unwrap_or_else(|| "default".into()),
            r.name.clone().unwrap_or_default(),
        )
    });
    let binding = VolumeBinding {
        reclaim_policy: reclaim_policy(
            spec.persistent_volume_reclaim_policy.as_deref(),
            ReclaimPolicy::Retain,
        ),
        volume_mode: volume_mode(spec.volume_mode.as_deref()),
        phase: VolumePhase::Pending,
        pre_bound,
        node_affinity: spec
            .node_affinity
            .as_ref()
            .and_then(|a| a.required.as_ref())
            .map(node_selector),
        attachable: is_attachable(&spec),
    };
    Volume {
        meta,
        storage_class: spec.storage_class_name.clone().filter(|c| !c.is_empty()),
        capacity_bytes,
        access_modes: modes.filter_map(|m| access_mode(m)).collect(),
        claim: None,
        attached_to: Vec::new(),
        detaching_from: Vec::new(),
        binding,
    }
}

/// Whether the volume's plugin attaches it to a node first: not hostPath, local, NFS and the other
/// network file systems that are mounted directly (kk:pkg/volume/*: plugins without an `Attacher`).
fn is_attachable(spec: &core::PersistentVolumeSpec) -> bool {
    let mounted_directly = spec.host_path.is_some()
        || spec.local.is_some()
        || spec.nfs.is_some()
        || spec.cephfs.is_some()
        || spec.glusterfs.is_some()
        || spec.azure_file.is_some();
    !mounted_directly
}

/// A StorageClass (defaults applied when loading: reclaimPolicy Delete, volumeBindingMode Immediate).
pub fn storage_class(c: &storage::StorageClass) -> StorageClass {
    let term = |t: &core::TopologySelectorTerm| {
        let exprs = t.match_label_expressions.iter().flatten();
        exprs
            .map(|e| requirement(&e.key, "In", &Some(e.values.clone())))
            .collect()
    };
    let topologies = c.allowed_topologies.as_ref().filter(|t| !t.is_empty());
    StorageClass {
        name: c.metadata.name.clone().unwrap_or_default(),
        provisioner: c.provisioner.clone(),
        reclaim_policy: reclaim_policy(c.reclaim_policy.as_deref(), ReclaimPolicy::Delete),
        wait_for_first_consumer: c.volume_binding_mode.as_deref() == Some("WaitForFirstConsumer"),
        allowed_topologies: topologies.map(|t| NodeSelector {
            terms: t.iter().map(term).collect(),
        }),
    }
}

/// A PodDisruptionBudget (policy/v1): its selector and budget; the status starts empty.
pub fn pdb(p: &k8s_openapi::api::policy::v1::PodDisruptionBudget, meta: Meta) -> Pdb {
    let spec = p.spec.clone().unwrap_or_default();
    let budget = match (&spec.min_available, &spec.max_unavailable) {
        (Some(min), _) => Budget::MinAvailable(int_or_percent(min)),
        (None, Some(max)) => Budget::MaxUnavailable(int_or_percent(max)),
        (None, None) => Budget::Unset,
    };
    Pdb {
        meta,
        selector: spec.selector.as_ref().map(label_selector),
        budget,
        status: PdbStatus::default(),
    }
}

/// `2` or `50%` (validated when loading).
fn int_or_percent(v: &k8s_openapi::apimachinery::pkg::util::intstr::IntOrString) -> IntOrPercent {
    use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
    match v {
        IntOrString::Int(n) => IntOrPercent::Int(*n),
        IntOrString::String(s) => {
            let pct = s.trim_end_matches('%').parse().unwrap_or(0);
            IntOrPercent::Percent(pct)
        }
    }
}

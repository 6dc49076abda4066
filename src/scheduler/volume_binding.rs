//! VolumeBinding (kk:pkg/scheduler/framework/plugins/volumebinding/volume_binding.go, binder.go): the
//! pod's claims sorted into bound and WaitForFirstConsumer ones at PreFilter, a node's fit for them at
//! Filter, and the writes of Reserve/PreBind (a static volume's claimRef, or the claim's selected node).

use super::fit_error::Rejection;
use crate::api::{ann, ClaimPhase, NodeId, Pod, PvId, PvcId, Store, VolumeWrite, Write};
use crate::controllers::pv_controller::{claim_class, find_matching_volume, is_delay_binding};
use std::collections::BTreeSet;

/// binder.go `ErrReasonBindConflict`.
pub const BIND_CONFLICT: &str = "node(s) didn't find available persistent volumes to bind";
/// binder.go `ErrReasonNodeConflict`.
pub const NODE_CONFLICT: &str = "node(s) had volume node affinity conflict";
/// binder.go `ErrReasonPVNotExist`.
pub const PV_NOT_EXIST: &str =
    "node(s) unavailable due to one or more pvc(s) bound to non-existent pv(s)";
/// volume_binding.go `PreFilter`: an Immediate claim the PV controller has not bound yet.
pub const UNBOUND_IMMEDIATE: &str = "pod has unbound immediate PersistentVolumeClaims";

/// PreFilter's state (`PodVolumeClaims`): the pod's claims that are bound, and the WaitForFirstConsumer
/// ones that are not, in the pod's order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PodVolumes {
    pub bound: Vec<PvcId>,
    pub delayed: Vec<PvcId>,
}

/// `PreFilter` with `podHasPVCs` and `GetPodVolumeClaims`: the pod's claims, or the
/// UnschedulableAndUnresolvable message that rejects every node.
pub fn pre_filter(store: &Store, pod: &Pod) -> Result<PodVolumes, String> {
    let mut vols = PodVolumes::default();
    let mut immediate = false;
    for name in &pod.spec.claims {
        let id = claim_usable(store, &pod.meta.namespace, name)?;
        let c = &store.claims[id.index()];
        if is_fully_bound(store, id) {
            vols.bound.push(id);
        } else if is_delay_binding(store, c) {
            vols.delayed.push(id);
        } else {
            immediate = true;
        }
    }
    match immediate {
        true => Err(UNBOUND_IMMEDIATE.to_string()),
        false => Ok(vols),
    }
}

/// `podHasPVCs`: the claim exists, is not Lost and is not being deleted (its messages).
fn claim_usable(store: &Store, namespace: &str, name: &str) -> Result<PvcId, String> {
    let id = store
        .claim_by_name(namespace, name)
        .ok_or_else(|| format!("persistentvolumeclaim {name:?} not found"))?;
    let c = &store.claims[id.index()];
    if c.phase == ClaimPhase::Lost {
        let pv = c.volume_name.as_deref().unwrap_or("");
        return Err(format!(
            "persistentvolumeclaim {name:?} bound to non-existent persistentvolume {pv:?}"
        ));
    }
    if c.meta.deletion.is_some() {
        return Err(format!("persistentvolumeclaim {name:?} is being deleted"));
    }
    Ok(id)
}

/// `isPVCFullyBound`: `spec.volumeName` set and the `bind-completed` annotation present.
fn is_fully_bound(store: &Store, id: PvcId) -> bool {
    let c = &store.claims[id.index()];
    c.volume_name.is_some() && c.meta.annotations.contains_key(ann::BIND_COMPLETED)
}

/// What Reserve does on the chosen node (`PodVolumes`): volumes to pre-bind, claims to provision.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Decisions {
    pub static_bindings: Vec<(PvcId, PvId)>,
    pub provisions: Vec<PvcId>,
}

/// `Filter` through `FindPodVolumes`: the node's reasons (UnschedulableAndUnresolvable), if any.
pub fn filter(store: &Store, vols: &PodVolumes, node: NodeId) -> Option<Rejection> {
    let reasons = match find_pod_volumes(store, vols, node) {
        Ok(_) => return None,
        Err(reasons) => reasons,
    };
    Some(Rejection {
        reasons: reasons.into_iter().map(Into::into).collect(),
        resolvable: false,
        plugin: None, // tagged by the filter loop (plugins.rs)
    })
}

/// binder.go `FindPodVolumes`: bound claims' volumes must reach the node (`checkBoundClaims`); each
/// unbound claim needs a static volume that reaches it (`findMatchingVolumes`) or a class that can
/// provision there (`checkVolumeProvisions`). A claim already given a selected node fits only that node.
pub fn find_pod_volumes(
    store: &Store,
    vols: &PodVolumes,
    node: NodeId,
) -> Result<Decisions, Vec<&'static str>> {
    let mut reasons = Vec::new();
    if let Err(r) = check_bound_claims(store, &vols.bound, node) {
        reasons.push(r);
    }
    let node_name = &store.nodes[node.index()].meta.name;
    let mut to_match = Vec::new();
    let mut decisions = Decisions::default();
    let mut satisfied = true;
    for &id in &vols.delayed {
        match store.claims[id.index()]
            .meta
            .annotations
            .get(ann::SELECTED_NODE)
        {
            Some(selected) if selected != node_name => satisfied = false,
            Some(_) => decisions.provisions.push(id),
            None => to_match.push(id),
        }
    }
    if satisfied {
        let unmatched = find_matching_volumes(store, &to_match, node, &mut decisions);
        decisions.provisions.extend(unmatched);
        satisfied = decisions
            .provisions
            .iter()
            .all(|&c| can_provision(store, c, node));
    }
    if !satisfied {
        reasons.push(BIND_CONFLICT);
    }
    match reasons.is_empty() {
        true => Ok(decisions),
        false => Err(reasons),
    }
}

/// `checkBoundClaims`: every bound claim's volume exists and its node affinity admits the node.
fn check_bound_claims(store: &Store, bound: &[PvcId], node: NodeId) -> Result<(), &'static str> {
    let labels = &store.nodes[node.index()].meta.labels;
    for &id in bound {
        let c = &store.claims[id.index()];
        let name = c.volume_name.as_deref().unwrap_or("");
        let Some(v) = store
            .volumes
            .iter()
            .find(|v| v.meta.exists() && v.meta.name == name)
        else {
            return Err(PV_NOT_EXIST);
        };
        if v.binding
            .node_affinity
            .as_ref()
            .is_some_and(|a| !a.matches(labels))
        {
            return Err(NODE_CONFLICT);
        }
    }
    Ok(())
}

/// `findMatchingVolumes`: claims from the smallest request up each take the smallest Available volume
/// of their class that reaches the node (`FindMatchingVolume` with the node, delay binding), a volume
/// chosen for one claim not offered to the next. Returns the claims left without one.
fn find_matching_volumes(
    store: &Store,
    claims: &[PvcId],
    node: NodeId,
    decisions: &mut Decisions,
) -> Vec<PvcId> {
    let mut sorted = claims.to_vec();
    sorted.sort_by_key(|c| store.claims[c.index()].request_bytes);
    let all: Vec<PvId> = (0..store.volumes.len() as u32).map(PvId).collect();
    let mut chosen = BTreeSet::new();
    let mut unmatched = Vec::new();
    for id in sorted {
        match find_matching_volume(store, id, &all, Some(node), &chosen, true) {
            Some(v) => {
                chosen.insert(v);
                decisions.static_bindings.push((id, v));
            }
            None => unmatched.push(id),
        }
    }
    unmatched
}

/// `checkVolumeProvisions` for one claim: its class exists, has a provisioner, and its
/// `allowedTopologies` admit the node (`MatchTopologySelectorTerms`; none: every node).
fn can_provision(store: &Store, claim: PvcId, node: NodeId) -> bool {
    let c = &store.claims[claim.index()];
    let Some(class) = store.storage_classes.get(claim_class(c)) else {
        return false;
    };
    let labels = &store.nodes[node.index()].meta.labels;
    let provisioner = &class.provisioner;
    !provisioner.is_empty()
        && provisioner != crate::api::storage::NO_PROVISIONER
        && class
            .allowed_topologies
            .as_ref()
            .is_none_or(|t| t.matches(labels))
}

/// `AssumePodVolumes` and `BindPodVolumes`' API updates (`bindAPIUpdate`): each static volume gets the
/// claim's claimRef, each claim to provision the `selected-node` annotation (skipped when present).
pub fn pre_bind_writes(store: &Store, d: &Decisions, node: NodeId) -> Vec<Write> {
    let node_name = &store.nodes[node.index()].meta.name;
    let reserve = d
        .static_bindings
        .iter()
        .map(|&(claim, volume)| Write::Volume(VolumeWrite::Reserve { volume, claim }));
    let annotate = d
        .provisions
        .iter()
        .filter(|c| {
            let a = &store.claims[c.index()].meta.annotations;
            a.get(ann::SELECTED_NODE) != Some(node_name)
        })
        .map(|&claim| {
            Write::Volume(VolumeWrite::AnnotateClaim {
                claim,
                key: ann::SELECTED_NODE.into(),
                value: node_name.clone(),
            })
        });
    reserve.chain(annotate).collect()
}

/// binder.go `checkBindings`: every claim of the pod is fully bound to a volume whose claimRef names it
/// (PreBind's wait ends; the pod can be bound to its node).
pub fn all_bound(store: &Store, pod: &Pod) -> bool {
    pod.spec.claims.iter().all(|name| {
        let Some(id) = store.claim_by_name(&pod.meta.namespace, name) else {
            return false;
        };
        let c = &store.claims[id.index()];
        is_fully_bound(store, id)
            && c.volume
                .is_some_and(|v| store.volumes[v.index()].claim == Some(id))
    })
}

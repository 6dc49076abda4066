//! Which volume a claim binds to: `findBestMatchForClaim` over the volumes grouped by access modes
//! (kk:pkg/controller/volume/persistentvolume/index.go) and `FindMatchingVolume`, shared with the
//! scheduler (kk:staging/src/k8s.io/component-helpers/storage/volume/pv_helpers.go).

use crate::api::{AccessMode, Claim, NodeId, PvId, PvcId, Store, VolumePhase};
use std::collections::{BTreeMap, BTreeSet};

/// The claim's class name, `""` for none (`GetPersistentVolumeClaimClass`).
pub fn claim_class(claim: &Claim) -> &str {
    claim.storage_class.as_deref().unwrap_or("")
}

/// `IsDelayBindingMode`: the claim's class exists and binds WaitForFirstConsumer (a missing class,
/// or none, binds at once).
pub fn is_delay_binding(store: &Store, claim: &Claim) -> bool {
    store
        .storage_classes
        .get(claim_class(claim))
        .is_some_and(|c| c.wait_for_first_consumer)
}

/// `CheckAccessModes`: the volume offers every mode the claim asks for.
pub fn has_access_modes(store: &Store, claim: PvcId, volume: PvId) -> bool {
    let offered = &store.volumes[volume.index()].access_modes;
    let wanted = &store.claims[claim.index()].access_modes;
    wanted.iter().all(|m| offered.contains(m))
}

/// `FindMatchingVolume`: among `volumes`, the one pre-bound to the claim if it is large enough,
/// else the smallest Available one with the claim's class, labels, volume mode and size (and, on the
/// scheduler's path with `node`, its node affinity and access modes). With `delay_binding` and no
/// node (the PV controller and a WaitForFirstConsumer claim) only a pre-bound volume matches.
pub fn find_matching_volume(
    store: &Store,
    claim: PvcId,
    volumes: &[PvId],
    node: Option<NodeId>,
    excluded: &BTreeSet<PvId>,
    delay_binding: bool,
) -> Option<PvId> {
    let c = &store.claims[claim.index()];
    let node_labels = node.map(|n| &store.nodes[n.index()].meta.labels);
    let mut smallest: Option<(u64, PvId)> = None;
    for &id in volumes.iter().filter(|v| !excluded.contains(v)) {
        let v = &store.volumes[id.index()];
        let fits = v.capacity_bytes >= c.request_bytes && v.binding.volume_mode == c.volume_mode;
        let bound_here = v.is_bound_to(claim, c);
        if !v.meta.exists()
            || v.has_claim_ref() && !bound_here
            || !fits
            || v.meta.deletion.is_some()
        {
            continue;
        }
        let affinity = v.binding.node_affinity.as_ref();
        let reachable = node_labels.is_none_or(|l| affinity.is_none_or(|a| a.matches(l)));
        if bound_here {
            return reachable.then_some(id);
        }
        if node.is_none() && delay_binding || v.binding.phase != VolumePhase::Available {
            continue;
        }
        let labelled = c
            .selector
            .as_ref()
            .is_none_or(|s| s.matches(&v.meta.labels));
        let same_class = v.storage_class.as_deref().unwrap_or("") == claim_class(c);
        let modes = node.is_none() || has_access_modes(store, claim, id);
        if labelled
            && same_class
            && reachable
            && modes
            && smallest.is_none_or(|(q, _)| q > v.capacity_bytes)
        {
            smallest = Some((v.capacity_bytes, id));
        }
    }
    smallest.map(|(_, id)| id)
}

/// `findBestMatchForClaim`: the volumes grouped by their set of access modes, the sets that hold every
/// mode the claim asks for tried from the fewest modes up (`allPossibleMatchingAccessModes`), so a
/// ReadWriteOnce claim takes a ReadWriteOnce volume before a larger ReadWriteOnce+ReadOnlyMany one.
pub fn find_best_match(store: &Store, claim: PvcId, delay_binding: bool) -> Option<PvId> {
    let wanted = &store.claims[claim.index()].access_modes;
    let mut by_modes: BTreeMap<Vec<AccessMode>, Vec<PvId>> = BTreeMap::new();
    for (i, v) in store
        .volumes
        .iter()
        .enumerate()
        .filter(|(_, v)| v.meta.exists())
    {
        let mut modes = v.access_modes.clone();
        modes.sort();
        modes.dedup();
        by_modes.entry(modes).or_default().push(PvId(i as u32));
    }
    let mut sets: Vec<(&Vec<AccessMode>, &Vec<PvId>)> = by_modes
        .iter()
        .filter(|(modes, _)| wanted.iter().all(|m| modes.contains(m)))
        .collect();
    sets.sort_by_key(|(modes, _)| modes.len());
    let none = BTreeSet::new();
    sets.into_iter()
        .find_map(|(_, vols)| find_matching_volume(store, claim, vols, None, &none, delay_binding))
}

/// `checkVolumeSatisfyClaim`: why a volume a claim names cannot serve it, if it cannot.
pub fn volume_satisfies_claim(store: &Store, claim: PvcId, volume: PvId) -> Result<(), String> {
    let (c, v) = (&store.claims[claim.index()], &store.volumes[volume.index()]);
    if v.meta.deletion.is_some() {
        return Err(format!(
            "the volume is marked for deletion {:?}",
            v.meta.name
        ));
    }
    if v.capacity_bytes < c.request_bytes {
        return Err("requested PV is too small".into());
    }
    if v.storage_class.as_deref().unwrap_or("") != claim_class(c) {
        return Err("storageClassName does not match".into());
    }
    if v.binding.volume_mode != c.volume_mode {
        return Err("incompatible volumeMode".into());
    }
    if !has_access_modes(store, claim, volume) {
        return Err("incompatible accessMode".into());
    }
    Ok(())
}

/// The existing volume called `name`.
pub fn volume_by_name(store: &Store, name: &str) -> Option<PvId> {
    store
        .volumes
        .iter()
        .position(|v| v.meta.exists() && v.meta.name == name)
        .map(|i| PvId(i as u32))
}

//! The PersistentVolume controller (kk:pkg/controller/volume/persistentvolume/pv_controller.go) and an
//! external provisioner: claims bind to the smallest volume that fits, or are provisioned through their
//! StorageClass; volumes go Available, Bound and Released; a claim's deletion reclaims its volume.
//!
//! Split like upstream's `syncClaim` (claim.rs: `syncUnboundClaim`, `syncBoundClaim`), `syncVolume`
//! (volume.rs: reclaim policies), `provisionClaim` (provision.rs) and the volume index (index.rs).

mod claim;
mod index;
mod provision;
mod volume;

#[cfg(test)]
mod binder_tests;
#[cfg(test)]
mod index_tests;

pub use index::{
    claim_class, find_best_match, find_matching_volume, has_access_modes, is_delay_binding,
};
pub use provision::{default_provisioner, provisioned_size};

use crate::api::{Effects, PvcId, Store, VolumeWrite, Write};
use crate::engine::SimTime;
use crate::scenario::ProvisionerSpec;
use rand_chacha::ChaCha8Rng;
use std::collections::{BTreeMap, BTreeSet};

/// The PV controller's timers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Timer {
    /// The provisioner finished creating the volume of a claim.
    Provisioned(PvcId),
    /// The periodic resync (`pvclaimbinder-sync-period`) reaches a claim that is still Pending.
    Resync(PvcId),
    /// `claimQueue.Add`: sync a claim at once (a volume names it but it does not name the volume yet).
    Claim(PvcId),
}

/// What one sync reads: the store, the scenario's provisioners, the storage random stream.
pub struct Ctx<'a> {
    pub store: &'a Store,
    /// Provisioner behaviour per StorageClass name (the scenario's `storage-classes`).
    pub provisioners: &'a BTreeMap<String, ProvisionerSpec>,
    pub rng: &'a mut ChaCha8Rng,
    /// `pvclaimbinder-sync-period` (15 s).
    pub resync_ms: u64,
    pub now: SimTime,
}

/// Claims being provisioned (each is provisioned once) and claims with a resync pending.
#[derive(Debug, Default)]
pub struct PvController {
    in_flight: BTreeSet<PvcId>,
    resyncs: BTreeSet<PvcId>,
}

impl PvController {
    /// A resync timer fired: the claim may be given another one.
    pub fn on_resync(&mut self, claim: PvcId) {
        self.resyncs.remove(&claim);
    }

    /// The claim stays Pending: the periodic resync syncs it again (`resync` every 15 s from the start).
    fn resync_later(&mut self, cx: &Ctx, claim: PvcId, fx: &mut Effects<Timer>) {
        if self.resyncs.insert(claim) {
            let at = super::next_tick(cx.now.plus_ms(1), cx.resync_ms);
            fx.timer(at, Timer::Resync(claim));
        }
    }
}

/// `bind`, written only when something is missing (a write notifies, and the sync runs again).
fn bind(cx: &Ctx, volume: crate::api::PvId, claim: PvcId, fx: &mut Effects<Timer>) {
    use crate::api::{ann, ClaimPhase, VolumePhase};
    let (v, c) = (
        &cx.store.volumes[volume.index()],
        &cx.store.claims[claim.index()],
    );
    let done = v.claim == Some(claim)
        && v.binding.phase == VolumePhase::Bound
        && c.volume == Some(volume)
        && c.phase == ClaimPhase::Bound
        && c.volume_name.as_deref() == Some(v.meta.name.as_str())
        && c.meta.annotations.contains_key(ann::BIND_COMPLETED);
    if !done {
        fx.write(Write::Volume(VolumeWrite::Bind { volume, claim }));
    }
}

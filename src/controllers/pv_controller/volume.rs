//! `syncVolume`: a volume's phase follows its claim; once the claim is gone the volume is Released and
//! its reclaim policy applies (kk:pkg/controller/volume/persistentvolume/pv_controller.go `syncVolume`,
//! `reclaimVolume`).

use super::{Ctx, PvController, Timer};
use crate::api::{ann, Effects, Event, PvId, ReclaimPolicy, VolumePhase, VolumeWrite, Write};

impl PvController {
    /// `syncVolume`.
    pub fn sync_volume(&mut self, cx: &mut Ctx, id: PvId) -> Effects<Timer> {
        let mut fx = Effects::default();
        let v = &cx.store.volumes[id.index()];
        if !v.meta.exists() {
            return fx;
        }
        let Some(claim) = v.claim else {
            // Unused, or reserved by name for a claim that has not bound it yet.
            set_phase(cx, id, VolumePhase::Available, &mut fx);
            return fx;
        };
        let c = &cx.store.claims[claim.index()];
        match c.volume_name.as_deref() {
            // The claim (this uid) is gone: a new one of the same name is another claim.
            _ if !c.meta.exists() => release(cx, id, &mut fx),
            // Bound here but the claim does not know yet: its sync completes the binding.
            None => fx.timer(cx.now, Timer::Claim(claim)),
            Some(name) if name == v.meta.name => set_phase(cx, id, VolumePhase::Bound, &mut fx),
            Some(_) => bound_elsewhere(cx, id, &mut fx),
        }
        fx
    }
}

/// `updateVolumePhase`, written only when the phase changes.
fn set_phase(cx: &Ctx, volume: PvId, phase: VolumePhase, fx: &mut Effects<Timer>) {
    if cx.store.volumes[volume.index()].binding.phase != phase {
        fx.write(Write::Volume(VolumeWrite::SetVolumePhase { volume, phase }));
    }
}

/// The claim was deleted: Released (a Failed volume stays Failed), then `reclaimVolume`.
fn release(cx: &Ctx, id: PvId, fx: &mut Effects<Timer>) {
    let v = &cx.store.volumes[id.index()];
    if !matches!(v.binding.phase, VolumePhase::Failed) {
        set_phase(cx, id, VolumePhase::Released, fx);
    }
    match v.binding.reclaim_policy {
        ReclaimPolicy::Retain => {}
        // The deleter (or the CSI provisioner) removes a volume only once no node has it attached;
        // the attach/detach controller's update of the volume syncs it again.
        ReclaimPolicy::Delete if v.attached_to.is_empty() => {
            fx.write(Write::Volume(VolumeWrite::Delete { volume: id }));
        }
        ReclaimPolicy::Delete => {}
        // `recycleVolumeOperation`: scrubbed, then `unbindVolume` makes it Available again.
        ReclaimPolicy::Recycle => {
            fx.event(volume_event(cx, id, "VolumeRecycled", "Volume recycled"));
            fx.write(Write::Volume(VolumeWrite::Unbind { volume: id }));
        }
    }
}

/// The volume names a claim that is bound to another volume: a provisioned one with Delete is
/// released; one the controller bound is unbound; one its creator reserved keeps the claim's name.
fn bound_elsewhere(cx: &Ctx, id: PvId, fx: &mut Effects<Timer>) {
    let v = &cx.store.volumes[id.index()];
    let provisioned = v.meta.annotations.contains_key(ann::PROVISIONED_BY);
    if provisioned && v.binding.reclaim_policy == ReclaimPolicy::Delete {
        return release(cx, id, fx);
    }
    fx.write(Write::Volume(VolumeWrite::Unbind { volume: id }));
}

/// An Event about a volume (cluster-scoped).
fn volume_event(cx: &Ctx, id: PvId, reason: &str, msg: &str) -> Event {
    let name = &cx.store.volumes[id.index()].meta.name;
    Event::new(cx.now, "PersistentVolume", "", name, reason, msg.into())
}

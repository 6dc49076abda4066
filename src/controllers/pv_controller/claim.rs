//! `syncClaim`: an unbound claim finds a volume, waits for its first consumer, or is provisioned; a
//! bound one is kept bound or marked Lost (kk:pkg/controller/volume/persistentvolume/pv_controller.go).

use super::index::{claim_class, find_best_match, is_delay_binding, volume_by_name};
use super::{bind, Ctx, PvController, Timer};
use crate::api::{ann, ClaimPhase, Effects, Event, PvcId, VolumeWrite, Write};

impl PvController {
    /// `syncClaim`: by the `bind-completed` annotation, `syncUnboundClaim` or `syncBoundClaim`.
    pub fn sync_claim(&mut self, cx: &mut Ctx, id: PvcId) -> Effects<Timer> {
        let mut fx = Effects::default();
        let c = &cx.store.claims[id.index()];
        if !c.meta.exists() {
            return fx;
        }
        if c.meta.annotations.contains_key(ann::BIND_COMPLETED) {
            sync_bound(cx, id, &mut fx);
        } else if let Some(name) = c.volume_name.clone() {
            if !sync_named(cx, id, &name, &mut fx) {
                self.resync_later(cx, id, &mut fx);
            }
        } else {
            self.sync_unbound(cx, id, &mut fx);
        }
        fx
    }

    /// `syncUnboundClaim` without `spec.volumeName`: the best volume, or the first consumer, or a
    /// provisioner, or an Event saying why it stays Pending until the next resync.
    fn sync_unbound(&mut self, cx: &mut Ctx, id: PvcId, fx: &mut Effects<Timer>) {
        let c = &cx.store.claims[id.index()];
        let delay = is_delay_binding(cx.store, c);
        if let Some(volume) = find_best_match(cx.store, id, delay) {
            return bind(cx, volume, id, fx);
        }
        if delay && !c.meta.annotations.contains_key(ann::SELECTED_NODE) {
            fx.event(waiting_for_consumer(cx, id));
        } else if !claim_class(c).is_empty() {
            if self.provision_claim(cx, id, fx) {
                return;
            }
        } else {
            let msg = "no persistent volumes available for this claim and no storage class is set";
            fx.event(claim_event(cx, id, "FailedBinding", msg.into()));
        }
        self.resync_later(cx, id, fx);
    }
}

/// `syncUnboundClaim` with `spec.volumeName`: bind to that volume if it is free and fits, or is
/// reserved for this claim. False while the claim has to wait.
fn sync_named(cx: &Ctx, id: PvcId, name: &str, fx: &mut Effects<Timer>) -> bool {
    let c = &cx.store.claims[id.index()];
    let Some(volume) = volume_by_name(cx.store, name) else {
        return false;
    };
    let v = &cx.store.volumes[volume.index()];
    if !v.has_claim_ref() {
        return match super::index::volume_satisfies_claim(cx.store, id, volume) {
            Ok(()) => {
                bind(cx, volume, id, fx);
                true
            }
            Err(why) => {
                let msg = format!("Cannot bind to requested volume {name:?}: {why}");
                fx.event(claim_event(cx, id, "VolumeMismatch", msg));
                false
            }
        };
    }
    if v.is_bound_to(id, c) {
        bind(cx, volume, id, fx);
        return true;
    }
    let msg = format!("volume {name:?} already bound to a different claim.");
    fx.event(claim_event(cx, id, "FailedBinding", msg));
    false
}

/// `syncBoundClaim`: the claim stays bound to its volume; it is Lost when the volume is gone or
/// bound to another claim (Events only when the phase changes, `updateClaimStatusWithEvent`).
fn sync_bound(cx: &Ctx, id: PvcId, fx: &mut Effects<Timer>) {
    let c = &cx.store.claims[id.index()];
    let Some(name) = c.volume_name.as_deref() else {
        let msg = "Bound claim has lost reference to PersistentVolume. Data on the volume is lost!";
        return lose(cx, id, "ClaimLost", msg, fx);
    };
    let Some(volume) = volume_by_name(cx.store, name) else {
        let msg = "Bound claim has lost its PersistentVolume. Data on the volume is lost!";
        return lose(cx, id, "ClaimLost", msg, fx);
    };
    let v = &cx.store.volumes[volume.index()];
    if !v.has_claim_ref() || v.claim == Some(id) {
        bind(cx, volume, id, fx);
    } else {
        let msg = "Two claims are bound to the same volume, this one is bound incorrectly";
        lose(cx, id, "ClaimMisbound", msg, fx);
    }
}

fn lose(cx: &Ctx, id: PvcId, reason: &str, msg: &str, fx: &mut Effects<Timer>) {
    if cx.store.claims[id.index()].phase == ClaimPhase::Lost {
        return;
    }
    fx.write(Write::Volume(VolumeWrite::SetClaimPhase {
        claim: id,
        phase: ClaimPhase::Lost,
    }));
    fx.event(claim_event(cx, id, reason, msg.into()));
}

/// `emitEventForUnboundDelayBindingClaim`: WaitForFirstConsumer, or WaitForPodScheduled naming the
/// unscheduled pods that use the claim.
fn waiting_for_consumer(cx: &Ctx, id: PvcId) -> Event {
    let c = &cx.store.claims[id.index()];
    let pods: Vec<&str> = cx
        .store
        .live_pods
        .iter()
        .map(|p| &cx.store.pods[p.index()])
        .filter(|p| p.meta.namespace == c.meta.namespace && p.spec.claims.contains(&c.meta.name))
        .filter(|p| p.node.is_none() && p.is_active())
        .map(|p| p.meta.name.as_str())
        .collect();
    let (reason, msg) = match pods.as_slice() {
        [] => (
            "WaitForFirstConsumer",
            "waiting for first consumer to be created before binding".to_string(),
        ),
        [one] => (
            "WaitForPodScheduled",
            format!("waiting for pod {one} to be scheduled"),
        ),
        many => (
            "WaitForPodScheduled",
            format!("waiting for pods {} to be scheduled", many.join(",")),
        ),
    };
    claim_event(cx, id, reason, msg)
}

/// An Event about a claim.
pub(super) fn claim_event(cx: &Ctx, id: PvcId, reason: &str, msg: String) -> Event {
    let m = &cx.store.claims[id.index()].meta;
    Event::new(
        cx.now,
        "PersistentVolumeClaim",
        &m.namespace,
        &m.name,
        reason,
        msg,
    )
}

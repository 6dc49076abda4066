//! The PV controller's keys and timers: claims and volumes to sync, provisioning done, resyncs; and the
//! scheduler's VolumeBinding events (a claim's or volume's change moves the pods it rejected).

use super::world::{Ev, Target, World, WorldError};
use crate::api::{PvId, PvcId};
use crate::controllers::pv_controller::{Ctx, PvController, Timer};
use crate::engine::SimTime;

impl World<'_> {
    /// Syncs a claim or a volume (the PV controller's claim and volume workers).
    pub(super) fn run_volume_target(&mut self, target: Target) -> Result<(), WorldError> {
        let fx = match target {
            Target::Claim(c) => self.with_pv(|pv, cx| pv.sync_claim(cx, c)),
            Target::Volume(v) => self.with_pv(|pv, cx| pv.sync_volume(cx, v)),
            _ => return Ok(()),
        };
        self.apply(fx, Ev::PvController)
    }

    /// A PV controller timer fired.
    pub(super) fn on_pv_timer(&mut self, timer: Timer) -> Result<(), WorldError> {
        let now = self.cal.now();
        match timer {
            Timer::Provisioned(c) => {
                let fx = self.with_pv(|pv, cx| pv.on_provisioned(cx, c));
                self.apply(fx, Ev::PvController)
            }
            Timer::Resync(c) => {
                self.pv.on_resync(c);
                self.enqueue(Target::Claim(c), now)
            }
            Timer::Claim(c) => self.enqueue(Target::Claim(c), now),
        }
    }

    /// Calls the PV controller with its context.
    fn with_pv<R>(&mut self, f: impl FnOnce(&mut PvController, &mut Ctx) -> R) -> R {
        let mut cx = Ctx {
            store: &self.store,
            provisioners: &self.scenario.storage_classes,
            rng: &mut self.rngs.storage,
            resync_ms: self.scenario.timings.pv_resync_ms,
            now: self.cal.now(),
        };
        f(&mut self.pv, &mut cx)
    }

    /// A claim changed: the PV controller syncs it, and the scheduling queue moves the unschedulable
    /// pods VolumeBinding rejected (its `EventsToRegister`: PVC add/update).
    pub(super) fn on_claim_changed_volumes(
        &mut self,
        id: PvcId,
        at: SimTime,
    ) -> Result<(), WorldError> {
        self.enqueue(Target::Claim(id), at)?;
        self.on_volume_changed_scheduler(at)
    }

    /// A volume changed: the PV controller syncs it, and the scheduling queue moves the unschedulable
    /// pods VolumeBinding rejected (PV add/update).
    pub(super) fn on_volume_changed_volumes(
        &mut self,
        id: PvId,
        at: SimTime,
    ) -> Result<(), WorldError> {
        self.enqueue(Target::Volume(id), at)?;
        self.on_volume_changed_scheduler(at)
    }
}

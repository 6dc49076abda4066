//! Watch events that a lagging informer delivers late (its handlers' work, a key added to the work
//! queue or the ReplicaSet controller's expectations observed, runs when the event arrives), or that
//! a broken watch loses until its relist.

use super::cache_view::view;
use super::control_plane::{controller_of, Timer};
use super::world::{Ev, Target, World, WorldError};
use crate::api::{Kind, PodId};
use crate::engine::SimTime;
use crate::scenario::Controller;
use std::collections::BTreeMap;

/// The events on their way through lagging watches.
#[derive(Default)]
pub struct LateEvents {
    /// Keys whose handler's `queue.Add` runs later: (due, order of sending) → key.
    keys: BTreeMap<(SimTime, u64), Target>,
    /// Pod events for the ReplicaSet controller's expectations: (due, pod).
    pods: Vec<(SimTime, PodId)>,
    sent: u64,
}

impl LateEvents {
    /// True if no late event is on its way.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty() && self.pods.is_empty()
    }
}

impl World<'_> {
    /// When a notification of a change to a `kind` object for `target`, made at `at`, reaches
    /// its controller (None: never, its watch is broken; the relist will add the key).
    pub(super) fn notified_at(&self, target: Target, kind: Kind, at: SimTime) -> Option<SimTime> {
        match controller_of(target) {
            Some(c) => Some(at.plus_ms(self.cp.delay_ms(c, kind, self.cal.now())?)),
            None => Some(at),
        }
    }

    /// True if `target`'s controller's watch is broken now (an event for it is lost).
    fn lost(&self, target: Target) -> bool {
        let now = self.cal.now();
        controller_of(target).is_some_and(|c| self.cp.delay_ms(c, Kind::Pod, now).is_none())
    }

    /// The broken watches of `c` relist: every cache is the API server's again, and the handlers
    /// add the key of every object (and the ReplicaSet controller's expectations see every pod).
    pub(super) fn relist(&mut self, c: Controller) -> Result<(), WorldError> {
        let now = self.cal.now();
        if self.cp.is_down(c, now) {
            return Ok(()); // Its restart lists everything.
        }
        self.cp.listed(c, now);
        if c == Controller::ReplicaSet {
            for (t, r) in self.rsc.relist(&self.store, now) {
                self.schedule(t, Ev::RsRequeue(r))?;
            }
        }
        self.enqueue_all(c, now)
    }

    /// The handler of a watch event arriving at `due` adds `target` then. Not an `AddAfter` now:
    /// the work queue merges an `Add` only with a key still waiting (client-go
    /// util/workqueue/queue.go), so a key queued for earlier would sync from a cache without this
    /// event and never again (e.g. `enqueueDeployment` in
    /// pkg/controller/deployment/deployment_controller.go runs when the informer delivers).
    pub(super) fn enqueue_late(&mut self, target: Target, due: SimTime) -> Result<(), WorldError> {
        let late = &mut self.cp.late;
        late.keys.insert((due, late.sent), target);
        late.sent += 1;
        self.schedule(due, Ev::ControlPlane(Timer::Deliver))
    }

    /// The ReplicaSet controller's pod handlers see a change to `id` (notified for `at`): at once,
    /// late while its watch lags, or not at all while it is down (its restart lists the pods).
    pub(super) fn observe_rs_pod(&mut self, id: PodId, at: SimTime) -> Result<(), WorldError> {
        let (c, now) = (Controller::ReplicaSet, self.cal.now());
        if self.cp.is_down(c, now) {
            return Ok(());
        }
        let Some(by_ms) = self.cp.delay_ms(c, Kind::Pod, now) else {
            return Ok(()); // Lost with the broken watch; the relist observes the pod.
        };
        if by_ms > 0 {
            let due = at.plus_ms(by_ms);
            self.cp.late.pods.push((due, id));
            return self.schedule(due, Ev::ControlPlane(Timer::Deliver));
        }
        match self.rsc.observe_pod(&self.store, id, at) {
            Some((t, r)) => self.schedule(t, Ev::RsRequeue(r)),
            None => Ok(()),
        }
    }

    /// The late events that are due: the pod events first (read from the lagging cache), then
    /// the keys their handlers add.
    pub(super) fn deliver_late_events(&mut self) -> Result<(), WorldError> {
        self.deliver_late_pods()?;
        let now = self.cal.now();
        while let Some(entry) = self.cp.late.keys.first_entry() {
            if entry.key().0 > now {
                break;
            }
            let target = entry.remove();
            if !self.lost(target) {
                self.enqueue(target, now)?;
            }
        }
        Ok(())
    }

    /// The ReplicaSet controller's expectations observe the late pod events that are due.
    fn deliver_late_pods(&mut self) -> Result<(), WorldError> {
        let now = self.cal.now();
        let (due, later): (Vec<_>, Vec<_>) = std::mem::take(&mut self.cp.late.pods)
            .into_iter()
            .partition(|(t, _)| *t <= now);
        self.cp.late.pods = later;
        if self.lost(Target::ReplicaSet(crate::api::RsId(0))) {
            return Ok(()); // In flight when the watch broke: lost; the relist observes them.
        }
        for (_, pod) in due {
            let requeue = {
                let seen = view(&self.cp, &self.store, Controller::ReplicaSet, now);
                if pod.index() >= seen.pods.len() {
                    continue;
                }
                self.rsc.observe_pod(&seen, pod, now)
            };
            if let Some((t, r)) = requeue {
                self.schedule(t, Ev::RsRequeue(r))?;
            }
        }
        Ok(())
    }
}

//! The scenario's `kubectl drain`s on the world's side: a drain fault starts one, and its timers
//! (eviction retries, delete polls, deadlines, uncordons) come back here.

use super::world::{Ev, World, WorldError};
use crate::faults::drain::Timer;
use crate::scenario::FaultAction;

impl World<'_> {
    /// The fault `i`, if it is a `drain`, starts it.
    pub(super) fn on_fault_drain(&mut self, i: usize) -> Result<(), WorldError> {
        let FaultAction::Drain(spec) = &self.scenario.faults[i].action else {
            return Ok(());
        };
        let fx = self.drainer.start(spec, &self.store, self.cal.now());
        self.apply(fx, Ev::Drain)
    }

    /// A drain's timer fired.
    pub(super) fn on_drain_timer(&mut self, timer: Timer) -> Result<(), WorldError> {
        let fx = self.drainer.on_timer(timer, &self.store, self.cal.now());
        self.apply(fx, Ev::Drain)
    }
}

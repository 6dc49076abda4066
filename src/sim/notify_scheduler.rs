//! The scheduler's informer handlers and queue timers on the world's side: changes become cluster
//! events for the scheduling queue, and the pods it moves to activeQ become `Schedule` keys.

use super::world::{Ev, Target, World, WorldError};
use crate::api::{NodeId, PodId};
use crate::engine::SimTime;
use crate::scheduler::queue::Moves;
use crate::scheduler::QueueTimer;

impl World<'_> {
    /// A pod changed: the scheduler's pod handlers.
    pub(super) fn on_pod_changed_scheduler(
        &mut self,
        id: PodId,
        at: SimTime,
    ) -> Result<(), WorldError> {
        let moves = self.scheduler.on_pod_change(&self.store, id, at)?;
        self.apply_moves(moves, at)
    }

    /// A node changed: the scheduler's node handlers.
    pub(super) fn on_node_changed_scheduler(
        &mut self,
        id: NodeId,
        at: SimTime,
    ) -> Result<(), WorldError> {
        let moves = self.scheduler.on_node_change(&self.store, id, at);
        self.apply_moves(moves, at)
    }

    /// A claim or volume changed: the scheduler's PVC and PV handlers.
    pub(super) fn on_volume_changed_scheduler(&mut self, at: SimTime) -> Result<(), WorldError> {
        let moves = self.scheduler.on_volume_change(&self.store, at);
        self.apply_moves(moves, at)
    }

    /// A scheduling queue timer fired (a back-off ended, or the unschedulable flush).
    pub(super) fn on_scheduler_timer(&mut self, timer: QueueTimer) -> Result<(), WorldError> {
        let now = self.cal.now();
        let moves = self.scheduler.on_timer(timer, now);
        self.apply_moves(moves, now)
    }

    /// Pods moved to activeQ are attempted at `at`; the queue's timers are scheduled.
    fn apply_moves(&mut self, moves: Moves, at: SimTime) -> Result<(), WorldError> {
        for pod in moves.active {
            self.enqueue(Target::Schedule(pod), at)?;
        }
        for (t, timer) in moves.timers {
            self.schedule(t, Ev::Scheduler(timer))?;
        }
        Ok(())
    }
}

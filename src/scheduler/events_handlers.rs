//! The scheduler's event handlers (kk:pkg/scheduler/eventhandlers.go): unscheduled pods enter the
//! queue, bound and deleted ones leave it, and cluster events move the unschedulable pods whose
//! rejecting plugins registered for them (`MoveAllToActiveOrBackoffQueue` with queueing hints).

use super::events::{registered, worth_requeuing_any, ClusterEvent};
use super::informer::PodEvent;
use super::queue::{Moves, QueueFull, QueueTimer};
use super::Scheduler;
use crate::api::{NodeId, PodId, Store};
use crate::engine::SimTime;

impl Scheduler {
    /// A pod changed, seen at `at`: an unscheduled pod is added to activeQ (`addPodToSchedulingQueue`),
    /// a bound or deleted one leaves the queue, and an assigned pod entering or leaving the cache is an
    /// AssignedPodAdd / AssignedPodDelete event for the unschedulable pods.
    pub fn on_pod_change(
        &mut self,
        store: &Store,
        id: PodId,
        at: SimTime,
    ) -> Result<Moves, QueueFull> {
        let pod = &store.pods[id.index()];
        let mut moves = match self.informer.on_pod(store, id) {
            PodEvent::Added => self.on_event(store, ClusterEvent::AssignedPodAdd(pod), at),
            PodEvent::Deleted => self.on_event(store, ClusterEvent::AssignedPodDelete(pod), at),
            PodEvent::None => Moves::default(),
        };
        let pending = pod.meta.exists() && pod.node.is_none() && pod.meta.deletion.is_none();
        if !pending {
            self.queue.forget(id);
        } else if self.queue.add(id, at)? {
            moves.active.push(id);
        }
        Ok(moves)
    }

    /// A node changed: NodeAdd, NodeDelete, or an update of the fields plugins read.
    pub fn on_node_change(&mut self, store: &Store, id: NodeId, at: SimTime) -> Moves {
        match self.informer.on_node(store, id) {
            Some(event) => self.on_event(store, event, at),
            None => Moves::default(),
        }
    }

    /// A PersistentVolumeClaim or PersistentVolume was added or changed (VolumeBinding's events).
    /// Pods waiting in PreBind for their claims look again too (upstream's binding cycle polls them:
    /// volumebinding/binder.go `BindPodVolumes`).
    pub fn on_volume_change(&mut self, store: &Store, at: SimTime) -> Moves {
        let mut moves = self.on_event(store, ClusterEvent::Volume, at);
        moves
            .active
            .extend(self.waiting_for_volumes.keys().copied());
        moves
    }

    /// A queue timer fired.
    pub fn on_timer(&mut self, timer: QueueTimer, now: SimTime) -> Moves {
        self.queue.on_timer(timer, now, &self.config)
    }

    /// `MoveAllToActiveOrBackoffQueue`: the unschedulable pods rejected by a plugin registered for
    /// `event`, whose queueing hint says Queue, go to backoffQ or activeQ.
    fn on_event(&mut self, store: &Store, event: ClusterEvent, at: SimTime) -> Moves {
        let mut moves = Moves::default();
        for id in self.queue.rejected_by(registered(event)) {
            let Some(entry) = self.queue.get(id) else {
                continue;
            };
            let pod = &store.pods[id.index()];
            if worth_requeuing_any(entry.plugins, event, pod) {
                moves.extend(self.queue.move_to_active_or_backoff(id, at, &self.config));
            }
        }
        moves
    }
}

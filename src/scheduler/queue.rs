//! kube-scheduler's scheduling queue (kk:pkg/scheduler/backend/queue/scheduling_queue.go, formerly
//! kk:pkg/scheduler/internal/queue): activeQ, backoffQ and unschedulablePods, with per-pod attempts,
//! back-off and the 5-minute flush of unschedulable pods, modelled with timers instead of loops.

use super::events::{Plugin, PluginSet};
use crate::api::PodId;
use crate::engine::SimTime;
use std::collections::{BTreeMap, BTreeSet};

/// The most pods the queue holds at once (a bound on every sub-queue).
pub const MAX_QUEUED: usize = 1 << 22;

/// The queue is full.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the scheduling queue holds {0} pods, its limit")]
pub struct QueueFull(pub usize);

/// Queue timings (kk:pkg/scheduler/apis/config/v1/defaults.go and scheduling_queue.go).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueueConfig {
    /// `podInitialBackoffSeconds` (1 s).
    pub initial_backoff_ms: u64,
    /// `podMaxBackoffSeconds` (10 s).
    pub max_backoff_ms: u64,
    /// `podMaxInUnschedulablePodsDuration` (`DefaultPodMaxInUnschedulablePodsDuration`, 5 min).
    pub max_in_unschedulable_ms: u64,
    /// Period of the `flushUnschedulablePodsLeftover` loop (`wait.Until(..., 30*time.Second, ...)` in `Run`).
    pub flush_period_ms: u64,
}

impl Default for QueueConfig {
    fn default() -> Self {
        QueueConfig {
            initial_backoff_ms: 1_000,
            max_backoff_ms: 10_000,
            max_in_unschedulable_ms: 300_000,
            flush_period_ms: 30_000,
        }
    }
}

impl QueueConfig {
    /// `calculateBackoffDuration`: the initial back-off doubled for each attempt after the first, capped.
    pub fn backoff_ms(&self, attempts: u32) -> u64 {
        let mut d = self.initial_backoff_ms;
        for _ in 1..attempts {
            d = d.saturating_mul(2);
            if d > self.max_backoff_ms {
                return self.max_backoff_ms;
            }
        }
        d.min(self.max_backoff_ms)
    }

    /// When `flushUnschedulablePodsLeftover` moves a pod that became unschedulable at `since`: at the
    /// first run of the loop (every `flush_period_ms` from the scheduler's start at 0) where
    /// `now - since > podMaxInUnschedulablePodsDuration` (strictly).
    pub fn flush_at(&self, since: SimTime) -> SimTime {
        let eligible = since.0 + self.max_in_unschedulable_ms + 1;
        let p = self.flush_period_ms.max(1);
        SimTime(eligible.div_ceil(p) * p)
    }
}

/// Where a queued pod is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// activeQ: it will be attempted.
    Active,
    /// Popped: its scheduling attempt is running.
    InFlight,
    /// backoffQ until the given time.
    Backoff(SimTime),
    /// unschedulablePods, since the given time (`QueuedPodInfo.Timestamp`).
    Unschedulable(SimTime),
}

/// A pod in the queue (`QueuedPodInfo`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry {
    pub state: State,
    /// Scheduling attempts so far.
    pub attempts: u32,
    /// When the last attempt failed (back-off counts from it).
    pub failed_at: SimTime,
    /// The plugins that rejected the last attempt (`UnschedulablePlugins`).
    pub plugins: PluginSet,
}

impl Entry {
    /// The end of the back-off after the last failed attempt (`getBackoffTime`).
    pub fn backoff_until(&self, cfg: &QueueConfig) -> SimTime {
        if self.attempts == 0 {
            return self.failed_at;
        }
        self.failed_at.plus_ms(cfg.backoff_ms(self.attempts))
    }

    /// To backoffQ until `until`, with the timer that ends it for this attempt.
    fn back_off(&mut self, pod: PodId, until: SimTime) -> (SimTime, QueueTimer) {
        self.state = State::Backoff(until);
        (until, QueueTimer::BackoffDone(pod, self.attempts))
    }
}

/// A timer the queue asks for, tagged with the attempt count it was set for (stale ones are ignored).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueueTimer {
    /// The pod's back-off ends: backoffQ -> activeQ (`flushBackoffQCompleted`).
    BackoffDone(PodId, u32),
    /// The pod has stayed long enough in unschedulablePods (`flushUnschedulablePodsLeftover`).
    Flush(PodId, u32),
}

/// The three queues. activeQ's order is the world's work queue (keys `Schedule(pod)`): this keeps
/// each pod's state and, for unschedulablePods, an index by rejecting plugin so an event looks only at
/// the pods it may concern.
#[derive(Debug, Default)]
pub struct SchedulingQueue {
    pub(super) pods: BTreeMap<PodId, Entry>,
    by_plugin: [BTreeSet<PodId>; Plugin::ALL.len()],
}

/// What a transition asks of the world: pods to attempt now, and timers.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Moves {
    pub active: Vec<PodId>,
    pub timers: Vec<(SimTime, QueueTimer)>,
}

impl Moves {
    /// Adds another transition's requests.
    pub fn extend(&mut self, other: Moves) {
        self.active.extend(other.active);
        self.timers.extend(other.timers);
    }
}

impl SchedulingQueue {
    /// `Add`: a new unscheduled pod goes to activeQ; true when it was not queued yet.
    pub fn add(&mut self, pod: PodId, now: SimTime) -> Result<bool, QueueFull> {
        if self.pods.contains_key(&pod) {
            return Ok(false);
        }
        if self.pods.len() >= MAX_QUEUED {
            return Err(QueueFull(self.pods.len()));
        }
        let entry = Entry {
            state: State::Active,
            attempts: 0,
            failed_at: now,
            plugins: PluginSet::default(),
        };
        self.pods.insert(pod, entry);
        Ok(true)
    }

    /// The pod was bound or deleted: it leaves the queue (`Delete`, or `Done` after binding).
    pub fn forget(&mut self, pod: PodId) {
        if let Some(e) = self.pods.remove(&pod) {
            self.unindex(pod, e.plugins);
        }
    }

    /// The pod's entry, if queued.
    pub fn get(&self, pod: PodId) -> Option<&Entry> {
        self.pods.get(&pod)
    }

    /// How many pods are in unschedulablePods.
    pub fn unschedulable_len(&self) -> usize {
        let unschedulable = |e: &&Entry| matches!(e.state, State::Unschedulable(_));
        self.pods.values().filter(unschedulable).count()
    }

    /// `Pop`: the pod leaves activeQ for a scheduling attempt (its attempt count goes up); false when it
    /// is not in activeQ (a stale key).
    pub fn pop(&mut self, pod: PodId) -> bool {
        match self.pods.get_mut(&pod) {
            Some(e) if e.state == State::Active => {
                e.state = State::InFlight;
                e.attempts += 1;
                true
            }
            _ => false,
        }
    }

    /// `AddUnschedulableIfNotPresent` after a failed attempt: to unschedulablePods, indexed by the
    /// plugins that rejected it, with a timer for the flush; a pod no plugin rejected goes to backoffQ
    /// (`determineSchedulingHintForInFlightPod` returns queueAfterBackoff for no rejector plugins).
    pub fn failed(
        &mut self,
        pod: PodId,
        plugins: PluginSet,
        now: SimTime,
        cfg: &QueueConfig,
    ) -> Moves {
        let mut moves = Moves::default();
        let Some(e) = self.pods.get_mut(&pod) else {
            return moves;
        };
        e.failed_at = now;
        e.plugins = plugins;
        if plugins.is_empty() {
            let until = e.backoff_until(cfg);
            moves.timers.push(e.back_off(pod, until));
            return moves;
        }
        e.state = State::Unschedulable(now);
        let flush = (cfg.flush_at(now), QueueTimer::Flush(pod, e.attempts));
        for p in plugins.iter() {
            self.by_plugin[p.index()].insert(pod);
        }
        moves.timers.push(flush);
        moves
    }

    /// The unschedulable pods that `plugins` rejected (the candidates of an event they registered for).
    pub fn rejected_by(&self, plugins: impl Iterator<Item = Plugin>) -> BTreeSet<PodId> {
        let mut out = BTreeSet::new();
        for p in plugins {
            out.extend(self.by_plugin[p.index()].iter().copied());
        }
        out
    }

    /// `movePodsToActiveOrBackoffQueue` for one unschedulable pod: to backoffQ if it is still backing
    /// off (`isPodBackingoff`), else to activeQ.
    pub fn move_to_active_or_backoff(
        &mut self,
        pod: PodId,
        now: SimTime,
        cfg: &QueueConfig,
    ) -> Moves {
        let mut moves = Moves::default();
        let Some(e) = self.pods.get_mut(&pod) else {
            return moves;
        };
        if !matches!(e.state, State::Unschedulable(_)) {
            return moves;
        }
        let (plugins, until) = (e.plugins, e.backoff_until(cfg));
        if now < until {
            moves.timers.push(e.back_off(pod, until));
        } else {
            e.state = State::Active;
            moves.active.push(pod);
        }
        self.unindex(pod, plugins);
        moves
    }

    /// A queue timer fired: a back-off ended, or the flush loop found the pod (stale timers, set for an
    /// earlier attempt, do nothing).
    pub fn on_timer(&mut self, timer: QueueTimer, now: SimTime, cfg: &QueueConfig) -> Moves {
        let (pod, attempts) = match timer {
            QueueTimer::BackoffDone(p, n) | QueueTimer::Flush(p, n) => (p, n),
        };
        let Some(e) = self.pods.get_mut(&pod).filter(|e| e.attempts == attempts) else {
            return Moves::default();
        };
        match (timer, e.state) {
            (QueueTimer::BackoffDone(..), State::Backoff(_)) => {
                e.state = State::Active;
                Moves {
                    active: vec![pod],
                    timers: Vec::new(),
                }
            }
            (QueueTimer::Flush(..), State::Unschedulable(_)) => {
                self.move_to_active_or_backoff(pod, now, cfg)
            }
            _ => Moves::default(),
        }
    }

    fn unindex(&mut self, pod: PodId, plugins: PluginSet) {
        for p in plugins.iter() {
            self.by_plugin[p.index()].remove(&pod);
        }
    }
}

//! Ground truth below the API: which container processes really run, listen and serve.
//!
//! Not visible through the API server. The kubelet writes it (starting and stopping processes), faults
//! write it (a killed container), and the network reads it (a request reaches a real process or not).

use super::ids::{NodeId, PodId, PvId};
use crate::engine::SimTime;
use std::collections::BTreeMap;

/// One run of a pod's container process.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Process {
    /// Increases with every start of the pod's container, so stale timers can be recognised.
    pub run: u32,
    pub node: NodeId,
    pub started: SimTime,
    /// When the port accepts connections.
    pub listen_at: SimTime,
    /// When it answers them.
    pub serve_at: SimTime,
    /// The listener was closed (SIGTERM with close-listener).
    pub closed: bool,
    /// When the process ended; None while alive.
    pub died: Option<SimTime>,
    /// It ended cleanly (its data needs no crash recovery).
    pub clean_exit: bool,
}

impl Process {
    /// True if a connection at `t` would be accepted.
    pub fn accepts(&self, t: SimTime) -> bool {
        self.died.is_none() && !self.closed && t >= self.listen_at
    }
}

/// All container processes, by pod, plus the per-volume data state.
#[derive(Debug, Default)]
pub struct Runtime {
    processes: BTreeMap<PodId, Process>,
    /// Volumes whose last writer was killed without a clean shutdown.
    dirty: BTreeMap<PvId, bool>,
}

impl Runtime {
    /// The current (or last) process of `pod`.
    pub fn process(&self, pod: PodId) -> Option<&Process> {
        self.processes.get(&pod)
    }

    /// Starts a new run of `pod`'s container.
    pub fn start(&mut self, pod: PodId, process: Process) {
        self.processes.insert(pod, process);
    }

    /// Closes the listener of `pod`'s process (a clean shutdown of its data has begun).
    pub fn close_listener(&mut self, pod: PodId) {
        if let Some(p) = self.processes.get_mut(&pod) {
            p.closed = true;
        }
    }

    /// Ends `pod`'s process at `t`; returns false if it was not running.
    pub fn kill(&mut self, pod: PodId, t: SimTime, clean: bool) -> bool {
        match self.processes.get_mut(&pod) {
            Some(p) if p.died.is_none() => {
                p.died = Some(t);
                p.clean_exit = clean || p.closed;
                true
            }
            _ => false,
        }
    }

    /// Records whether `volume`'s data needs crash recovery.
    pub fn set_dirty(&mut self, volume: PvId, dirty: bool) {
        self.dirty.insert(volume, dirty);
    }

    /// True if `volume`'s last writer died without a clean shutdown.
    pub fn is_dirty(&self, volume: PvId) -> bool {
        self.dirty.get(&volume).copied().unwrap_or(false)
    }
}

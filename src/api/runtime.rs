//! Ground truth below the API: which container processes really run, listen and serve, and the state
//! of the data on their volumes.
//!
//! Not visible through the API server. The kubelet writes it (starting and stopping processes), faults
//! write it (a killed container), and the network reads it (a request reaches a real process or not).

use super::ids::{NodeId, PodId, PvId};
use crate::engine::SimTime;
use std::collections::BTreeMap;

/// How often a program waiting for its data lock retries (InnoDB retries its `ibdata1` lock every second).
pub const LOCK_RETRY_MS: u64 = 1_000;

/// A start-up time that never ends: the program never listens, or never answers (`serve-after: never`).
pub const NEVER_MS: u64 = u64::MAX;

/// The exit code of a process ended by SIGKILL (128 + 9), as the container runtime reports it.
pub const SIGKILL_EXIT_CODE: i32 = 137;

/// The exit code of a program that exits with an error by itself (`crash-after`).
pub const CRASH_EXIT_CODE: i32 = 1;

/// How a program starts, drawn from its app model when the container starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Launch {
    pub run: u32,
    pub node: NodeId,
    pub volumes: Vec<PvId>,
    /// From start (or from getting its data lock) until the port accepts connections ([`NEVER_MS`]: never).
    pub listen_ms: u64,
    /// Until it answers ([`NEVER_MS`]: never).
    pub serve_ms: u64,
    /// Added to `serve_ms` when its data was left unclean by the previous writer.
    pub recovery_ms: u64,
    /// It locks its first volume's data exclusively before listening.
    pub data_lock: bool,
}

/// One run of a pod's container process.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Process {
    pub launch: Launch,
    pub started: SimTime,
    /// When the port accepts connections ([`SimTime::NEVER`] while waiting for the data lock, or if
    /// it never listens).
    pub listen_at: SimTime,
    /// When it answers them.
    pub serve_at: SimTime,
    /// The listener was closed (SIGTERM with close-listener: a clean shutdown has begun).
    pub closed: bool,
    /// It waits for another process to release its data lock.
    pub waiting_for_lock: bool,
    /// When the process ended; None while alive.
    pub died: Option<SimTime>,
    /// It ended cleanly (its data needs no crash recovery).
    pub clean_exit: bool,
    /// Its exit code once ended: 0 after a clean exit, [`SIGKILL_EXIT_CODE`], [`CRASH_EXIT_CODE`].
    pub exit_code: i32,
}

impl Process {
    /// The run number of the pod's container.
    pub fn run(&self) -> u32 {
        self.launch.run
    }

    /// True if a connection at `t` would be accepted.
    pub fn accepts(&self, t: SimTime) -> bool {
        self.died.is_none() && !self.closed && t >= self.listen_at
    }
}

/// All container processes, by pod, plus the state of the data on each volume.
#[derive(Debug, Default)]
pub struct Runtime {
    processes: BTreeMap<PodId, Process>,
    /// Volumes whose last writer was killed without a clean shutdown.
    dirty: BTreeMap<PvId, bool>,
    /// The process holding each volume's data lock.
    locks: BTreeMap<PvId, PodId>,
    /// Every process start and end, in order (the pod of each): what changed below the API.
    lifecycle: Vec<PodId>,
}

impl Runtime {
    /// The current (or last) process of `pod`.
    pub fn process(&self, pod: PodId) -> Option<&Process> {
        self.processes.get(&pod)
    }

    /// Every pod's current (or last) process, in pod order.
    pub fn processes(&self) -> impl Iterator<Item = (PodId, &Process)> + '_ {
        self.processes.iter().map(|(pod, p)| (*pod, p))
    }

    /// The pods whose process started or ended, one entry per start or end, oldest first; a
    /// reader keeps its position in it to learn what changed since it last looked.
    pub fn lifecycle(&self) -> &[PodId] {
        &self.lifecycle
    }

    /// The pods whose container process is alive now, in pod order.
    pub fn running(&self) -> impl Iterator<Item = PodId> + '_ {
        self.processes()
            .filter(|(_, p)| p.died.is_none())
            .map(|(pod, _)| pod)
    }

    /// Starts a new run of `pod`'s container at `now`.
    pub fn start(&mut self, pod: PodId, launch: Launch, now: SimTime) {
        let lock = launch.volumes.first().copied().filter(|_| launch.data_lock);
        let held = lock
            .and_then(|v| self.locks.get(&v))
            .is_some_and(|holder| *holder != pod && self.is_alive(*holder));
        let mut p = Process {
            launch,
            started: now,
            listen_at: SimTime::NEVER,
            serve_at: SimTime::NEVER,
            closed: false,
            waiting_for_lock: true,
            died: None,
            clean_exit: false,
            exit_code: 0,
        };
        if !held {
            self.acquire(pod, &mut p, lock, now);
        }
        self.processes.insert(pod, p);
        self.lifecycle.push(pod);
    }

    fn is_alive(&self, pod: PodId) -> bool {
        self.processes.get(&pod).is_some_and(|p| p.died.is_none())
    }

    /// The program has its data: it listens and serves after its start-up times (plus crash recovery).
    fn acquire(&mut self, pod: PodId, p: &mut Process, lock: Option<PvId>, at: SimTime) {
        if let Some(v) = lock {
            self.locks.insert(v, pod);
        }
        p.waiting_for_lock = false;
        let recovering = p.launch.volumes.iter().any(|v| self.is_dirty(*v));
        let recovery_ms = if recovering { p.launch.recovery_ms } else { 0 };
        let serve_ms = p
            .launch
            .serve_ms
            .max(p.launch.listen_ms)
            .saturating_add(recovery_ms);
        p.listen_at = at.plus_ms(p.launch.listen_ms);
        p.serve_at = at.plus_ms(serve_ms);
        for v in &p.launch.volumes {
            self.dirty.insert(*v, false);
        }
    }

    /// Closes the listener of `pod`'s process (a clean shutdown of its data has begun).
    pub fn close_listener(&mut self, pod: PodId) {
        if let Some(p) = self.processes.get_mut(&pod) {
            p.closed = true;
        }
    }

    /// Ends `pod`'s process at `t`; returns false if it was not running. Its volumes' data is left
    /// unclean unless it exited cleanly or had begun a clean shutdown; a waiter gets its data lock.
    pub fn kill(&mut self, pod: PodId, t: SimTime, clean: bool) -> bool {
        let code = if clean { 0 } else { SIGKILL_EXIT_CODE };
        self.end(pod, t, clean, code)
    }

    /// The program of `pod` exits with an error by itself at `t` (`crash-after`); returns false if it
    /// was not running. Like a kill, it leaves its data unclean unless a clean shutdown had begun.
    pub fn crash(&mut self, pod: PodId, t: SimTime) -> bool {
        self.end(pod, t, false, CRASH_EXIT_CODE)
    }

    /// The program of `pod` exits by itself with `exit_code` at `t` (its data clean when it is 0).
    pub fn exit(&mut self, pod: PodId, t: SimTime, exit_code: i32) -> bool {
        self.end(pod, t, exit_code == 0, exit_code)
    }

    fn end(&mut self, pod: PodId, t: SimTime, clean: bool, exit_code: i32) -> bool {
        let Some(p) = self.processes.get_mut(&pod).filter(|p| p.died.is_none()) else {
            return false;
        };
        p.died = Some(t);
        self.lifecycle.push(pod);
        p.clean_exit = clean || p.closed;
        p.exit_code = exit_code;
        let (volumes, clean_exit, had_data) =
            (p.launch.volumes.clone(), p.clean_exit, !p.waiting_for_lock);
        if had_data {
            for v in &volumes {
                self.dirty.insert(*v, !clean_exit);
            }
        }
        let released: Vec<PvId> = self
            .locks
            .iter()
            .filter(|(_, h)| **h == pod)
            .map(|(v, _)| *v)
            .collect();
        for v in released {
            self.locks.remove(&v);
            self.hand_over(v, t);
        }
        true
    }

    /// The first live process waiting for `volume`'s lock takes it at its next retry.
    fn hand_over(&mut self, volume: PvId, t: SimTime) {
        let waiter = self
            .processes
            .iter()
            .find(|(_, p)| {
                p.died.is_none() && p.waiting_for_lock && p.launch.volumes.first() == Some(&volume)
            })
            .map(|(pod, _)| *pod);
        let Some(pod) = waiter else { return };
        let mut p = self.processes.remove(&pod).expect("waiter");
        let retries = t.since_ms(p.started).div_ceil(LOCK_RETRY_MS);
        let at = p.started.plus_ms(retries * LOCK_RETRY_MS).max(t);
        self.acquire(pod, &mut p, Some(volume), at);
        self.processes.insert(pod, p);
    }

    /// True if `volume`'s last writer died without a clean shutdown.
    pub fn is_dirty(&self, volume: PvId) -> bool {
        self.dirty.get(&volume).copied().unwrap_or(false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn launch(volumes: Vec<PvId>, data_lock: bool) -> Launch {
        Launch {
            run: 1,
            node: NodeId(0),
            volumes,
            listen_ms: 200,
            serve_ms: 500,
            recovery_ms: 13_000,
            data_lock,
        }
    }

    #[test]
    fn a_second_process_waits_for_the_data_lock_and_retries_every_second() {
        let mut rt = Runtime::default();
        rt.start(PodId(0), launch(vec![PvId(0)], true), SimTime(0));
        rt.close_listener(PodId(0));
        rt.start(PodId(1), launch(vec![PvId(0)], true), SimTime(1_500));
        assert!(!rt.process(PodId(1)).unwrap().accepts(SimTime(20_000)));
        rt.kill(PodId(0), SimTime(30_000), false);
        let p = rt.process(PodId(1)).unwrap();
        // Retries at 1.5 s + k s: the first at or after 30 s is 30.5 s; the data was shut down cleanly.
        assert_eq!(
            (p.listen_at, p.serve_at),
            (SimTime(30_700), SimTime(31_000))
        );
    }

    #[test]
    fn a_killed_writer_leaves_its_data_needing_crash_recovery() {
        let mut rt = Runtime::default();
        rt.start(PodId(0), launch(vec![PvId(0)], false), SimTime(0));
        rt.kill(PodId(0), SimTime(10_000), false);
        assert!(rt.is_dirty(PvId(0)));
        rt.start(
            PodId(0),
            Launch {
                run: 2,
                ..launch(vec![PvId(0)], false)
            },
            SimTime(11_000),
        );
        assert_eq!(rt.process(PodId(0)).unwrap().serve_at, SimTime(24_500));
        assert!(!rt.is_dirty(PvId(0)));
    }

    #[test]
    fn a_program_that_exits_by_itself_leaves_its_data_unclean_with_exit_code_1() {
        let mut rt = Runtime::default();
        rt.start(PodId(0), launch(vec![PvId(0)], true), SimTime(0));
        assert!(rt.crash(PodId(0), SimTime(5_000)));
        let p = rt.process(PodId(0)).unwrap();
        assert_eq!(
            (p.died, p.exit_code, p.clean_exit),
            (Some(SimTime(5_000)), 1, false)
        );
        assert!(rt.is_dirty(PvId(0)));
        assert!(
            !rt.crash(PodId(0), SimTime(6_000)),
            "it is no longer running"
        );
    }

    #[test]
    fn a_program_that_never_listens_refuses_every_connection() {
        let mut rt = Runtime::default();
        let never = Launch {
            listen_ms: NEVER_MS,
            serve_ms: NEVER_MS,
            ..launch(vec![PvId(0)], false)
        };
        rt.start(PodId(0), never, SimTime(0));
        let p = rt.process(PodId(0)).unwrap();
        assert_eq!((p.listen_at, p.serve_at), (SimTime::NEVER, SimTime::NEVER));
        assert!(!p.accepts(SimTime(u64::MAX - 1)));
    }
}

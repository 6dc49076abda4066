//! The kubelet of one node: pod workers that mount volumes, pull images, start, probe, restart and stop
//! containers, and report status (kk:pkg/kubelet).
//!
//! State changes are observed the way the kubelet observes them: container deaths at the next PLEG relist
//! (`genericPlegRelistPeriod` 1 s), readiness from the probe schedule, volumes at the volume manager's loop.

pub mod backoff;
mod crash;
pub mod node_status;
pub mod probes;
mod start;
mod stop;

use crate::api::{Effects, NodeId, PodId, PvId, Runtime, Store};
use crate::engine::SimTime;
use crate::scenario::{AppSpec, Timings};
use backoff::Backoff;
use rand_chacha::ChaCha8Rng;
use std::collections::{BTreeMap, BTreeSet};

/// A kubelet timer; `u32` is the container run it belongs to, so a timer of an older run is ignored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Timer {
    /// The volume manager mounted the pod's volumes.
    Mounted(PodId),
    /// The image pull finished.
    Pulled(PodId),
    /// The PLEG relist that observes a container start or death.
    Relist(PodId, u32),
    /// The readiness probe succeeded `successThreshold` times.
    Ready(PodId, u32),
    /// The liveness probe failed `failureThreshold` times.
    LivenessFailed(PodId, u32),
    /// The program exited by itself after SIGTERM.
    Exited(PodId, u32),
    /// The program exited with an error by itself (`crash-after`).
    Crashed(PodId, u32),
    /// The program finished its work and exited with the app's exit code (`exit-after`).
    Exit(PodId, u32),
    /// The pod worker's retry of a sync that found the container in its restart back-off.
    BackOffSync(PodId, u32),
    /// The grace period ran out: SIGKILL.
    SigKill(PodId, u32),
    /// The restart back-off expired.
    Restart(PodId, u32),
    /// Volumes unmounted after the containers stopped; the pod can be deleted.
    CleanedUp(PodId),
    /// The node's shutdown grace period is over: the machine powers off.
    PowerOff,
}

/// Where a pod worker is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    /// Waiting for volumes to be attached and mounted.
    Volumes,
    Pulling,
    Running,
    /// The container died; a restart is due (possibly after back-off).
    Dead,
    /// The container exited and the restart policy keeps it down: the pod is Succeeded or Failed
    /// and stays so until it is deleted.
    Completed,
    /// Stopping the container for deletion.
    Terminating,
    /// The container is gone; cleaning up.
    Terminated,
}

/// One pod on this node.
#[derive(Debug, Clone)]
struct Worker {
    app: AppSpec,
    stage: Stage,
    /// When the current image pull was asked for.
    pull_started: SimTime,
    /// When the kubelet first synced the pod: its probe workers' tickers start then
    /// (`probeManager.AddPod` in `SyncPod`, kk:pkg/kubelet/kubelet.go).
    admitted: SimTime,
    run: u32,
    restarts: u32,
    backoff: Backoff,
    ip: crate::api::PodIp,
    volumes: Vec<PvId>,
    ready: bool,
    /// The container run whose Running state the kubelet has observed (via relist).
    seen_running: Option<u32>,
    /// A sync found the dead container in its restart back-off: until it starts again, the status
    /// shows the reason the kubelet cached, CrashLoopBackOff.
    crash_loop: bool,
}

/// What the kubelet reads and writes besides its own state.
pub struct Ctx<'a> {
    pub store: &'a Store,
    pub runtime: &'a mut Runtime,
    pub timings: &'a Timings,
    pub rng: &'a mut ChaCha8Rng,
    pub now: SimTime,
}

/// The kubelet of one node.
#[derive(Debug)]
pub struct Kubelet {
    pub node: NodeId,
    /// The offset of this kubelet's PLEG relist ticks within the period.
    relist_phase_ms: u64,
    images: BTreeSet<String>,
    /// Image pulls are serialized (`serializeImagePulls: true`).
    pull_free_at: SimTime,
    next_ip: u32,
    workers: BTreeMap<PodId, Worker>,
    in_use: BTreeSet<PvId>,
    /// Up, crashed or cut off from the API server (`node_status.rs`).
    pub agent: node_status::Agent,
    /// Boots of the machine: timers of an earlier boot are ignored.
    pub boot: u32,
}

impl Kubelet {
    /// A kubelet whose relist loop ticks at `relist_phase_ms` past each period.
    pub fn new(node: NodeId, relist_phase_ms: u64) -> Self {
        Kubelet {
            node,
            relist_phase_ms,
            images: BTreeSet::new(),
            pull_free_at: SimTime::ZERO,
            next_ip: 2,
            workers: BTreeMap::new(),
            in_use: BTreeSet::new(),
            agent: node_status::Agent::Up,
            boot: 0,
        }
    }

    /// The first PLEG relist strictly after `t`.
    pub fn next_relist(&self, t: SimTime, period_ms: u64) -> SimTime {
        let period = period_ms.max(1);
        let base = t.as_ms().saturating_sub(self.relist_phase_ms);
        SimTime((base / period + 1) * period + self.relist_phase_ms)
    }

    /// Pods this kubelet runs.
    pub fn pods(&self) -> impl Iterator<Item = PodId> + '_ {
        self.workers.keys().copied()
    }

    /// The API changed a pod bound here (or one it runs): start, stop or forget it.
    pub fn on_pod_change(&mut self, pod: PodId, apps: &[AppSpec], cx: &mut Ctx) -> Effects<Timer> {
        let mut fx = Effects::default();
        let p = &cx.store.pods[pod.index()];
        let here = p.node == Some(self.node);
        match self.workers.get(&pod).map(|w| w.stage) {
            None if here && p.meta.exists() && p.meta.deletion.is_none() => {
                self.admit(pod, apps, cx, &mut fx)
            }
            Some(Stage::Terminating | Stage::Terminated) | None => {}
            Some(_) if !p.meta.exists() || p.meta.deletion.is_some() => {
                self.terminate(pod, cx, &mut fx)
            }
            Some(_) => {}
        }
        fx
    }

    /// A claim was bound or a volume's attachment changed: pods waiting for volumes may mount now
    /// (the volume manager's desired-state populator re-reads their claims).
    pub fn on_volume_change(&mut self, cx: &mut Ctx) -> Effects<Timer> {
        let mut fx = Effects::default();
        let waiting: Vec<PodId> = self
            .workers
            .iter()
            .filter(|(_, w)| w.stage == Stage::Volumes)
            .map(|(p, _)| *p)
            .collect();
        for pod in waiting {
            self.check_volumes(pod, cx, &mut fx);
        }
        fx
    }

    /// A fault killed the container of `pod` outside the kubelet: it notices at the next relist.
    pub fn on_container_killed(&mut self, pod: PodId, cx: &mut Ctx) -> Effects<Timer> {
        let mut fx = Effects::default();
        if let Some(w) = self.workers.get(&pod) {
            let at = self.next_relist(cx.now, cx.timings.pleg_relist_period_ms);
            fx.timer(at, Timer::Relist(pod, w.run));
        }
        fx
    }

    /// One of this kubelet's timers fired.
    pub fn on_timer(&mut self, timer: Timer, cx: &mut Ctx) -> Effects<Timer> {
        let mut fx = Effects::default();
        match timer {
            Timer::Mounted(pod) => self.on_mounted(pod, cx, &mut fx),
            Timer::Pulled(pod) => self.on_pulled(pod, cx, &mut fx),
            Timer::Relist(pod, run) => self.on_relist(pod, run, cx, &mut fx),
            Timer::Ready(pod, run) => self.on_ready(pod, run, cx, &mut fx),
            Timer::LivenessFailed(pod, run) => self.on_liveness_failed(pod, run, cx, &mut fx),
            Timer::Exited(pod, run) => self.on_stopped(pod, run, true, cx, &mut fx),
            Timer::Crashed(pod, run) => self.on_crashed(pod, run, cx, &mut fx),
            Timer::Exit(pod, run) => self.on_exit(pod, run, cx, &mut fx),
            Timer::BackOffSync(pod, run) => self.on_backoff_sync(pod, run, cx, &mut fx),
            Timer::SigKill(pod, run) => self.on_stopped(pod, run, false, cx, &mut fx),
            Timer::Restart(pod, run) => self.on_restart(pod, run, cx, &mut fx),
            Timer::CleanedUp(pod) => self.on_cleaned_up(pod, cx, &mut fx),
            Timer::PowerOff => fx = self.crash(cx),
        }
        fx
    }

    fn current(&self, pod: PodId, run: u32) -> bool {
        self.workers.get(&pod).is_some_and(|w| w.run == run)
    }

    /// True if the container run `run` of `pod` is the current one and its process is alive.
    fn alive(&self, pod: PodId, run: u32, cx: &Ctx) -> bool {
        self.current(pod, run)
            && cx
                .runtime
                .process(pod)
                .is_some_and(|p| p.run() == run && p.died.is_none())
    }
}

//! The world of one run and its single dispatch `match`: each arm calls a small `on_<event>` function.

use crate::api::{
    DeployId, Effects, Event, NodeId, PodId, PvId, PvcId, RsId, Runtime, Store, SvcId,
};
use crate::controllers::{attach_detach, pv_controller, replicaset};
use crate::engine::{Calendar, SimTime, Streams, WorkQueue};
use crate::kubelet::{self, Kubelet};
use crate::metrics::{FaultMark, Recorder, RequestRecord};
use crate::network::{client::ClientTimer, Clients, Proxy, ProxyTimer};
use crate::scenario::Scenario;
use crate::scheduler::{self, Scheduler};
use rand_chacha::ChaCha8Rng;

/// What an actor is asked to look at after a change it watches (a work-queue key).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Target {
    ReplicaSet(RsId),
    Deployment(DeployId),
    Endpoints(SvcId),
    Claim(PvcId),
    /// The PV controller syncs a volume.
    Volume(PvId),
    /// The disruption controller syncs a PodDisruptionBudget.
    Disruption(crate::api::PdbId),
    AttachDetach(PvId),
    Schedule(PodId),
    KubeletPod(NodeId, PodId),
    KubeletVolumes(NodeId),
    Proxy,
    StatefulSet(crate::api::StsId),
    /// The garbage collector looks at a claim's owner.
    ClaimGc(PvcId),
    DaemonSet(crate::api::DsId),
    Job(crate::api::JobId),
}

/// An event in the calendar.
#[derive(Debug, Clone, PartialEq)]
pub enum Ev {
    /// Work-queue keys are due.
    Wake,
    /// A kubelet timer of the machine's boot `1`.
    Kubelet(NodeId, u32, kubelet::Timer),
    Scheduler(scheduler::QueueTimer),
    RsRequeue(replicaset::Requeue),
    DeployRequeue(crate::controllers::deployment::Requeue),
    StsRequeue(crate::controllers::statefulset::Requeue),
    DsRequeue(crate::controllers::daemon::Requeue),
    JobRequeue(crate::controllers::job::Requeue),
    PvController(pv_controller::Timer),
    AttachDetach(attach_detach::Done),
    Proxy(ProxyTimer),
    Client(ClientTimer),
    /// One of the scenario's faults (an index into them) happens.
    Fault(usize),
    /// A `kubectl drain` step.
    Drain(crate::faults::drain::Timer),
    NodeLifecycle(crate::controllers::nodelifecycle::Timer),
    TaintEviction(crate::controllers::taint_eviction::Evict),
    PodGc,
    /// A restarted machine's kubelet is back.
    NodeRecover(NodeId),
    /// A crashed controller restarts, or late watch events are due.
    ControlPlane(super::control_plane::Timer),
}

/// Named random streams, one per source of randomness.
pub struct Rngs {
    pub scheduler: ChaCha8Rng,
    pub kubelet: ChaCha8Rng,
    pub storage: ChaCha8Rng,
    pub traffic: ChaCha8Rng,
    /// Which pod a `pick: one` fault hits.
    pub fault_targets: ChaCha8Rng,
    /// How long a node fault with `repair` lasts.
    pub fault_repair: ChaCha8Rng,
}

impl Rngs {
    pub fn new(streams: &Streams) -> Self {
        Rngs {
            scheduler: streams.stream("scheduler"),
            kubelet: streams.stream("kubelet"),
            storage: streams.stream("storage"),
            traffic: streams.stream("traffic"),
            fault_targets: streams.stream("fault-targets"),
            fault_repair: streams.stream("fault-repair"),
        }
    }
}

/// Everything one run holds.
pub struct World<'s> {
    pub scenario: &'s Scenario,
    pub cal: Calendar<Ev>,
    pub store: Store,
    pub runtime: Runtime,
    pub queue: WorkQueue<Target>,
    /// The earliest pending Wake.
    pub wake_at: Option<SimTime>,
    pub kubelets: Vec<Kubelet>,
    pub scheduler: Scheduler,
    pub pv: pv_controller::PvController,
    pub adc: attach_detach::AttachDetach,
    pub nlc: crate::controllers::nodelifecycle::NodeLifecycle,
    pub taint_eviction: crate::controllers::taint_eviction::TaintEviction,
    pub podgc: crate::controllers::podgc::PodGc,
    /// Ready pods per workload, for the summary's capacity lost.
    pub capacity: crate::metrics::node_report::CapacityRecorder,
    /// The ReplicaSet controller's expectations and informer view.
    pub rsc: replicaset::ReplicaSetController,
    /// The Job controller's pod-failure back-off records.
    pub jobs: crate::controllers::job::JobController,
    pub proxy: Proxy,
    pub clients: Clients,
    pub rngs: Rngs,
    pub recorder: Recorder,
    pub events: Vec<Event>,
    pub requests: Vec<RequestRecord>,
    pub faults: Vec<FaultMark>,
    /// The scenario's running `kubectl drain`s.
    pub drainer: crate::faults::drain::Drainer,
    /// When each of the scenario's quorum workloads had enough ready members.
    pub quorum: crate::metrics::QuorumTracker,
    /// The index into the scenario's faults of each of `faults`.
    pub fault_specs: Vec<usize>,
    pub processed: u64,
    /// Crashed controllers, lagging watches and write conflicts.
    pub cp: super::control_plane::ControlPlane,
    /// With `KUBESIM_CENSUS` set: events and work-queue keys counted by kind (a profiling aid).
    pub census: Option<Census>,
}

/// Events and work-queue keys counted by kind, printed to standard error at the end of a run.
pub type Census = std::collections::BTreeMap<String, u64>;

/// Counts `item` in `census` under `prefix` and the first two words of its Debug form
/// (`ev Kubelet NodeId`, `key Deployment DeployId`).
pub fn census_count(census: &mut Option<Census>, prefix: &str, item: &impl std::fmt::Debug) {
    let Some(c) = census else {
        return;
    };
    let text = format!("{item:?}");
    let words: Vec<&str> = text
        .split(|ch: char| !ch.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .take(2)
        .collect();
    *c.entry(format!("{prefix} {}", words.join(" ")))
        .or_default() += 1;
}

/// The calendar refused an event, or a loop ran past its limit.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WorldError {
    /// Too many events pending at once.
    #[error(transparent)]
    CalendarFull(#[from] crate::engine::calendar::CalendarFull),
    /// The scheduling queue is full.
    #[error(transparent)]
    QueueFull(#[from] crate::scheduler::QueueFull),
    /// Actors kept waking each other at the same instant without time moving on.
    #[error("at {0}s actors woke each other {1} times without time advancing (a reconcile loop that never settles)")]
    Livelock(SimTime, u64),
}

impl World<'_> {
    /// Schedules `ev` at `at`.
    pub fn schedule(&mut self, at: SimTime, ev: Ev) -> Result<(), WorldError> {
        self.cal.schedule(at, ev)?;
        Ok(())
    }

    /// Adds a work-queue key due at `at`, scheduling a Wake if it is the earliest.
    pub fn enqueue(&mut self, target: Target, at: SimTime) -> Result<(), WorldError> {
        if let Some(kind) = self.cp.notifying {
            match self.notified_at(target, kind, at) {
                None => return Ok(()), // Lost with a broken watch; its relist adds the key.
                Some(due) if due > at => return self.enqueue_late(target, due),
                Some(_) => {}
            }
        }
        self.queue.add_after(target, at);
        let due = self.queue.next_due().unwrap_or(at);
        if self.wake_at.is_none_or(|w| due < w) {
            self.wake_at = Some(due);
            self.schedule(due, Ev::Wake)?;
        }
        Ok(())
    }

    /// Applies an actor's effects: its writes, Events, and timers wrapped by `wrap`.
    pub fn apply<T>(&mut self, fx: Effects<T>, wrap: impl Fn(T) -> Ev) -> Result<(), WorldError> {
        let now = self.cal.now();
        for w in self.admit(fx.writes)? {
            let owner = match &w {
                crate::api::Write::CreatePod { owner, .. } => Some(*owner),
                _ => None,
            };
            if let Some(pod) = self.store.apply(w, now) {
                self.record_create(owner, pod, now);
            }
        }
        self.events.extend(fx.events);
        for (at, t) in fx.timers {
            self.schedule(at, wrap(t))?;
        }
        Ok(())
    }

    /// The pod control's `SuccessfulCreate` Event on the controller that created the pod.
    fn record_create(&mut self, owner: Option<crate::api::Owner>, pod: PodId, now: SimTime) {
        use crate::api::Owner;
        let store = &self.store;
        let (kind, meta) = match owner {
            Some(Owner::ReplicaSet(rs)) => ("ReplicaSet", &store.replica_sets[rs.index()].meta),
            Some(Owner::DaemonSet(ds)) => ("DaemonSet", &store.daemon_sets[ds.index()].meta),
            Some(Owner::Job(job)) => ("Job", &store.jobs[job.index()].meta),
            _ => return,
        };
        let name = &store.pods[pod.index()].meta.name;
        self.events.push(Event::new(
            now,
            kind,
            &meta.namespace,
            &meta.name,
            "SuccessfulCreate",
            format!("Created pod: {name}"),
        ));
    }
}

//! Control-plane faults in the world: crashed controllers, watches that deliver late (a lagging
//! cache), and updates refused with 409 Conflict, requeued with the work queue's back-off.

use super::cache_view::{known, view};
use super::world::{Ev, Target, World, WorldError};
use crate::api::{Kind, Store, Write};
use crate::engine::SimTime;
use crate::scenario::{ControlPlaneFault, Controller, WatchedResource};
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use std::collections::BTreeMap;
use std::rc::Rc;

/// `ItemExponentialFailureRateLimiter(5*time.Millisecond, 1000*time.Second)`, the per-item half of
/// `workqueue.DefaultControllerRateLimiter` (k8s.io/client-go/util/workqueue/default_rate_limiters.go).
const BACKOFF_BASE_MS: u64 = 5;
const BACKOFF_MAX_MS: u64 = 1_000_000;

/// A control-plane timer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Timer {
    /// The controller's process is back.
    Restart(Controller),
    /// Watch events that a lagging informer delivers late are due.
    Deliver,
    /// The controller's broken watches relist.
    Relist(Controller),
}

/// A watch that misbehaves until `until`.
struct Delay {
    until: SimTime,
    watch: Watch,
}

/// How a watch misbehaves.
#[derive(Debug, Clone, Copy)]
enum Watch {
    /// It delivers `by_ms` late: every informer of its controller's, or only the pod informer.
    Lags {
        by_ms: u64,
        resource: WatchedResource,
    },
    /// It is broken since `since`: the caches stay as they were then, and events are lost.
    Broken { since: SimTime },
}

/// The state of the control-plane faults of one run.
pub struct ControlPlane {
    /// Per controller ([`Controller::index`]): until when it is down.
    down_until: [Option<SimTime>; Controller::ALL.len()],
    delays: [Option<Delay>; Controller::ALL.len()],
    /// Per controller: when its informers last listed (a restart or a relist): its caches are
    /// no older than that, whatever its watch's lag.
    listed_at: [Option<SimTime>; Controller::ALL.len()],
    /// Per controller: how long a sync keeps its worker busy, and until when.
    slow: [Option<(u64, SimTime)>; Controller::ALL.len()],
    /// Per controller: when its busy worker takes the next key.
    busy_until: [SimTime; Controller::ALL.len()],
    /// Per controller: the probability an update fails, and until when.
    conflicts: [Option<(f64, SimTime)>; Controller::ALL.len()],
    /// The `api-conflicts` random stream.
    rng: ChaCha8Rng,
    /// Failures per key since its last successful sync (the rate limiter's `failures` map).
    failures: BTreeMap<Target, u32>,
    /// Copies of the store after each change while a watch lags, oldest first.
    pub(super) snapshots: Vec<(SimTime, Rc<Store>)>,
    /// Watch events that lagging informers deliver later.
    pub(super) late: super::late_watch::LateEvents,
    /// The key being synced (whose writes may conflict).
    pub(super) syncing: Option<Target>,
    /// The kind of the change being notified (keys added now are its watch events).
    pub(super) notifying: Option<Kind>,
}

impl ControlPlane {
    /// No fault yet; conflicts draw from `rng`.
    pub fn new(rng: ChaCha8Rng) -> Self {
        ControlPlane {
            down_until: Default::default(),
            delays: Default::default(),
            listed_at: Default::default(),
            slow: Default::default(),
            busy_until: [SimTime::ZERO; Controller::ALL.len()],
            conflicts: Default::default(),
            rng,
            failures: BTreeMap::new(),
            snapshots: Vec::new(),
            late: Default::default(),
            syncing: None,
            notifying: None,
        }
    }

    /// True while `c`'s process is down.
    pub fn is_down(&self, c: Controller, now: SimTime) -> bool {
        self.down_until[c.index()].is_some_and(|t| now < t)
    }

    /// How late `c`'s watch of `kind` delivers at `now` (0: on time); None: the event is lost
    /// (its watch is broken until a relist).
    pub fn delay_ms(&self, c: Controller, kind: Kind, now: SimTime) -> Option<u64> {
        match self.watch(c, now) {
            None => Some(0),
            Some(Watch::Broken { .. }) => None,
            Some(Watch::Lags { by_ms, resource }) => Some(match resource {
                WatchedResource::All => by_ms,
                WatchedResource::Pods if kind == Kind::Pod => by_ms,
                WatchedResource::Pods => 0,
            }),
        }
    }

    /// How old the objects in `c`'s cache may be at `now`, and which informers lag (a broken
    /// watch leaves every cache as it was when it broke).
    pub(super) fn lag(&self, c: Controller, now: SimTime) -> Option<(u64, WatchedResource)> {
        let (by_ms, resource) = match self.watch(c, now)? {
            Watch::Lags { by_ms, resource } => (by_ms, resource),
            Watch::Broken { since } => (now.since_ms(since), WatchedResource::All),
        };
        let listed_ms = self.listed_at[c.index()].map_or(u64::MAX, |t| now.since_ms(t));
        Some((by_ms.min(listed_ms), resource))
    }

    /// When `target`'s slow controller can take it (None: now, and its worker is busy from now
    /// for one turn).
    pub(super) fn turn(&mut self, target: Target, now: SimTime) -> Option<SimTime> {
        let i = controller_of(target)?.index();
        let per_key_ms = match self.slow[i] {
            Some((per_key_ms, until)) if now < until => per_key_ms,
            _ => return None,
        };
        if self.busy_until[i] > now {
            return Some(self.busy_until[i]);
        }
        self.busy_until[i] = now.plus_ms(per_key_ms);
        None
    }

    /// `c`'s informers list now: its caches are the API server's, and a broken watch is
    /// replaced by the new one the list starts.
    pub(super) fn listed(&mut self, c: Controller, now: SimTime) {
        self.listed_at[c.index()] = Some(now);
        if matches!(self.watch(c, now), Some(Watch::Broken { .. })) {
            self.delays[c.index()] = None;
        }
    }

    fn watch(&self, c: Controller, now: SimTime) -> Option<Watch> {
        match &self.delays[c.index()] {
            Some(d) if now < d.until => Some(d.watch),
            _ => None,
        }
    }

    /// The oldest view any lagging cache may read at `now` (None: no watch lags).
    fn oldest_horizon(&self, now: SimTime) -> Option<SimTime> {
        let lags = Controller::ALL.into_iter().filter_map(|c| self.lag(c, now));
        let by_ms = lags.map(|(by_ms, _)| by_ms).max()?;
        Some(SimTime(now.as_ms().saturating_sub(by_ms)))
    }
}

/// The controller whose work queue holds `target` (None: not a controller's, or not one the
/// control-plane faults reach).
pub fn controller_of(target: Target) -> Option<Controller> {
    Some(match target {
        Target::ReplicaSet(_) => Controller::ReplicaSet,
        Target::Deployment(_) => Controller::Deployment,
        Target::Endpoints(_) => Controller::Endpoints,
        Target::Disruption(_) => Controller::Disruption,
        Target::StatefulSet(_) => Controller::StatefulSet,
        Target::ClaimGc(_) => Controller::GarbageCollector,
        Target::DaemonSet(_) => Controller::DaemonSet,
        Target::Job(_) => Controller::Job,
        _ => return None,
    })
}

/// True for a write that replaces an object the writer read (an update or a status update, sent
/// with its resourceVersion, so refused with 409 Conflict if the object changed since); creates,
/// deletes and bindings carry no resourceVersion precondition.
fn is_update(w: &Write) -> bool {
    !matches!(
        w,
        Write::CreatePod { .. }
            | Write::CreateNamedPod { .. }
            | Write::CreateReplicaSet { .. }
            | Write::CreateDeployment { .. }
            | Write::CreateClaim { .. }
            | Write::CreateRevision { .. }
            | Write::DeletePod { .. }
            | Write::RemovePod { .. }
            | Write::DeleteReplicaSet { .. }
            | Write::DeleteClaim { .. }
            | Write::DeleteRevision { .. }
            | Write::BindPod { .. }
    )
}

impl World<'_> {
    /// A control-plane fault of the scenario happens now.
    pub(super) fn on_control_plane_fault(
        &mut self,
        fault: &ControlPlaneFault,
    ) -> Result<(), WorldError> {
        let now = self.cal.now();
        let i = fault.controller().index();
        match *fault {
            ControlPlaneFault::Crash {
                controller,
                down_ms,
            } => {
                let back = now.plus_ms(down_ms);
                self.cp.down_until[i] = Some(back);
                self.schedule(back, Ev::ControlPlane(Timer::Restart(controller)))
            }
            ControlPlaneFault::DelayWatch {
                by_ms,
                for_ms,
                resource,
                ..
            } => {
                let until = now.plus_ms(for_ms);
                let watch = Watch::Lags { by_ms, resource };
                self.cp.delays[i] = Some(Delay { until, watch });
                self.take_snapshot();
                Ok(())
            }
            ControlPlaneFault::DropWatch {
                controller,
                relist_after_ms,
            } => {
                let until = now.plus_ms(relist_after_ms);
                let watch = Watch::Broken { since: now };
                self.cp.delays[i] = Some(Delay { until, watch });
                self.take_snapshot();
                self.schedule(until, Ev::ControlPlane(Timer::Relist(controller)))
            }
            ControlPlaneFault::SlowSync {
                per_key_ms, for_ms, ..
            } => {
                self.cp.slow[i] = Some((per_key_ms, now.plus_ms(for_ms)));
                Ok(())
            }
            ControlPlaneFault::Conflict {
                probability,
                for_ms,
                ..
            } => {
                self.cp.conflicts[i] = Some((probability, now.plus_ms(for_ms)));
                Ok(())
            }
        }
    }

    /// A control-plane timer fired.
    pub(super) fn on_control_plane_timer(&mut self, timer: Timer) -> Result<(), WorldError> {
        match timer {
            Timer::Restart(c) => self.restart_controller(c),
            Timer::Deliver => self.deliver_late_events(),
            Timer::Relist(c) => self.relist(c),
        }
    }

    /// The controller starts again: its in-memory state (expectations, the informer's last view,
    /// back-off records) is gone; its informers list every object and its handlers enqueue each
    /// (`cache.NewSharedIndexInformer`'s initial list delivers an add per object).
    fn restart_controller(&mut self, c: Controller) -> Result<(), WorldError> {
        let now = self.cal.now();
        if self.cp.down_until[c.index()] != Some(now) {
            return Ok(()); // A later crash keeps it down longer (or it is already back).
        }
        self.cp.down_until[c.index()] = None;
        // Its informers' first list is the API server's state (`WaitForCacheSync`).
        self.cp.listed(c, now);
        self.cp.failures.retain(|t, _| controller_of(*t) != Some(c));
        match c {
            Controller::ReplicaSet => {
                // A new process with the same code (a testing mutant stays switched on).
                let no_expectations = self.rsc.no_expectations;
                self.rsc = Default::default();
                self.rsc.no_expectations = no_expectations;
                let pods: Vec<crate::api::PodId> = self.store.live_pods.iter().copied().collect();
                for pod in pods {
                    self.rsc.observe_pod(&self.store, pod, now);
                }
            }
            Controller::Job => self.jobs = Default::default(),
            _ => {}
        }
        self.enqueue_all(c, now)
    }

    /// Adds the key of every object controller `c` watches (what its handlers do for the adds or
    /// updates a list delivers).
    pub(super) fn enqueue_all(&mut self, c: Controller, now: SimTime) -> Result<(), WorldError> {
        let s = &self.store;
        let keys: Vec<Target> = match c {
            Controller::ReplicaSet => ids(s.replica_sets.len(), |i| {
                Target::ReplicaSet(crate::api::RsId(i))
            }),
            Controller::Deployment => ids(s.deployments.len(), |i| {
                Target::Deployment(crate::api::DeployId(i))
            }),
            Controller::Endpoints => ids(s.services.len(), |i| {
                Target::Endpoints(crate::api::SvcId(i))
            }),
            Controller::StatefulSet => ids(s.stateful_sets.len(), |i| {
                Target::StatefulSet(crate::api::StsId(i))
            }),
            Controller::DaemonSet => ids(s.daemon_sets.len(), |i| {
                Target::DaemonSet(crate::api::DsId(i))
            }),
            Controller::Job => ids(s.jobs.len(), |i| Target::Job(crate::api::JobId(i))),
            Controller::Disruption => {
                ids(s.pdbs.len(), |i| Target::Disruption(crate::api::PdbId(i)))
            }
            Controller::GarbageCollector => {
                ids(s.claims.len(), |i| Target::ClaimGc(crate::api::PvcId(i)))
            }
        };
        for key in keys {
            self.enqueue(key, now)?;
        }
        Ok(())
    }

    /// Keeps a copy of the store while a watch lags, for the caches that lag behind it.
    pub(super) fn take_snapshot(&mut self) {
        let now = self.cal.now();
        let Some(horizon) = self.cp.oldest_horizon(now) else {
            if self.cp.late.is_empty() {
                self.cp.snapshots.clear();
            }
            return;
        };
        let keep_from = self.cp.snapshots.iter().rposition(|(t, _)| *t <= horizon);
        self.cp.snapshots.drain(..keep_from.unwrap_or(0));
        if self.cp.snapshots.last().is_some_and(|(t, _)| *t == now) {
            self.cp.snapshots.pop();
        }
        self.cp.snapshots.push((now, Rc::new(self.store.clone())));
    }

    /// True if `target`'s controller runs its sync now (it is up, and its cache knows the object).
    pub(super) fn controller_runs(&self, target: Target) -> bool {
        let Some(c) = controller_of(target) else {
            return true;
        };
        let now = self.cal.now();
        !self.cp.is_down(c, now) && known(&view(&self.cp, &self.store, c, now), target)
    }

    /// The writes of the sync now running that the API server accepts: the first update refused
    /// with a Conflict ends them (the sync returns its error), and the key is requeued rate-limited
    /// (`processNextWorkItem` → `handleErr` → `queue.AddRateLimited`); a sync without error
    /// `Forget`s the key's failures. An update is refused when the scenario's conflict fault draws
    /// it, and always when it was computed from a lagging cache's copy of an object that has changed
    /// since (its resourceVersion is stale).
    pub(super) fn admit(&mut self, mut writes: Vec<Write>) -> Result<Vec<Write>, WorldError> {
        let Some(target) = self.cp.syncing else {
            return Ok(writes);
        };
        let now = self.cal.now();
        let c = controller_of(target).expect("a controller's key");
        let p = match self.cp.conflicts[c.index()] {
            Some((p, until)) if now < until => p,
            _ => 0.0,
        };
        let stale: Vec<bool> = {
            let seen = view(&self.cp, &self.store, c, now);
            match seen.is_live(&self.store) {
                true => vec![false; writes.len()],
                false => (writes.iter())
                    .map(|w| is_stale(&seen, &self.store, w))
                    .collect(),
            }
        };
        let rng = &mut self.cp.rng;
        let refused = writes.iter().zip(&stale).position(|(w, stale)| {
            is_update(w) && (*stale || (p > 0.0 && rng.random::<f64>() < p))
        });
        let Some(i) = refused else {
            self.cp.failures.remove(&target);
            return Ok(writes);
        };
        writes.truncate(i);
        let failures = self.cp.failures.entry(target).or_insert(0);
        let backoff_ms = BACKOFF_BASE_MS
            .saturating_mul(1u64 << (*failures).min(40))
            .min(BACKOFF_MAX_MS);
        *failures += 1;
        self.enqueue(target, now.plus_ms(backoff_ms))?;
        Ok(writes)
    }
}

/// True if `w` updates an object whose resourceVersion in `seen` (the writer's cache) is not the
/// API server's.
fn is_stale(seen: &Store, live: &Store, w: &Write) -> bool {
    let rv = |s: &Store| updated_meta(s, w).map(|m| m.resource_version);
    rv(seen) != rv(live)
}

/// The object an update writes, as `store` has it (None: not an update of one object, or absent).
fn updated_meta<'a>(s: &'a Store, w: &Write) -> Option<&'a crate::api::Meta> {
    let at = |i: usize, len: usize| (i < len).then_some(i);
    Some(match w {
        Write::SetPodStatus { pod, .. } => &s.pods[at(pod.index(), s.pods.len())?].meta,
        Write::ScaleReplicaSet { rs, .. } | Write::SetReplicaSetStatus { rs, .. } => {
            &s.replica_sets[at(rs.index(), s.replica_sets.len())?].meta
        }
        Write::UpdateDeployment { deployment, .. }
        | Write::SetDeploymentStatus { deployment, .. } => {
            &s.deployments[at(deployment.index(), s.deployments.len())?].meta
        }
        Write::SetPdbStatus { pdb, .. } => &s.pdbs[at(pdb.index(), s.pdbs.len())?].meta,
        Write::SetClaimOwner { claim, .. } => &s.claims[at(claim.index(), s.claims.len())?].meta,
        Write::UpdateStatefulSet { set, .. } | Write::SetStatefulSetStatus { set, .. } => {
            &s.stateful_sets[at(set.index(), s.stateful_sets.len())?].meta
        }
        Write::SetRevisionNumber { revision, .. } => {
            &s.revisions[at(revision.index(), s.revisions.len())?].meta
        }
        Write::UpdateDaemonSet { ds, .. } | Write::SetDaemonSetStatus { ds, .. } => {
            &s.daemon_sets[at(ds.index(), s.daemon_sets.len())?].meta
        }
        Write::SetJobStatus { job, .. } => &s.jobs[at(job.index(), s.jobs.len())?].meta,
        _ => return None,
    })
}

/// `make(n)` for each index below `n`.
fn ids(n: usize, make: impl Fn(u32) -> Target) -> Vec<Target> {
    (0..n as u32).map(make).collect()
}

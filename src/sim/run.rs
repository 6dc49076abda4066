//! The run loop: pop events in (time, sequence) order until the scenario's end, dispatch each, collect outputs.

use super::world::{Ev, Target, World, WorldError};
use crate::api::{Runtime, Store};
use crate::controllers::attach_detach;
use crate::engine::SimTime;
use crate::metrics::summary::{recovery_after, summarize_service};
use crate::metrics::{FaultSummary, RequestRecord, RunOutput, Summary};
use crate::network::{
    client::{ClientTimer, Waiting},
    ProxyTimer, Resolution,
};
use crate::scenario::{FaultAction, Pick, Scenario};
use rand::Rng;

/// Why a run could not complete.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RunError {
    /// The manifests hold a kind the simulator does not model yet.
    #[error("{file}: kind {kind} is not simulated yet (only Deployment, StatefulSet, DaemonSet, Job, Pod, Node, Service, PersistentVolumeClaim, PersistentVolume, StorageClass, PodDisruptionBudget, ConfigMap and Secret are)")]
    Unsupported { file: String, kind: &'static str },
    /// A client targets a Service that is not among the manifests.
    #[error("traffic: service {0} is not among the manifests")]
    NoService(String),
    /// The engine stopped the run.
    #[error(transparent)]
    World(#[from] WorldError),
}

/// Runs `scenario` with `seed` to its end.
pub fn run(scenario: &Scenario, seed: u64) -> Result<RunOutput, RunError> {
    run_observed(scenario, seed, |_, _| {})
}

/// Runs replication `replication` of `scenario`: its random streams come from (seed, replication)
/// alone, so any replication can be re-run by itself; replication 0 is [`run`].
pub fn run_replication(
    scenario: &Scenario,
    seed: u64,
    replication: u64,
) -> Result<RunOutput, RunError> {
    run_with(scenario, seed, replication, |_, _| {})
}

/// Runs `scenario` with `seed`, showing the API state to `observe` after every event (invariant checks).
pub fn run_observed(
    scenario: &Scenario,
    seed: u64,
    observe: impl FnMut(&Store, SimTime),
) -> Result<RunOutput, RunError> {
    run_with(scenario, seed, 0, observe)
}

/// What [`run_inspected`] shows after every event: the API objects and the ground truth below them.
#[derive(Clone, Copy)]
pub struct WorldView<'a> {
    /// The API server's objects.
    pub store: &'a Store,
    /// Which container processes really run, on which node.
    pub runtime: &'a Runtime,
    /// The event was one of the scenario's faults or changes (a person's `kubectl`), not an actor's work.
    pub scenario_action: bool,
    /// The Kubernetes Events recorded while handling this event (who did what: `SuccessfulDelete`, ...).
    pub new_events: &'a [crate::api::Event],
    /// The API objects this event wrote (in order, repeats possible; the first event's include the
    /// objects the scenario created before it).
    pub changes: &'a [crate::api::Change],
    /// The pods whose container process started or ended in this event (repeats possible).
    pub lifecycle: &'a [crate::api::PodId],
}

/// Runs `scenario` with `seed`, showing the API objects and the runtime to `inspect` after every
/// event (invariants that need ground truth, such as which pods really run).
pub fn run_inspected(
    scenario: &Scenario,
    seed: u64,
    inspect: impl FnMut(WorldView<'_>, SimTime),
) -> Result<RunOutput, RunError> {
    run_world(scenario, seed, 0, inspect)
}

/// Runs replication `replication`, showing the API state to `observe` after every event.
fn run_with(
    scenario: &Scenario,
    seed: u64,
    replication: u64,
    mut observe: impl FnMut(&Store, SimTime),
) -> Result<RunOutput, RunError> {
    run_world(scenario, seed, replication, |view, now| {
        observe(view.store, now)
    })
}

/// The run loop, showing the world to `inspect` after every event.
fn run_world(
    scenario: &Scenario,
    seed: u64,
    replication: u64,
    mut inspect: impl FnMut(WorldView<'_>, SimTime),
) -> Result<RunOutput, RunError> {
    let mut world = super::build::build(scenario, seed, replication)?;
    let end = SimTime(scenario.duration_ms);
    let mut lifecycle_seen = 0;
    while let Some((now, ev)) = world.cal.pop_until(end) {
        world.processed += 1;
        super::world::census_count(&mut world.census, "ev", &ev);
        let scenario_action = matches!(ev, Ev::Fault(_) | Ev::Drain(_));
        let events_before = world.events.len();
        world.dispatch(ev)?;
        world.notify()?;
        let view = WorldView {
            store: &world.store,
            runtime: &world.runtime,
            scenario_action,
            new_events: &world.events[events_before..],
            changes: world.store.journal(),
            lifecycle: &world.runtime.lifecycle()[lifecycle_seen..],
        };
        inspect(view, now);
        // The first event's journal and lifecycle also hold what the build wrote.
        world.store.clear_journal();
        lifecycle_seen = world.runtime.lifecycle().len();
    }
    world.cal.advance_to(end);
    for (kind, n) in world.census.iter().flatten() {
        eprintln!("census {n:>10} {kind}");
    }
    Ok(world.finish(seed))
}

impl World<'_> {
    fn dispatch(&mut self, ev: Ev) -> Result<(), WorldError> {
        let now = self.cal.now();
        let t = &self.scenario.timings;
        match ev {
            Ev::Wake => self.on_wake(),
            Ev::Kubelet(node, boot, _) if boot != self.kubelets[node.index()].boot => Ok(()),
            Ev::Kubelet(node, _, timer) => self.kubelet_call(node, |k, cx| k.on_timer(timer, cx)),
            Ev::Scheduler(timer) => self.on_scheduler_timer(timer),
            Ev::RsRequeue(r) => self.enqueue(Target::ReplicaSet(r.0), now),
            Ev::DeployRequeue(r) => self.enqueue(Target::Deployment(r.0), now),
            Ev::StsRequeue(r) => self.enqueue(Target::StatefulSet(r.0), now),
            Ev::DsRequeue(r) => self.enqueue(Target::DaemonSet(r.0), now),
            Ev::JobRequeue(r) => self.enqueue(Target::Job(r.0), now),
            Ev::PvController(timer) => self.on_pv_timer(timer),
            Ev::AttachDetach(attach_detach::Done::Recheck(v)) => {
                self.enqueue(Target::AttachDetach(v), now)
            }
            Ev::AttachDetach(done) => {
                let fx = self.adc.on_done(&self.store, done, now);
                self.apply(fx, Ev::AttachDetach)
            }
            Ev::Proxy(ProxyTimer::Sync) => {
                let (at, applied) = self.proxy.on_sync(
                    &self.store,
                    now,
                    t.kube_proxy_min_sync_period_ms,
                    t.kube_proxy_sync_ms,
                );
                self.schedule(at, Ev::Proxy(applied))
            }
            Ev::Proxy(ProxyTimer::Applied(rules)) => {
                match self
                    .proxy
                    .on_applied(rules, now, t.kube_proxy_min_sync_period_ms)
                {
                    Some(at) => self.schedule(at, Ev::Proxy(ProxyTimer::Sync)),
                    None => Ok(()),
                }
            }
            Ev::Client(ClientTimer::Send(c)) => self.on_send(c, now, 0),
            Ev::Client(ClientTimer::Syn {
                client,
                sent,
                attempt,
            }) => self.on_send(client, sent, attempt),
            Ev::Client(ClientTimer::Answer(w)) => self.on_answer(w),
            Ev::Fault(i) => self.on_fault(i),
            Ev::Drain(timer) => self.on_drain_timer(timer),
            Ev::NodeLifecycle(timer) => self.on_node_lifecycle(timer),
            Ev::TaintEviction(e) => self.on_taint_eviction(e),
            Ev::PodGc => self.on_pod_gc(),
            Ev::NodeRecover(node) => self.on_node_recover(node),
            Ev::ControlPlane(timer) => self.on_control_plane_timer(timer),
        }
    }

    /// Sends (attempt 0) or retransmits the SYN of a request sent at `sent`.
    fn on_send(&mut self, c: usize, sent: SimTime, attempt: u32) -> Result<(), WorldError> {
        let now = self.cal.now();
        let res = self.clients.send(
            c,
            sent,
            attempt,
            &self.store,
            &self.proxy,
            &self.runtime,
            &self.scenario.apps,
            &mut self.rngs.traffic,
            now,
        );
        // An open-loop client sends its next request on schedule whatever happens to this one.
        if attempt == 0 && !self.clients.specs[c].closed_loop {
            self.schedule(
                self.clients.next_send(c, sent, now),
                Ev::Client(ClientTimer::Send(c)),
            )?;
        }
        match res {
            Resolution::Done(record, settled) => {
                self.requests.push(record);
                self.after_settled(c, sent, settled)
            }
            Resolution::Wait(at, pod, run) => self.schedule(
                at,
                Ev::Client(ClientTimer::Answer(Waiting {
                    client: c,
                    sent,
                    pod,
                    run,
                })),
            ),
            Resolution::Retransmit(at, attempt) => self.schedule(
                at,
                Ev::Client(ClientTimer::Syn {
                    client: c,
                    sent,
                    attempt,
                }),
            ),
        }
    }

    /// A closed-loop client sends again after the pause.
    fn after_settled(
        &mut self,
        c: usize,
        sent: SimTime,
        settled: SimTime,
    ) -> Result<(), WorldError> {
        if self.clients.specs[c].closed_loop {
            self.schedule(
                self.clients.next_send(c, sent, settled),
                Ev::Client(ClientTimer::Send(c)),
            )?;
        }
        Ok(())
    }

    fn on_answer(&mut self, w: Waiting) -> Result<(), WorldError> {
        let now = self.cal.now();
        let record = self.clients.answer(w, &self.store, &self.runtime, now);
        self.requests.push(record);
        self.after_settled(w.client, w.sent, now)
    }

    fn on_fault(&mut self, i: usize) -> Result<(), WorldError> {
        let now = self.cal.now();
        if let Some(applied) = self.node_fault(i) {
            return self.carry_out(i, applied);
        }
        let spec = &self.scenario.faults[i];
        let rng = &mut self.rngs.fault_targets;
        let mut narrow = |pods: Vec<crate::api::PodId>| match spec.pick {
            Pick::All => pods,
            Pick::One if pods.is_empty() => pods,
            Pick::One => vec![pods[rng.random_range(0..pods.len())]],
        };
        let applied = crate::faults::apply_narrowed(
            &spec.action,
            &self.store,
            &mut self.runtime,
            now,
            &mut narrow,
        );
        self.carry_out(i, applied)
    }

    /// Carries out what fault `i` did: its writes, kills, node steps and marks.
    fn carry_out(&mut self, i: usize, applied: crate::faults::Applied) -> Result<(), WorldError> {
        let now = self.cal.now();
        for w in applied.writes {
            self.store.apply(w, now);
        }
        for pod in applied.killed {
            if let Some(node) = self.store.pods[pod.index()].node {
                self.kubelet_call(node, |k, cx| k.on_container_killed(pod, cx))?;
            }
        }
        if let Some(mark) = applied.mark {
            self.faults.push(mark);
            self.fault_specs.push(i);
        }
        self.events.extend(applied.events);
        for step in applied.nodes {
            self.on_node_step(step)?;
        }
        let scenario = self.scenario;
        if let FaultAction::ControlPlane(f) = &scenario.faults[i].action {
            self.on_control_plane_fault(f)?;
        }
        self.on_fault_drain(i)
    }

    fn finish(self, seed: u64) -> RunOutput {
        let mut requests = self.requests;
        requests.sort_by_key(|r| r.time);
        let marks = (&self.faults[..], &self.fault_specs[..]);
        let mut summary = summarize(self.scenario, seed, self.processed, &requests, marks);
        summary.claims = claims(&self.store);
        summary.disruption_budgets = budgets(&self.store);
        summary.pending = pending(&self.store, &self.events);
        summary.jobs = crate::metrics::workloads::jobs(&self.store);
        summary.daemon_sets = crate::metrics::workloads::daemon_sets(&self.store);
        summary.rollouts = self.recorder.spans.clone();
        summary.quorums = self.quorum.finish(SimTime(self.scenario.duration_ms));
        summary.node_report = crate::metrics::node_report::NodeReport {
            capacity: self.capacity.finish(self.cal.now()),
            nodes: crate::metrics::node_report::node_spells(&self.events),
            stuck_terminating: crate::metrics::node_report::stuck_terminating(&self.store),
        };
        let (pods, watch, rollouts) = self.recorder.into_records();
        let mut events = self.events;
        events.sort_by_key(|e| e.time);
        RunOutput {
            events,
            pods,
            requests,
            watch,
            rollouts,
            faults: self.faults,
            summary,
        }
    }
}

fn summarize(
    s: &Scenario,
    seed: u64,
    events: u64,
    requests: &[RequestRecord],
    (marks, specs): (&[crate::metrics::FaultMark], &[usize]),
) -> Summary {
    let mut names: Vec<&str> = s.traffic.iter().map(|t| t.service.as_str()).collect();
    names.dedup();
    let of = |name: &str| {
        requests
            .iter()
            .filter(|r| r.service == name)
            .collect::<Vec<_>>()
    };
    let by_service: Vec<Vec<&RequestRecord>> = names.iter().map(|n| of(n)).collect();
    let services = names
        .iter()
        .zip(&by_service)
        .map(|(n, rs)| summarize_service(n, rs, SimTime(s.duration_ms)))
        .collect();
    let requests_of = |name: &str| {
        let i = names.iter().position(|n| *n == name);
        i.map_or(&[][..], |i| &by_service[i][..])
    };
    let faults = marks
        .iter()
        .zip(specs)
        .map(|(m, spec)| {
            let action = &s.faults[*spec].action;
            let svc = affected_service(s, action).unwrap_or(names.first().copied().unwrap_or(""));
            FaultSummary {
                spec: *spec,
                at: m.at,
                action: m.action.clone(),
                target: m.target.clone(),
                recovery_ms: recovery_after(m.at, requests_of(svc)),
            }
        })
        .collect();
    Summary {
        scenario: s.name.clone(),
        seed,
        duration_ms: s.duration_ms,
        events,
        services,
        faults,
        claims: Vec::new(),
        rollouts: Vec::new(),
        disruption_budgets: Vec::new(),
        pending: Vec::new(),
        quorums: Vec::new(),
        jobs: Vec::new(),
        daemon_sets: Vec::new(),
        node_report: Default::default(),
    }
}

fn claims(store: &crate::api::Store) -> Vec<crate::metrics::ClaimSummary> {
    store
        .claims
        .iter()
        .map(|c| crate::metrics::ClaimSummary {
            namespace: c.meta.namespace.clone(),
            name: c.meta.name.clone(),
            storage_class: c.storage_class.clone(),
            requested_bytes: c.request_bytes,
            capacity_bytes: c.capacity_bytes,
            volume: c.volume.map(|v| store.volumes[v.index()].meta.name.clone()),
        })
        .collect()
}

/// Every live PodDisruptionBudget's status (kk:pkg/controller/disruption/disruption.go `updatePdbStatus`).
/// Live pods with no node and no deletion, each with its last FailedScheduling message.
fn pending(
    store: &crate::api::Store,
    events: &[crate::api::Event],
) -> Vec<crate::metrics::PendingSummary> {
    let mut pods: Vec<&crate::api::Pod> = store
        .live_pods
        .iter()
        .map(|p| &store.pods[p.index()])
        .filter(|p| p.node.is_none() && p.meta.deletion.is_none())
        .collect();
    pods.sort_by_key(|p| (p.meta.created, p.meta.uid.clone()));
    let reason = |p: &crate::api::Pod| {
        let last = events.iter().rev().find(|e| {
            e.reason == "FailedScheduling"
                && e.kind == "Pod"
                && e.name == p.meta.name
                && e.namespace == p.meta.namespace
        });
        last.map(|e| e.message.clone())
    };
    pods.iter()
        .map(|p| crate::metrics::PendingSummary {
            namespace: p.meta.namespace.clone(),
            name: p.meta.name.clone(),
            created: p.meta.created,
            reason: reason(p),
        })
        .collect()
}

fn budgets(store: &crate::api::Store) -> Vec<crate::metrics::BudgetSummary> {
    store
        .pdbs
        .iter()
        .filter(|p| p.meta.exists())
        .map(|p| crate::metrics::BudgetSummary {
            namespace: p.meta.namespace.clone(),
            name: p.meta.name.clone(),
            expected_pods: p.status.expected_pods,
            current_healthy: p.status.current_healthy,
            desired_healthy: p.status.desired_healthy,
            disruptions_allowed: p.status.disruptions_allowed,
        })
        .collect()
}

/// The first client's Service whose traffic the fault's pods serve (its selector is among their labels).
fn affected_service<'s>(s: &'s Scenario, action: &FaultAction) -> Option<&'s str> {
    let sel = match action {
        FaultAction::DeletePod { selector, .. } | FaultAction::KillContainer { selector, .. } => {
            selector
        }
        _ => return None,
    };
    s.traffic.iter().map(|t| t.service.as_str()).find(|name| {
        s.objects.iter().any(|o| match &o.object {
            crate::manifest::Object::Service(svc) => {
                svc.metadata.name.as_deref() == Some(*name)
                    && svc
                        .spec
                        .as_ref()
                        .and_then(|sp| sp.selector.as_ref())
                        .is_some_and(|ss| ss.iter().all(|(k, v)| sel.labels.get(k) == Some(v)))
            }
            _ => false,
        })
    })
}

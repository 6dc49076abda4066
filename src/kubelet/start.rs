//! Starting a pod: sandbox and IP, volumes, image pull, container start, and observing it run and become ready.

use super::{probes, Ctx, Kubelet, Stage, Timer, Worker};
use crate::api::NodeId;
use crate::api::{
    ContainerState, Effects, Event, Launch, PodId, PodPhase, PodStatus, PullPolicy, Write, NEVER_MS,
};
use crate::engine::SimTime;
use crate::scenario::{AppSpec, Dist};
use rand_chacha::ChaCha8Rng;

impl Kubelet {
    /// `HandlePodAdditions`: create the sandbox (an IP), mark the volumes in use, wait for them.
    pub(super) fn admit(
        &mut self,
        pod: PodId,
        apps: &[AppSpec],
        cx: &mut Ctx,
        fx: &mut Effects<Timer>,
    ) {
        let p = &cx.store.pods[pod.index()];
        let image = p.spec.containers.first().map_or("", |c| c.image.as_str());
        let app = crate::scenario::app_for(apps, &p.meta.labels, image)
            .cloned()
            .unwrap_or_else(unmatched_app);
        let volumes = p
            .spec
            .claims
            .iter()
            .filter_map(|c| cx.store.claim_by_name(&p.meta.namespace, c))
            .filter_map(|c| cx.store.claims[c.index()].volume)
            .collect();
        let ip = crate::api::PodIp {
            node: self.node.0,
            host: self.next_ip,
        };
        self.next_ip += 1;
        let worker = Worker {
            app,
            stage: Stage::Volumes,
            pull_started: cx.now,
            admitted: cx.now,
            run: 0,
            restarts: 0,
            backoff: Default::default(),
            ip,
            volumes,
            ready: false,
            seen_running: None,
            crash_loop: false,
        };
        self.workers.insert(pod, worker);
        self.write_status(pod, cx, fx);
        self.report_volumes_in_use(cx, fx);
        self.check_volumes(pod, cx, fx);
    }

    /// `WaitForAttachAndMount`: every claim bound and its volume attached here, then mount at the
    /// volume manager's next loop (`reconcilerLoopSleepPeriod` 100 ms).
    pub(super) fn check_volumes(&mut self, pod: PodId, cx: &mut Ctx, fx: &mut Effects<Timer>) {
        let p = &cx.store.pods[pod.index()];
        let bound: Vec<_> = p
            .spec
            .claims
            .iter()
            .map(|c| {
                cx.store
                    .claim_by_name(&p.meta.namespace, c)
                    .and_then(|id| cx.store.claims[id.index()].volume)
            })
            .collect();
        if bound.iter().any(Option::is_none) {
            return;
        }
        let w = self.workers.get_mut(&pod).expect("worker");
        w.volumes = bound.into_iter().flatten().collect();
        let attached = w
            .volumes
            .iter()
            .all(|v| cx.store.volumes[v.index()].is_attached_or_local(self.node));
        if attached {
            w.stage = Stage::Pulling;
            let at = crate::controllers::next_tick(
                cx.now.plus_ms(1),
                cx.timings.volume_manager_reconcile_ms,
            );
            fx.timer(at, Timer::Mounted(pod));
        }
        self.report_volumes_in_use(cx, fx);
    }

    /// The kubelet reports the volumes it mounts, or is about to mount, in `node.status.volumesInUse`
    /// before mounting and after unmounting (kubernetes PR #26351).
    pub(super) fn report_volumes_in_use(&mut self, cx: &mut Ctx, fx: &mut Effects<Timer>) {
        let in_use: std::collections::BTreeSet<_> = self
            .workers
            .values()
            .flat_map(|w| w.volumes.iter().copied())
            .collect();
        if in_use != self.in_use {
            self.in_use = in_use;
            let _ = cx;
            fx.write(Write::SetVolumesInUse {
                node: self.node,
                volumes: self.in_use.iter().copied().collect(),
            });
        }
    }

    /// The kubelet's node status lists the images it holds (`status.images`).
    fn report_image(
        node: crate::api::NodeId,
        image: &str,
        size_bytes: u64,
        cx: &Ctx,
        fx: &mut Effects<Timer>,
    ) {
        let mut images = cx.store.nodes[node.index()].images.clone();
        let name = crate::api::normalized_image(image);
        if !images.iter().any(|(n, _)| *n == name) {
            images.push((name, size_bytes));
            fx.write(Write::SetNodeImages { node, images });
        }
    }

    pub(super) fn on_mounted(&mut self, pod: PodId, cx: &mut Ctx, fx: &mut Effects<Timer>) {
        if self
            .workers
            .get(&pod)
            .is_some_and(|w| w.stage == Stage::Pulling)
        {
            self.pull(pod, cx, fx);
        }
    }

    /// Pulls the image unless the policy lets the kubelet use the one on the node; pulls are serialized.
    pub(super) fn pull(&mut self, pod: PodId, cx: &mut Ctx, fx: &mut Effects<Timer>) {
        let p = &cx.store.pods[pod.index()];
        let Some(c) = p.spec.containers.first() else {
            return;
        };
        let w = self.workers.get_mut(&pod).expect("worker");
        w.stage = Stage::Pulling;
        let needed = c.pull_policy == PullPolicy::Always
            || (c.pull_policy == PullPolicy::IfNotPresent && !self.images.contains(&c.image));
        if !needed {
            fx.event(Event::pod(
                cx.now,
                &p.meta,
                "Pulled",
                format!("Container image \"{}\" already present on machine", c.image),
            ));
            self.start_container(pod, cx, fx);
            return;
        }
        let begin = cx.now.max(self.pull_free_at);
        let done = begin.plus_ms(w.app.image_pull.sample(cx.rng));
        self.pull_free_at = done;
        w.pull_started = cx.now;
        fx.event(Event::pod(
            begin,
            &p.meta,
            "Pulling",
            format!("Pulling image \"{}\"", c.image),
        ));
        fx.timer(done, Timer::Pulled(pod));
    }

    /// The pull finished (the kubelet's event: `Successfully pulled image "x" in 1s (1s including waiting)`).
    pub(super) fn on_pulled(&mut self, pod: PodId, cx: &mut Ctx, fx: &mut Effects<Timer>) {
        let p = &cx.store.pods[pod.index()];
        let Some(c) = p.spec.containers.first().cloned() else {
            return;
        };
        let Some(w) = self.workers.get(&pod).filter(|w| w.stage == Stage::Pulling) else {
            return;
        };
        let took = crate::engine::format_secs(cx.now.since_ms(w.pull_started));
        let msg = format!(
            "Successfully pulled image \"{}\" in {took}s ({took}s including waiting)",
            c.image
        );
        fx.event(Event::pod(cx.now, &p.meta, "Pulled", msg));
        if self.images.insert(c.image.clone()) {
            Self::report_image(self.node, &c.image, w.app.image_size_bytes, cx, fx);
        }
        self.start_container(pod, cx, fx);
    }

    /// The image is there: create and start the container; the program starts listening and serving later.
    fn start_container(&mut self, pod: PodId, cx: &mut Ctx, fx: &mut Effects<Timer>) {
        let p = &cx.store.pods[pod.index()];
        let Some(c) = p.spec.containers.first().cloned() else {
            return;
        };
        let w = self.workers.get_mut(&pod).expect("worker");
        w.run += 1;
        w.stage = Stage::Running;
        let launch = launch(w, self.node, cx.rng);
        let now = cx.now;
        cx.runtime.start(pod, launch, now);
        if let Some(after) = &w.app.crash_after {
            fx.timer(
                now.plus_ms(after.sample(cx.rng)),
                Timer::Crashed(pod, w.run),
            );
        }
        if let Some(after) = &w.app.exit_after {
            fx.timer(now.plus_ms(after.sample(cx.rng)), Timer::Exit(pod, w.run));
        }
        fx.event(Event::pod(
            now,
            &p.meta,
            "Created",
            format!("Created container {}", c.name),
        ));
        fx.event(Event::pod(
            now,
            &p.meta,
            "Started",
            format!("Started container {}", c.name),
        ));
        let run = w.run;
        fx.timer(
            self.next_relist(now, cx.timings.pleg_relist_period_ms),
            Timer::Relist(pod, run),
        );
    }

    /// The PLEG relist observed the container: running (status Running, Ready without a readiness probe)
    /// or dead (a restart, perhaps after back-off).
    pub(super) fn on_relist(
        &mut self,
        pod: PodId,
        run: u32,
        cx: &mut Ctx,
        fx: &mut Effects<Timer>,
    ) {
        if !self.current(pod, run) {
            return;
        }
        let alive = cx
            .runtime
            .process(pod)
            .is_some_and(|p| p.run() == run && p.died.is_none());
        let stage = self.workers[&pod].stage;
        match (stage, alive) {
            (Stage::Running, true) => self.observe_running(pod, run, cx, fx),
            (Stage::Running, false) => self.on_died(pod, run, cx, fx),
            _ => {}
        }
    }

    fn observe_running(&mut self, pod: PodId, run: u32, cx: &mut Ctx, fx: &mut Effects<Timer>) {
        let c = cx.store.pods[pod.index()].spec.containers.first().cloned();
        let w = self.workers.get_mut(&pod).expect("worker");
        w.seen_running = Some(run);
        let Some(proc_) = cx.runtime.process(pod).cloned() else {
            return;
        };
        let ticks = probes::Ticks {
            ticker: w.admitted,
            started: proc_.started,
            observed: cx.now,
        };
        match c.as_ref().and_then(|c| c.readiness) {
            None => w.ready = true,
            // A program that never answers fails every readiness probe, which starts as Failure
            // (kk:pkg/kubelet/prober/worker.go): Running, never Ready.
            Some(_) if proc_.serve_at == SimTime::NEVER => {}
            Some(probe) => fx.timer(
                probes::ready_at(&probe, ticks, proc_.serve_at),
                Timer::Ready(pod, run),
            ),
        }
        if let Some(probe) = c.as_ref().and_then(|c| c.liveness) {
            if let Some(kill) = probes::liveness_kill_at(&probe, ticks, proc_.serve_at) {
                fx.timer(kill, Timer::LivenessFailed(pod, run));
            }
        }
        self.write_status(pod, cx, fx);
    }

    pub(super) fn on_ready(&mut self, pod: PodId, run: u32, cx: &mut Ctx, fx: &mut Effects<Timer>) {
        // A dead container is not probed (kk:pkg/kubelet/prober/worker.go `doProbe`): never ready.
        if !self.alive(pod, run, cx) || self.workers[&pod].stage != Stage::Running {
            return;
        }
        self.workers.get_mut(&pod).expect("worker").ready = true;
        self.write_status(pod, cx, fx);
    }

    /// The status manager's update: phase, the container's state, Ready, IP, restarts.
    pub(super) fn write_status(&self, pod: PodId, cx: &Ctx, fx: &mut Effects<Timer>) {
        let w = &self.workers[&pod];
        let proc_ = cx.runtime.process(pod).filter(|p| p.run() == w.run);
        let container = match (w.stage, proc_) {
            (Stage::Volumes | Stage::Pulling, _) if w.run == 0 => {
                ContainerState::Waiting("ContainerCreating")
            }
            (Stage::Running | Stage::Terminating, Some(p))
                if w.seen_running == Some(w.run) && p.died.is_none() =>
            {
                ContainerState::Running { started: p.started }
            }
            // Until a sync finds it in back-off; then the cached reason, CrashLoopBackOff, below
            // (kk:pkg/kubelet/kubelet_pods.go `convertToAPIContainerStatuses`).
            (Stage::Dead, Some(p)) if !w.crash_loop => ContainerState::Terminated {
                finished: p.died.unwrap_or(cx.now),
                reason: if p.exit_code == 0 {
                    "Completed"
                } else {
                    "Error"
                },
                exit_code: p.exit_code,
            },
            (Stage::Terminated | Stage::Completed, Some(p)) => ContainerState::Terminated {
                finished: p.died.unwrap_or(cx.now),
                reason: if p.clean_exit { "Completed" } else { "Error" },
                exit_code: p.exit_code,
            },
            (_, _) if w.run > 0 => ContainerState::Waiting("CrashLoopBackOff"),
            _ => ContainerState::Waiting("ContainerCreating"),
        };
        let phase = match container {
            ContainerState::Waiting(_) if w.run == 0 && w.restarts == 0 => PodPhase::Pending,
            ContainerState::Terminated {
                reason: "Completed",
                ..
            } if matches!(w.stage, Stage::Terminated | Stage::Completed) => PodPhase::Succeeded,
            ContainerState::Terminated { .. }
                if matches!(w.stage, Stage::Terminated | Stage::Completed) =>
            {
                PodPhase::Failed
            }
            _ => PodPhase::Running,
        };
        // The node shutdown manager sets the pods it stops Failed (reason Terminated).
        let shutdown = self.agent == super::node_status::Agent::ShuttingDown;
        let phase = if shutdown && w.stage == Stage::Terminated {
            PodPhase::Failed
        } else {
            phase
        };
        let ready = w.ready && matches!(container, ContainerState::Running { .. });
        fx.write(Write::SetPodStatus {
            pod,
            status: PodStatus {
                phase,
                container,
                ready,
                ip: Some(w.ip),
                restarts: w.restarts,
            },
        });
    }
}

/// How this run of the worker's program starts, drawn from its app model: the times until it listens
/// and answers ([`NEVER_MS`] for `never`) and its crash recovery.
fn launch(w: &Worker, node: NodeId, rng: &mut ChaCha8Rng) -> Launch {
    let mut sample = |d: &Option<Dist>| d.as_ref().map_or(NEVER_MS, |d| d.sample(rng));
    let (listen_ms, serve_ms) = (sample(&w.app.listen_after), sample(&w.app.serve_after));
    Launch {
        run: w.run,
        node,
        volumes: w.volumes.clone(),
        listen_ms,
        serve_ms,
        recovery_ms: w.app.crash_recovery.sample(rng),
        data_lock: w.app.data_lock,
    }
}

/// A program no `apps` entry matches: starts at once, serves at once, exits on SIGTERM.
pub fn unmatched_app() -> AppSpec {
    use crate::scenario::OnSigterm;
    AppSpec {
        match_labels: Default::default(),
        image: None,
        image_pull: Dist::Const(1_000),
        listen_after: Some(Dist::Const(0)),
        serve_after: Some(Dist::Const(0)),
        crash_after: None,
        exit_after: None,
        exit_code: 0,
        crash_recovery: Dist::Const(0),
        latency: Dist::Const(5),
        image_size_bytes: 100 << 20,
        data_lock: false,
        on_sigterm: OnSigterm {
            close_listener: true,
            exit_after: Some(Dist::Const(0)),
        },
    }
}

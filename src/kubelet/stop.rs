//! Stopping containers: deletion (SIGTERM, grace period, SIGKILL), deaths and restarts with back-off,
//! liveness kills, and the final cleanup that lets the API server forget the pod.

use super::{Ctx, Kubelet, Stage, Timer};
use crate::api::{Effects, Event, PodId, RestartPolicy, Write};

/// The least time a container gets between SIGTERM and SIGKILL
/// (kk:pkg/kubelet/kuberuntime/kuberuntime_container.go `minimumGracePeriodInSeconds = 2`).
pub const MINIMUM_GRACE_PERIOD_MS: u64 = 2_000;

impl Kubelet {
    /// The pod is being deleted: `killContainer` with the deletion's grace period.
    pub(super) fn terminate(&mut self, pod: PodId, cx: &mut Ctx, fx: &mut Effects<Timer>) {
        let p = &cx.store.pods[pod.index()];
        let grace_ms = p.meta.deletion.map_or(0, |d| d.grace_period_ms);
        self.terminate_with(pod, grace_ms, cx, fx);
    }

    /// Stops the pod's container with `grace_ms` (SIGTERM, then SIGKILL).
    pub(super) fn terminate_with(
        &mut self,
        pod: PodId,
        grace_ms: u64,
        cx: &mut Ctx,
        fx: &mut Effects<Timer>,
    ) {
        let p = &cx.store.pods[pod.index()];
        let name = p
            .spec
            .containers
            .first()
            .map_or("", |c| c.name.as_str())
            .to_string();
        let (ns, pname) = (p.meta.namespace.clone(), p.meta.name.clone());
        let w = self.workers.get_mut(&pod).expect("worker");
        let running = w.stage == Stage::Running
            && cx
                .runtime
                .process(pod)
                .is_some_and(|pr| pr.run() == w.run && pr.died.is_none());
        w.stage = Stage::Terminating;
        w.ready = false;
        if !running {
            self.finish_stop(pod, cx, fx);
            return;
        }
        fx.event(Event::new(
            cx.now,
            "Pod",
            &ns,
            &pname,
            "Killing",
            format!("Stopping container {name}"),
        ));
        self.send_sigterm(pod, grace_ms, cx, fx);
    }

    /// SIGTERM now, SIGKILL when the grace period (at least 2 s) runs out.
    fn send_sigterm(&mut self, pod: PodId, grace_ms: u64, cx: &mut Ctx, fx: &mut Effects<Timer>) {
        let w = &self.workers[&pod];
        if w.app.on_sigterm.close_listener {
            cx.runtime.close_listener(pod);
        }
        let kill_ms = grace_ms.max(MINIMUM_GRACE_PERIOD_MS);
        match w
            .app
            .on_sigterm
            .exit_after
            .as_ref()
            .map(|d| d.sample(cx.rng))
        {
            Some(exit_ms) if exit_ms < kill_ms => {
                fx.timer(cx.now.plus_ms(exit_ms), Timer::Exited(pod, w.run))
            }
            _ => fx.timer(cx.now.plus_ms(kill_ms), Timer::SigKill(pod, w.run)),
        }
    }

    /// The container stopped (exited after SIGTERM, or SIGKILL).
    pub(super) fn on_stopped(
        &mut self,
        pod: PodId,
        run: u32,
        clean: bool,
        cx: &mut Ctx,
        fx: &mut Effects<Timer>,
    ) {
        if !self.current(pod, run) || cx.runtime.process(pod).is_some_and(|p| p.died.is_some()) {
            return;
        }
        cx.runtime.kill(pod, cx.now, clean);
        match self.workers[&pod].stage {
            Stage::Terminating => self.finish_stop(pod, cx, fx),
            // A liveness kill: the container is restarted like after a crash.
            _ => self.on_died(pod, run, cx, fx),
        }
    }

    /// All containers stopped: report the terminal status, then unmount at the volume manager's next loop.
    pub(super) fn finish_stop(&mut self, pod: PodId, cx: &mut Ctx, fx: &mut Effects<Timer>) {
        self.workers.get_mut(&pod).expect("worker").stage = Stage::Terminated;
        if cx.store.pods[pod.index()].meta.exists() {
            self.write_status(pod, cx, fx);
        }
        let at = crate::controllers::next_tick(
            cx.now.plus_ms(1),
            cx.timings.volume_manager_reconcile_ms,
        );
        fx.timer(at, Timer::CleanedUp(pod));
    }

    /// Volumes unmounted: report them no longer in use and let the status manager delete the pod
    /// (`canBeDeleted`: containers stopped and volumes cleaned up).
    pub(super) fn on_cleaned_up(&mut self, pod: PodId, cx: &mut Ctx, fx: &mut Effects<Timer>) {
        self.workers.remove(&pod);
        self.report_volumes_in_use(cx, fx);
        // A pod stopped by a node shutdown stays, Failed (the node shutdown manager does not delete it).
        let shutdown = self.agent == super::node_status::Agent::ShuttingDown;
        if cx.store.pods[pod.index()].meta.exists() && !shutdown {
            fx.write(Write::RemovePod { pod });
        }
    }

    /// The PLEG saw the container dead: report it, then restart now or after the back-off, unless
    /// the restart policy says the pod is done (kk:pkg/kubelet/kuberuntime/kuberuntime_manager.go
    /// `computePodActions`: Never, or OnFailure after exit code 0).
    pub(super) fn on_died(&mut self, pod: PodId, run: u32, cx: &mut Ctx, fx: &mut Effects<Timer>) {
        let process = cx.runtime.process(pod);
        let finished = process.and_then(|p| p.died).unwrap_or(cx.now);
        let succeeded = process.is_some_and(|p| p.exit_code == 0);
        let done = match cx.store.pods[pod.index()].spec.restart_policy {
            RestartPolicy::Always => false,
            RestartPolicy::OnFailure => succeeded,
            RestartPolicy::Never => true,
        };
        if done {
            let w = self.workers.get_mut(&pod).expect("worker");
            w.stage = Stage::Completed;
            w.ready = false;
            return self.write_status(pod, cx, fx);
        }
        let t = cx.timings;
        let w = self.workers.get_mut(&pod).expect("worker");
        w.stage = Stage::Dead;
        w.ready = false;
        let restart_at = w
            .backoff
            .restart_at(
                finished,
                t.restart_backoff_initial_ms,
                t.restart_backoff_max_ms,
            )
            .max(cx.now);
        self.write_status(pod, cx, fx);
        if restart_at > cx.now {
            let p = &cx.store.pods[pod.index()];
            let name = p.spec.containers.first().map_or("", |c| c.name.as_str());
            let msg = format!(
                "Back-off restarting failed container {name} in pod {}_{}({})",
                p.meta.name, p.meta.namespace, p.meta.uid
            );
            fx.event(Event::pod(cx.now, &p.meta, "BackOff", msg));
            self.back_off(pod, run, restart_at, cx, fx);
        }
        fx.timer(restart_at, Timer::Restart(pod, run));
    }

    /// The back-off expired: start the container again (pulling the image as the policy says).
    pub(super) fn on_restart(
        &mut self,
        pod: PodId,
        run: u32,
        cx: &mut Ctx,
        fx: &mut Effects<Timer>,
    ) {
        let Some(w) = self
            .workers
            .get(&pod)
            .filter(|w| w.run == run && w.stage == Stage::Dead)
        else {
            return;
        };
        // The sync that restarts it first reports the status with the reason the last one cached
        // (kk:pkg/kubelet/kubelet.go `SyncPod`: generateAPIPodStatus before containerRuntime.SyncPod).
        if w.crash_loop {
            self.write_status(pod, cx, fx);
        }
        let w = self.workers.get_mut(&pod).expect("worker");
        w.crash_loop = false;
        w.restarts += 1;
        self.pull(pod, cx, fx);
    }

    /// The liveness probe failed `failureThreshold` times: the container is killed and restarted.
    pub(super) fn on_liveness_failed(
        &mut self,
        pod: PodId,
        run: u32,
        cx: &mut Ctx,
        fx: &mut Effects<Timer>,
    ) {
        // A dead container is not probed (kk:pkg/kubelet/prober/worker.go `doProbe`).
        if !self.alive(pod, run, cx) || self.workers[&pod].stage != Stage::Running {
            return;
        }
        let p = &cx.store.pods[pod.index()];
        let name = p.spec.containers.first().map_or("", |c| c.name.as_str());
        let (ns, pname, grace) = (
            p.meta.namespace.clone(),
            p.meta.name.clone(),
            p.spec.termination_grace_period_ms,
        );
        fx.event(Event::new(
            cx.now,
            "Pod",
            &ns,
            &pname,
            "Unhealthy",
            "Liveness probe failed".to_string(),
        ));
        fx.event(Event::new(
            cx.now,
            "Pod",
            &ns,
            &pname,
            "Killing",
            format!("Container {name} failed liveness probe, will be restarted"),
        ));
        self.workers.get_mut(&pod).expect("worker").ready = false;
        self.send_sigterm(pod, grace, cx, fx);
    }
}

//! Programs that exit by themselves with an error (`crash-after`), and the CrashLoopBackOff status a
//! container shows while the kubelet waits out its restart back-off.

use super::{Ctx, Kubelet, Stage, Timer};
use crate::api::{Effects, PodId};
use crate::engine::SimTime;
use rand::Rng;

/// `workerBackOffPeriodJitterFactor` (kk:pkg/kubelet/pod_workers.go): a failed sync is retried after
/// `backOffPeriod` plus up to half of it again (`wait.Jitter`).
const WORKER_BACKOFF_JITTER_FACTOR_PERCENT: u64 = 50;

impl Kubelet {
    /// The program of run `run` exited with an error (exit code 1). Like a container killed from outside,
    /// the kubelet learns it at its next PLEG relist; if it was stopping the container, the runtime's
    /// StopContainer returns at once (kk:pkg/kubelet/kuberuntime/kuberuntime_container.go `killContainer`).
    pub(super) fn on_crashed(
        &mut self,
        pod: PodId,
        run: u32,
        cx: &mut Ctx,
        fx: &mut Effects<Timer>,
    ) {
        if !self.current(pod, run) || !cx.runtime.crash(pod, cx.now) {
            return;
        }
        match self.workers[&pod].stage {
            Stage::Terminating => self.finish_stop(pod, cx, fx),
            _ => {
                let at = self.next_relist(cx.now, cx.timings.pleg_relist_period_ms);
                fx.timer(at, Timer::Relist(pod, run));
            }
        }
    }

    /// The program of run `run` finished by itself with its app's exit code (`exit-after`): seen like a
    /// crash, at the next relist.
    pub(super) fn on_exit(&mut self, pod: PodId, run: u32, cx: &mut Ctx, fx: &mut Effects<Timer>) {
        let code = self.workers.get(&pod).map_or(0, |w| w.app.exit_code);
        if !self.current(pod, run) || !cx.runtime.exit(pod, cx.now, code) {
            return;
        }
        match self.workers[&pod].stage {
            Stage::Terminating => self.finish_stop(pod, cx, fx),
            _ => {
                let at = self.next_relist(cx.now, cx.timings.pleg_relist_period_ms);
                fx.timer(at, Timer::Relist(pod, run));
            }
        }
    }

    /// The sync that saw the container dead found it in its restart back-off (`doBackOff` returned
    /// ErrCrashLoopBackOff, kk:pkg/kubelet/kuberuntime/kuberuntime_manager.go): the kubelet caches that
    /// reason (`reasonCache`) and its pod worker retries the sync after `backOffPeriod` with jitter
    /// (kk:pkg/kubelet/pod_workers.go `completeWork`). That retry, if it comes before the restart,
    /// reports the container Waiting with reason CrashLoopBackOff (kk:pkg/kubelet/kubelet_pods.go
    /// `convertToAPIContainerStatuses`). Later retries report the same status and are not modelled.
    pub(super) fn back_off(
        &mut self,
        pod: PodId,
        run: u32,
        restart_at: SimTime,
        cx: &mut Ctx,
        fx: &mut Effects<Timer>,
    ) {
        self.workers.get_mut(&pod).expect("worker").crash_loop = true;
        let period = cx.timings.restart_backoff_initial_ms;
        let jitter = cx
            .rng
            .random_range(0..=period * WORKER_BACKOFF_JITTER_FACTOR_PERCENT / 100);
        let retry = cx.now.plus_ms(period + jitter);
        if retry < restart_at {
            fx.timer(retry, Timer::BackOffSync(pod, run));
        }
    }

    /// The pod worker's retry while the container waits out its back-off: CrashLoopBackOff.
    pub(super) fn on_backoff_sync(
        &mut self,
        pod: PodId,
        run: u32,
        cx: &mut Ctx,
        fx: &mut Effects<Timer>,
    ) {
        let waiting = self
            .workers
            .get(&pod)
            .is_some_and(|w| w.run == run && w.stage == Stage::Dead && w.crash_loop);
        if waiting {
            self.write_status(pod, cx, fx);
        }
    }
}

#[cfg(test)]
#[path = "crash_tests.rs"]
mod tests;

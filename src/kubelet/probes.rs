//! Probe outcomes computed from when the program serves, instead of ticking every period (DESIGN.md, "Cost").
//!
//! kk:pkg/kubelet/prober/worker.go: the probe manager starts one worker per probe when the kubelet
//! first syncs the pod (`AddPod` from `SyncPod`, kk:pkg/kubelet/kubelet.go); the worker probes at once
//! and then on a ticker of `periodSeconds` (`run`), so the probes fall at admission + k * period, whatever
//! the container does. A tick sooner than `initialDelaySeconds` after the container started is skipped
//! (`doProbe`). Readiness starts as Failure and flips after `successThreshold` successes; liveness
//! starts as Success and kills after `failureThreshold` consecutive failures. The worker's random
//! initial sleep applies only when the kubelet itself started less than a period ago; kubesim's
//! kubelets have been running long before the simulation starts, so it never applies.

use crate::api::Probe;
use crate::engine::SimTime;

/// When a pod's probe workers run: from `ticker` (the kubelet's first sync of the pod) every period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ticks {
    /// When the worker started (its first probe; the ticker is phased on it).
    pub ticker: SimTime,
    /// When the container of this run started (`State.Running.StartedAt`).
    pub started: SimTime,
    /// When the kubelet saw it running (PLEG relist): until then `doProbe` finds no running
    /// container in the pod's status and skips the tick.
    pub observed: SimTime,
}

/// The first tick at or after `t` at which the container has run `initialDelaySeconds`.
fn first_probe_at_or_after(probe: &Probe, ticks: Ticks, t: SimTime) -> SimTime {
    let earliest = t
        .max(ticks.started.plus_ms(probe.initial_delay_ms))
        .max(ticks.observed);
    if earliest <= ticks.ticker {
        return ticks.ticker;
    }
    let period = probe.period_ms.max(1);
    let k = earliest.since_ms(ticks.ticker).div_ceil(period);
    ticks.ticker.plus_ms(k * period)
}

/// When a readiness probe makes the container ready, given that it passes from `serve_at` on.
/// [`SimTime::NEVER`] if it never serves.
pub fn ready_at(probe: &Probe, ticks: Ticks, serve_at: SimTime) -> SimTime {
    if serve_at == SimTime::NEVER {
        return SimTime::NEVER;
    }
    let first_success = first_probe_at_or_after(probe, ticks, serve_at);
    let more = u64::from(probe.success_threshold.max(1) - 1);
    first_success.plus_ms(more * probe.period_ms)
}

/// When a liveness probe kills the container, if it fails `failureThreshold` times before `serve_at`.
pub fn liveness_kill_at(probe: &Probe, ticks: Ticks, serve_at: SimTime) -> Option<SimTime> {
    let first = first_probe_at_or_after(probe, ticks, ticks.started);
    let threshold = u64::from(probe.failure_threshold.max(1));
    let kill = first.plus_ms((threshold - 1) * probe.period_ms);
    // Every probe up to and including `kill` fails if the program is not serving by then.
    (serve_at > kill).then_some(kill)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn probe(initial_delay_ms: u64) -> Probe {
        Probe {
            initial_delay_ms,
            period_ms: 10_000,
            timeout_ms: 1_000,
            success_threshold: 1,
            failure_threshold: 3,
        }
    }

    /// Probes ticking from 0 for a container started at `started` ms.
    fn at(started: u64) -> Ticks {
        Ticks {
            ticker: SimTime(0),
            started: SimTime(started),
            observed: SimTime(started),
        }
    }

    #[test]
    fn readiness_waits_for_the_first_probe_after_the_program_serves() {
        let p = probe(5_000);
        // Ticks at 0, 10, 20 s; the one at 0 s is within the initial delay.
        assert_eq!(ready_at(&p, at(0), SimTime(2_000)), SimTime(10_000));
        assert_eq!(ready_at(&p, at(0), SimTime(12_000)), SimTime(20_000));
        assert_eq!(ready_at(&p, at(0), SimTime(20_000)), SimTime(20_000));
    }

    #[test]
    fn a_program_that_never_serves_is_never_ready_and_is_killed_by_liveness() {
        let p = probe(0);
        assert_eq!(ready_at(&p, at(0), SimTime::NEVER), SimTime::NEVER);
        assert_eq!(
            liveness_kill_at(&p, at(0), SimTime::NEVER),
            Some(SimTime(20_000))
        );
    }

    #[test]
    fn liveness_kills_after_three_failures_ten_seconds_apart() {
        let p = probe(0);
        assert_eq!(
            liveness_kill_at(&p, at(0), SimTime(25_000)),
            Some(SimTime(20_000))
        );
        assert_eq!(liveness_kill_at(&p, at(0), SimTime(20_000)), None);
    }

    #[test]
    fn probes_tick_from_the_pods_admission_not_from_the_containers_start() {
        // Article 003: admitted at 0, container started at 18.7 s, initialDelaySeconds 15: the ticks
        // at 20 s and 30 s come too early, the first probe is the one at 40 s.
        let p = probe(15_000);
        assert_eq!(ready_at(&p, at(18_700), SimTime(23_700)), SimTime(40_000));
        assert_eq!(ready_at(&p, at(18_700), SimTime(45_000)), SimTime(50_000));
        assert_eq!(
            liveness_kill_at(&p, at(18_700), SimTime::NEVER),
            Some(SimTime(60_000))
        );
    }
}

//! Probe outcomes computed from when the program serves, instead of ticking every period (DESIGN.md, "Cost").
//!
//! kk:pkg/kubelet/prober/worker.go: a worker probes every `periodSeconds` starting `initialDelaySeconds`
//! after the container starts; readiness starts as Failure and flips after `successThreshold` successes;
//! liveness starts as Success and kills after `failureThreshold` consecutive failures.

use crate::api::Probe;
use crate::engine::SimTime;

/// The time of the first probe at or after `t` for a probe of a container started at `started`.
fn first_probe_at_or_after(probe: &Probe, started: SimTime, t: SimTime) -> SimTime {
    let first = started.plus_ms(probe.initial_delay_ms);
    if t <= first {
        return first;
    }
    let period = probe.period_ms.max(1);
    let k = t.since_ms(first).div_ceil(period);
    first.plus_ms(k * period)
}

/// When a readiness probe makes the container ready, given that it passes from `serve_at` on.
/// [`SimTime::NEVER`] if it never serves.
pub fn ready_at(probe: &Probe, started: SimTime, serve_at: SimTime) -> SimTime {
    if serve_at == SimTime::NEVER {
        return SimTime::NEVER;
    }
    let first_success = first_probe_at_or_after(probe, started, serve_at);
    let more = u64::from(probe.success_threshold.max(1) - 1);
    first_success.plus_ms(more * probe.period_ms)
}

/// When a liveness probe kills the container, if it fails `failureThreshold` times before `serve_at`.
pub fn liveness_kill_at(probe: &Probe, started: SimTime, serve_at: SimTime) -> Option<SimTime> {
    let first = started.plus_ms(probe.initial_delay_ms);
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

    #[test]
    fn readiness_waits_for_the_first_probe_after_the_program_serves() {
        let p = probe(5_000);
        assert_eq!(ready_at(&p, SimTime(0), SimTime(2_000)), SimTime(5_000));
        assert_eq!(ready_at(&p, SimTime(0), SimTime(12_000)), SimTime(15_000));
        assert_eq!(ready_at(&p, SimTime(0), SimTime(15_000)), SimTime(15_000));
    }

    #[test]
    fn a_program_that_never_serves_is_never_ready_and_is_killed_by_liveness() {
        let p = probe(0);
        assert_eq!(ready_at(&p, SimTime(0), SimTime::NEVER), SimTime::NEVER);
        assert_eq!(
            liveness_kill_at(&p, SimTime(0), SimTime::NEVER),
            Some(SimTime(20_000))
        );
    }

    #[test]
    fn liveness_kills_after_three_failures_ten_seconds_apart() {
        let p = probe(0);
        assert_eq!(
            liveness_kill_at(&p, SimTime(0), SimTime(25_000)),
            Some(SimTime(20_000))
        );
        assert_eq!(liveness_kill_at(&p, SimTime(0), SimTime(20_000)), None);
    }
}

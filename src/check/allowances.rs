//! What the scenario's control-plane faults excuse: a controller whose watch lags or whose process
//! is down works from a stale view, so the invariants that assume it reacts at once wait longer.

use crate::controllers::replicaset::EXPECTATIONS_TIMEOUT_MS;
use crate::engine::SimTime;
use crate::scenario::{
    ControlPlaneFault, Controller, FaultAction, FaultTiming, Scenario, WatchedResource,
};

/// Slack after a control-plane fault's effect ends before its controller must have caught up (its
/// requeue back-off and the resync after a restart).
pub const CATCH_UP_MS: u64 = 60_000;

/// How long each invariant tolerates a stale controller, from the scenario's faults.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Allowances {
    /// The EndpointSlice controller may lag this long behind a pod.
    pub endpoints_lag_ms: u64,
    /// The Deployment controller may size ReplicaSets from a view this old.
    pub deployment_lag_ms: u64,
    /// A ReplicaSet watch lags beyond the expectations timeout: upstream may then create extra pods
    /// (kubernetes/kubernetes#129795), so the ReplicaSet bound is not judged.
    pub expectations_may_expire: bool,
    /// When the last control-plane fault's effect ends; None: some fault's time is drawn or repeats,
    /// so no quiet period can be known in advance (liveness is not judged).
    pub faults_end_ms: Option<u64>,
    /// The scenario's watch latency (`timings.watch-latency`).
    pub watch_latency_ms: u64,
}

impl Allowances {
    /// The allowances of `scenario`'s control-plane faults.
    pub fn of(scenario: &Scenario) -> Self {
        let mut a = Allowances {
            faults_end_ms: Some(0),
            watch_latency_ms: scenario.timings.watch_latency_ms,
            ..Default::default()
        };
        for f in &scenario.faults {
            let FaultAction::ControlPlane(cp) = &f.action else {
                continue;
            };
            let (lasts_ms, lag_ms) = effect(cp);
            let slack = lasts_ms.saturating_add(lag_ms).saturating_add(CATCH_UP_MS);
            match cp.controller() {
                Controller::Endpoints => a.endpoints_lag_ms = a.endpoints_lag_ms.max(slack),
                Controller::Deployment | Controller::ReplicaSet => {
                    a.deployment_lag_ms = a.deployment_lag_ms.max(slack)
                }
                _ => {}
            }
            if cp.controller() == Controller::ReplicaSet && lag_ms >= EXPECTATIONS_TIMEOUT_MS {
                a.expectations_may_expire = true;
            }
            a.faults_end_ms = match (a.faults_end_ms, &f.timing) {
                (Some(end), FaultTiming::Fixed) => Some(end.max(f.at_ms + lasts_ms + lag_ms)),
                _ => None,
            };
        }
        a
    }
}

/// A time when a controller may decide from a lagging cache.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StaleWindow {
    /// When its watch starts to lag.
    pub from: SimTime,
    /// When its last late event has been delivered and acted on.
    pub until: SimTime,
    /// How old the objects it reads may be (the watch delay and one latency to hear of it).
    pub lag_ms: u64,
    /// Which informers lag (all, or only the pods).
    pub resource: WatchedResource,
}

impl StaleWindow {
    /// True if `at` falls in this window.
    pub fn covers(&self, at: SimTime) -> bool {
        self.from <= at && at <= self.until
    }
}

/// When controller `c` may decide from a lagging cache: from each `delay-watch` aimed at it until
/// its last late event has been delivered and acted on (a watch latency to hear of it, another to
/// write).
pub fn stale_windows(scenario: &Scenario, c: Controller) -> Vec<StaleWindow> {
    let latency_ms = scenario.timings.watch_latency_ms;
    let delays = scenario.faults.iter().filter_map(|f| match &f.action {
        FaultAction::ControlPlane(
            cp @ (ControlPlaneFault::DelayWatch { .. } | ControlPlaneFault::DropWatch { .. }),
        ) if cp.controller() == c => {
            let resource = match cp {
                ControlPlaneFault::DelayWatch { resource, .. } => *resource,
                _ => WatchedResource::All,
            };
            let (lasts_ms, lag_ms) = effect(cp);
            let (from, until) = match f.timing {
                FaultTiming::Fixed => (f.at_ms, f.at_ms + lasts_ms + lag_ms + 2 * latency_ms),
                // Drawn or repeated: any time from its first possible start.
                _ => (0, u64::MAX),
            };
            Some(StaleWindow {
                from: SimTime(from),
                until: SimTime(until),
                lag_ms: lag_ms + latency_ms,
                resource,
            })
        }
        _ => None,
    });
    delays.collect()
}

/// How long the fault lasts, and how far behind it leaves its controller's view.
fn effect(cp: &ControlPlaneFault) -> (u64, u64) {
    match cp {
        ControlPlaneFault::Crash { down_ms, .. } => (*down_ms, 0),
        ControlPlaneFault::DelayWatch { by_ms, for_ms, .. } => (*for_ms, *by_ms),
        // Until the relist its caches are as old as the break.
        ControlPlaneFault::DropWatch {
            relist_after_ms, ..
        } => (*relist_after_ms, *relist_after_ms),
        ControlPlaneFault::Conflict { for_ms, .. } => (*for_ms, 0),
        // A key waits at most one turn once the fault ends.
        ControlPlaneFault::SlowSync {
            per_key_ms, for_ms, ..
        } => (*for_ms, *per_key_ms),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_statefulset_watch_delay_leaves_it_stale_until_its_late_events_are_acted_on() {
        let text = "name: t\nduration: 5m\nfaults:\n  - {at: 1m, delay-watch: {controller: statefulset, by: 6s, for: 30s}}\n";
        let s = crate::scenario::load_str(text, std::path::Path::new("t.yaml")).unwrap();
        let latency_ms = s.timings.watch_latency_ms;
        let end = SimTime(60_000 + 30_000 + 6_000 + 2 * latency_ms);
        let windows = stale_windows(&s, Controller::StatefulSet);
        let spans: Vec<_> = windows.iter().map(|w| (w.from, w.until)).collect();
        assert_eq!(spans, vec![(SimTime(60_000), end)]);
        assert_eq!(windows[0].lag_ms, 6_000 + latency_ms);
        assert!(stale_windows(&s, Controller::ReplicaSet).is_empty());
    }

    #[test]
    fn a_scenario_without_control_plane_faults_allows_no_lag() {
        let s =
            crate::scenario::load_str("name: t\nduration: 1m\n", std::path::Path::new("t.yaml"));
        let a = Allowances::of(&s.unwrap());
        assert_eq!(a.endpoints_lag_ms, 0);
        assert_eq!(a.faults_end_ms, Some(0));
        assert!(!a.expectations_may_expire);
    }
}

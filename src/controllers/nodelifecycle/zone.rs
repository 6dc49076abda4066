//! Per-zone disruption state and the rate-limited NoExecute tainter of the node lifecycle controller
//! (kk:pkg/controller/nodelifecycle/node_lifecycle_controller.go `ComputeZoneState`, `setLimiterInZone`,
//! `handleDisruption`; kk:pkg/controller/nodelifecycle/scheduler/rate_limited_queue.go).

use crate::api::NodeId;
use crate::engine::SimTime;

/// `--node-eviction-rate` 0.1 nodes/s and `--secondary-node-eviction-rate` 0.01 nodes/s as the time
/// between two tokens, `--large-cluster-size-threshold` 50 and `--unhealthy-zone-threshold` 0.55
/// (kk:pkg/controller/nodelifecycle/config/v1alpha1/defaults.go).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EvictionRates {
    pub primary_interval_ms: u64,
    pub secondary_interval_ms: u64,
    pub large_cluster_threshold: usize,
    pub unhealthy_zone_threshold: f64,
}

impl Default for EvictionRates {
    fn default() -> Self {
        EvictionRates {
            primary_interval_ms: 10_000,
            secondary_interval_ms: 100_000,
            large_cluster_threshold: 50,
            unhealthy_zone_threshold: 0.55,
        }
    }
}

/// A zone's state (`ZoneState`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ZoneState {
    #[default]
    Normal,
    FullDisruption,
    PartialDisruption,
}

/// `ComputeZoneState`: no ready node → full disruption; more than 2 not ready and at least the
/// threshold's fraction → partial; else normal.
pub fn zone_state(ready: usize, not_ready: usize, threshold: f64) -> ZoneState {
    if ready == 0 && not_ready > 0 {
        ZoneState::FullDisruption
    } else if not_ready > 2 && not_ready as f64 / (ready + not_ready) as f64 >= threshold {
        ZoneState::PartialDisruption
    } else {
        ZoneState::Normal
    }
}

/// A zone's NoExecute tainter: a FIFO of nodes waiting for their taint, and a token bucket (burst 1).
#[derive(Debug, Clone, Default)]
pub struct Tainter {
    pub queue: Vec<NodeId>,
    /// When the bucket next holds a token.
    pub next_token: SimTime,
    /// Time between tokens; None: rate 0 (evictions stopped).
    pub interval_ms: Option<u64>,
    pub state: ZoneState,
}

impl Tainter {
    /// `setLimiterInZone`: the rate for a zone of `size` nodes in `state`.
    pub fn set_rate(&mut self, state: ZoneState, size: usize, rates: &EvictionRates) {
        self.state = state;
        self.interval_ms = match state {
            ZoneState::Normal | ZoneState::FullDisruption => Some(rates.primary_interval_ms),
            ZoneState::PartialDisruption if size > rates.large_cluster_threshold => {
                Some(rates.secondary_interval_ms)
            }
            ZoneState::PartialDisruption => None,
        };
    }

    /// `RateLimitedTimedQueue.Try`: the nodes the bucket lets through now, in queue order.
    pub fn take(&mut self, now: SimTime) -> Vec<NodeId> {
        let mut out = Vec::new();
        let Some(interval) = self.interval_ms else {
            return out;
        };
        while !self.queue.is_empty() && now >= self.next_token {
            out.push(self.queue.remove(0));
            self.next_token = now.plus_ms(interval);
        }
        out
    }

    /// When the next node in the queue may be taken, if any is waiting and the rate is not 0.
    pub fn next_try(&self) -> Option<SimTime> {
        (!self.queue.is_empty())
            .then_some(self.interval_ms)
            .flatten()
            .map(|_| self.next_token)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_zone_with_no_ready_node_is_fully_disrupted_and_many_not_ready_is_partial() {
        assert_eq!(zone_state(0, 1, 0.55), ZoneState::FullDisruption);
        assert_eq!(zone_state(2, 1, 0.55), ZoneState::Normal);
        assert_eq!(zone_state(2, 2, 0.55), ZoneState::Normal);
        assert_eq!(zone_state(2, 3, 0.55), ZoneState::PartialDisruption);
        assert_eq!(zone_state(3, 3, 0.55), ZoneState::Normal);
    }

    #[test]
    fn the_tainter_lets_one_node_through_every_ten_seconds_and_none_in_a_small_unhealthy_zone() {
        let rates = EvictionRates::default();
        let mut t = Tainter::default();
        t.set_rate(ZoneState::Normal, 3, &rates);
        t.queue = vec![NodeId(0), NodeId(1)];
        assert_eq!(t.take(SimTime(5_000)), vec![NodeId(0)]);
        assert_eq!(t.next_try(), Some(SimTime(15_000)));
        assert!(t.take(SimTime(14_999)).is_empty());
        assert_eq!(t.take(SimTime(15_000)), vec![NodeId(1)]);
        t.queue = vec![NodeId(2)];
        t.set_rate(ZoneState::PartialDisruption, 10, &rates);
        assert_eq!(t.next_try(), None);
        t.set_rate(ZoneState::PartialDisruption, 51, &rates);
        assert_eq!(t.next_try(), Some(SimTime(25_000)));
    }
}

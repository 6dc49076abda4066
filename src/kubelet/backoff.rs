//! The container restart back-off (k8s.io/client-go/util/flowcontrol/backoff.go as the kubelet uses it in
//! kuberuntime `doBackOff`): the first restart is immediate, then 10 s doubling to 300 s; an entry not
//! updated for twice the maximum (10 min) has expired and starts over.

use crate::engine::SimTime;

/// One container's back-off entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Backoff {
    entry: Option<(u64, SimTime)>,
}

impl Backoff {
    /// When a container that finished at `finished` may restart, and updates the entry (`IsInBackOffSince` then `Next`).
    pub fn restart_at(&mut self, finished: SimTime, initial_ms: u64, max_ms: u64) -> SimTime {
        let live = self
            .entry
            .filter(|(_, updated)| finished.since_ms(*updated) <= 2 * max_ms);
        let (at, next) = match live {
            None => (finished, initial_ms),
            Some((backoff, _)) => (finished.plus_ms(backoff), (backoff * 2).min(max_ms)),
        };
        self.entry = Some((next, finished));
        at
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn restarts_back_off_10_20_40_seconds_up_to_5_minutes() {
        let mut b = Backoff::default();
        let mut t = SimTime(0);
        let mut waits = Vec::new();
        for _ in 0..8 {
            let at = b.restart_at(t, 10_000, 300_000);
            waits.push(at.since_ms(t) / 1000);
            t = at.plus_ms(1_000);
        }
        assert_eq!(waits, vec![0, 10, 20, 40, 80, 160, 300, 300]);
    }

    #[test]
    fn a_back_off_not_used_for_ten_minutes_starts_over() {
        let mut b = Backoff::default();
        b.restart_at(SimTime(0), 10_000, 300_000);
        assert_eq!(
            b.restart_at(SimTime(1_000), 10_000, 300_000),
            SimTime(11_000)
        );
        assert_eq!(
            b.restart_at(SimTime(700_000), 10_000, 300_000),
            SimTime(700_000)
        );
    }
}

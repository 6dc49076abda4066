//! Quorum availability: for each of the scenario's `quorum` workloads, when at least k of its
//! members were ready (Ready and not being deleted), fed by pod changes one pod at a time.

use crate::api::{PodId, Store};
use crate::engine::SimTime;
use crate::scenario::QuorumSpec;
use std::collections::BTreeSet;

/// How one quorum workload fared over the run.
#[derive(Debug, Clone, PartialEq)]
pub struct QuorumSummary {
    pub name: String,
    /// `app=zk`.
    pub selector: String,
    pub min_ready: u32,
    /// When it first had its quorum; None if never. Availability counts from then (start-up is
    /// not an outage).
    pub since: Option<SimTime>,
    /// Fraction of the time from `since` to the end of the run with at least `min_ready` ready members.
    pub availability: f64,
    pub downtime_ms: u64,
    pub longest_outage_ms: u64,
    /// Each loss of quorum after `since`: (start, end); an outage still going on ends at the end of the run.
    pub outages: Vec<(SimTime, SimTime)>,
}

/// The ready members of each quorum and when it lost or regained its quorum.
#[derive(Debug, Default)]
pub struct QuorumTracker {
    specs: Vec<QuorumSpec>,
    ready: Vec<BTreeSet<PodId>>,
    since: Vec<Option<SimTime>>,
    /// Per quorum, the outages so far; the last one is open (end None) while it lasts.
    outages: Vec<Vec<(SimTime, Option<SimTime>)>>,
}

impl QuorumTracker {
    pub fn new(specs: &[QuorumSpec]) -> Self {
        QuorumTracker {
            specs: specs.to_vec(),
            ready: vec![BTreeSet::new(); specs.len()],
            since: vec![None; specs.len()],
            outages: vec![Vec::new(); specs.len()],
        }
    }

    /// Pod `id` changed at `now`: each quorum it belongs to counts it as ready or not.
    pub fn on_pod_change(&mut self, store: &Store, id: PodId, now: SimTime) {
        let pod = &store.pods[id.index()];
        let ready = pod.meta.exists() && pod.ready && pod.meta.deletion.is_none();
        for q in 0..self.specs.len() {
            let sel = &self.specs[q].selector;
            let member = pod.meta.namespace == sel.namespace
                && crate::api::selector_matches(&sel.labels, &pod.meta.labels);
            if !member {
                continue;
            }
            let was_up = self.is_up(q);
            match ready {
                true => self.ready[q].insert(id),
                false => self.ready[q].remove(&id),
            };
            self.record(q, was_up, now);
        }
    }

    fn is_up(&self, q: usize) -> bool {
        self.ready[q].len() >= self.specs[q].min_ready as usize
    }

    /// Opens or closes an outage when quorum `q` changed from `was_up` at `now`.
    fn record(&mut self, q: usize, was_up: bool, now: SimTime) {
        match (was_up, self.is_up(q)) {
            (false, true) if self.since[q].is_none() => self.since[q] = Some(now),
            (false, true) => {
                if let Some(last) = self.outages[q].last_mut() {
                    last.1 = Some(now);
                }
            }
            (true, false) => self.outages[q].push((now, None)),
            _ => {}
        }
    }

    /// Each quorum's summary at `end`, in the scenario's order.
    pub fn finish(&self, end: SimTime) -> Vec<QuorumSummary> {
        (0..self.specs.len())
            .map(|q| self.summary(q, end))
            .collect()
    }

    fn summary(&self, q: usize, end: SimTime) -> QuorumSummary {
        let spec = &self.specs[q];
        let outages: Vec<(SimTime, SimTime)> = self.outages[q]
            .iter()
            .map(|(start, stop)| (*start, stop.unwrap_or(end)))
            .collect();
        let lengths = outages.iter().map(|(a, b)| b.since_ms(*a));
        let downtime_ms: u64 = lengths.clone().sum();
        let since = self.since[q];
        let span_ms = since.map_or(0, |s| end.since_ms(s));
        let availability = match span_ms {
            0 if since.is_some() => 1.0,
            0 => 0.0,
            span => (span - downtime_ms) as f64 / span as f64,
        };
        QuorumSummary {
            name: spec.name.clone(),
            selector: show_labels(&spec.selector.labels),
            min_ready: spec.min_ready,
            since,
            availability,
            downtime_ms,
            longest_outage_ms: lengths.max().unwrap_or(0),
            outages,
        }
    }
}

/// `app=zk,tier=db`.
fn show_labels(labels: &crate::api::Labels) -> String {
    let terms: Vec<String> = labels.iter().map(|(k, v)| format!("{k}={v}")).collect();
    terms.join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outages_count_from_the_first_quorum_and_an_open_one_ends_with_the_run() {
        let spec = QuorumSpec {
            name: "zk".into(),
            selector: crate::scenario::PodSelector {
                namespace: "default".into(),
                labels: Default::default(),
            },
            min_ready: 2,
        };
        let mut t = QuorumTracker::new(&[spec]);
        let mut at = |was_up: bool, ready: usize, ms: u64| {
            t.ready[0] = (0..ready as u32).map(PodId).collect();
            t.record(0, was_up, SimTime(ms));
        };
        at(false, 2, 10_000); // first quorum: since 10 s
        at(true, 1, 20_000); // lost
        at(false, 2, 25_000); // back after 5 s
        at(true, 0, 90_000); // lost until the end at 110 s
        let s = t.finish(SimTime(110_000)).remove(0);
        assert_eq!(s.since, Some(SimTime(10_000)));
        assert_eq!(s.outages.len(), 2);
        assert_eq!((s.downtime_ms, s.longest_outage_ms), (25_000, 20_000));
        assert!((s.availability - 0.75).abs() < 1e-12);
    }
}

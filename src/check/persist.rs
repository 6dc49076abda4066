//! Bad states tracked over time: each reported once when it begins (or once it has outlasted the
//! instant it appeared in), and again only after it ended and came back.

use crate::engine::SimTime;
use std::collections::{BTreeMap, BTreeSet};

/// The bad states of one invariant, by key.
#[derive(Debug)]
pub struct Persisting<K: Ord + Clone> {
    /// None: a bad state is reported at once. Some(ms): only once it is still bad more than `ms`
    /// after it appeared (0: actors fix it within the instant it appeared in, as the model's
    /// controllers react to a change at the instant it happens).
    tolerance_ms: Option<u64>,
    since: BTreeMap<K, SimTime>,
    reported: BTreeSet<K>,
}

impl<K: Ord + Clone> Persisting<K> {
    /// Reports bad states at once.
    pub fn immediate() -> Self {
        Self::with_tolerance(None)
    }

    /// Reports bad states still there more than `ms` after they appeared.
    pub fn after_ms(ms: u64) -> Self {
        Self::with_tolerance(Some(ms))
    }

    fn with_tolerance(tolerance_ms: Option<u64>) -> Self {
        Persisting {
            tolerance_ms,
            since: BTreeMap::new(),
            reported: BTreeSet::new(),
        }
    }

    /// The keys bad after the event at `now`; returns those to report now (each once per spell).
    pub fn update(&mut self, bad: impl IntoIterator<Item = K>, now: SimTime) -> Vec<K> {
        let mut since = BTreeMap::new();
        for k in bad {
            let first = self.since.get(&k).copied().unwrap_or(now);
            since.insert(k, first);
        }
        self.reported.retain(|k| since.contains_key(k));
        self.since = since;
        let due = |first: SimTime| match self.tolerance_ms {
            None => true,
            Some(ms) => now.0 > first.0.saturating_add(ms),
        };
        let report: Vec<K> = (self.since.iter())
            .filter(|(k, first)| !self.reported.contains(*k) && due(**first))
            .map(|(k, _)| k.clone())
            .collect();
        self.reported.extend(report.iter().cloned());
        report
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_immediate_state_is_reported_once_per_spell() {
        let mut p = Persisting::immediate();
        assert_eq!(p.update([1], SimTime(0)), vec![1]);
        assert!(p.update([1], SimTime(5)).is_empty(), "still the same spell");
        assert!(p.update([], SimTime(6)).is_empty());
        assert_eq!(p.update([1], SimTime(7)), vec![1], "a new spell");
    }

    #[test]
    fn a_tolerated_state_fixed_within_its_instant_is_never_reported() {
        let mut p = Persisting::after_ms(0);
        assert!(p.update([1], SimTime(10)).is_empty());
        assert!(p.update([1], SimTime(10)).is_empty(), "same instant");
        assert!(p.update([], SimTime(10)).is_empty());
        assert!(p.update([1], SimTime(20)).is_empty());
        assert_eq!(p.update([1], SimTime(21)), vec![1], "outlasted its instant");
    }
}

//! kube-proxy: Service rules programmed from EndpointSlices by a rate-limited sync loop.
//!
//! One program stands for every node's kube-proxy (they watch the same objects with the same latency).
//! Syncs run through client-go's BoundedFrequencyRunner as kube-proxy builds it
//! (kk:pkg/proxy/iptables/proxier.go: `minSyncPeriod` 1 s, burst 2): a token bucket of two runs refilled
//! one per `minSyncPeriod`. A sync reads the endpoints when it starts; the rules take effect when it ends.

use crate::api::{Endpoint, Store, SvcId};
use crate::engine::SimTime;
use std::collections::{BTreeMap, BTreeSet};

/// `burstSyncs` of kube-proxy's runner.
const BURST_SYNCS: u64 = 2;

/// A kube-proxy timer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProxyTimer {
    /// Run a sync now.
    Sync,
    /// A sync finished writing these rules: the services it read (those that changed since the
    /// sync before) and their endpoints then, `None` for a service that was deleted.
    Applied(BTreeMap<SvcId, Option<Vec<Endpoint>>>),
}

/// kube-proxy's programmed rules and its sync runner.
#[derive(Debug, Default)]
pub struct Proxy {
    programmed: BTreeMap<SvcId, Vec<Endpoint>>,
    /// Services whose endpoints changed in the API since the last sync read them: a sync reads
    /// only these (the others' rules would be rewritten unchanged).
    changed: BTreeSet<SvcId>,
    /// Runner tokens, in milliseconds of refill (one run costs `minSyncPeriod`).
    tokens_ms: u64,
    refilled_at: SimTime,
    /// A sync is scheduled or running.
    busy_until: Option<SimTime>,
    /// A change arrived while a sync was scheduled or running.
    dirty: bool,
    started: bool,
}

impl Proxy {
    /// The endpoints of `svc` as the rules route them now.
    pub fn endpoints(&self, svc: SvcId) -> &[Endpoint] {
        self.programmed.get(&svc).map_or(&[], Vec::as_slice)
    }

    /// The endpoints of `svc` changed in the API (whether or not the change has reached kube-proxy yet).
    pub fn mark_changed(&mut self, svc: SvcId) {
        self.changed.insert(svc);
    }

    fn refill(&mut self, now: SimTime, min_sync_ms: u64) {
        if !self.started {
            self.started = true;
            self.tokens_ms = BURST_SYNCS * min_sync_ms;
        }
        self.tokens_ms =
            (self.tokens_ms + now.since_ms(self.refilled_at)).min(BURST_SYNCS * min_sync_ms);
        self.refilled_at = now;
    }

    /// An EndpointSlice changed: `runner.Run()`. Returns when the next sync should run, if one must be scheduled.
    pub fn on_change(&mut self, now: SimTime, min_sync_ms: u64) -> Option<SimTime> {
        if self.busy_until.is_some() {
            self.dirty = true;
            return None;
        }
        self.refill(now, min_sync_ms);
        let wait = min_sync_ms.saturating_sub(self.tokens_ms);
        let at = now.plus_ms(wait);
        self.busy_until = Some(at);
        Some(at)
    }

    /// A sync starts: snapshot the endpoints; the rules are applied `sync_ms` later.
    pub fn on_sync(
        &mut self,
        store: &Store,
        now: SimTime,
        min_sync_ms: u64,
        sync_ms: u64,
    ) -> (SimTime, ProxyTimer) {
        self.refill(now, min_sync_ms);
        self.tokens_ms = self.tokens_ms.saturating_sub(min_sync_ms);
        self.dirty = false;
        let snapshot = std::mem::take(&mut self.changed)
            .into_iter()
            .map(|s| (s, &store.services[s.index()]))
            .map(|(s, svc)| (s, svc.meta.exists().then(|| svc.endpoints.clone())))
            .collect();
        let done = now.plus_ms(sync_ms);
        self.busy_until = Some(done);
        (done, ProxyTimer::Applied(snapshot))
    }

    /// The rules are written; returns when to sync again if changes arrived meanwhile.
    pub fn on_applied(
        &mut self,
        rules: BTreeMap<SvcId, Option<Vec<Endpoint>>>,
        now: SimTime,
        min_sync_ms: u64,
    ) -> Option<SimTime> {
        for (svc, endpoints) in rules {
            match endpoints {
                Some(endpoints) => self.programmed.insert(svc, endpoints),
                None => self.programmed.remove(&svc),
            };
        }
        self.busy_until = None;
        if self.dirty {
            self.dirty = false;
            return self.on_change(now, min_sync_ms);
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_quick_changes_sync_at_once_and_a_third_waits_for_a_token() {
        let mut p = Proxy::default();
        let store = Store::new(crate::engine::Streams::new(1, 0).stream("t"));
        assert_eq!(p.on_change(SimTime(10_000), 1_000), Some(SimTime(10_000)));
        let (done, t) = p.on_sync(&store, SimTime(10_000), 1_000, 100);
        let ProxyTimer::Applied(rules) = t else {
            panic!()
        };
        assert_eq!(p.on_applied(rules.clone(), done, 1_000), None);
        assert_eq!(p.on_change(SimTime(10_200), 1_000), Some(SimTime(10_200)));
        let (done, _) = p.on_sync(&store, SimTime(10_200), 1_000, 100);
        p.on_applied(rules, done, 1_000);
        // Both tokens used: the next run waits until a token has refilled.
        assert_eq!(p.on_change(SimTime(10_400), 1_000), Some(SimTime(11_000)));
    }
}

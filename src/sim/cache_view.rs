//! What a controller reads: the API server's objects, or its lagging informer cache while a
//! `delay-watch` fault slows its watch (a copy of the store as it was, or only the pods as they were).

use super::control_plane::ControlPlane;
use super::world::Target;
use crate::api::Store;
use crate::engine::SimTime;
use crate::scenario::{Controller, WatchedResource};
use std::rc::Rc;

/// A controller's view of the objects.
pub enum Seen<'a> {
    /// The API server's objects (no lag), or a copy of the store kept while a watch lags.
    Store(&'a Store),
    /// The API server's objects with the pods of an older copy (only the pod informer lags).
    PodsLag(Rc<Store>),
}

impl Seen<'_> {
    /// True if this is the API server's store itself.
    pub fn is_live(&self, live: &Store) -> bool {
        matches!(self, Seen::Store(s) if std::ptr::eq(*s, live))
    }
}

impl std::ops::Deref for Seen<'_> {
    type Target = Store;
    fn deref(&self) -> &Store {
        match self {
            Seen::Store(s) => s,
            Seen::PodsLag(s) => s,
        }
    }
}

/// What controller `c` reads: while its watch is delayed, its lagging cache (the newest copy of
/// the store at least `by` old, or the oldest copy kept), or the API server's objects with that
/// copy's pods when only its pod informer lags; else the API server's objects.
pub fn view<'a>(cp: &'a ControlPlane, store: &'a Store, c: Controller, now: SimTime) -> Seen<'a> {
    let Some((by_ms, resource)) = cp.lag(c, now) else {
        return Seen::Store(store);
    };
    let horizon = SimTime(now.as_ms().saturating_sub(by_ms));
    let copies = &cp.snapshots;
    let seen = copies.iter().rev().find(|(t, _)| *t <= horizon);
    let Some((_, old)) = seen.or(copies.first()) else {
        return Seen::Store(store);
    };
    match resource {
        WatchedResource::All => Seen::Store(old),
        WatchedResource::Pods => Seen::PodsLag(Rc::new(store.with_pods_of(old))),
    }
}

/// True if the object of `target` is in `store` (a lagging cache may not hold it yet).
pub fn known(store: &Store, target: Target) -> bool {
    match target {
        Target::ReplicaSet(id) => id.index() < store.replica_sets.len(),
        Target::Deployment(id) => id.index() < store.deployments.len(),
        Target::Endpoints(id) => id.index() < store.services.len(),
        Target::Disruption(id) => id.index() < store.pdbs.len(),
        Target::StatefulSet(id) => id.index() < store.stateful_sets.len(),
        Target::ClaimGc(id) => id.index() < store.claims.len(),
        Target::DaemonSet(id) => id.index() < store.daemon_sets.len(),
        Target::Job(id) => id.index() < store.jobs.len(),
        _ => true,
    }
}

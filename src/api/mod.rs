//! The API server: typed objects in owned arenas, resourceVersion, owner references, graceful and
//! force deletion, and the change notifications actors react to.

pub mod affinity;
pub mod event;
pub mod eviction;
pub mod ids;
pub mod node_health;
pub mod node_usage;
pub mod objects;
pub mod pod_groups;
mod pod_index;
pub mod policy;
pub mod runtime;
pub mod selector;
pub mod statefulset;
pub mod storage;
pub mod store;
mod store_apps;
mod store_batch;
mod store_sts;
mod store_volumes;
pub mod workloads;
pub mod write;

pub use affinity::{Affinity, PodAffinityTerm, SpreadConstraint, WhenUnsatisfiable};
pub use event::Event;
pub use ids::*;
pub use node_health::{Heartbeat, NodeHealth, NodeWrite};
pub use objects::*;
pub use policy::{Budget, IntOrPercent, Pdb, PdbStatus};
pub use runtime::{Launch, Process, Runtime, NEVER_MS};
pub use selector::{LabelSelector, NodeSelector, Operator, Requirement};
pub use statefulset::*;
pub use storage::{ann, ReclaimPolicy, StorageClass, VolumeBinding, VolumeMode, VolumePhase};
pub use store::{Change, Store};
pub use store_volumes::{ProvisionedVolume, VolumeWrite, HOSTNAME_LABEL, ZONE_LABEL};
pub use workloads::*;
pub use write::{PodStatus, Write};

use crate::engine::SimTime;

/// What an actor wants done after handling one notification or timer: API writes, Events to
/// record, and its own timers (`T` is the actor's timer type).
#[derive(Debug)]
pub struct Effects<T> {
    pub writes: Vec<Write>,
    pub events: Vec<Event>,
    pub timers: Vec<(SimTime, T)>,
}

impl<T> Default for Effects<T> {
    fn default() -> Self {
        Effects {
            writes: Vec::new(),
            events: Vec::new(),
            timers: Vec::new(),
        }
    }
}

impl<T> Effects<T> {
    /// Asks for `write`.
    pub fn write(&mut self, write: Write) {
        self.writes.push(write);
    }

    /// Records an Event.
    pub fn event(&mut self, event: Event) {
        self.events.push(event);
    }

    /// Asks to be woken at `at` with `timer`.
    pub fn timer(&mut self, at: SimTime, timer: T) {
        self.timers.push((at, timer));
    }
}

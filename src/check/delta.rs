//! What one event changed, by kind: the checkers judge only the objects it names, so a check costs
//! what the event changed, not the size of the world. [`Delta::everything`] names every object
//! (the full rescan, kept to prove the incremental checks find exactly what it finds).

use crate::api::{Change, DeployId, Kind, NodeId, PodId, PvId, PvcId, RsId, StsId, SvcId};
use crate::sim::WorldView;

/// The objects one event wrote, and the pods whose process started or ended; each sorted, once.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Delta {
    pub pods: Vec<PodId>,
    pub nodes: Vec<NodeId>,
    pub replica_sets: Vec<RsId>,
    pub deployments: Vec<DeployId>,
    pub services: Vec<SvcId>,
    pub claims: Vec<PvcId>,
    pub volumes: Vec<PvId>,
    pub stateful_sets: Vec<StsId>,
    /// Pods whose container process started or ended (ground truth, not an API write).
    pub lifecycle: Vec<PodId>,
}

impl Delta {
    /// What the event shown by `view` changed.
    pub fn of(view: &WorldView<'_>) -> Self {
        let mut d = Delta::default();
        for c in view.changes {
            d.add(*c);
        }
        d.lifecycle.extend_from_slice(view.lifecycle);
        d.normalize();
        d
    }

    /// Every object there is and every pod that ever had a process: a full rescan.
    pub fn everything(view: &WorldView<'_>) -> Self {
        let s = view.store;
        let n = |len: usize| 0..len as u32;
        Delta {
            pods: n(s.pods.len()).map(PodId).collect(),
            nodes: n(s.nodes.len()).map(NodeId).collect(),
            replica_sets: n(s.replica_sets.len()).map(RsId).collect(),
            deployments: n(s.deployments.len()).map(DeployId).collect(),
            services: n(s.services.len()).map(SvcId).collect(),
            claims: n(s.claims.len()).map(PvcId).collect(),
            volumes: n(s.volumes.len()).map(PvId).collect(),
            stateful_sets: n(s.stateful_sets.len()).map(StsId).collect(),
            lifecycle: view.runtime.processes().map(|(p, _)| p).collect(),
        }
    }

    fn add(&mut self, c: Change) {
        match c.kind {
            Kind::Pod => self.pods.push(PodId(c.id)),
            Kind::Node => self.nodes.push(NodeId(c.id)),
            Kind::ReplicaSet => self.replica_sets.push(RsId(c.id)),
            Kind::Deployment => self.deployments.push(DeployId(c.id)),
            Kind::Service => self.services.push(SvcId(c.id)),
            Kind::PersistentVolumeClaim => self.claims.push(PvcId(c.id)),
            Kind::PersistentVolume => self.volumes.push(PvId(c.id)),
            Kind::StatefulSet => self.stateful_sets.push(StsId(c.id)),
            Kind::PodDisruptionBudget | Kind::ControllerRevision | Kind::DaemonSet | Kind::Job => {}
        }
    }

    fn normalize(&mut self) {
        fn once<T: Ord>(v: &mut Vec<T>) {
            v.sort_unstable();
            v.dedup();
        }
        once(&mut self.pods);
        once(&mut self.nodes);
        once(&mut self.replica_sets);
        once(&mut self.deployments);
        once(&mut self.services);
        once(&mut self.claims);
        once(&mut self.volumes);
        once(&mut self.stateful_sets);
        once(&mut self.lifecycle);
    }
}

/// How the checkers read each event: what it changed (the default), or everything (the reference).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Scan {
    /// Judge only what the event changed.
    #[default]
    Incremental,
    /// Judge every object after every event (slow; the reference the incremental scan must match).
    Full,
}

impl Scan {
    /// The delta the checkers get for the event `view` shows.
    pub fn delta(self, view: &WorldView<'_>) -> Delta {
        match self {
            Scan::Incremental => Delta::of(view),
            Scan::Full => Delta::everything(view),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_delta_names_each_changed_object_once_in_id_order() {
        let store = crate::api::Store::new(crate::engine::Streams::new(1, 0).stream("t"));
        let runtime = crate::api::Runtime::default();
        let change = |kind, id| Change { kind, id };
        let changes = [
            change(Kind::Pod, 3),
            change(Kind::Pod, 1),
            change(Kind::Pod, 3),
            change(Kind::Service, 0),
        ];
        let view = WorldView {
            store: &store,
            runtime: &runtime,
            scenario_action: false,
            new_events: &[],
            changes: &changes,
            lifecycle: &[PodId(2), PodId(2)],
        };
        let d = Delta::of(&view);
        assert_eq!(d.pods, vec![PodId(1), PodId(3)]);
        assert_eq!(d.services, vec![SvcId(0)]);
        assert_eq!(d.lifecycle, vec![PodId(2)]);
        assert!(d.nodes.is_empty() && d.stateful_sets.is_empty());
    }
}

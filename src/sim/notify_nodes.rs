//! Wiring of the node-failure chain: the node lifecycle controller, taint eviction and pod GC watch
//! nodes and pods; node faults reach the kubelets.

use super::world::{Ev, World, WorldError};
use crate::api::{NodeId, PodId};
use crate::engine::SimTime;
use crate::faults::nodes::{apply_node, node_id, NodeStep};
use crate::kubelet::node_status::Agent;
use crate::scenario::{FaultAction, Pick};
use rand::Rng;

impl World<'_> {
    /// A node changed: the node lifecycle controller, taint eviction and pod GC look at it.
    pub(super) fn on_node_changed_health(
        &mut self,
        id: NodeId,
        at: SimTime,
    ) -> Result<(), WorldError> {
        let grace = self.scenario.timings.node_monitor_grace_period_ms;
        let fx = self.nlc.on_node_change(&self.store, id, at, grace);
        self.apply(fx, Ev::NodeLifecycle)?;
        let fx = self.taint_eviction.on_node_change(&self.store, id, at);
        self.apply(fx, Ev::TaintEviction)?;
        let pods: Vec<PodId> = self.store.pods_on_node(id).collect();
        let fx = self.podgc.on_change(&self.store, &pods, at);
        self.apply(fx, |_| Ev::PodGc)
    }

    /// A pod changed: taint eviction and pod GC look at it.
    pub(super) fn on_pod_changed_health(
        &mut self,
        id: PodId,
        at: SimTime,
    ) -> Result<(), WorldError> {
        self.capacity.on_pod_change(&self.store, id, self.cal.now());
        let fx = self.taint_eviction.on_pod_change(&self.store, id, at);
        self.apply(fx, Ev::TaintEviction)?;
        let fx = self.podgc.on_change(&self.store, &[id], at);
        self.apply(fx, |_| Ev::PodGc)
    }

    /// A timer of the node lifecycle controller.
    pub(super) fn on_node_lifecycle(
        &mut self,
        timer: crate::controllers::nodelifecycle::Timer,
    ) -> Result<(), WorldError> {
        let (now, grace) = (
            self.cal.now(),
            self.scenario.timings.node_monitor_grace_period_ms,
        );
        let fx = self.nlc.on_timer(&self.store, timer, now, grace);
        self.apply(fx, Ev::NodeLifecycle)
    }

    /// A taint eviction is due.
    pub(super) fn on_taint_eviction(
        &mut self,
        e: crate::controllers::taint_eviction::Evict,
    ) -> Result<(), WorldError> {
        let fx = self.taint_eviction.on_evict(&self.store, e, self.cal.now());
        self.apply(fx, Ev::TaintEviction)
    }

    /// A pod GC pass.
    pub(super) fn on_pod_gc(&mut self) -> Result<(), WorldError> {
        let fx = self.podgc.on_pass(&self.store, self.cal.now());
        self.apply(fx, |_| Ev::PodGc)
    }

    /// What a node fault does to the machine and its kubelet.
    pub(super) fn on_node_step(&mut self, step: NodeStep) -> Result<(), WorldError> {
        match step {
            NodeStep::Crash(node) => self.kubelet_call(node, |k, cx| k.crash(cx)),
            NodeStep::Shutdown(node, grace_ms) => {
                self.kubelet_call(node, |k, cx| k.shutdown(grace_ms, cx))
            }
            NodeStep::Partition(node) => {
                self.kubelets[node.index()].partition();
                Ok(())
            }
            NodeStep::Recover(node, 0) => self.on_node_recover(node),
            NodeStep::Recover(node, ms) => {
                let at = self.cal.now().plus_ms(ms);
                self.schedule(at, Ev::NodeRecover(node))
            }
        }
    }

    /// The kubelet of `node` reaches the API server again (a crashed machine boots).
    pub(super) fn on_node_recover(&mut self, node: NodeId) -> Result<(), WorldError> {
        if self.kubelets[node.index()].agent == Agent::Up {
            return Ok(());
        }
        let apps = &self.scenario.apps;
        self.kubelet_run(node, |k, cx| k.recover(apps, cx))
    }

    /// True if the kubelet of `node` sees API changes (it runs and reaches the API server).
    pub(super) fn kubelet_watches(&self, node: NodeId) -> bool {
        !matches!(
            self.kubelets[node.index()].agent,
            Agent::Crashed | Agent::Partitioned
        )
    }

    /// Fault `i` if it is a node fault: the nodes it hits (with `pick: one`, one of those whose
    /// kubelet is up, chosen from the `fault-targets` stream; a machine that is already down cannot
    /// fail again) and, with `repair`, when they come back (from the `fault-repair` stream).
    pub(super) fn node_fault(&mut self, i: usize) -> Option<crate::faults::Applied> {
        let spec = &self.scenario.faults[i];
        let FaultAction::Node {
            fault,
            nodes,
            repair,
        } = &spec.action
        else {
            return None;
        };
        let names = match spec.pick {
            Pick::All => nodes.clone(),
            Pick::One => self.pick_up_node(nodes).into_iter().collect(),
        };
        let repair_ms = repair
            .as_ref()
            .map(|d| d.sample(&mut self.rngs.fault_repair));
        let now = self.cal.now();
        Some(apply_node(fault, &names, repair_ms, &self.store, now))
    }

    /// One of `nodes` whose kubelet is up, at random; None when every one is down.
    fn pick_up_node(&mut self, nodes: &[String]) -> Option<String> {
        let up: Vec<&String> = (nodes.iter())
            .filter(|n| node_id(&self.store, n).is_some_and(|id| self.kubelet_up(id)))
            .collect();
        if up.is_empty() {
            return None;
        }
        let pick = self.rngs.fault_targets.random_range(0..up.len());
        Some(up[pick].clone())
    }

    fn kubelet_up(&self, node: NodeId) -> bool {
        self.kubelets[node.index()].agent == Agent::Up
    }
}

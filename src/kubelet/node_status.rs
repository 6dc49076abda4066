//! The node as a whole: the kubelet's reachability (up, crashed, cut off from the API server) and
//! what it does when it comes back (kk:pkg/kubelet/kubelet_node_status.go `registerWithAPIServer`,
//! `setNodeReadyCondition`; the status manager's re-sync; `HandlePodCleanups`).

use super::{Ctx, Kubelet, Stage, Timer};
use crate::api::{ConditionStatus, Effects, Event, Heartbeat, NodeWrite, PodId, Write};
use crate::scenario::AppSpec;

/// Whether the kubelet runs and reaches the API server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Agent {
    #[default]
    Up,
    /// The machine is down: no containers, no kubelet.
    Crashed,
    /// The kubelet and its containers run, but it cannot reach the API server: it sees no changes
    /// and its writes (statuses, Lease renewals) are lost.
    Partitioned,
    /// Graceful node shutdown in progress: the kubelet stops every pod, then the machine powers off.
    ShuttingDown,
}

impl Kubelet {
    /// The machine dies: every container process ends now; the kubelet forgets its pods (a new boot
    /// starts from the API's view). `node.status.volumesInUse` stays as last reported.
    pub fn crash(&mut self, cx: &mut Ctx) -> Effects<Timer> {
        for pod in self.workers.keys().copied().collect::<Vec<PodId>>() {
            cx.runtime.kill(pod, cx.now, false);
        }
        self.workers.clear();
        self.agent = Agent::Crashed;
        self.boot += 1;
        Effects::default()
    }

    /// Graceful node shutdown (kk:pkg/kubelet/nodeshutdown/nodeshutdown_manager_linux.go): the node
    /// reports Ready=False, every pod is stopped with min(its grace period, `shutdownGracePeriod`)
    /// and left Failed, and the machine powers off when the shutdown grace period is over.
    pub fn shutdown(&mut self, grace_ms: u64, cx: &mut Ctx) -> Effects<Timer> {
        let mut fx = Effects::default();
        self.agent = Agent::ShuttingDown;
        let node = self.node;
        fx.write(Write::Node(NodeWrite::SetReady {
            node,
            status: ConditionStatus::False,
            reason: "KubeletNotReady",
        }));
        let name = &cx.store.nodes[node.index()].meta.name;
        let msg = "Shutdown manager detected shutdown event".to_string();
        fx.event(Event::new(cx.now, "Node", "", name, "Shutdown", msg));
        let pods: Vec<PodId> = self.workers.keys().copied().collect();
        for pod in pods {
            let stage = self.workers[&pod].stage;
            if matches!(stage, Stage::Terminating | Stage::Terminated) {
                continue;
            }
            let own = cx.store.pods[pod.index()].spec.termination_grace_period_ms;
            self.terminate_with(pod, own.min(grace_ms), cx, &mut fx);
        }
        fx.timer(cx.now.plus_ms(grace_ms), Timer::PowerOff);
        fx
    }

    /// The kubelet runs on, cut off from the API server.
    pub fn partition(&mut self) {
        if self.agent == Agent::Up {
            self.agent = Agent::Partitioned;
        }
    }

    /// The kubelet reaches the API server again (after a crash: boots): renews its Lease, reports
    /// Ready, then syncs every pod bound to it and every pod it runs.
    pub fn recover(&mut self, apps: &[AppSpec], cx: &mut Ctx) -> Effects<Timer> {
        let mut fx = Effects::default();
        let was = self.agent;
        self.agent = Agent::Up;
        let node = self.node;
        fx.write(Write::Node(NodeWrite::SetHeartbeat {
            node,
            heartbeat: Heartbeat::Renewing { since: cx.now },
        }));
        fx.write(Write::Node(NodeWrite::SetReady {
            node,
            status: ConditionStatus::True,
            reason: "KubeletReady",
        }));
        let name = &cx.store.nodes[node.index()].meta.name;
        let msg = format!("Node {name} status is now: NodeReady");
        fx.event(Event::new(cx.now, "Node", "", name, "NodeReady", msg));
        let mut pods: Vec<PodId> = cx.store.pods_on_node(node).collect();
        pods.extend(self.workers.keys().copied());
        pods.sort();
        pods.dedup();
        for pod in pods {
            self.resync(pod, was, apps, cx, &mut fx);
        }
        self.report_volumes_in_use(cx, &mut fx);
        fx
    }

    /// One pod after the kubelet came back: a deleted pod it no longer runs is removed (its containers
    /// died with the machine); one it runs is synced, and its status written again.
    fn resync(
        &mut self,
        pod: PodId,
        was: Agent,
        apps: &[AppSpec],
        cx: &mut Ctx,
        fx: &mut Effects<Timer>,
    ) {
        let p = &cx.store.pods[pod.index()];
        if !self.workers.contains_key(&pod) && p.meta.exists() && p.meta.deletion.is_some() {
            fx.write(Write::RemovePod { pod });
            return;
        }
        let sub = self.on_pod_change(pod, apps, cx);
        merge(fx, sub);
        let live = self
            .workers
            .get(&pod)
            .is_some_and(|w| !matches!(w.stage, Stage::Terminating | Stage::Terminated));
        if was == Agent::Partitioned && live && cx.store.pods[pod.index()].meta.exists() {
            self.write_status(pod, cx, fx);
        }
    }
}

fn merge(fx: &mut Effects<Timer>, sub: Effects<Timer>) {
    fx.writes.extend(sub.writes);
    fx.events.extend(sub.events);
    fx.timers.extend(sub.timers);
}

//! Change notifications: which actors watch which changes (informer event handlers), and the work
//! each does when its key comes due.

use super::cache_view::view;
use super::world::{Ev, Target, World, WorldError};
use crate::api::{Change, Kind, NodeId, Owner, PodId, PvId, PvcId, SvcId};
use crate::controllers::{deployment, endpointslice};
use crate::kubelet::Ctx;
use crate::scenario::{Controller, Mutant};

impl World<'_> {
    /// Delivers every change recorded since the last call to the actors that watch it.
    pub fn notify(&mut self) -> Result<(), WorldError> {
        let changes = self.store.take_changes();
        if !changes.is_empty() {
            self.take_snapshot();
        }
        let done = changes.into_iter().try_for_each(|c| {
            self.cp.notifying = Some(c.kind);
            self.notify_one(c)
        });
        self.cp.notifying = None;
        done
    }

    fn notify_one(&mut self, change: Change) -> Result<(), WorldError> {
        let now = self.cal.now();
        let at = now.plus_ms(self.scenario.timings.watch_latency_ms);
        match change.kind {
            Kind::Pod => self.on_pod_changed(PodId(change.id), at),
            Kind::ReplicaSet => {
                self.recorder
                    .on_rs_change(&self.store, crate::api::RsId(change.id), now);
                let rs = &self.store.replica_sets[change.id as usize];
                if let Some(Owner::Deployment(d)) = rs.meta.owner {
                    self.enqueue(Target::Deployment(d), at)?;
                }
                self.enqueue(Target::ReplicaSet(crate::api::RsId(change.id)), at)
            }
            Kind::Deployment => {
                let d = crate::api::DeployId(change.id);
                self.recorder.on_deployment_change(&self.store, d, now);
                self.enqueue(Target::Deployment(d), at)
            }
            Kind::Service => {
                self.recorder
                    .on_service_change(&self.store, SvcId(change.id), now);
                self.proxy.mark_changed(SvcId(change.id));
                self.enqueue(Target::Endpoints(SvcId(change.id)), at)?;
                self.enqueue(Target::Proxy, at)
            }
            Kind::PersistentVolumeClaim => self.on_claim_changed(PvcId(change.id), at),
            Kind::PersistentVolume => self.on_volume_changed(PvId(change.id), at),
            Kind::Node => self.on_node_changed(NodeId(change.id), at),
            Kind::PodDisruptionBudget => self.on_pdb_changed(crate::api::PdbId(change.id), at),
            Kind::StatefulSet | Kind::ControllerRevision => self.on_sts_kind_changed(change, at),
            Kind::DaemonSet | Kind::Job => self.on_batch_kind_changed(change, at),
        }
    }

    fn on_pod_changed(&mut self, id: PodId, at: crate::engine::SimTime) -> Result<(), WorldError> {
        self.recorder.on_pod_change(&self.store, id, self.cal.now());
        self.quorum.on_pod_change(&self.store, id, self.cal.now());
        self.on_sts_pod_changed(id, at)?;
        self.on_batch_pod_changed(id, at)?;
        self.on_pod_changed_disruption(id, at)?;
        self.on_pod_changed_health(id, at)?;
        // The ReplicaSet controller's pod handlers: expectations, and updatePod's minReadySeconds requeue.
        self.observe_rs_pod(id, at)?;
        let pod = &self.store.pods[id.index()];
        let (owner, node) = (pod.meta.owner, pod.node);
        let claims: Vec<PvId> = pod
            .spec
            .claims
            .iter()
            .filter_map(|c| self.store.claim_by_name(&pod.meta.namespace, c))
            .filter_map(|c| self.store.claims[c.index()].volume)
            .collect();
        if let Some(Owner::ReplicaSet(rs)) = owner {
            self.enqueue(Target::ReplicaSet(rs), at)?;
            self.on_deployment_pod_changed(id, rs, at)?;
        }
        self.on_pod_changed_scheduler(id, at)?;
        if let Some(node) = node {
            self.enqueue(Target::KubeletPod(node, id), at)?;
        }
        for v in claims {
            self.enqueue_attach_detach(v, at)?;
        }
        for s in self.services_selecting(id) {
            self.enqueue(Target::Endpoints(s), at)?;
        }
        Ok(())
    }

    /// The Deployment controller's `deletePod` handler (kk:pkg/controller/deployment/deployment_controller.go):
    /// a Recreate Deployment is synced when its last pod is gone, so it can create the new ReplicaSet.
    fn on_deployment_pod_changed(
        &mut self,
        pod: PodId,
        rs: crate::api::RsId,
        at: crate::engine::SimTime,
    ) -> Result<(), WorldError> {
        let store = &self.store;
        let Some(Owner::Deployment(d)) = store.replica_sets[rs.index()].meta.owner else {
            return Ok(());
        };
        let recreate = store.deployments[d.index()].strategy == crate::api::Strategy::Recreate;
        if !recreate || store.pods[pod.index()].meta.exists() {
            return Ok(());
        }
        let pods_left = (store.replica_sets_of(d)).any(|r| store.pods_of_rs(r).next().is_some());
        if pods_left {
            return Ok(());
        }
        self.enqueue(Target::Deployment(d), at)
    }

    /// The Services whose endpoints may change with pod `id`: those of its namespace whose selector
    /// selects it (the EndpointSlice controller's `getPodServiceMemberships`; pod labels do not change).
    fn services_selecting(&self, id: PodId) -> Vec<SvcId> {
        let pod = &self.store.pods[id.index()];
        let selects = |s: &crate::api::Service| {
            s.meta.namespace == pod.meta.namespace
                && s.selector
                    .as_ref()
                    .is_some_and(|sel| crate::api::selector_matches(sel, &pod.meta.labels))
        };
        let services = self.store.services_in(&pod.meta.namespace);
        services
            .filter(|s| selects(&self.store.services[s.index()]))
            .collect()
    }

    /// The attach/detach reconciler runs every 100 ms: a change is seen at its next loop.
    fn enqueue_attach_detach(
        &mut self,
        v: PvId,
        at: crate::engine::SimTime,
    ) -> Result<(), WorldError> {
        let tick =
            crate::controllers::next_tick(at, self.scenario.timings.attach_detach_reconcile_ms);
        self.enqueue(Target::AttachDetach(v), tick)
    }

    fn on_claim_changed(
        &mut self,
        id: PvcId,
        at: crate::engine::SimTime,
    ) -> Result<(), WorldError> {
        self.on_claim_changed_volumes(id, at)?;
        self.enqueue(Target::ClaimGc(id), at)?;
        if let Some(v) = self.store.claims[id.index()].volume {
            self.on_volume_changed(v, at)?;
        }
        Ok(())
    }

    fn on_volume_changed(
        &mut self,
        id: PvId,
        at: crate::engine::SimTime,
    ) -> Result<(), WorldError> {
        self.on_volume_changed_volumes(id, at)?;
        self.enqueue_attach_detach(id, at)?;
        for n in 0..self.kubelets.len() as u32 {
            self.enqueue(Target::KubeletVolumes(NodeId(n)), at)?;
        }
        Ok(())
    }

    fn on_node_changed(
        &mut self,
        id: NodeId,
        at: crate::engine::SimTime,
    ) -> Result<(), WorldError> {
        let attached: Vec<PvId> = (0..self.store.volumes.len() as u32)
            .map(PvId)
            .filter(|v| self.store.volumes[v.index()].attached_to.contains(&id))
            .collect();
        for v in attached {
            self.enqueue_attach_detach(v, at)?;
        }
        self.on_batch_node_changed(id, at)?;
        self.on_node_changed_health(id, at)?;
        self.on_node_changed_scheduler(id, at)
    }

    /// Runs every key that is due (a bounded loop: keys due now may add more keys due now).
    pub fn on_wake(&mut self) -> Result<(), WorldError> {
        const LIMIT_PER_INSTANT: u64 = 1_000_000;
        let now = self.cal.now();
        // A Wake scheduled for a key that an earlier Wake has since run is stale: the one at
        // `wake_at` (never later than the earliest due key) does the work.
        if self.wake_at != Some(now) {
            return Ok(());
        }
        self.wake_at = None;
        let mut n = 0;
        while let Some(target) = self.queue.pop_due(now) {
            n += 1;
            if n > LIMIT_PER_INSTANT {
                return Err(WorldError::Livelock(now, n));
            }
            super::world::census_count(&mut self.census, "key", &target);
            if self.controller_runs(target) {
                if let Some(at) = self.cp.turn(target, now) {
                    self.queue.add_after(target, at); // Its slow controller's worker is busy.
                    continue;
                }
                self.cp.syncing = super::control_plane::controller_of(target).map(|_| target);
                let done = self.run_target(target);
                self.cp.syncing = None;
                done?;
            }
            self.notify()?;
        }
        if let Some(due) = self.queue.next_due() {
            self.wake_at = Some(due);
            self.schedule(due, Ev::Wake)?;
        }
        Ok(())
    }

    fn run_target(&mut self, target: Target) -> Result<(), WorldError> {
        let now = self.cal.now();
        let s = self.scenario;
        match target {
            Target::ReplicaSet(rs) => {
                let fx = {
                    let seen = view(&self.cp, &self.store, Controller::ReplicaSet, now);
                    self.rsc.sync(&seen, rs, now)
                };
                self.apply(fx, Ev::RsRequeue)
            }
            Target::Deployment(d) => {
                let seen = view(&self.cp, &self.store, Controller::Deployment, now);
                let fx = deployment::sync(&seen, d, now);
                drop(seen);
                self.apply(fx, Ev::DeployRequeue)
            }
            Target::Endpoints(svc) => {
                let ignore = (self.scenario.testing).is(Mutant::EndpointsIgnoreDeletion);
                let seen = view(&self.cp, &self.store, Controller::Endpoints, now);
                let fx = endpointslice::sync_with(&seen, svc, now, ignore);
                drop(seen);
                self.apply(fx, |_| Ev::Wake)
            }
            Target::Claim(_) | Target::Volume(_) => self.run_volume_target(target),
            Target::Disruption(pdb) => self.run_disruption(pdb),
            Target::AttachDetach(v) => {
                let spec = self.provisioner_of(v);
                let fx = self
                    .adc
                    .reconcile(&self.store, v, &spec, &mut self.rngs.storage, now);
                self.apply(fx, Ev::AttachDetach)
            }
            Target::Schedule(p) => {
                let fx = self
                    .scheduler
                    .schedule(&self.store, p, &mut self.rngs.scheduler, now);
                self.apply(fx, Ev::Scheduler)
            }
            Target::KubeletPod(node, _) | Target::KubeletVolumes(node)
                if !self.kubelet_watches(node) =>
            {
                Ok(())
            }
            Target::KubeletPod(node, pod) => {
                self.kubelet_call(node, |k, cx| k.on_pod_change(pod, &s.apps, cx))
            }
            Target::KubeletVolumes(node) => self.kubelet_call(node, |k, cx| k.on_volume_change(cx)),
            Target::StatefulSet(_) | Target::ClaimGc(_) => self.run_sts_target(target),
            Target::DaemonSet(_) | Target::Job(_) => self.run_batch_target(target),
            Target::Proxy => {
                if let Some(at) = self
                    .proxy
                    .on_change(now, s.timings.kube_proxy_min_sync_period_ms)
                {
                    self.schedule(at, Ev::Proxy(crate::network::ProxyTimer::Sync))?;
                }
                Ok(())
            }
        }
    }

    /// The provisioner behaviour of a volume's StorageClass.
    pub fn provisioner_of(&self, v: PvId) -> crate::scenario::ProvisionerSpec {
        let class = self.store.volumes[v.index()].storage_class.as_deref();
        class
            .and_then(|c| self.scenario.storage_classes.get(c))
            .cloned()
            .unwrap_or_else(crate::controllers::pv_controller::default_provisioner)
    }

    /// Calls the kubelet of `node` with its context and applies what it returns (nothing if the
    /// machine is down).
    pub fn kubelet_call(
        &mut self,
        node: NodeId,
        f: impl FnOnce(
            &mut crate::kubelet::Kubelet,
            &mut Ctx,
        ) -> crate::api::Effects<crate::kubelet::Timer>,
    ) -> Result<(), WorldError> {
        if self.kubelets[node.index()].agent == crate::kubelet::node_status::Agent::Crashed {
            return Ok(());
        }
        self.kubelet_run(node, f)
    }

    /// Calls the kubelet of `node` whatever its state; what it writes reaches the API server only if
    /// it is up afterwards, and its timers only if its machine runs.
    pub fn kubelet_run(
        &mut self,
        node: NodeId,
        f: impl FnOnce(
            &mut crate::kubelet::Kubelet,
            &mut Ctx,
        ) -> crate::api::Effects<crate::kubelet::Timer>,
    ) -> Result<(), WorldError> {
        use crate::kubelet::node_status::Agent;
        let mut cx = Ctx {
            store: &self.store,
            runtime: &mut self.runtime,
            timings: &self.scenario.timings,
            rng: &mut self.rngs.kubelet,
            now: self.cal.now(),
        };
        let kubelet = &mut self.kubelets[node.index()];
        let mut fx = f(kubelet, &mut cx);
        let (agent, boot) = (kubelet.agent, kubelet.boot);
        if matches!(agent, Agent::Crashed | Agent::Partitioned) {
            fx.writes.clear();
            fx.events.clear();
        }
        if agent == Agent::Crashed {
            fx.timers.clear();
        }
        self.apply(fx, |t| Ev::Kubelet(node, boot, t))
    }
}

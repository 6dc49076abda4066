//! Records pod incarnations and the `kubectl get pods -w` lines from pod changes in the store.

use super::records::{PodRecord, RolloutRecord, WatchLine};
use super::summary::RolloutSpan;
use crate::api::{ContainerState, DeployId, Deployment, Owner, Pod, PodId, RsId, Store, SvcId};
use crate::engine::SimTime;
use std::collections::{BTreeMap, BTreeSet};

/// Pod records and watch lines, fed with every pod change.
#[derive(Debug, Default)]
pub struct Recorder {
    pods: BTreeMap<PodId, PodRecord>,
    /// Each pod's last watch line (an index into `watch`).
    last: BTreeMap<PodId, usize>,
    pub watch: Vec<WatchLine>,
    last_rs: BTreeMap<RsId, (u32, u32, u32, u64)>,
    pub rollouts: Vec<RolloutRecord>,
    /// Rollouts in start order, and the one in progress per Deployment (an index into it).
    pub spans: Vec<RolloutSpan>,
    open_span: BTreeMap<DeployId, usize>,
    /// The ready endpoints of each Service, as last written.
    members: BTreeMap<SvcId, BTreeSet<PodId>>,
    /// Of how many Services each pod is a ready endpoint.
    member_of: BTreeMap<PodId, u32>,
}

/// The STATUS column as kubectl's printer computes it (kk:pkg/printers/internalversion/printers.go `printPod`).
pub fn status_column(pod: &Pod) -> String {
    if pod.meta.deletion.is_some() {
        return "Terminating".into();
    }
    match pod.container {
        _ if pod.node.is_none() => "Pending".into(),
        ContainerState::Waiting(reason) => reason.into(),
        ContainerState::Terminated { reason, .. } => reason.into(),
        ContainerState::Running { .. } => "Running".into(),
    }
}

/// The phase a timeline row shows.
fn timeline_phase(pod: &Pod) -> &'static str {
    match pod.container {
        _ if pod.meta.deletion.is_some() => "Terminating",
        _ if pod.node.is_none() => "Pending",
        ContainerState::Running { .. } if pod.ready => "Ready",
        ContainerState::Running { .. } => "Running",
        ContainerState::Waiting("ContainerCreating") => "ContainerCreating",
        ContainerState::Waiting(_) => "CrashLoopBackOff",
        ContainerState::Terminated { .. } => "Terminated",
    }
}

impl Recorder {
    /// The endpoints of Service `svc` were written at `now`: pods that joined or left the ready
    /// endpoints of every Service get a mark on their record.
    pub fn on_service_change(&mut self, store: &Store, svc: SvcId, now: SimTime) {
        let ready: BTreeSet<PodId> = (store.services[svc.index()].endpoints.iter())
            .filter(|e| e.ready)
            .map(|e| e.pod)
            .collect();
        let old = self.members.insert(svc, ready.clone()).unwrap_or_default();
        for pod in ready.difference(&old) {
            let n = self.member_of.entry(*pod).or_insert(0);
            *n += 1;
            if *n == 1 {
                self.mark_endpoint(*pod, now, true);
            }
        }
        for pod in old.difference(&ready) {
            let n = self.member_of.entry(*pod).or_insert(1);
            *n = n.saturating_sub(1);
            if *n == 0 {
                self.mark_endpoint(*pod, now, false);
            }
        }
    }

    fn mark_endpoint(&mut self, pod: PodId, now: SimTime, joined: bool) {
        if let Some(rec) = self.pods.get_mut(&pod) {
            rec.endpoints.push((now, joined));
        }
    }

    /// A pod changed in the store at `now`.
    pub fn on_pod_change(&mut self, store: &Store, id: PodId, now: SimTime) {
        let pod = &store.pods[id.index()];
        let rec = self
            .pods
            .entry(id)
            .or_insert_with(|| new_record(store, pod));
        update_record(rec, store, pod, now);
        let line = WatchLine {
            time: now,
            name: pod.meta.name.clone(),
            ready: format!("{}/1", u8::from(pod.ready)),
            status: status_column(pod),
            restarts: pod.restarts,
            node: pod.node.map_or("<none>".into(), |n| {
                store.nodes[n.index()].meta.name.clone()
            }),
            ip: pod.ip.clone().unwrap_or_else(|| "<none>".into()),
        };
        let changed = self.last.get(&id).is_none_or(|&i| {
            let l = &self.watch[i];
            (&l.ready, &l.status, l.restarts, &l.node, &l.ip)
                != (
                    &line.ready,
                    &line.status,
                    line.restarts,
                    &line.node,
                    &line.ip,
                )
        });
        if changed && pod.meta.exists() {
            self.last.insert(id, self.watch.len());
            self.watch.push(line);
        }
    }

    /// A ReplicaSet changed: record a rollout row if it belongs to a Deployment and its sizes changed.
    pub fn on_rs_change(&mut self, store: &Store, id: RsId, now: SimTime) {
        let rs = &store.replica_sets[id.index()];
        let Some(Owner::Deployment(d)) = rs.meta.owner else {
            return;
        };
        let revision = rs
            .meta
            .annotations
            .get("deployment.kubernetes.io/revision")
            .and_then(|r| r.parse().ok())
            .unwrap_or(0);
        let state = (rs.replicas, rs.status.ready, rs.status.available, revision);
        if self.last_rs.insert(id, state) == Some(state) {
            return;
        }
        self.rollouts.push(RolloutRecord {
            time: now,
            deployment: store.deployments[d.index()].meta.key(),
            replicaset: rs.meta.name.clone(),
            revision,
            replicas: rs.replicas,
            ready: rs.status.ready,
            available: rs.status.available,
        });
    }

    /// A Deployment changed: a new revision starts a rollout; completion or the progress deadline ends it.
    pub fn on_deployment_change(&mut self, store: &Store, id: DeployId, now: SimTime) {
        let d = &store.deployments[id.index()];
        let revision = d
            .meta
            .annotations
            .get("deployment.kubernetes.io/revision")
            .and_then(|r| r.parse().ok());
        let Some(revision) = revision else { return };
        let open = self.open_span.get(&id).map(|i| &self.spans[*i]);
        if open.is_none_or(|span| span.revision != revision) {
            self.open_span.insert(id, self.spans.len());
            self.spans.push(RolloutSpan {
                deployment: d.meta.key(),
                revision,
                started: now,
                completed: None,
                timed_out: None,
            });
        }
        let span = &mut self.spans[self.open_span[&id]];
        if span.completed.is_none() && complete(d) {
            span.completed = Some(now);
        }
        let timed_out = d
            .status
            .progressing
            .is_some_and(|c| c.reason == "ProgressDeadlineExceeded");
        if span.timed_out.is_none() && span.completed.is_none() && timed_out {
            span.timed_out = Some(now);
        }
    }

    /// The pod records, in creation order.
    pub fn into_records(self) -> (Vec<PodRecord>, Vec<WatchLine>, Vec<RolloutRecord>) {
        (self.pods.into_values().collect(), self.watch, self.rollouts)
    }
}

/// `DeploymentComplete` on the stored status (kk:pkg/controller/deployment/util/deployment_util.go).
fn complete(d: &Deployment) -> bool {
    let s = &d.status;
    s.updated == d.replicas
        && s.replicas == d.replicas
        && s.available == d.replicas
        && s.observed_generation >= d.meta.generation
}

fn new_record(store: &Store, pod: &Pod) -> PodRecord {
    let owner = match pod.meta.owner {
        Some(Owner::ReplicaSet(rs)) => {
            format!("ReplicaSet/{}", store.replica_sets[rs.index()].meta.name)
        }
        Some(Owner::Deployment(d)) => {
            format!("Deployment/{}", store.deployments[d.index()].meta.name)
        }
        Some(Owner::StatefulSet(s)) => {
            format!("StatefulSet/{}", store.stateful_sets[s.index()].meta.name)
        }
        Some(Owner::Pod(p)) => format!("Pod/{}", store.pods[p.index()].meta.name),
        Some(Owner::DaemonSet(d)) => {
            format!("DaemonSet/{}", store.daemon_sets[d.index()].meta.name)
        }
        Some(Owner::Job(j)) => format!("Job/{}", store.jobs[j.index()].meta.name),
        None => String::new(),
    };
    PodRecord {
        pod: pod.meta.name.clone(),
        namespace: pod.meta.namespace.clone(),
        uid: pod.meta.uid.clone(),
        owner,
        created: pod.meta.created,
        ..Default::default()
    }
}

fn update_record(rec: &mut PodRecord, store: &Store, pod: &Pod, now: SimTime) {
    if rec.scheduled.is_none() && pod.node.is_some() {
        rec.scheduled = Some(now);
        rec.node = pod.node.map(|n| store.nodes[n.index()].meta.name.clone());
    }
    if rec.ip.is_none() {
        rec.ip = pod.ip.clone();
    }
    if let ContainerState::Running { started } = pod.container {
        rec.started.get_or_insert(started);
    }
    if pod.ready && rec.ready.is_none() {
        rec.ready = Some(now);
    }
    rec.deleted = rec.deleted.or(pod.meta.deletion.map(|d| d.requested));
    rec.gone = pod.meta.gone;
    rec.restarts = pod.restarts;
    if rec.dns.is_none() && pod.spec.subdomain.is_some() {
        rec.dns = crate::network::dns::pod_dns_name(store, pod);
    }
    let phase = timeline_phase(pod);
    if pod.meta.exists() && rec.phases.last().is_none_or(|(_, p)| *p != phase) {
        rec.phases.push((now, phase));
    }
}

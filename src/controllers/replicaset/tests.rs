//! Tests of the ReplicaSet controller's syncs over a store: scaling, deletion order, expectations, requeues.

use super::*;
use crate::api::{
    Change, Deletion, DeployId, Effects, Kind, Labels, Owner, PodId, PodPhase, PodSpec,
    PodTemplate, ReplicaSet, ReplicaStatus, Store, Write,
};
use crate::controllers::pod_ranking::POD_DELETION_COST;
use crate::engine::{SimTime, Streams};

const SEC: u64 = 1_000;
const DAY: u64 = 86_400 * SEC;

/// A store, the controller, and the run loop's two duties: apply writes, then deliver pod changes.
struct World {
    store: Store,
    rsc: ReplicaSetController,
}

impl World {
    fn new() -> Self {
        World {
            store: Store::new(Streams::new(1, 0).stream("api-names")),
            rsc: ReplicaSetController::default(),
        }
    }

    /// A ReplicaSet of `app` at revision `hash`, optionally controlled by a Deployment.
    fn add_rs(&mut self, hash: &str, replicas: u32, owner: Option<Owner>) -> RsId {
        let labels = Labels::from([
            ("app".into(), "web".into()),
            ("pod-template-hash".into(), hash.into()),
        ]);
        let mut meta = self.store.new_meta(
            &format!("web-{hash}"),
            "default",
            labels.clone(),
            SimTime::ZERO,
        );
        meta.owner = owner;
        let rs = self.store.add_replica_set(ReplicaSet {
            meta,
            replicas,
            selector: labels.clone(),
            template: PodTemplate {
                labels,
                spec: spec(),
            },
            min_ready_ms: 0,
            status: ReplicaStatus::default(),
            source_template: Box::default(),
        });
        self.store.take_changes();
        rs
    }

    fn sync(&mut self, rs: RsId, now: SimTime) -> Effects<Requeue> {
        self.rsc.sync(&self.store, rs, now)
    }

    /// Applies `fx`'s writes at `now` and notifies the controller of every pod change.
    fn apply(&mut self, fx: Effects<Requeue>, now: SimTime) {
        self.apply_quietly(fx, now);
        self.notify(now);
    }

    /// Applies `fx`'s writes, but the notifications of their changes have not arrived yet.
    fn apply_quietly(&mut self, fx: Effects<Requeue>, now: SimTime) {
        for w in fx.writes {
            self.store.apply(w, now);
        }
    }

    fn notify(&mut self, now: SimTime) -> Vec<(SimTime, Requeue)> {
        let changes = self.store.take_changes();
        let pods = changes.into_iter().filter(|c: &Change| c.kind == Kind::Pod);
        pods.filter_map(|c| self.rsc.observe_pod(&self.store, PodId(c.id), now))
            .collect()
    }

    /// A pod of `rs` created at `created`, bound to `node` if given, then shaped by `f`; the controller saw it.
    fn pod(
        &mut self,
        rs: RsId,
        created: SimTime,
        node: Option<u32>,
        f: impl FnOnce(&mut crate::api::Pod),
    ) -> PodId {
        let template = self.store.replica_sets[rs.index()].template.clone();
        let create = Write::CreatePod {
            namespace: "default".into(),
            generate_name: "web-".into(),
            owner: Owner::ReplicaSet(rs),
            template,
        };
        let id = self.store.apply(create, created).unwrap();
        if let Some(n) = node {
            self.store.apply(
                Write::BindPod {
                    pod: id,
                    node: crate::api::NodeId(n),
                },
                created,
            );
        }
        f(&mut self.store.pods[id.index()]);
        self.notify(created);
        id
    }

    fn name(&self, pod: PodId) -> &str {
        &self.store.pods[pod.index()].meta.name
    }
}

fn spec() -> PodSpec {
    PodSpec {
        containers: Vec::new(),
        termination_grace_period_ms: 30_000,
        node_selector: Labels::new(),
        tolerations: Vec::new(),
        affinity: Default::default(),
        topology_spread: Vec::new(),
        claims: Vec::new(),
        node_name: None,
        hostname: None,
        subdomain: None,
        restart_policy: Default::default(),
    }
}

fn creates<T>(fx: &Effects<T>) -> usize {
    fx.writes
        .iter()
        .filter(|w| matches!(w, Write::CreatePod { .. }))
        .count()
}

fn deletes<T>(fx: &Effects<T>) -> Vec<PodId> {
    let pod_of = |w: &Write| match w {
        Write::DeletePod { pod, .. } => Some(*pod),
        _ => None,
    };
    fx.writes.iter().filter_map(pod_of).collect()
}

fn running(ready_since: Option<SimTime>) -> impl FnOnce(&mut crate::api::Pod) {
    move |p| {
        p.phase = PodPhase::Running;
        p.ready = ready_since.is_some();
        p.ready_since = ready_since;
    }
}

/// The pods of one ReplicaSet in every state the ranking tells apart, added in the reverse of the order
/// upstream deletes them, so that only the ranking can put them right. Returns them in deletion order.
fn pods_in_every_state(w: &mut World, rs: RsId, now: SimTime) -> Vec<PodId> {
    let (day_ago, created) = (SimTime(now.as_ms() - DAY), SimTime(now.as_ms() - 2 * DAY));
    let keeper = w.pod(
        rs,
        created,
        Some(3),
        running(Some(SimTime(now.as_ms() - 20 * DAY))),
    );
    let ready_long_ago = w.pod(rs, created, Some(2), running(Some(day_ago)));
    let restarted = w.pod(rs, created, Some(2), |p| {
        running(Some(day_ago))(p);
        p.restarts = 3;
    });
    let ready_recently = w.pod(
        rs,
        created,
        Some(1),
        running(Some(SimTime(now.as_ms() - 10 * SEC))),
    );
    let cheap = w.pod(rs, created, Some(1), |p| {
        running(Some(day_ago))(p);
        p.meta
            .annotations
            .insert(POD_DELETION_COST.into(), "-5".into());
    });
    let not_ready = w.pod(rs, created, Some(0), running(None));
    let pending = w.pod(rs, created, Some(0), |_| {});
    let unscheduled = w.pod(rs, created, None, |_| {});
    let _ = keeper;
    vec![
        unscheduled,
        pending,
        not_ready,
        cheap,
        ready_recently,
        restarted,
        ready_long_ago,
    ]
}

#[test]
fn scaling_down_deletes_the_pods_upstream_ranks_first() {
    // Unassigned < Pending < not Ready < lower deletion cost < Ready for less time (log2 buckets)
    // < more restarts; the pod alone on its node (rank 1, the others 2), Ready longest, is kept.
    let mut w = World::new();
    let now = SimTime(60 * DAY);
    let rs = w.add_rs("a", 8, Some(Owner::Deployment(DeployId(0))));
    let want = pods_in_every_state(&mut w, rs, now);
    w.store.replica_sets[rs.index()].replicas = 1;
    let fx = w.sync(rs, now);
    assert_eq!(deletes(&fx), want);
    assert_eq!(pods_to_delete(&w.store, rs, 7, now), want);
    let messages: Vec<String> = fx.events.iter().map(|e| e.message.clone()).collect();
    let named: Vec<String> = want
        .iter()
        .map(|p| format!("Deleted pod: {}", w.name(*p)))
        .collect();
    assert_eq!(
        messages, named,
        "one SuccessfulDelete Event per pod, in the same order"
    );
    assert_eq!(creates(&fx), 0);
}

#[test]
fn a_smaller_scale_down_takes_the_first_of_the_same_order() {
    let mut w = World::new();
    let now = SimTime(60 * DAY);
    let rs = w.add_rs("a", 8, None);
    let want = pods_in_every_state(&mut w, rs, now);
    w.store.replica_sets[rs.index()].replicas = 5;
    assert_eq!(deletes(&w.sync(rs, now)), want[..3].to_vec());
}

#[test]
fn pods_doubled_up_with_a_sibling_replica_sets_pods_are_deleted_first() {
    // getPodsRankedByRelatedPodsOnSameNode counts the active pods of every ReplicaSet of the Deployment.
    let mut w = World::new();
    let owner = Some(Owner::Deployment(DeployId(0)));
    let (old, new) = (w.add_rs("old", 2, owner), w.add_rs("new", 1, owner));
    let t = SimTime(10 * SEC);
    let alone = w.pod(old, t, Some(0), running(Some(t)));
    let doubled = w.pod(old, t, Some(1), running(Some(t)));
    w.pod(new, t, Some(1), running(Some(t)));
    w.store.replica_sets[old.index()].replicas = 1;
    assert_eq!(indirectly_related_pods(&w.store, old).len(), 3);
    assert_eq!(deletes(&w.sync(old, SimTime(60 * SEC))), vec![doubled]);
    // Without a controller there are no related pods: the tie keeps creation order.
    w.store.replica_sets[old.index()].meta.owner = None;
    assert_eq!(
        pods_to_delete(&w.store, old, 1, SimTime(60 * SEC)),
        vec![alone]
    );
}

#[test]
fn scaling_up_creates_the_missing_pods_and_expects_them() {
    let mut w = World::new();
    let rs = w.add_rs("a", 3, None);
    let fx = w.sync(rs, SimTime::ZERO);
    assert_eq!(creates(&fx), 3);
    let expected = w.rsc.expectations.get(rs).copied();
    assert_eq!(expected.map(|e| (e.add, e.del)), Some((3, 0)));
    w.apply(fx, SimTime::ZERO);
    assert!(
        w.rsc.expectations.satisfied(rs, SimTime::ZERO),
        "three creations observed"
    );
    assert_eq!(creates(&w.sync(rs, SimTime(SEC))), 0);
}

#[test]
fn a_sync_with_unsatisfied_expectations_creates_nothing_but_updates_status() {
    let mut w = World::new();
    let rs = w.add_rs("a", 3, None);
    assert_eq!(creates(&w.sync(rs, SimTime::ZERO)), 3);
    // The creates have not been seen yet (their writes are not in the store): a second sync must not repeat them.
    let fx = w.sync(rs, SimTime(SEC));
    assert_eq!(creates(&fx), 0);
    let status = ReplicaStatus {
        observed_generation: 1,
        ..Default::default()
    };
    assert_eq!(fx.writes, vec![Write::SetReplicaSetStatus { rs, status }]);
    // Until the expectations expire: then the controller tries again.
    assert_eq!(creates(&w.sync(rs, SimTime(EXPECTATIONS_TIMEOUT_MS))), 0);
    assert_eq!(
        creates(&w.sync(rs, SimTime(EXPECTATIONS_TIMEOUT_MS + 1))),
        3
    );
}

#[test]
fn a_scale_down_waits_until_each_deletion_is_observed() {
    let mut w = World::new();
    let rs = w.add_rs("a", 3, None);
    let t = SimTime(SEC);
    for _ in 0..3 {
        w.pod(rs, t, Some(0), running(Some(t)));
    }
    w.store.replica_sets[rs.index()].replicas = 1;
    let fx = w.sync(rs, SimTime(2 * SEC));
    let victims = deletes(&fx);
    assert_eq!(victims.len(), 2);
    w.apply_quietly(fx, SimTime(2 * SEC));
    let changes = w.store.take_changes();
    // Scaled to 0 meanwhile: nothing is deleted while the two deletions are awaited.
    w.store.replica_sets[rs.index()].replicas = 0;
    assert!(deletes(&w.sync(rs, SimTime(3 * SEC))).is_empty());
    w.rsc
        .observe_pod(&w.store, PodId(changes[0].id), SimTime(3 * SEC));
    assert!(
        deletes(&w.sync(rs, SimTime(3 * SEC))).is_empty(),
        "one of two observed"
    );
    w.rsc
        .observe_pod(&w.store, PodId(changes[1].id), SimTime(3 * SEC));
    let last = deletes(&w.sync(rs, SimTime(3 * SEC)));
    assert_eq!(last.len(), 1);
    assert!(
        !victims.contains(&last[0]),
        "terminating pods are not active"
    );
}

#[test]
fn a_deletion_timestamp_and_the_removal_count_as_one_deletion() {
    let mut w = World::new();
    let rs = w.add_rs("a", 2, None);
    let t = SimTime(SEC);
    let (p, q) = (w.pod(rs, t, Some(0), |_| {}), w.pod(rs, t, Some(0), |_| {}));
    w.store.replica_sets[rs.index()].replicas = 0;
    let fx = w.sync(rs, t);
    assert_eq!(deletes(&fx), vec![p, q]);
    w.apply(fx, t);
    let del = |w: &World| w.rsc.expectations.get(rs).map(|e| e.del);
    assert_eq!(del(&w), Some(0), "both deletionTimestamps observed");
    w.apply(
        Effects {
            writes: vec![Write::RemovePod { pod: p }],
            ..Effects::default()
        },
        t,
    );
    assert_eq!(del(&w), Some(0), "the removal of p does not count again");
}

#[test]
fn deleting_a_pod_the_controller_did_not_choose_does_not_satisfy_its_expectations() {
    let mut w = World::new();
    let rs = w.add_rs("a", 2, None);
    let t = SimTime(SEC);
    let (p, q, r) = (
        w.pod(rs, t, Some(0), |_| {}),
        w.pod(rs, t, Some(0), |_| {}),
        w.pod(rs, t, Some(0), |_| {}),
    );
    let fx = w.sync(rs, t);
    assert_eq!(deletes(&fx), vec![p]);
    w.apply_quietly(fx, t);
    w.store.take_changes();
    let kubectl_delete = Write::DeletePod {
        pod: r,
        grace_period_ms: None,
    };
    w.apply(
        Effects {
            writes: vec![kubectl_delete],
            ..Effects::default()
        },
        t,
    );
    assert!(!w.rsc.expectations.satisfied(rs, t));
    let _ = q;
}

#[test]
fn terminating_pods_are_replaced_at_once() {
    let mut w = World::new();
    let rs = w.add_rs("a", 1, None);
    let p = w.pod(rs, SimTime::ZERO, Some(0), running(Some(SimTime::ZERO)));
    w.store.pods[p.index()].meta.deletion = Some(Deletion {
        requested: SimTime(SEC),
        grace_period_ms: 30_000,
    });
    w.notify(SimTime(SEC));
    let fx = w.sync(rs, SimTime(SEC));
    assert_eq!(creates(&fx), 1);
    let status = |fx: &Effects<Requeue>| {
        fx.writes.iter().find_map(|x| match x {
            Write::SetReplicaSetStatus { status, .. } => Some(status.replicas),
            _ => None,
        })
    };
    assert_eq!(
        status(&fx),
        Some(0),
        "status.replicas counts active pods only"
    );
}

#[test]
fn one_sync_creates_at_most_a_burst_of_five_hundred_pods() {
    let mut w = World::new();
    let rs = w.add_rs("a", 1_200, None);
    let fx = w.sync(rs, SimTime::ZERO);
    assert_eq!(creates(&fx), BURST_REPLICAS);
    w.apply(fx, SimTime::ZERO);
    assert_eq!(creates(&w.sync(rs, SimTime(SEC))), BURST_REPLICAS);
}

#[test]
fn a_deleted_replica_set_forgets_its_expectations() {
    let mut w = World::new();
    let rs = w.add_rs("a", 2, None);
    w.sync(rs, SimTime::ZERO);
    assert!(w.rsc.expectations.get(rs).is_some());
    w.store.replica_sets[rs.index()].meta.gone = Some(SimTime(SEC));
    let fx = w.sync(rs, SimTime(SEC));
    assert!(fx.writes.is_empty() && w.rsc.expectations.get(rs).is_none());
}

#[test]
fn a_pod_turning_ready_requeues_its_replica_set_after_min_ready_seconds_and_one() {
    let mut w = World::new();
    let rs = w.add_rs("a", 1, None);
    w.store.replica_sets[rs.index()].min_ready_ms = 10 * SEC;
    let p = w.pod(rs, SimTime::ZERO, Some(0), running(None));
    w.store.pods[p.index()].ready = true;
    w.store.pods[p.index()].ready_since = Some(SimTime(4 * SEC));
    w.store.apply(
        Write::BindPod {
            pod: p,
            node: crate::api::NodeId(0),
        },
        SimTime(4 * SEC),
    );
    assert_eq!(
        w.notify(SimTime(4 * SEC)),
        vec![(SimTime(15 * SEC), Requeue(rs))]
    );
    w.store.apply(
        Write::BindPod {
            pod: p,
            node: crate::api::NodeId(0),
        },
        SimTime(5 * SEC),
    );
    assert_eq!(
        w.notify(SimTime(5 * SEC)),
        vec![],
        "still Ready: no new requeue"
    );
}

#[test]
fn a_sync_with_every_pod_ready_but_not_available_resyncs_after_min_ready_seconds() {
    let mut w = World::new();
    let rs = w.add_rs("a", 1, None);
    w.store.replica_sets[rs.index()].min_ready_ms = 10 * SEC;
    let p = w.pod(rs, SimTime::ZERO, Some(0), running(None));
    assert_eq!(w.sync(rs, SimTime(SEC)).timers, vec![], "not Ready yet");
    w.store.pods[p.index()].ready = true;
    w.store.pods[p.index()].ready_since = Some(SimTime(2 * SEC));
    assert_eq!(
        w.sync(rs, SimTime(3 * SEC)).timers,
        vec![(SimTime(13 * SEC), Requeue(rs))]
    );
    assert_eq!(w.sync(rs, SimTime(12 * SEC)).timers, vec![], "available");
}

#[test]
fn ready_times_in_one_log2_bucket_tie_by_uid_not_by_age() {
    // LogarithmicScaleDown: Ready 24 h and 25 h ago are both in bucket 46 (2^46 ns is 19.5 h, 2^47 ns 39 h),
    // so the lower UID goes first even though it has been Ready longer.
    let mut w = World::new();
    let now = SimTime(60 * DAY);
    let rs = w.add_rs("a", 2, None);
    let created = SimTime(now.as_ms() - 2 * DAY);
    let older = w.pod(
        rs,
        created,
        Some(0),
        running(Some(SimTime(now.as_ms() - DAY - 3_600 * SEC))),
    );
    let newer = w.pod(
        rs,
        created,
        Some(0),
        running(Some(SimTime(now.as_ms() - DAY))),
    );
    assert!(w.store.pods[older.index()].meta.uid < w.store.pods[newer.index()].meta.uid);
    assert_eq!(pods_to_delete(&w.store, rs, 1, now), vec![older]);
    // A day apart the buckets differ (46 and 47): the more recently Ready goes first.
    w.store.pods[older.index()].ready_since = Some(SimTime(now.as_ms() - 2 * DAY));
    assert_eq!(pods_to_delete(&w.store, rs, 1, now), vec![newer]);
}

//! The Eviction API's decisions, with the cases of upstream's eviction_test.go
//! (`TestEviction`, `TestEvictionIgnorePDB`, `TestEvictionDryRun`'s budget arithmetic).

use super::*;
use crate::api::{
    Budget, IntOrPercent, LabelSelector, Labels, Meta, Node, Owner, Pdb, PdbStatus, PodSpec,
    PodTemplate, RsId,
};
use crate::engine::Streams;

const T0: SimTime = SimTime(0);

fn zk_labels() -> Labels {
    [("app".to_string(), "zk".to_string())].into()
}

/// A store with `n` running, ready pods labelled app=zk on one node.
pub(crate) fn store_with_pods(n: usize) -> (Store, Vec<PodId>) {
    let mut store = Store::new(Streams::new(1, 0).stream("names"));
    let meta = store.new_meta("n1", "", Labels::new(), T0);
    let node = store.add_node(Node {
        meta,
        cpu_milli: 4000,
        memory_bytes: 1 << 34,
        pods: 110,
        taints: vec![],
        unschedulable: false,
        ready: true,
        volumes_in_use: vec![],
        images: vec![],
    });
    let pods = (0..n)
        .map(|_| {
            let template = PodTemplate {
                labels: zk_labels(),
                spec: PodSpec {
                    containers: vec![],
                    termination_grace_period_ms: 30_000,
                    node_selector: Labels::new(),
                    tolerations: vec![],
                    affinity: Default::default(),
                    topology_spread: Vec::new(),
                    claims: vec![],
                    node_name: None,
                    hostname: None,
                    subdomain: None,
                    restart_policy: Default::default(),
                },
            };
            let create = Write::CreatePod {
                namespace: "default".into(),
                generate_name: "zk-".into(),
                owner: Owner::ReplicaSet(RsId(0)),
                template,
            };
            let pod = store.apply(create, T0).unwrap();
            store.apply(Write::BindPod { pod, node }, T0);
            let p = &mut store.pods[pod.index()];
            (p.phase, p.ready) = (PodPhase::Running, true);
            pod
        })
        .collect();
    (store, pods)
}

/// A budget selecting app=zk with minAvailable `min` and the status the controller would write.
pub(crate) fn add_budget(store: &mut Store, name: &str, min: i32, healthy: i32) -> PdbId {
    let mut meta: Meta = store.new_meta(name, "default", Labels::new(), T0);
    meta.generation = 1;
    store.add_pdb(Pdb {
        meta,
        selector: Some(LabelSelector {
            match_labels: zk_labels(),
            match_expressions: vec![],
        }),
        budget: Budget::MinAvailable(IntOrPercent::Int(min)),
        status: PdbStatus {
            current_healthy: healthy,
            desired_healthy: min,
            expected_pods: healthy,
            disruptions_allowed: (healthy - min).max(0),
            observed_generation: 1,
            ..PdbStatus::default()
        },
    })
}

#[test]
fn an_eviction_the_budget_allows_decrements_it_and_records_the_pod() {
    let (mut store, pods) = store_with_pods(3);
    let pdb = add_budget(&mut store, "zk-budget", 2, 3);
    let writes = evict(&store, pods[0], None, SimTime(5_000)).unwrap();
    let [Write::SetPdbStatus { status, .. }, Write::DeletePod { pod, .. }] = &writes[..] else {
        panic!("expected the budget's status and the delete: {writes:?}")
    };
    assert_eq!(*pod, pods[0]);
    assert_eq!(status.disruptions_allowed, 0);
    let name = &store.pods[pods[0].index()].meta.name;
    assert_eq!(status.disrupted_pods.get(name), Some(&SimTime(5_000)));
    store.apply(writes[0].clone(), SimTime(5_000));
    let refused = evict(&store, pods[1], None, SimTime(5_000)).unwrap_err();
    assert_eq!(refused.code(), 429);
    assert_eq!(
        refused.to_string(),
        "Cannot evict pod as it would violate the pod's disruption budget."
    );
    assert_eq!(store.pdbs[pdb.index()].status.disruptions_allowed, 0);
}

#[test]
fn a_stale_budget_status_refuses_with_429() {
    let (mut store, pods) = store_with_pods(3);
    let pdb = add_budget(&mut store, "zk-budget", 1, 3);
    store.pdbs[pdb.index()].meta.generation = 2;
    assert_eq!(evict(&store, pods[0], None, T0).unwrap_err().code(), 429);
}

#[test]
fn pending_terminating_or_unbudgeted_pods_are_deleted_without_a_check() {
    let (mut store, pods) = store_with_pods(3);
    let only_delete = |store: &Store, pod| {
        let writes = evict(store, pod, Some(0), T0).unwrap();
        matches!(&writes[..], [Write::DeletePod { .. }])
    };
    assert!(only_delete(&store, pods[0]), "no budget selects it");
    add_budget(&mut store, "zk-budget", 3, 3);
    store.pods[pods[0].index()].phase = PodPhase::Pending;
    assert!(only_delete(&store, pods[0]), "canIgnorePDB: Pending");
    store.apply(
        Write::DeletePod {
            pod: pods[1],
            grace_period_ms: None,
        },
        T0,
    );
    assert!(only_delete(&store, pods[1]), "canIgnorePDB: terminating");
    assert_eq!(evict(&store, pods[2], None, T0).unwrap_err().code(), 429);
}

#[test]
fn an_unready_pod_goes_without_a_decrement_while_the_budget_is_met() {
    let (mut store, pods) = store_with_pods(4);
    add_budget(&mut store, "zk-budget", 3, 3);
    store.pods[pods[3].index()].ready = false;
    let writes = evict(&store, pods[3], None, T0).unwrap();
    assert!(
        matches!(&writes[..], [Write::DeletePod { .. }]),
        "{writes:?}"
    );
}

#[test]
fn two_budgets_for_one_pod_are_a_500_and_a_gone_pod_a_404() {
    let (mut store, pods) = store_with_pods(3);
    add_budget(&mut store, "a", 1, 3);
    add_budget(&mut store, "b", 1, 3);
    assert_eq!(evict(&store, pods[0], None, T0).unwrap_err().code(), 500);
    store.apply(Write::RemovePod { pod: pods[1] }, T0);
    assert_eq!(evict(&store, pods[1], None, T0).unwrap_err().code(), 404);
}

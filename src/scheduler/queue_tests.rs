//! Unit tests of the scheduling queue's transitions, back-off and flush timing, and of the events
//! that move an unschedulable pod.

use super::events::{ClusterEvent, NodeChange, Plugin, PluginSet};
use super::queue::{QueueConfig, QueueTimer, SchedulingQueue, State};
use super::test_support::{expr, pod, term, Cluster};
use super::Scheduler;
use crate::api::{Operator, PodId, Write};
use crate::engine::SimTime;

fn set(plugins: &[Plugin]) -> PluginSet {
    let mut s = PluginSet::default();
    for p in plugins {
        s.insert(*p);
    }
    s
}

#[test]
fn back_off_doubles_from_one_second_to_ten() {
    let cfg = QueueConfig::default();
    let got: Vec<u64> = (1..=6).map(|n| cfg.backoff_ms(n)).collect();
    assert_eq!(got, vec![1_000, 2_000, 4_000, 8_000, 10_000, 10_000]);
}

#[test]
fn the_flush_runs_on_the_30_second_loop_strictly_after_five_minutes() {
    let cfg = QueueConfig::default();
    assert_eq!(cfg.flush_at(SimTime(80_080)), SimTime(390_000));
    // 60 s + 300 s = 360 s is not strictly more than 5 minutes: the next loop, at 390 s.
    assert_eq!(cfg.flush_at(SimTime(60_000)), SimTime(390_000));
    assert_eq!(cfg.flush_at(SimTime(59_999)), SimTime(360_000));
}

#[test]
fn a_failed_pod_waits_in_unschedulable_pods_until_the_flush() {
    let (cfg, p) = (QueueConfig::default(), PodId(7));
    let mut q = SchedulingQueue::default();
    assert_eq!(q.add(p, SimTime(0)), Ok(true));
    assert_eq!(q.add(p, SimTime(0)), Ok(false));
    assert!(q.pop(p));
    assert!(!q.pop(p), "a pod not in activeQ is not attempted");
    let moves = q.failed(p, set(&[Plugin::InterPodAffinity]), SimTime(80_080), &cfg);
    assert_eq!(
        moves.timers,
        vec![(SimTime(390_000), QueueTimer::Flush(p, 1))]
    );
    assert!(moves.active.is_empty());
    assert_eq!(
        q.get(p).unwrap().state,
        State::Unschedulable(SimTime(80_080))
    );
    let flushed = q.on_timer(QueueTimer::Flush(p, 1), SimTime(390_000), &cfg);
    assert_eq!(flushed.active, vec![p]);
    assert!(q.pop(p));
    assert_eq!(q.get(p).unwrap().attempts, 2);
}

#[test]
fn an_event_during_back_off_moves_the_pod_to_backoff_q_and_stale_timers_do_nothing() {
    let (cfg, p) = (QueueConfig::default(), PodId(1));
    let mut q = SchedulingQueue::default();
    q.add(p, SimTime(0)).unwrap();
    q.pop(p);
    q.failed(p, set(&[Plugin::NodeResourcesFit]), SimTime(10_000), &cfg);
    let moves = q.move_to_active_or_backoff(p, SimTime(10_500), &cfg);
    assert_eq!(
        moves.timers,
        vec![(SimTime(11_000), QueueTimer::BackoffDone(p, 1))]
    );
    assert_eq!(q.get(p).unwrap().state, State::Backoff(SimTime(11_000)));
    assert!(q.rejected_by(Plugin::ALL.into_iter()).is_empty());
    // The flush timer of the first failure is stale once the pod left unschedulablePods.
    let stale = q.on_timer(QueueTimer::Flush(p, 1), SimTime(330_000), &cfg);
    assert!(stale.active.is_empty());
    let done = q.on_timer(QueueTimer::BackoffDone(p, 1), SimTime(11_000), &cfg);
    assert_eq!(done.active, vec![p]);
}

#[test]
fn a_pod_no_plugin_rejected_is_retried_after_its_back_off() {
    let (cfg, p) = (QueueConfig::default(), PodId(3));
    let mut q = SchedulingQueue::default();
    q.add(p, SimTime(0)).unwrap();
    for (n, wait) in [(1, 1_000), (2, 2_000), (3, 4_000)] {
        assert!(q.pop(p));
        let moves = q.failed(p, PluginSet::default(), SimTime(0), &cfg);
        assert_eq!(
            moves.timers,
            vec![(SimTime(wait), QueueTimer::BackoffDone(p, n))]
        );
        q.on_timer(QueueTimer::BackoffDone(p, n), SimTime(wait), &cfg);
    }
}

#[test]
fn forgetting_a_pod_removes_it_from_the_plugin_index() {
    let (cfg, p) = (QueueConfig::default(), PodId(2));
    let mut q = SchedulingQueue::default();
    q.add(p, SimTime(0)).unwrap();
    q.pop(p);
    q.failed(
        p,
        set(&[Plugin::TaintToleration, Plugin::NodeAffinity]),
        SimTime(0),
        &cfg,
    );
    assert_eq!(q.rejected_by([Plugin::NodeAffinity].into_iter()).len(), 1);
    assert_eq!(q.unschedulable_len(), 1);
    q.forget(p);
    assert!(q.rejected_by(Plugin::ALL.into_iter()).is_empty());
    assert!(q.get(p).is_none());
}

/// A cluster of two nodes with `zk-a` on each and an anti-affine `zk-2` that fits neither.
fn zookeeper() -> (Cluster, Scheduler, PodId, PodId) {
    let mut c = Cluster::new();
    c.node("n0", &[("kubernetes.io/hostname", "n0")]);
    c.node("n1", &[("kubernetes.io/hostname", "n1")]);
    let zk = |name: &str| {
        let mut p = pod(name, &[("app", "zk")]);
        let sel = expr("app", Operator::In, &["zk"]);
        p.spec.affinity.anti.required = vec![term(sel, "kubernetes.io/hostname")];
        p
    };
    let first = c.bind(zk("zk-0"), "n0");
    c.bind(zk("zk-1"), "n1");
    let pending = c.add(zk("zk-2"));
    let mut s = Scheduler::default();
    for n in 0..2 {
        s.on_node_change(&c.store, crate::api::NodeId(n), SimTime(0));
    }
    for id in 0..3 {
        s.on_pod_change(&c.store, PodId(id), SimTime(0)).unwrap();
    }
    (c, s, first, pending)
}

#[test]
fn deleting_a_pod_that_blocks_anti_affinity_wakes_the_pending_pod() {
    let (mut c, mut s, first, pending) = zookeeper();
    let mut rng = crate::engine::Streams::new(1, 0).stream("scheduler");
    let fx = s.schedule(&c.store, pending, &mut rng, SimTime(0));
    assert_eq!(fx.events.len(), 1, "one FailedScheduling");
    let plugins = s.queue.get(pending).unwrap().plugins;
    assert!(plugins.contains(Plugin::InterPodAffinity));
    // A node status change with no scheduling property changed moves nothing.
    let quiet = s.on_node_change(&c.store, crate::api::NodeId(0), SimTime(5_000));
    assert!(quiet.active.is_empty() && quiet.timers.is_empty());
    c.store
        .apply(Write::RemovePod { pod: first }, SimTime(20_000));
    let moves = s.on_pod_change(&c.store, first, SimTime(20_000)).unwrap();
    assert_eq!(moves.active, vec![pending]);
    let fx = s.schedule(&c.store, pending, &mut rng, SimTime(20_000));
    assert_eq!(fx.writes.len(), 1, "bound");
}

#[test]
fn only_registered_events_with_a_positive_hint_move_the_pod() {
    let (c, mut s, _, pending) = zookeeper();
    let mut rng = crate::engine::Streams::new(1, 0).stream("scheduler");
    s.schedule(&c.store, pending, &mut rng, SimTime(0));
    let pod = &c.store.pods[pending.index()];
    let taints = ClusterEvent::NodeUpdate(NodeChange {
        taints: true,
        ..Default::default()
    });
    let plugins = s.queue.get(pending).unwrap().plugins;
    assert!(!super::events::worth_requeuing_any(plugins, taints, pod));
    assert!(!super::events::worth_requeuing_any(
        plugins,
        ClusterEvent::Volume,
        pod
    ));
    assert!(super::events::worth_requeuing_any(
        plugins,
        ClusterEvent::NodeAdd,
        pod
    ));
}

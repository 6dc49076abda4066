//! Whole generated scenarios in three profiles, drawn alike (swarm testing: each case leans on a
//! few features, so their rarer combinations come up): a mixed one; a control-plane one whose
//! episodes perturb a workload's controller and churn that workload while it is perturbed (the
//! interleavings of Sieve-style testing: a lagging pod watch under deletions and scaling); and a
//! storage one (StatefulSets on attached disks whose pods keep them mounted past a short
//! `attach-detach-max-wait-for-unmount` after their deletion, nodes that stall or go away).

use super::strategy::{
    app, control_plane_action, delete_pod, kind, timed, workload, workload_action, Action,
    GenScenario, Kind, Timed, Workload,
};
use kubesim::scenario::Controller;
use proptest::prelude::*;

/// A control-plane fault aimed at a workload's controller, and changes to that workload while it lasts.
#[derive(Debug, Clone)]
pub struct Episode {
    pub at_s: u16,
    /// The workload, modulo the count.
    pub w: usize,
    /// Aim at the owner's controller (Deployment, garbage collector) instead of the pods' one
    /// (ReplicaSet, StatefulSet).
    pub upper: bool,
    /// None once shrinking has found the churn fails without it.
    pub fault: Option<Action>,
    /// Changes to the workload, each at a percentage of the fault's span.
    pub churn: Vec<(u8, Action)>,
}

/// One step of a scenario: an action, or an episode.
#[derive(Debug, Clone)]
pub enum Step {
    One(Timed),
    Episode(Episode),
}

/// The controller an episode aims at in `workloads`.
fn aim(workloads: &[Workload], w: usize, upper: bool) -> Controller {
    match (&workloads[w % workloads.len()].kind, upper) {
        (Kind::Deployment { .. }, false) => Controller::ReplicaSet,
        (Kind::Deployment { .. }, true) => Controller::Deployment,
        (Kind::StatefulSet { .. }, false) => Controller::StatefulSet,
        (Kind::StatefulSet { .. }, true) => Controller::GarbageCollector,
    }
}

impl Step {
    /// The timed actions of this step, its episode aimed at a controller of `workloads`.
    fn timed(&self, workloads: &[Workload]) -> Vec<Timed> {
        let Step::Episode(e) = self else {
            let Step::One(t) = self else { unreachable!() };
            return vec![t.clone()];
        };
        let c = aim(workloads, e.w, e.upper);
        let Some(fault) = e.fault.clone() else {
            return (e.churn.iter())
                .map(|(pct, action)| Timed {
                    at_s: e.at_s + u16::from(*pct),
                    action: with_workload(action.clone(), e.w),
                })
                .collect();
        };
        let fault = match fault {
            Action::CrashController { down_s, .. } => Action::CrashController { c, down_s },
            Action::DelayWatch {
                by_s,
                for_s,
                pods_only,
                ..
            } => Action::DelayWatch {
                c,
                by_s,
                for_s,
                pods_only,
            },
            Action::Conflict { tenths, for_s, .. } => Action::Conflict { c, tenths, for_s },
            Action::DropWatch { relist_after_s, .. } => Action::DropWatch { c, relist_after_s },
            Action::SlowSync {
                per_key_s, for_s, ..
            } => Action::SlowSync {
                c,
                per_key_s,
                for_s,
            },
            other => other,
        };
        let span_s = fault.span_s().max(1);
        let mut out = vec![Timed {
            at_s: e.at_s,
            action: fault,
        }];
        for (pct, action) in &e.churn {
            let at_s = e.at_s + (span_s * u64::from(*pct) / 100) as u16;
            out.push(Timed {
                at_s,
                action: with_workload(action.clone(), e.w),
            });
        }
        out
    }
}

/// `action` aimed at workload `w`.
fn with_workload(action: Action, w: usize) -> Action {
    match action {
        Action::Scale { replicas, .. } => Action::Scale { w, replicas },
        Action::SetImage { .. } => Action::SetImage { w },
        Action::DeletePod { one, grace_s, .. } => Action::DeletePod { w, one, grace_s },
        Action::KillContainer { .. } => Action::KillContainer { w },
        other => other,
    }
}

/// What is churned during an episode.
fn churn() -> impl Strategy<Value = Action> {
    prop_oneof![
        2 => (0u8..6).prop_map(|replicas| Action::Scale { w: 0, replicas }),
        3 => delete_pod(0.1),
        1 => Just(Action::SetImage { w: 0 }),
        1 => Just(Action::KillContainer { w: 0 }),
    ]
}

/// An episode's fault (its controller is set from the workload it aims at); watch delays lag the
/// pod informer alone most of the time.
fn episode_fault() -> impl Strategy<Value = Action> {
    let c = Controller::ReplicaSet;
    prop_oneof![
        1 => (1u16..90).prop_map(move |down_s| Action::CrashController { c, down_s }),
        2 => (1u8..20, 10u16..120, proptest::bool::weighted(0.7)).prop_map(
            move |(by_s, for_s, pods_only)| Action::DelayWatch { c, by_s, for_s, pods_only }
        ),
        1 => (1u8..10, 10u16..120).prop_map(move |(tenths, for_s)| Action::Conflict { c, tenths, for_s }),
        1 => (1u16..120).prop_map(move |relist_after_s| Action::DropWatch { c, relist_after_s }),
    ]
}

fn episode() -> impl Strategy<Value = Episode> {
    (
        10u16..200,
        0usize..4,
        proptest::bool::weighted(0.3),
        proptest::option::weighted(0.999, episode_fault()),
        proptest::collection::vec((0u8..100, churn()), 1..=3),
    )
        .prop_map(|(at_s, w, upper, fault, churn)| Episode {
            at_s,
            w,
            upper,
            fault,
            churn,
        })
}

/// The cluster: (seed, nodes, zones, node CPU).
fn cluster() -> impl Strategy<Value = (u64, u8, u8, u8)> {
    (1u64..10_000, 1u8..=6, 1u8..=3, 2u8..=8)
}

/// Builds the scenario, resolving each step's targets.
fn assemble(
    (seed, nodes, zones, node_cpu): (u64, u8, u8, u8),
    attached_disks: bool,
    max_wait_for_unmount_s: Option<u16>,
    workloads: Vec<Workload>,
    steps: Vec<Step>,
) -> GenScenario {
    let events = steps.iter().flat_map(|s| s.timed(&workloads)).collect();
    GenScenario {
        seed,
        nodes,
        zones,
        node_cpu,
        attached_disks,
        max_wait_for_unmount_s,
        workloads,
        events,
        mutant: None,
    }
}

/// Any workload and any action, up to 6 of them.
fn mixed() -> impl Strategy<Value = GenScenario> {
    let action = prop_oneof![3 => workload_action(), 1 => control_plane_action()];
    let step = timed(action).prop_map(Step::One);
    (
        cluster(),
        proptest::bool::weighted(0.3),
        proptest::collection::vec(workload(kind(0.5, 0.6), app(0.8, 15)), 1..=3),
        proptest::collection::vec(step, 0..=6),
    )
        .prop_map(|(c, disks, workloads, steps)| assemble(c, disks, None, workloads, steps))
}

/// Mostly Deployments, and episodes of control-plane faults with churn.
fn control_plane() -> impl Strategy<Value = GenScenario> {
    let step = prop_oneof![
        3 => episode().prop_map(Step::Episode),
        1 => timed(workload_action()).prop_map(Step::One),
    ];
    (
        cluster(),
        proptest::bool::weighted(0.3),
        proptest::collection::vec(workload(kind(0.4, 0.6), app(0.8, 15)), 1..=3),
        proptest::collection::vec(step, 1..=4),
    )
        .prop_map(|(c, disks, workloads, steps)| assemble(c, disks, None, workloads, steps))
}

/// StatefulSets on attached disks whose programs often ignore SIGTERM, a short wait for unmount,
/// and deletions (often with a long grace period), node restarts, partitions and drains.
fn storage() -> impl Strategy<Value = GenScenario> {
    let action = prop_oneof![
        4 => delete_pod(0.5),
        1 => workload_action(),
    ];
    (
        cluster(),
        proptest::option::weighted(0.8, 5u16..90),
        proptest::collection::vec(workload(kind(0.8, 0.9), app(0.4, 120)), 1..=2),
        proptest::collection::vec(timed(action).prop_map(Step::One), 1..=4),
    )
        .prop_map(|(c, wait, workloads, steps)| assemble(c, true, wait, workloads, steps))
}

/// A whole scenario: 1 to 6 nodes in 1 to 3 zones, 1 to 3 workloads, faults over the first 4
/// minutes, from one of the three profiles.
pub fn scenario() -> impl Strategy<Value = GenScenario> {
    prop_oneof![mixed(), control_plane(), storage()]
}

//! The structured value of a generated scenario and the proptest strategies of its parts: a
//! cluster, workloads of the supported kinds, and changes and faults over time. Faults name
//! workloads and nodes by index modulo their count, so shrinking a list never leaves a fault
//! without a target. The whole-scenario strategies (swarm profiles) are in `profiles`.

use kubesim::scenario::Controller;
use proptest::prelude::*;

/// A whole scenario, before rendering.
#[derive(Debug, Clone)]
pub struct GenScenario {
    /// The run's seed (the scenario's `seed`).
    pub seed: u64,
    /// 1 to 6 nodes, spread round-robin over `zones` zones.
    pub nodes: u8,
    pub zones: u8,
    /// Allocatable CPU of each node, in cores.
    pub node_cpu: u8,
    /// Claims get network disks the attach/detach controller attaches (else local-path volumes).
    pub attached_disks: bool,
    /// `timings.attach-detach-max-wait-for-unmount` in seconds (None: upstream's 6 min).
    pub max_wait_for_unmount_s: Option<u16>,
    pub workloads: Vec<Workload>,
    pub events: Vec<Timed>,
    /// A deliberately wrong controller (`testing.mutant`), set by the mutant tests, never generated.
    pub mutant: Option<&'static str>,
}

/// A workload, its Service and budget, and how its program behaves.
#[derive(Debug, Clone)]
pub struct Workload {
    pub kind: Kind,
    pub replicas: u8,
    pub service: bool,
    pub pdb: Option<Pdb>,
    pub app: App,
}

/// A Deployment or a StatefulSet.
#[derive(Debug, Clone)]
pub enum Kind {
    Deployment {
        max_surge: u8,
        max_unavailable: u8,
        recreate: bool,
    },
    StatefulSet {
        parallel: bool,
        /// volumeClaimTemplates, with the retention policy (None: no claims).
        claims: Option<Retention>,
    },
}

/// `persistentVolumeClaimRetentionPolicy`: true is Delete, false Retain.
#[derive(Debug, Clone, Copy)]
pub struct Retention {
    pub when_deleted: bool,
    pub when_scaled: bool,
}

/// A PodDisruptionBudget over the workload's pods.
#[derive(Debug, Clone, Copy)]
pub enum Pdb {
    MinAvailable(u8),
    MaxUnavailable(u8),
}

/// The program in the containers.
#[derive(Debug, Clone, Copy)]
pub struct App {
    pub pull_ms: u32,
    pub serve_after_ms: u32,
    /// After SIGTERM, it exits after this long (None: never, until SIGKILL).
    pub exit_after_ms: Option<u32>,
    pub grace_s: u8,
}

/// An action at `at_s` seconds.
#[derive(Debug, Clone)]
pub struct Timed {
    pub at_s: u16,
    pub action: Action,
}

/// A change or a fault; `w` and `n` are a workload and a node, modulo their counts.
#[derive(Debug, Clone)]
pub enum Action {
    Scale {
        w: usize,
        replicas: u8,
    },
    SetImage {
        w: usize,
    },
    /// A partition patch (StatefulSets only; nothing for a Deployment).
    Partition {
        w: usize,
        partition: u8,
    },
    DeletePod {
        w: usize,
        one: bool,
        /// `grace-period` of the delete (None: the pod's terminationGracePeriodSeconds).
        grace_s: Option<u16>,
    },
    KillContainer {
        w: usize,
    },
    RestartNode {
        n: usize,
        down_s: u16,
    },
    PartitionNode {
        n: usize,
        heal_after_s: u16,
    },
    Drain {
        n: usize,
    },
    CrashController {
        c: Controller,
        down_s: u16,
    },
    DelayWatch {
        c: Controller,
        by_s: u8,
        for_s: u16,
        /// Only the pod informer lags (`resource: pods`; rendered for the replicaset controller only).
        pods_only: bool,
    },
    Conflict {
        c: Controller,
        tenths: u8,
        for_s: u16,
    },
    DropWatch {
        c: Controller,
        relist_after_s: u16,
    },
    SlowSync {
        c: Controller,
        per_key_s: u8,
        for_s: u16,
    },
}

impl Action {
    /// How long after it starts the action's effect lasts (what the quiet period waits for).
    pub fn span_s(&self) -> u64 {
        match self {
            Action::RestartNode { down_s, .. } => u64::from(*down_s),
            Action::PartitionNode { heal_after_s, .. } => u64::from(*heal_after_s),
            Action::Drain { .. } => 120,
            Action::CrashController { down_s, .. } => u64::from(*down_s),
            Action::DelayWatch { for_s, by_s, .. } => u64::from(*for_s) + u64::from(*by_s),
            Action::Conflict { for_s, .. } => u64::from(*for_s),
            Action::DropWatch { relist_after_s, .. } => u64::from(*relist_after_s),
            Action::SlowSync {
                per_key_s, for_s, ..
            } => u64::from(*for_s) + u64::from(*per_key_s),
            Action::DeletePod { grace_s, .. } => grace_s.map_or(0, u64::from),
            _ => 0,
        }
    }
}

/// The controllers the control-plane faults hit. Not the endpoints controller: `endpoints-ready` is a
/// timeliness rule (a terminating pod leaves the ready endpoints at once), which a lagging or
/// conflicting endpoints controller breaks as the real one would; until the checker excuses it
/// during such faults, aiming them there only finds that.
pub fn controller() -> impl Strategy<Value = Controller> {
    let hit: Vec<Controller> = Controller::ALL
        .into_iter()
        .filter(|c| *c != Controller::Endpoints)
        .collect();
    proptest::sample::select(hit)
}

/// A program: `exits` is how likely it exits soon after SIGTERM, and grace periods reach `max_grace_s`.
pub fn app(exits: f64, max_grace_s: u8) -> impl Strategy<Value = App> {
    (
        500u32..6_000,
        0u32..4_000,
        proptest::option::weighted(exits, 0u32..3_000),
        1u8..max_grace_s,
    )
        .prop_map(|(pull_ms, serve_after_ms, exit_after_ms, grace_s)| App {
            pull_ms,
            serve_after_ms,
            exit_after_ms,
            grace_s,
        })
}

/// A StatefulSet (with claims `claims` of the time) or a Deployment, the StatefulSet `sts` of the time.
pub fn kind(sts: f64, claims: f64) -> impl Strategy<Value = Kind> {
    let retention = (any::<bool>(), any::<bool>()).prop_map(|(d, s)| Retention {
        when_deleted: d,
        when_scaled: s,
    });
    let sts_weight = (sts * 100.0) as u32;
    prop_oneof![
        sts_weight => (any::<bool>(), proptest::option::weighted(claims, retention))
            .prop_map(|(parallel, claims)| Kind::StatefulSet { parallel, claims }),
        100 - sts_weight => (0u8..3, 0u8..3, proptest::bool::weighted(0.2)).prop_map(|(s, u, recreate)| {
            // maxSurge and maxUnavailable may not both be 0.
            let max_surge = if s == 0 && u == 0 { 1 } else { s };
            Kind::Deployment {
                max_surge,
                max_unavailable: u,
                recreate,
            }
        }),
    ]
}

fn pdb() -> impl Strategy<Value = Pdb> {
    prop_oneof![
        (1u8..3).prop_map(Pdb::MinAvailable),
        (1u8..3).prop_map(Pdb::MaxUnavailable),
    ]
}

/// A workload of `kind`, running `app`.
pub fn workload(
    kind: impl Strategy<Value = Kind>,
    app: impl Strategy<Value = App>,
) -> impl Strategy<Value = Workload> {
    (
        kind,
        1u8..6,
        proptest::bool::weighted(0.5),
        proptest::option::weighted(0.3, pdb()),
        app,
    )
        .prop_map(|(kind, replicas, service, pdb, app)| Workload {
            kind,
            replicas,
            service,
            pdb,
            app,
        })
}

/// A pod deletion, with a `grace-period` of its own `long` of the time (up to 5 min).
pub fn delete_pod(long: f64) -> impl Strategy<Value = Action> {
    let grace = proptest::option::weighted(long, 1u16..300);
    (0usize..4, any::<bool>(), grace).prop_map(|(w, one, grace_s)| Action::DeletePod {
        w,
        one,
        grace_s,
    })
}

/// Changes and faults on pods, workloads and nodes.
pub fn workload_action() -> impl Strategy<Value = Action> {
    prop_oneof![
        (0usize..4, 0u8..6).prop_map(|(w, replicas)| Action::Scale { w, replicas }),
        (0usize..4).prop_map(|w| Action::SetImage { w }),
        (0usize..4, 0u8..5).prop_map(|(w, partition)| Action::Partition { w, partition }),
        delete_pod(0.1),
        (0usize..4).prop_map(|w| Action::KillContainer { w }),
        (0usize..6, 0u16..120).prop_map(|(n, down_s)| Action::RestartNode { n, down_s }),
        (0usize..6, 1u16..120)
            .prop_map(|(n, heal_after_s)| Action::PartitionNode { n, heal_after_s }),
        (0usize..6).prop_map(|n| Action::Drain { n }),
    ]
}

/// The control-plane faults.
pub fn control_plane_action() -> impl Strategy<Value = Action> {
    prop_oneof![
        (controller(), 1u16..90).prop_map(|(c, down_s)| Action::CrashController { c, down_s }),
        (controller(), 1u8..20, 10u16..120, any::<bool>()).prop_map(
            |(c, by_s, for_s, pods_only)| Action::DelayWatch {
                c,
                by_s,
                for_s,
                pods_only
            }
        ),
        (controller(), 1u8..10, 10u16..120).prop_map(|(c, tenths, for_s)| Action::Conflict {
            c,
            tenths,
            for_s
        }),
        (controller(), 1u16..120)
            .prop_map(|(c, relist_after_s)| Action::DropWatch { c, relist_after_s }),
        (controller(), 1u8..10, 10u16..120).prop_map(|(c, per_key_s, for_s)| Action::SlowSync {
            c,
            per_key_s,
            for_s
        }),
    ]
}

/// A change or fault at a time in the first 4 minutes.
pub fn timed(action: impl Strategy<Value = Action>) -> impl Strategy<Value = Timed> {
    (10u16..240, action).prop_map(|(at_s, action)| Timed { at_s, action })
}

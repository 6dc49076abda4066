//! Tests of the deletion ranking, ported from upstream controller_utils_test.go and replica_set_test.go.

use super::*;
use crate::api::{ContainerState, NodeId, PodSpec};
use crate::engine::Streams;

const HOUR_MS: u64 = 3_600_000;
const DAY_MS: u64 = 24 * HOUR_MS;

fn now() -> SimTime {
    SimTime(60 * DAY_MS)
}

fn ago(ms: u64) -> Option<SimTime> {
    Some(SimTime(now().as_ms() - ms))
}

/// Upstream's `pod(...)` helper in TestSortingActivePodsWithRanks: the ready time and the restart count are only
/// set when the pod is ready; the UID is empty.
fn view(
    node: &str,
    phase: u8,
    ready: bool,
    restarts: u32,
    since: Option<SimTime>,
    created: Option<SimTime>,
) -> Ranked {
    Ranked {
        assigned: !node.is_empty(),
        phase,
        ready,
        ready_since: since.filter(|_| ready),
        deletion_cost: 0,
        rank: 0,
        restarts: if ready { restarts } else { 0 },
        created,
        uid: String::new(),
    }
}

fn with_cost(mut r: Ranked, cost: &str) -> Ranked {
    let annotations = Labels::from([(POD_DELETION_COST.to_string(), cost.to_string())]);
    r.deletion_cost = deletion_cost(&annotations);
    r
}

/// The pods of TestSortingActivePodsWithRanks, by their upstream names ("then" is one month ago).
fn fixtures() -> BTreeMap<&'static str, Ranked> {
    let (run, then) = (PHASE_RUNNING, ago(30 * DAY_MS));
    let (h2, h5, h8) = (ago(2 * HOUR_MS), ago(5 * HOUR_MS), ago(8 * HOUR_MS));
    let n = Some(now());
    BTreeMap::from([
        ("unscheduled", view("", PHASE_PENDING, false, 0, None, None)),
        ("pending", view("node", PHASE_PENDING, false, 0, None, None)),
        (
            "unknown-phase",
            view("node", PHASE_UNKNOWN, false, 0, None, None),
        ),
        ("not-ready", view("node", run, false, 0, None, None)),
        (
            "ready-no-last-transition-time",
            view("node", run, true, 0, None, None),
        ),
        ("ready-now", view("node", run, true, 0, n, n)),
        ("ready-then", view("node", run, true, 0, then, then)),
        ("ready-high-restarts", view("node", run, true, 9001, n, n)),
        (
            "ready-now-created-then",
            view("node", run, true, 0, n, then),
        ),
        (
            "low-deletion-cost",
            with_cost(view("node", run, true, 0, n, then), "10"),
        ),
        (
            "high-deletion-cost",
            with_cost(view("node", run, true, 0, n, then), "100"),
        ),
        (
            "unscheduled-5-hours",
            view("", PHASE_PENDING, false, 0, h5, h5),
        ),
        (
            "unscheduled-10-hours",
            view("", PHASE_PENDING, false, 0, h8, h8),
        ),
        ("ready-2-hours", view("", run, true, 0, h2, then)),
        ("ready-5-hours", view("", run, true, 0, h5, then)),
        ("ready-10-hours", view("", run, true, 0, h8, then)),
    ])
}

fn at_rank(pods: &BTreeMap<&'static str, Ranked>, name: &str, rank: usize) -> Ranked {
    Ranked {
        rank,
        ..pods[name].clone()
    }
}

// Upstream TestSortingActivePodsWithRanks, `equalityTests` (LogarithmicScaleDown on, ranks 1 and 1).
#[test]
fn pods_equal_upstream_are_neither_less_nor_greater() {
    let pods = fixtures();
    let pairs = [
        ("unscheduled", "unscheduled"),
        ("pending", "pending"),
        ("unknown-phase", "unknown-phase"),
        ("not-ready", "not-ready"),
        ("ready-now-created-then", "ready-now-created-then"),
        ("ready-now", "ready-now"),
        ("ready-then", "ready-then"),
        ("ready-high-restarts", "ready-high-restarts"),
        // Different times in the same log2 bucket with equal (empty) UIDs are equal.
        ("unscheduled-5-hours", "unscheduled-10-hours"),
        ("ready-5-hours", "ready-10-hours"),
    ];
    for (p1, p2) in pairs {
        let (a, b) = (at_rank(&pods, p1, 1), at_rank(&pods, p2, 1));
        assert!(!less(&a, &b, now()) && !less(&b, &a, now()), "{p1} vs {p2}");
    }
}

// Upstream TestSortingActivePodsWithRanks, `inequalityTests`. The case with the PodDeletionCost gate disabled is
// not ported: the gate is on in every release we model.
#[test]
fn upstream_inequality_cases_order_the_lesser_pod_first() {
    let pods = fixtures();
    let cases = [
        (("unscheduled", 1), ("pending", 2)),
        (("unscheduled", 2), ("pending", 1)),
        (("pending", 1), ("unknown-phase", 2)),
        (("unknown-phase", 1), ("not-ready", 2)),
        (("not-ready", 1), ("ready-no-last-transition-time", 1)),
        (("ready-no-last-transition-time", 1), ("ready-now", 1)),
        (("ready-now", 2), ("ready-no-last-transition-time", 1)),
        (("ready-now", 1), ("ready-then", 1)),
        (("ready-now", 2), ("ready-then", 1)),
        (("ready-high-restarts", 1), ("ready-now", 1)),
        (("ready-now", 2), ("ready-high-restarts", 1)),
        (("ready-now", 1), ("ready-now-created-then", 1)),
        (("ready-now-created-then", 2), ("ready-now", 1)),
        (("low-deletion-cost", 2), ("high-deletion-cost", 1)),
        (("ready-2-hours", 1), ("ready-5-hours", 1)),
    ];
    for ((l, lr), (g, gr)) in cases {
        let (lesser, greater) = (at_rank(&pods, l, lr), at_rank(&pods, g, gr));
        assert!(less(&lesser, &greater, now()), "{l}@{lr} < {g}@{gr}");
        assert!(!less(&greater, &lesser, now()), "not {g}@{gr} < {l}@{lr}");
    }
}

#[test]
fn log2_buckets_count_nanoseconds_of_age() {
    let t = SimTime::from_secs(100);
    assert_eq!(log2_bucket(t, t), -1);
    assert_eq!(log2_bucket(t.plus_ms(1), t), -1, "a future time");
    assert_eq!(
        log2_bucket(t, t.plus_ms(1)),
        19,
        "1 ms = 1e6 ns, 2^19 <= 1e6 < 2^20"
    );
    assert_eq!(log2_bucket(t, t.plus_ms(1_000)), 29, "1 s = 1e9 ns");
    assert_eq!(log2_bucket(SimTime::ZERO, SimTime(30 * DAY_MS)), 51);
}

// Mirrors the cases of upstream GetDeletionCostFromPodAnnotations (validFirstDigit + ParseInt(.., 10, 32)).
#[test]
fn deletion_cost_is_an_int32_and_zero_when_missing_or_invalid() {
    let cost = |v: &str| deletion_cost(&Labels::from([(POD_DELETION_COST.into(), v.into())]));
    assert_eq!(deletion_cost(&Labels::new()), 0);
    assert_eq!((cost("10"), cost("-10"), cost("0")), (10, -10, 0));
    assert_eq!(
        (cost("2147483647"), cost("-2147483648")),
        (i32::MAX, i32::MIN)
    );
    for invalid in [
        "+10",
        "008",
        "",
        "abc",
        "1.5",
        "2147483648",
        "-",
        "--1",
        " 1",
    ] {
        assert_eq!(cost(invalid), 0, "{invalid:?}");
    }
}

fn new_store() -> Store {
    Store::new(Streams::new(1, 0).stream("t"))
}

fn add(store: &mut Store, name: &str, node: Option<u32>, phase: PodPhase, ready: bool) -> PodId {
    let meta = store.new_meta(name, "default", Labels::new(), SimTime::ZERO);
    store.add_pod(Pod {
        meta,
        spec: PodSpec {
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
        },
        node: node.map(NodeId),
        ip: None,
        phase,
        container: ContainerState::Waiting("ContainerCreating"),
        ready,
        ready_since: None,
        restarts: 0,
    })
}

// Upstream replica_set_test.go TestGetPodsToDelete: every case, `related` defaulting to `pods`.
#[test]
fn upstream_get_pods_to_delete_cases_pick_the_same_pods() {
    use PodPhase::{Pending, Running};
    let mut s = new_store();
    let unscheduled = add(&mut s, "unscheduled-pending-pod", None, Pending, false);
    let pending = add(&mut s, "scheduled-pending-pod", Some(0), Pending, false);
    let not_ready = add(
        &mut s,
        "scheduled-running-not-ready-pod",
        Some(0),
        Running,
        false,
    );
    let ready1 = add(
        &mut s,
        "scheduled-running-ready-pod-on-node-1",
        Some(1),
        Running,
        true,
    );
    let ready2 = add(
        &mut s,
        "scheduled-running-ready-pod-on-node-2",
        Some(2),
        Running,
        true,
    );
    let (u, p, n, r1, r2) = (unscheduled, pending, not_ready, ready1, ready2);
    let all6 = vec![r1, r1, r2, n, p, u];
    type Case = (
        &'static str,
        Vec<PodId>,
        Option<Vec<PodId>>,
        usize,
        Vec<PodId>,
    );
    #[rustfmt::skip]
    let cases: Vec<Case> = vec![
        ("len(pods) = 0 (i.e., diff = 0 too)", vec![], None, 0, vec![]),
        ("diff = len(pods)", vec![n, r1], None, 2, vec![n, r1]),
        ("diff < len(pods)", vec![r1, n], None, 1, vec![n]),
        ("various pod phases and conditions, diff = len(pods)", all6.clone(), None, 6, all6.clone()),
        ("various pod phases and conditions, diff = len(pods), relatedPods empty",
            all6.clone(), Some(vec![]), 6, all6),
        ("scheduled vs unscheduled, diff < len(pods)", vec![p, u], None, 1, vec![u]),
        ("ready vs not-ready, diff < len(pods)", vec![r1, n, n], None, 2, vec![n, n]),
        ("ready and colocated with another ready pod vs not colocated, diff < len(pods)",
            vec![r1, r2], Some(vec![r1, r2, r2]), 1, vec![r2]),
        ("pending vs running, diff < len(pods)", vec![p, n], None, 1, vec![p]),
        ("various pod phases and conditions, diff < len(pods)", vec![r1, r2, n, p, u], None, 3, vec![u, p, n]),
    ];
    for (name, pods, related, diff, want) in cases {
        let related = related.unwrap_or_else(|| pods.clone());
        assert_eq!(
            pods_to_delete(&s, &pods, &related, diff, now()),
            want,
            "{name}"
        );
    }
}

#[test]
fn rank_counts_only_active_related_pods_and_unassigned_pods_share_one_node() {
    let mut s = new_store();
    let a = add(&mut s, "a", Some(0), PodPhase::Running, true);
    let b = add(&mut s, "b", Some(1), PodPhase::Running, true);
    let b_done = add(&mut s, "b-done", Some(1), PodPhase::Succeeded, false);
    let b_gone = add(&mut s, "b-terminating", Some(1), PodPhase::Running, true);
    s.pods[b_gone.index()].meta.deletion = Some(crate::api::Deletion {
        requested: SimTime::ZERO,
        grace_period_ms: 30_000,
    });
    let u1 = add(&mut s, "u1", None, PodPhase::Pending, false);
    let u2 = add(&mut s, "u2", None, PodPhase::Pending, false);
    let related = [a, b, b_done, b_gone, u1, u2];
    assert_eq!(ranks(&s, &[a, b, u1], &related), vec![1, 1, 2]);
    // a and b tie on rank 1 then on everything else: the caller's order is kept.
    assert_eq!(pods_to_delete(&s, &[a, b], &related, 1, now()), vec![a]);
    assert_eq!(pods_to_delete(&s, &[b, a], &related, 1, now()), vec![b]);
}

#[test]
fn within_one_log2_bucket_of_ready_time_the_lower_uid_goes_first() {
    let mut s = new_store();
    let (newer, older) = (
        add(&mut s, "newer", Some(0), PodPhase::Running, true),
        add(&mut s, "older", Some(0), PodPhase::Running, true),
    );
    s.pods[newer.index()].meta.uid = "z".into();
    s.pods[newer.index()].ready_since = ago(100_000);
    s.pods[older.index()].meta.uid = "a".into();
    s.pods[older.index()].ready_since = ago(120_000);
    // 1e11 ns and 1.2e11 ns are both in bucket 36.
    assert_eq!(
        pods_to_delete(&s, &[newer, older], &[newer, older], 1, now()),
        vec![older]
    );
    // Different buckets: the more recently ready goes first whatever the UIDs.
    s.pods[older.index()].ready_since = ago(1_000_000);
    assert_eq!(
        pods_to_delete(&s, &[newer, older], &[newer, older], 1, now()),
        vec![newer]
    );
}

#[test]
fn times_count_in_whole_seconds_as_the_api_serves_them() {
    let mut s = new_store();
    let (early, late) = (
        add(&mut s, "early", Some(0), PodPhase::Running, false),
        add(&mut s, "late", Some(0), PodPhase::Running, false),
    );
    s.pods[early.index()].meta.created = SimTime(5_100);
    s.pods[late.index()].meta.created = SimTime(5_900);
    let (e, l) = (
        ranked(&s.pods[early.index()], 1),
        ranked(&s.pods[late.index()], 1),
    );
    assert_eq!(
        (e.created, l.created),
        (Some(SimTime(5_000)), Some(SimTime(5_000)))
    );
    assert!(!less(&e, &l, now()) && !less(&l, &e, now()));
}

#[test]
fn a_cyclic_comparison_still_sorts_deterministically_without_panicking() {
    // a < c and c < b by UID within one ready-time bucket, b < a by restarts (equal ready times).
    let base = view("node", PHASE_RUNNING, true, 0, ago(100_000), ago(DAY_MS));
    let a = Ranked {
        uid: "a".into(),
        ..base.clone()
    };
    let b = Ranked {
        uid: "c".into(),
        restarts: 5,
        ..base.clone()
    };
    let c = Ranked {
        uid: "b".into(),
        ready_since: ago(101_000),
        ..base
    };
    assert!(less(&a, &c, now()) && less(&c, &b, now()) && less(&b, &a, now()));
    let items: Vec<Ranked> = (0..64).map(|i| [&a, &b, &c][i % 3].clone()).collect();
    let sort = || sort_by_less(items.clone(), &|x: &Ranked, y: &Ranked| less(x, y, now()));
    assert_eq!(sort().len(), 64);
    assert_eq!(sort(), sort());
}

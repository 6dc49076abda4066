//! Which pods a ReplicaSet deletes first when scaling down (upstream `getPodsToDelete` and `ActivePodsWithRanks.Less`).
//
// Sources: kk:pkg/controller/replicaset/replica_set.go `getPodsToDelete`,
// `getPodsRankedByRelatedPodsOnSameNode`; kk:pkg/controller/controller_utils.go `ActivePodsWithRanks.Less`,
// `afterOrZero`, `logarithmicRankDiff`, `podReadyTime`, `maxContainerRestarts`; kk:pkg/apis/core/helper/helpers.go
// `GetDeletionCostFromPodAnnotations`. Feature gates as shipped: PodDeletionCost on (beta since 1.22),
// LogarithmicScaleDown on (GA 1.31).
//
// Time mapping. Upstream compares `metav1.Time` values, which travel through the API with whole-second precision
// (RFC 3339 in JSON; `Timestamp.Nanos` is not written in protobuf), while `Now` is `metav1.Now()` at full
// precision. So [`ranked`] truncates creationTimestamp and the PodReady lastTransitionTime to whole seconds and
// `now` stays in milliseconds. `logarithmicRankDiff` buckets a duration `d` as `int64(math.Log2(float64(d)))`
// where `d` is a `time.Duration`, i.e. **nanoseconds** (not seconds, no `+1`), and as -1 when `d <= 0`. We take
// `d = (now - t) ms * 1_000_000 ns` and compute floor(log2) exactly on the integer (`63 - leading_zeros`). Go's
// float `Log2` gives the same bucket for every duration below about 2^54 ns (208 days), since `d` is a multiple of
// 64 ns and so never close enough below a power of two for float rounding to reach it.
// A zero `metav1.Time` (unset) is `None` here; `SimTime(0)` is the start of the run, a real time. `Now.IsZero()`
// never holds (the controller always passes `metav1.Now()`).

use crate::api::{Labels, Pod, PodId, PodPhase, Store};
use crate::engine::SimTime;
use std::collections::BTreeMap;

/// The annotation whose int32 value orders deletion (`core.PodDeletionCost`): lower cost goes first.
pub const POD_DELETION_COST: &str = "controller.kubernetes.io/pod-deletion-cost";

/// `podPhaseToOrdinal`: Pending < Unknown < Running (phases not in the map, Succeeded and Failed, read as 0).
pub const PHASE_PENDING: u8 = 0;
/// The Unknown phase's ordinal (our model never reports Unknown; kept for the comparator and its tests).
pub const PHASE_UNKNOWN: u8 = 1;
/// The Running phase's ordinal.
pub const PHASE_RUNNING: u8 = 2;

/// What `ActivePodsWithRanks.Less` reads of one pod, with its rank.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ranked {
    /// `spec.nodeName != ""`.
    pub assigned: bool,
    /// `podPhaseToOrdinal[status.phase]`.
    pub phase: u8,
    /// `IsPodReady`.
    pub ready: bool,
    /// `podReadyTime`: the PodReady condition's lastTransitionTime, `None` for the zero time.
    pub ready_since: Option<SimTime>,
    /// `GetDeletionCostFromPodAnnotations` (0 when missing or invalid).
    pub deletion_cost: i32,
    /// Active related pods on the same node (`getPodsRankedByRelatedPodsOnSameNode`).
    pub rank: usize,
    /// `maxContainerRestarts`.
    pub restarts: u32,
    /// creationTimestamp, `None` for the zero time.
    pub created: Option<SimTime>,
    pub uid: String,
}

/// The ranking view of `pod`, its times truncated to whole seconds as the API serves them.
pub fn ranked(pod: &Pod, rank: usize) -> Ranked {
    let ready = pod.ready;
    Ranked {
        assigned: pod.node.is_some(),
        phase: phase_ordinal(pod.phase),
        ready,
        // podReadyTime returns the zero time unless the pod is ready.
        ready_since: pod.ready_since.filter(|_| ready).map(api_time),
        deletion_cost: deletion_cost(&pod.meta.annotations),
        rank,
        restarts: pod.restarts,
        created: Some(api_time(pod.meta.created)),
        uid: pod.meta.uid.clone(),
    }
}

/// `podPhaseToOrdinal` (a Go map: absent phases read as 0).
pub fn phase_ordinal(phase: PodPhase) -> u8 {
    match phase {
        PodPhase::Pending => PHASE_PENDING,
        PodPhase::Running => PHASE_RUNNING,
        PodPhase::Succeeded | PodPhase::Failed => 0,
    }
}

/// `GetDeletionCostFromPodAnnotations`: the annotation as an int32; 0 when missing or invalid
/// (a leading `+` or a leading zero other than "0" itself is invalid, as is anything out of int32 range).
pub fn deletion_cost(annotations: &Labels) -> i32 {
    let Some(value) = annotations.get(POD_DELETION_COST) else {
        return 0;
    };
    // validFirstDigit
    let valid_first = match value.as_bytes().first() {
        Some(b'-') | Some(b'1'..=b'9') => true,
        Some(b'0') => value == "0",
        _ => false,
    };
    // strconv.ParseInt(value, 10, 32); Rust's parser accepts a leading '+', already ruled out above.
    if valid_first {
        value.parse::<i32>().unwrap_or(0)
    } else {
        0
    }
}

/// A time as the API serves it: whole seconds.
fn api_time(t: SimTime) -> SimTime {
    SimTime(t.as_ms() / 1_000 * 1_000)
}

/// `int64(math.Log2(float64(now.Sub(t))))` over nanoseconds, or -1 when `t` is not before `now`.
pub fn log2_bucket(t: SimTime, now: SimTime) -> i64 {
    let ns = now.since_ms(t).saturating_mul(1_000_000);
    if ns == 0 {
        -1
    } else {
        63 - i64::from(ns.leading_zeros())
    }
}

/// Rules 6 and 8 for two unequal times: a zero time first (`afterOrZero`), else the lower log2 bucket of age
/// (the newer) first, and within one bucket the lower UID.
fn newer_first(
    t1: Option<SimTime>,
    t2: Option<SimTime>,
    a: &Ranked,
    b: &Ranked,
    now: SimTime,
) -> bool {
    match (t1, t2) {
        (Some(t1), Some(t2)) => {
            let diff = log2_bucket(t1, now) - log2_bucket(t2, now);
            if diff == 0 {
                a.uid < b.uid
            } else {
                diff < 0
            }
        }
        _ => t1.is_none(),
    }
}

/// `ActivePodsWithRanks.Less`: true if `a` should be deleted before `b`.
pub fn less(a: &Ranked, b: &Ranked, now: SimTime) -> bool {
    // 1. Unassigned < assigned.
    if a.assigned != b.assigned {
        return !a.assigned;
    }
    // 2. PodPending < PodUnknown < PodRunning.
    if a.phase != b.phase {
        return a.phase < b.phase;
    }
    // 3. Not ready < ready.
    if a.ready != b.ready {
        return !a.ready;
    }
    // 4. Lower pod-deletion-cost < higher.
    if a.deletion_cost != b.deletion_cost {
        return a.deletion_cost < b.deletion_cost;
    }
    // 5. Doubled up < not doubled up: more co-located related pods first.
    if a.rank != b.rank {
        return a.rank > b.rank;
    }
    // 6. Both ready: ready for empty time < less time < more time (log2 buckets, ties by UID).
    if a.ready && b.ready && a.ready_since != b.ready_since {
        return newer_first(a.ready_since, b.ready_since, a, b, now);
    }
    // 7. Higher max container restarts first.
    if a.restarts != b.restarts {
        return a.restarts > b.restarts;
    }
    // 8. Empty creation time < newer < older (log2 buckets, ties by UID).
    if a.created != b.created {
        return newer_first(a.created, b.created, a, b, now);
    }
    false
}

/// `getPodsRankedByRelatedPodsOnSameNode`: each pod's rank is the number of active `related` pods with the same
/// `spec.nodeName` (unassigned pods share the empty name, so they count each other).
pub fn ranks(store: &Store, pods: &[PodId], related: &[PodId]) -> Vec<usize> {
    let mut on_node = BTreeMap::new();
    for p in related {
        let pod = &store.pods[p.index()];
        if pod.is_active() {
            *on_node.entry(pod.node).or_insert(0usize) += 1;
        }
    }
    let rank_of = |p: &PodId| on_node.get(&store.pods[p.index()].node).copied();
    pods.iter().map(|p| rank_of(p).unwrap_or(0)).collect()
}

/// `getPodsToDelete`: the `diff` pods of `filtered` that upstream deletes, in its order. Sorting happens only when
/// some pods stay (`diff < len(filtered)`); otherwise all of `filtered` goes, in the given order.
pub fn pods_to_delete(
    store: &Store,
    filtered: &[PodId],
    related: &[PodId],
    diff: usize,
    now: SimTime,
) -> Vec<PodId> {
    if diff >= filtered.len() {
        return filtered.to_vec();
    }
    let ranks = ranks(store, filtered, related);
    let items: Vec<(PodId, Ranked)> = filtered
        .iter()
        .zip(ranks)
        .map(|(&p, rank)| (p, ranked(&store.pods[p.index()], rank)))
        .collect();
    let sorted = sort_by_less(items, &|a: &(PodId, Ranked), b: &(PodId, Ranked)| {
        less(&a.1, &b.1, now)
    });
    sorted.into_iter().take(diff).map(|(p, _)| p).collect()
}

/// A stable merge sort by a `less` function. Upstream's `sort.Sort` is unstable and its input order (an informer
/// list) arbitrary; we keep the caller's order among equals, for determinism. `less` is not a strict weak order
/// (the UID tie-break inside a log2 bucket can form cycles with rules 7 and 8), which `slice::sort_by` may reject
/// by panicking; this merge never does, and like Go's sort it simply yields some order.
fn sort_by_less<T>(mut items: Vec<T>, less: &impl Fn(&T, &T) -> bool) -> Vec<T> {
    if items.len() <= 1 {
        return items;
    }
    let right = items.split_off(items.len() / 2);
    let mut left = sort_by_less(items, less).into_iter().peekable();
    let mut right = sort_by_less(right, less).into_iter().peekable();
    let mut out = Vec::with_capacity(left.len() + right.len());
    while let (Some(a), Some(b)) = (left.peek(), right.peek()) {
        // Take from the right only when strictly less: equal elements keep their order.
        let next = if less(b, a) {
            right.next()
        } else {
            left.next()
        };
        out.extend(next);
    }
    out.extend(left);
    out.extend(right);
    out
}

#[cfg(test)]
#[path = "pod_ranking_tests.rs"]
mod tests;

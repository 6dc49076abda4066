//! Pure helpers of the Deployment controller (kk:pkg/controller/deployment/util/deployment_util.go).

use crate::api::{Deployment, Strategy};
use std::cmp::Ordering;

/// `RevisionAnnotation`.
pub const REVISION_ANNOTATION: &str = "deployment.kubernetes.io/revision";
/// `RevisionHistoryAnnotation`.
pub const REVISION_HISTORY_ANNOTATION: &str = "deployment.kubernetes.io/revision-history";
/// `DesiredReplicasAnnotation`.
pub const DESIRED_REPLICAS_ANNOTATION: &str = "deployment.kubernetes.io/desired-replicas";
/// `MaxReplicasAnnotation`.
pub const MAX_REPLICAS_ANNOTATION: &str = "deployment.kubernetes.io/max-replicas";
/// `maxRevHistoryLengthInChars` (sync.go).
pub const MAX_REV_HISTORY_LENGTH_IN_CHARS: usize = 2000;

/// The parts of a Deployment the decisions read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeploymentView {
    /// `spec.replicas`.
    pub replicas: i32,
    pub strategy: Strategy,
    /// `status.replicas` (the fallback of `getReplicaSetFraction`).
    pub status_replicas: i32,
    /// `metadata.generation` (`DeploymentComplete` compares `status.observedGeneration` with it).
    pub generation: i64,
}

impl DeploymentView {
    /// The view of a stored Deployment.
    pub fn of(d: &Deployment) -> Self {
        DeploymentView {
            replicas: d.replicas as i32,
            strategy: d.strategy.clone(),
            status_replicas: d.status.replicas as i32,
            generation: d.meta.generation,
        }
    }

    /// A RollingUpdate Deployment (maxSurge and maxUnavailable as in the manifest).
    pub fn rolling(replicas: i32, max_surge: &str, max_unavailable: &str) -> Self {
        let strategy = Strategy::RollingUpdate {
            max_surge: max_surge.into(),
            max_unavailable: max_unavailable.into(),
        };
        DeploymentView {
            replicas,
            strategy,
            status_replicas: 0,
            generation: 0,
        }
    }
}

/// The parts of a ReplicaSet the decisions read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RsView {
    /// The caller's handle for the ReplicaSet, echoed in [`ScaleAction`].
    pub key: usize,
    pub name: String,
    /// `creationTimestamp`; compared in whole seconds, the precision the API server keeps.
    pub created_ms: u64,
    /// `spec.replicas`.
    pub replicas: i32,
    pub status_replicas: i32,
    pub ready: i32,
    pub available: i32,
    /// desired-replicas annotation read by [`parse_replicas_annotation`] (None: missing or invalid).
    pub desired_annotation: Option<i32>,
    /// max-replicas annotation read by [`parse_replicas_annotation`] (None: missing or invalid).
    pub max_annotation: Option<i32>,
    /// The revision annotation read by [`parse_revision`]: Some(0) when missing, None when invalid.
    pub revision: Option<i64>,
    /// `status.observedGeneration >= metadata.generation`.
    pub observed: bool,
    /// `metadata.deletionTimestamp` is set.
    pub deleting: bool,
}

impl RsView {
    /// A ReplicaSet with only a name, creation time and `spec.replicas` (the upstream tests' `rs()`).
    pub fn new(key: usize, name: &str, created_ms: u64, replicas: i32) -> Self {
        RsView {
            key,
            name: name.into(),
            created_ms,
            replicas,
            status_replicas: 0,
            ready: 0,
            available: 0,
            desired_annotation: None,
            max_annotation: None,
            revision: Some(0),
            observed: true,
            deleting: false,
        }
    }
}

/// Scale the ReplicaSet `key` to `replicas`. Every such update also sets the desired-replicas and
/// max-replicas annotations to [`replicas_annotations`] (`scaleReplicaSet`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScaleAction {
    pub key: usize,
    pub replicas: i32,
}

/// The Deployment status fields the decisions compute and compare.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct StatusView {
    pub replicas: i32,
    pub updated: i32,
    pub ready: i32,
    pub available: i32,
    pub unavailable: i32,
    pub observed_generation: i64,
}

/// An `intstr.IntOrString` of maxSurge/maxUnavailable: `3` or `25%`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IntOrPercent {
    Int(i32),
    Percent(i32),
}

impl IntOrPercent {
    /// `getIntOrPercentValueSafely`: a number, or a number followed by `%`.
    pub fn parse(s: &str) -> Result<Self, String> {
        match s.strip_suffix('%') {
            Some(p) => p
                .parse()
                .map(IntOrPercent::Percent)
                .map_err(|e| format!("invalid value {s:?}: {e}")),
            None => s
                .parse()
                .map(IntOrPercent::Int)
                .map_err(|_| format!("invalid type: {s:?} is not a percentage")),
        }
    }
}

/// `intstr.GetScaledValueFromIntOrPercent`: a percentage of `total`, rounded up or down.
pub fn get_scaled_value_from_int_or_percent(v: IntOrPercent, total: i32, round_up: bool) -> i32 {
    match v {
        IntOrPercent::Int(i) => i,
        IntOrPercent::Percent(p) => {
            let x = p as f64 * total as f64 / 100.0;
            (if round_up { x.ceil() } else { x.floor() }) as i32
        }
    }
}

/// `ResolveFenceposts`: (surge rounded up, unavailable rounded down); a missing value is 0 and when
/// both resolve to 0 unavailable is 1.
pub fn resolve_fenceposts(
    max_surge: Option<&str>,
    max_unavailable: Option<&str>,
    desired: i32,
) -> Result<(i32, i32), String> {
    let value = |s: Option<&str>| s.map_or(Ok(IntOrPercent::Int(0)), IntOrPercent::parse);
    let surge = get_scaled_value_from_int_or_percent(value(max_surge)?, desired, true);
    let mut unavailable =
        get_scaled_value_from_int_or_percent(value(max_unavailable)?, desired, false);
    if surge == 0 && unavailable == 0 {
        unavailable = 1;
    }
    Ok((surge, unavailable))
}

/// `IsRollingUpdate`.
pub fn is_rolling_update(d: &DeploymentView) -> bool {
    matches!(d.strategy, Strategy::RollingUpdate { .. })
}

fn fenceposts(d: &DeploymentView) -> Option<(i32, i32)> {
    match &d.strategy {
        Strategy::Recreate => None,
        // Errors are caught by validation: upstream then uses (0, 0).
        Strategy::RollingUpdate {
            max_surge,
            max_unavailable,
        } => Some(
            resolve_fenceposts(Some(max_surge), Some(max_unavailable), d.replicas)
                .unwrap_or((0, 0)),
        ),
    }
}

/// `MaxUnavailable`: 0 unless rolling with replicas; never more than `replicas`.
pub fn max_unavailable(d: &DeploymentView) -> i32 {
    match fenceposts(d) {
        Some((_, unavailable)) if d.replicas != 0 => unavailable.min(d.replicas),
        _ => 0,
    }
}

/// `MinAvailable`: `replicas - MaxUnavailable` (0 for Recreate).
pub fn min_available(d: &DeploymentView) -> i32 {
    if is_rolling_update(d) {
        d.replicas - max_unavailable(d)
    } else {
        0
    }
}

/// `MaxSurge`: the resolved surge (0 for Recreate).
pub fn max_surge(d: &DeploymentView) -> i32 {
    fenceposts(d).map_or(0, |(surge, _)| surge)
}

/// `NewRSNewReplicas`: the size of the new ReplicaSet this step (Err: maxSurge does not parse).
pub fn new_rs_new_replicas(
    d: &DeploymentView,
    all_rss: &[RsView],
    new_rs: &RsView,
) -> Result<i32, String> {
    let Strategy::RollingUpdate { max_surge, .. } = &d.strategy else {
        return Ok(d.replicas);
    };
    let surge =
        get_scaled_value_from_int_or_percent(IntOrPercent::parse(max_surge)?, d.replicas, true);
    let current = get_replica_count_for_replica_sets(all_rss);
    let max_total = d.replicas + surge;
    if current >= max_total {
        return Ok(new_rs.replicas);
    }
    let scale_up = (max_total - current).min(d.replicas - new_rs.replicas);
    Ok(new_rs.replicas + scale_up)
}

/// `GetProportion`: what `rs` gets of `to_add`, never beyond what is left of it.
pub fn get_proportion(rs: &RsView, d: &DeploymentView, to_add: i32, added: i32) -> i32 {
    if rs.replicas == 0 || to_add == 0 || to_add == added {
        return 0;
    }
    let fraction = get_replica_set_fraction(rs, d);
    let allowed = to_add - added;
    if to_add > 0 {
        fraction.min(allowed)
    } else {
        fraction.max(allowed)
    }
}

/// `getReplicaSetFraction`: `round(rs.replicas × (replicas + maxSurge) / max-replicas) − rs.replicas`;
/// a missing or zero annotation falls back to `status.replicas`, and to no change when that is 0.
pub fn get_replica_set_fraction(rs: &RsView, d: &DeploymentView) -> i32 {
    if d.replicas == 0 {
        return -rs.replicas;
    }
    let max_replicas = d.replicas + max_surge(d);
    let before = match rs.max_annotation {
        Some(v) if v != 0 => v,
        _ => d.status_replicas,
    };
    if before == 0 {
        return 0;
    }
    let size = rs.replicas.wrapping_mul(max_replicas) as f64 / before as f64;
    round_to_int32(size) - rs.replicas
}

/// `integer.RoundToInt32`: half away from zero.
fn round_to_int32(a: f64) -> i32 {
    if a < 0.0 {
        (a - 0.5) as i32
    } else {
        (a + 0.5) as i32
    }
}

/// `getNonNegativeInt32FromAnnotation` for a present annotation value.
pub fn parse_replicas_annotation(value: &str) -> Result<i32, String> {
    if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("parsing {value:?}: invalid syntax"));
    }
    match value.parse::<u32>() {
        Ok(v) if v <= i32::MAX as u32 => Ok(v as i32),
        Ok(v) => Err(format!(
            "value {v} is out of range (higher than {})",
            i32::MAX
        )),
        Err(_) => Err(format!("parsing {value:?}: value out of range")),
    }
}

/// The (desired-replicas, max-replicas) annotation values `scaleReplicaSet` writes.
pub fn replicas_annotations(d: &DeploymentView) -> (i32, i32) {
    (d.replicas, d.replicas + max_surge(d))
}

/// `ReplicasAnnotationsNeedUpdate`.
pub fn replicas_annotations_need_update(rs: &RsView, desired: i32, max: i32) -> bool {
    rs.desired_annotation != Some(desired) || rs.max_annotation != Some(max)
}

/// `Revision`: 0 when the annotation is missing, None when it does not parse.
pub fn parse_revision(annotation: Option<&str>) -> Option<i64> {
    annotation.map_or(Some(0), |v| v.parse().ok())
}

/// `MaxRevision`: the highest revision, skipping unparsable ones.
pub fn max_revision(rss: &[RsView]) -> i64 {
    rss.iter().filter_map(|rs| rs.revision).fold(0, i64::max)
}

/// The revision part of `SetNewReplicaSetAnnotations`: the new (revision, revision-history) values
/// of the new ReplicaSet, or None to leave both; history None keeps it unchanged.
pub fn new_rs_revision_annotations(
    old: Option<&str>,
    history: Option<&str>,
    new_revision: &str,
    limit: usize,
) -> Option<(String, Option<String>)> {
    let old_int = match old.unwrap_or("").parse::<i64>() {
        Ok(v) => v,
        Err(_) if old.unwrap_or("").is_empty() => 0,
        Err(_) => return None,
    };
    let new_int: i64 = new_revision.parse().ok()?;
    if old_int >= new_int {
        return None;
    }
    let history = old.and_then(|o| revision_history(history.unwrap_or(""), o, limit));
    Some((new_revision.to_string(), history))
}

/// The revision-history annotation with `old` appended, oldest entries dropped to fit `limit`.
fn revision_history(history: &str, old: &str, limit: usize) -> Option<String> {
    let revs: Vec<&str> = history.split(',').collect();
    if revs[0].is_empty() {
        return Some(old.to_string());
    }
    let (mut total, mut start) = (history.len() + old.len() + 1, 0);
    while total > limit && start < revs.len() {
        total -= revs[start].len() + 1;
        start += 1;
    }
    (total <= limit).then(|| [&revs[start..], &[old]].concat().join(","))
}

/// `IsSaturated`: the new ReplicaSet owns and has available all the desired replicas.
pub fn is_saturated(d: &DeploymentView, rs: Option<&RsView>) -> bool {
    rs.is_some_and(|rs| {
        rs.desired_annotation == Some(d.replicas)
            && rs.replicas == d.replicas
            && rs.available == d.replicas
    })
}

/// `DeploymentComplete`: all desired replicas updated and available, no old pods running.
pub fn deployment_complete(d: &DeploymentView, status: &StatusView) -> bool {
    status.updated == d.replicas
        && status.replicas == d.replicas
        && status.available == d.replicas
        && status.observed_generation >= d.generation
}

/// `GetReplicaCountForReplicaSets`: Σ `spec.replicas`.
pub fn get_replica_count_for_replica_sets(rss: &[RsView]) -> i32 {
    rss.iter().map(|rs| rs.replicas).sum()
}

/// `GetActualReplicaCountForReplicaSets`: Σ `status.replicas`.
pub fn get_actual_replica_count_for_replica_sets(rss: &[RsView]) -> i32 {
    rss.iter().map(|rs| rs.status_replicas).sum()
}

/// `GetReadyReplicaCountForReplicaSets`: Σ `status.readyReplicas`.
pub fn get_ready_replica_count_for_replica_sets(rss: &[RsView]) -> i32 {
    rss.iter().map(|rs| rs.ready).sum()
}

/// `GetAvailableReplicaCountForReplicaSets`: Σ `status.availableReplicas`.
pub fn get_available_replica_count_for_replica_sets(rss: &[RsView]) -> i32 {
    rss.iter().map(|rs| rs.available).sum()
}

/// `controller.FilterActiveReplicaSets`: those with `spec.replicas > 0`.
pub fn filter_active(rss: &[RsView]) -> Vec<RsView> {
    rss.iter().filter(|rs| rs.replicas > 0).cloned().collect()
}

/// `controller.ReplicaSetsByCreationTimestamp`: oldest first (whole seconds), ties by name.
pub fn by_creation_timestamp(a: &RsView, b: &RsView) -> Ordering {
    (a.created_ms / 1000)
        .cmp(&(b.created_ms / 1000))
        .then_with(|| a.name.cmp(&b.name))
}

/// `ReplicaSetsBySizeNewer`: largest first, newer first among equals.
pub fn by_size_newer(a: &RsView, b: &RsView) -> Ordering {
    b.replicas
        .cmp(&a.replicas)
        .then_with(|| by_creation_timestamp(b, a))
}

/// `ReplicaSetsBySizeOlder`: largest first, older first among equals.
pub fn by_size_older(a: &RsView, b: &RsView) -> Ordering {
    b.replicas
        .cmp(&a.replicas)
        .then_with(|| by_creation_timestamp(a, b))
}

/// `ReplicaSetsByRevision`: lowest revision first; creation order when either is invalid or equal.
pub fn by_revision(a: &RsView, b: &RsView) -> Ordering {
    match (a.revision, b.revision) {
        (Some(x), Some(y)) if x != y => x.cmp(&y),
        _ => by_creation_timestamp(a, b),
    }
}

/// `FindActiveOrLatest`: the only active ReplicaSet, or the newest when none is active (None when
/// several are). `old_rss` is taken sorted newest first, as upstream sorts it in place.
pub fn find_active_or_latest<'a>(
    new_rs: Option<&'a RsView>,
    old_rss: &'a [RsView],
) -> Option<&'a RsView> {
    let active: Vec<&RsView> = old_rss
        .iter()
        .chain(new_rs)
        .filter(|rs| rs.replicas > 0)
        .collect();
    match active.len() {
        0 => new_rs.or(old_rss.first()),
        1 => Some(active[0]),
        _ => None,
    }
}

#[cfg(test)]
#[path = "util_tests.rs"]
mod tests;

//! Pure helpers of kk:pkg/controller/statefulset/stateful_set_utils.go: names, ordinals, pod health, revisions.

use crate::api::PodPhase;

/// The label with the pod's name (`apps.StatefulSetPodNameLabel`).
pub const POD_NAME_LABEL: &str = "statefulset.kubernetes.io/pod-name";
/// The label with the pod's ordinal (`apps.PodIndexLabel`; PodIndexLabel gate, on since 1.28).
pub const POD_INDEX_LABEL: &str = "apps.kubernetes.io/pod-index";
/// The label with the name of the pod's ControllerRevision (`apps.StatefulSetRevisionLabel`).
pub const REVISION_LABEL: &str = "controller-revision-hash";

/// `getPodName`: `<set>-<ordinal>`.
pub fn pod_name(set: &str, ordinal: u32) -> String {
    format!("{set}-{ordinal}")
}

/// `getPersistentVolumeClaimName`: `<claim template>-<set>-<ordinal>`.
pub fn claim_name(template: &str, set: &str, ordinal: u32) -> String {
    format!("{template}-{set}-{ordinal}")
}

/// `getParentNameAndOrdinal`: the regular expression `(.*)-([0-9]+)$` on the pod's name; None when
/// it does not match or the ordinal overflows an int32 (upstream: ordinal -1).
pub fn parent_and_ordinal(pod: &str) -> Option<(&str, u32)> {
    let (parent, digits) = pod.rsplit_once('-')?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let ordinal: i32 = digits.parse().ok()?;
    Some((parent, ordinal as u32))
}

/// `isMemberOf`: the pod's parent name is the set's name.
pub fn is_member_of(set: &str, pod: &str) -> bool {
    parent_and_ordinal(pod).is_some_and(|(parent, _)| parent == set)
}

/// `getStartOrdinal` / `getEndOrdinal` / `podInOrdinalRange`: replicas occupy `[start, start + replicas)`.
pub fn in_ordinal_range(ordinal: u32, start: u32, replicas: u32) -> bool {
    ordinal >= start && ordinal < start.saturating_add(replicas)
}

/// What the controller reads of one of its pods.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PodView {
    /// The pod's id in the store (`PodId.0`).
    pub key: u32,
    pub ordinal: u32,
    /// Its `controller-revision-hash` label (empty when missing).
    pub revision: String,
    pub phase: PodPhase,
    /// The PodReady condition.
    pub ready: bool,
    /// `IsPodAvailable(pod, minReadySeconds, now)`: ready for at least minReadySeconds.
    pub available: bool,
    /// `isTerminating`: a deletionTimestamp is set.
    pub terminating: bool,
}

impl PodView {
    /// `isRunningAndReady`.
    pub fn running_and_ready(&self) -> bool {
        self.phase == PodPhase::Running && self.ready
    }

    /// `isRunningAndAvailable`.
    pub fn running_and_available(&self) -> bool {
        self.phase == PodPhase::Running && self.available
    }

    /// `isHealthy`: running and ready and not terminating.
    pub fn healthy(&self) -> bool {
        self.running_and_ready() && !self.terminating
    }

    /// `isUnavailable`: not available, or terminating.
    pub fn unavailable(&self) -> bool {
        !self.available || self.terminating
    }

    /// `isPending`.
    pub fn pending(&self) -> bool {
        self.phase == PodPhase::Pending
    }

    /// `isFailed || isSucceeded`.
    pub fn finished(&self) -> bool {
        matches!(self.phase, PodPhase::Failed | PodPhase::Succeeded)
    }
}

/// `getStatefulSetMaxUnavailable`: an integer or a percentage of the replicas rounded down, at
/// least 1; 1 when unset. None when the value is neither (validation rejects those).
pub fn max_unavailable(value: Option<&str>, replicas: u32) -> Option<u32> {
    let n = match value {
        None => 1,
        Some(v) => match v.strip_suffix('%') {
            Some(pct) => (u64::from(replicas) * pct.parse::<u64>().ok()? / 100) as u32,
            None => v.parse().ok()?,
        },
    };
    Some(n.max(1))
}

/// `controller.HashControllerRevision`: the 32-bit FNV-1a hash of the revision's data, its decimal
/// digits mapped through `rand.SafeEncodeString` (kk:pkg/controller/history/controller_history.go).
pub fn revision_hash(data: &[u8]) -> String {
    const ALPHANUMS: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    let h = data.iter().fold(0x811c_9dc5_u32, |h, b| {
        (h ^ u32::from(*b)).wrapping_mul(0x0100_0193)
    });
    h.to_string()
        .bytes()
        .map(|b| ALPHANUMS[usize::from(b) % ALPHANUMS.len()] as char)
        .collect()
}

/// `ControllerRevisionName`: `<set>-<hash>` (the prefix cut to 223 characters).
pub fn revision_name(set: &str, hash: &str) -> String {
    let prefix: String = set.chars().take(223).collect();
    format!("{prefix}-{hash}")
}

#[cfg(test)]
#[path = "utils_tests.rs"]
mod tests;

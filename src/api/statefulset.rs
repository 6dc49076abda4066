//! StatefulSets and their ControllerRevisions, as the store holds them (kk:staging/src/k8s.io/api/apps/v1/types.go).

use super::objects::{Claim, Labels, Meta, PodTemplate};

/// `spec.podManagementPolicy`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PodManagement {
    /// One pod at a time, in ordinal order, each Running and Ready before the next (the default).
    OrderedReady,
    /// All at once (slow-start batches), no waiting.
    Parallel,
}

/// `spec.updateStrategy`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StsUpdateStrategy {
    /// Pods are replaced only when someone deletes them.
    OnDelete,
    /// Pods with ordinal >= `partition` (relative to the start ordinal) are replaced, highest first;
    /// `max_unavailable` as written (`2` or `50%`), None when unset (read only behind the
    /// MaxUnavailableStatefulSet feature gate).
    RollingUpdate {
        partition: u32,
        max_unavailable: Option<String>,
    },
}

/// `Retain` or `Delete` (`persistentVolumeClaimRetentionPolicy.whenDeleted` / `whenScaled`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Retention {
    Retain,
    Delete,
}

/// `spec.persistentVolumeClaimRetentionPolicy` (defaults Retain / Retain).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetentionPolicy {
    pub when_deleted: Retention,
    pub when_scaled: Retention,
}

/// `status` of a StatefulSet (kk:staging/src/k8s.io/api/apps/v1/types.go `StatefulSetStatus`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct StatefulSetStatus {
    pub replicas: u32,
    pub ready: u32,
    pub available: u32,
    pub current: u32,
    pub updated: u32,
    /// Name of the ControllerRevision the pods below the partition run (`currentRevision`).
    pub current_revision: String,
    /// Name of the ControllerRevision of the present template (`updateRevision`).
    pub update_revision: String,
    /// The generation the controller last synced; 0 before its first sync.
    pub observed_generation: i64,
    pub collision_count: u32,
}

/// A StatefulSet.
#[derive(Debug, Clone, PartialEq)]
pub struct StatefulSet {
    pub meta: Meta,
    pub replicas: u32,
    pub selector: Labels,
    pub template: PodTemplate,
    /// `spec.serviceName`: the governing (headless) Service, the pods' subdomain.
    pub service_name: String,
    pub pod_management: PodManagement,
    pub update_strategy: StsUpdateStrategy,
    pub min_ready_ms: u64,
    /// `spec.ordinals.start` (0 when unset).
    pub start_ordinal: u32,
    pub revision_history_limit: u32,
    /// `spec.volumeClaimTemplates`, converted (storage class defaulted as the DefaultStorageClass
    /// admission plugin would on each claim's creation); `meta.name` is the template's name.
    pub claim_templates: Vec<Claim>,
    pub retention: RetentionPolicy,
    pub status: StatefulSetStatus,
    /// The manifest as last applied, defaults included: patches and `set-image` edit it.
    pub source: Box<k8s_openapi::api::apps::v1::StatefulSet>,
}

/// A ControllerRevision of a StatefulSet: its pod template at one revision
/// (kk:pkg/controller/history/controller_history.go).
#[derive(Debug, Clone, PartialEq)]
pub struct ControllerRevision {
    /// Named `<set>-<hash>`; the owner is the StatefulSet.
    pub meta: Meta,
    /// `revision`: 1, 2, ... (a rollback to an earlier template renumbers that revision).
    pub revision: i64,
    /// The data: the set's pod template at this revision.
    pub template: PodTemplate,
}

//! The ReplicaSet controller (kk:pkg/controller/replicaset): keeps `spec.replicas` active pods per ReplicaSet.
//
// One file per upstream piece: `replica_set` (`syncReplicaSet`, `manageReplicas`, `getPodsToDelete` and the
// related pods of a Deployment's ReplicaSets, replica_set.go), `informer` (the pod event handlers `addPod`,
// `updatePod`, `deletePod`, replica_set.go), `expectations` (controller_utils.go), `slow_start`
// (`slowStartBatch`, replica_set.go) and `status` (replica_set_utils.go). The deletion ranking itself is
// `controllers::pod_ranking`.

pub mod expectations;
mod informer;
mod replica_set;
pub mod slow_start;
pub mod status;

#[cfg(test)]
mod tests;

pub use expectations::{Expectations, EXPECTATIONS_TIMEOUT_MS};
pub use replica_set::{indirectly_related_pods, pods_to_delete, ReplicaSetController};
pub use slow_start::{slow_start_batch, SLOW_START_INITIAL_BATCH_SIZE};

use crate::api::RsId;

/// Most pods created or deleted in one sync (`BurstReplicas = 500`, replica_set.go).
pub const BURST_REPLICAS: usize = 500;

/// A ReplicaSet's delayed requeue (`enqueueRSAfter` / `queue.AddAfter`, for minReadySeconds).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Requeue(pub RsId);

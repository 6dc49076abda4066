//! The StatefulSet controller (kk:pkg/controller/statefulset): stable pod identities, per-ordinal claims, ordered or parallel pod management and rolling updates.
//
// Split like upstream: `utils` (stateful_set_utils.go: names, ordinals, pod health, revision names),
// `control` (stateful_set_control.go `updateStatefulSet`, pure over views), `history` (the revision
// parts of stateful_set_control.go and pkg/controller/history), `status` (the status parts of
// stateful_set_control.go / stateful_set_utils.go), `pod_control` (stateful_pod_control.go: pods,
// claims, retention-policy owner references) and `controller` (stateful_set.go `sync` over the store).

pub mod control;
mod controller;
pub mod history;
pub mod pod_control;
pub mod status;
pub mod utils;

pub use controller::{pod_views, sync};

use crate::api::StsId;

/// A StatefulSet's delayed requeue (`enqueueSSAfter`, for minReadySeconds).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Requeue(pub StsId);

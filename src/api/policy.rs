//! PodDisruptionBudgets (policy/v1): the budget, its selector, and the status the disruption
//! controller computes (kk:staging/src/k8s.io/api/policy/v1/types.go).

use super::objects::Meta;
use super::selector::LabelSelector;
use crate::engine::SimTime;
use std::collections::BTreeMap;

/// An `IntOrString` of a budget: a number of pods or a percentage of the expected pods.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IntOrPercent {
    Int(i32),
    Percent(i32),
}

impl IntOrPercent {
    /// `intstr.GetScaledValueFromIntOrPercent(v, total, roundUp)`: a percentage of `total`, rounded
    /// up or down.
    pub fn scaled(self, total: i32, round_up: bool) -> i32 {
        match self {
            IntOrPercent::Int(n) => n,
            IntOrPercent::Percent(p) => {
                let product = i64::from(p) * i64::from(total);
                let v = if round_up {
                    product.div_euclid(100) + i64::from(product.rem_euclid(100) != 0)
                } else {
                    product.div_euclid(100)
                };
                v as i32
            }
        }
    }

    /// As the manifest wrote it: `2` or `50%`.
    pub fn show(self) -> String {
        match self {
            IntOrPercent::Int(n) => n.to_string(),
            IntOrPercent::Percent(p) => format!("{p}%"),
        }
    }
}

/// `spec.minAvailable` or `spec.maxUnavailable` (validation allows at most one).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Budget {
    MinAvailable(IntOrPercent),
    MaxUnavailable(IntOrPercent),
    /// Neither: no pod may be disrupted.
    Unset,
}

/// `status` of a PodDisruptionBudget.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PdbStatus {
    pub current_healthy: i32,
    pub desired_healthy: i32,
    pub expected_pods: i32,
    pub disruptions_allowed: i32,
    pub observed_generation: i64,
    /// The `DisruptionAllowed` condition's reason: `SufficientPods`, `InsufficientPods` or
    /// `SyncFailed`; None before the first sync.
    pub condition: Option<&'static str>,
    /// `status.disruptedPods`: pods the Eviction API has let go (by name) and when, which the
    /// controller does not count as healthy until they are deleted or `DeletionTimeout` passes.
    pub disrupted_pods: BTreeMap<String, SimTime>,
}

/// A PodDisruptionBudget.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pdb {
    pub meta: Meta,
    /// `spec.selector`; None (unset) selects no pod, an empty one every pod of the namespace.
    pub selector: Option<LabelSelector>,
    pub budget: Budget,
    pub status: PdbStatus,
}

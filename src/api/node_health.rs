//! A node's health as the API server holds it: the Ready condition, the kubelet's Lease heartbeat,
//! taints with the time they were added, and deletion of the Node object.
//!
//! The Lease (kube-node-lease) is renewed every 10 s (`nodeLeaseDurationSeconds` 40 × 0.25,
//! kk:pkg/kubelet/apis/config/v1beta1/defaults.go). It is not ticked: while the kubelet can reach the
//! API server the lease is "renewing" from a phase, and its last renewal before any instant is computed
//! ([`Heartbeat::last_renew`]); when the kubelet goes silent the lease stops at its last renewal.

use super::ids::{Kind, NodeId};
use super::objects::{ConditionStatus, Taint};
use super::store::Store;
use crate::engine::SimTime;

/// kubelet lease renew interval: `nodeLeaseDurationSeconds` (40 s) × `leaseRenewIntervalFraction` 0.25
/// (kk:pkg/kubelet/kubelet.go `renewInterval`).
pub const LEASE_RENEW_MS: u64 = 10_000;

/// The taint the node lifecycle controller puts on a node whose Ready condition is Unknown.
pub const TAINT_UNREACHABLE: &str = "node.kubernetes.io/unreachable";
/// ... and on a node whose Ready condition is False.
pub const TAINT_NOT_READY: &str = "node.kubernetes.io/not-ready";
/// The taint an administrator adds to a node that is shut down for good (non-graceful node shutdown).
pub const TAINT_OUT_OF_SERVICE: &str = "node.kubernetes.io/out-of-service";

/// `--default-not-ready-toleration-seconds` and `--default-unreachable-toleration-seconds` (300 s).
pub const DEFAULT_TOLERATION_SECONDS: u64 = 300;

/// The DefaultTolerationSeconds admission plugin
/// (kk:plugin/pkg/admission/defaulttolerationseconds/admission.go): a pod that does not tolerate the
/// not-ready or unreachable NoExecute taint gets a toleration of it for 300 s.
pub fn default_toleration_seconds(tolerations: &mut Vec<super::objects::Toleration>) {
    for key in [TAINT_NOT_READY, TAINT_UNREACHABLE] {
        let has = tolerations.iter().any(|t| {
            (t.key.as_deref() == Some(key) || t.key.is_none() && t.exists)
                && t.effect.as_deref().is_none_or(|e| e == "NoExecute")
        });
        if !has {
            tolerations.push(super::objects::Toleration {
                key: Some(key.to_string()),
                value: None,
                effect: Some("NoExecute".to_string()),
                exists: true,
                toleration_seconds: Some(DEFAULT_TOLERATION_SECONDS),
            });
        }
    }
}

/// The kubelet's Lease renewals.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Heartbeat {
    /// Renewed every [`LEASE_RENEW_MS`] at `phase` + k × 10 s from `since`.
    Renewing { since: SimTime },
    /// No renewal after `last`.
    Stopped { last: SimTime },
}

impl Heartbeat {
    /// The lease's renewTime as seen at `now`.
    pub fn last_renew(self, now: SimTime) -> SimTime {
        match self {
            Heartbeat::Renewing { since } if now >= since => {
                let k = now.since_ms(since) / LEASE_RENEW_MS;
                since.plus_ms(k * LEASE_RENEW_MS)
            }
            Heartbeat::Renewing { since } => since,
            Heartbeat::Stopped { last } => last,
        }
    }
}

/// `status.conditions[Ready]` and the Lease of one node.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NodeHealth {
    pub ready: ConditionStatus,
    /// The condition's reason: `KubeletReady`, `KubeletNotReady`, `NodeStatusUnknown`.
    pub reason: &'static str,
    pub heartbeat: Heartbeat,
}

impl Default for NodeHealth {
    fn default() -> Self {
        NodeHealth {
            ready: ConditionStatus::True,
            reason: "KubeletReady",
            heartbeat: Heartbeat::Renewing {
                since: SimTime::ZERO,
            },
        }
    }
}

/// A write to a Node or its Lease.
#[derive(Debug, Clone, PartialEq)]
pub enum NodeWrite {
    /// The Ready condition (the kubelet's status update, or the node lifecycle controller's Unknown).
    SetReady {
        node: NodeId,
        status: ConditionStatus,
        reason: &'static str,
    },
    /// The kubelet's Lease renewals start (from `since`) or stop.
    SetHeartbeat { node: NodeId, heartbeat: Heartbeat },
    /// Adds a taint (its `timeAdded` is set now) unless one with that key and effect is there.
    AddTaint { node: NodeId, taint: Taint },
    /// Removes the taints with this key and effect.
    RemoveTaint {
        node: NodeId,
        key: String,
        effect: String,
    },
    /// DELETE the Node object.
    Delete { node: NodeId },
}

impl Store {
    /// The Ready condition and Lease of `node`.
    pub fn health(&self, node: NodeId) -> NodeHealth {
        self.node_health.get(&node).copied().unwrap_or_default()
    }

    /// True if the node exists and carries a taint with `key` (any effect).
    pub fn has_taint(&self, node: NodeId, key: &str) -> bool {
        let n = &self.nodes[node.index()];
        n.meta.exists() && n.taints.iter().any(|t| t.key == key)
    }

    pub(super) fn apply_node(&mut self, w: NodeWrite, now: SimTime) {
        let node = match w {
            NodeWrite::SetReady {
                node,
                status,
                reason,
            } => {
                let h = self.node_health.entry(node).or_default();
                h.ready = status;
                h.reason = reason;
                self.nodes[node.index()].ready = status == ConditionStatus::True;
                node
            }
            NodeWrite::SetHeartbeat { node, heartbeat } => {
                self.node_health.entry(node).or_default().heartbeat = heartbeat;
                node
            }
            NodeWrite::AddTaint { node, mut taint } => {
                let taints = &mut self.nodes[node.index()].taints;
                if taints
                    .iter()
                    .any(|t| t.key == taint.key && t.effect == taint.effect)
                {
                    return;
                }
                taint.time_added = Some(now);
                taints.push(taint);
                node
            }
            NodeWrite::RemoveTaint { node, key, effect } => {
                let taints = &mut self.nodes[node.index()].taints;
                let before = taints.len();
                taints.retain(|t| !(t.key == key && t.effect == effect));
                if taints.len() == before {
                    return;
                }
                node
            }
            NodeWrite::Delete { node } => {
                let meta = &mut self.nodes[node.index()].meta;
                if !meta.exists() {
                    return;
                }
                meta.gone = Some(now);
                node
            }
        };
        self.touch(Kind::Node, node.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_renewing_lease_was_last_renewed_at_the_latest_ten_second_step() {
        let h = Heartbeat::Renewing {
            since: SimTime(3_000),
        };
        assert_eq!(h.last_renew(SimTime(3_000)), SimTime(3_000));
        assert_eq!(h.last_renew(SimTime(42_999)), SimTime(33_000));
        assert_eq!(h.last_renew(SimTime(43_000)), SimTime(43_000));
        let stopped = Heartbeat::Stopped { last: SimTime(7) };
        assert_eq!(stopped.last_renew(SimTime(1_000_000)), SimTime(7));
    }
}

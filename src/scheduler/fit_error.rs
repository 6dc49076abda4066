//! Why a pod fits no node: each node's filter status, and the FailedScheduling message built from them
//! as kube-scheduler writes it (kk:pkg/scheduler/framework/types.go `FitError.Error`, followed by
//! DefaultPreemption's PostFilter message).

use super::events::{Plugin, PluginSet};
use std::borrow::Cow;
use std::collections::BTreeMap;

/// A filter plugin's verdict on a node (`framework.Status` with code Unschedulable or
/// UnschedulableAndUnresolvable, and its reasons).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    /// Fixed texts borrowed, built ones (a taint's) owned: most nodes' reasons allocate nothing.
    pub reasons: Vec<Cow<'static, str>>,
    /// `Unschedulable`: evicting pods from the node could help (preemption tries it);
    /// false for `UnschedulableAndUnresolvable`.
    pub resolvable: bool,
    /// The plugin that rejected the node (`Status.Plugin`), once the filter loop has tagged it.
    pub plugin: Option<Plugin>,
}

impl Rejection {
    /// `framework.NewStatus(framework.Unschedulable, reason)`.
    pub fn unschedulable(reason: impl Into<Cow<'static, str>>) -> Self {
        Rejection {
            reasons: vec![reason.into()],
            resolvable: true,
            plugin: None,
        }
    }

    /// `framework.NewStatus(framework.UnschedulableAndUnresolvable, reason)`.
    pub fn unresolvable(reason: impl Into<Cow<'static, str>>) -> Self {
        Rejection {
            reasons: vec![reason.into()],
            resolvable: false,
            plugin: None,
        }
    }

    /// The same status, tagged with the plugin that returned it.
    pub fn by(self, plugin: Plugin) -> Self {
        Rejection {
            plugin: Some(plugin),
            ..self
        }
    }
}

/// DefaultPreemption's status for a node whose filter status is UnschedulableAndUnresolvable
/// (kk:pkg/scheduler/framework/preemption/preemption.go `nodesWherePreemptionMightHelp`).
const PREEMPTION_NOT_HELPFUL: &str = "Preemption is not helpful for scheduling";
/// Its status for any other node when no pod there has a lower priority than the incoming one; every
/// pod of the model has priority 0 (kk:pkg/scheduler/framework/plugins/defaultpreemption/default_preemption.go
/// `SelectVictimsOnNode`).
const NO_VICTIMS: &str = "No preemption victims found for incoming pod";
/// `ErrNoNodesAvailable` (kk:pkg/scheduler/schedule_one.go): there is no node at all.
const NO_NODES: &str = "no nodes available to schedule pods";

/// The FailedScheduling message for a pod that fits none of `rejections` (one per node):
/// `0/N nodes are available: <count reason, ...>. preemption: 0/N nodes are available: <...>.`
pub fn message(rejections: &[Rejection]) -> String {
    if rejections.is_empty() {
        return NO_NODES.to_string();
    }
    let reasons = rejections
        .iter()
        .flat_map(|r| r.reasons.iter().map(|c| c.as_ref()));
    let preemption = rejections.iter().map(|r| match r.resolvable {
        true => NO_VICTIMS,
        false => PREEMPTION_NOT_HELPFUL,
    });
    let n = rejections.len();
    let post_filter = format!("preemption: {}", fit_error(n, preemption));
    format!("{} {post_filter}", fit_error(n, reasons))
}

/// The FailedScheduling message when a PreFilter plugin rejected the pod: `FitError.Error` writes the
/// PreFilter message instead of the per-node histogram (`Diagnosis.PreFilterMsg`), and preemption finds
/// every node UnschedulableAndUnresolvable.
pub fn pre_filter_message(pre_filter: &str, rejections: &[Rejection]) -> String {
    if rejections.is_empty() {
        return NO_NODES.to_string();
    }
    let n = rejections.len();
    let not_helpful = std::iter::repeat_n(PREEMPTION_NOT_HELPFUL, n);
    format!(
        "0/{n} nodes are available: {pre_filter}. preemption: {}",
        fit_error(n, not_helpful)
    )
}

/// The plugins that rejected some node (`Diagnosis.UnschedulablePlugins`); an untagged rejection
/// counts as `Plugin::Other`.
pub fn rejectors(rejections: &[Rejection]) -> PluginSet {
    let mut set = PluginSet::default();
    for r in rejections {
        set.insert(r.plugin.unwrap_or(Plugin::Other));
    }
    set
}

/// `FitError.Error`: `0/N nodes are available: ` and the histogram of reasons, each `count reason`, sorted
/// as strings (Go's `sort.Strings`, so `10 ...` sorts before `2 ...`), joined by `, `, ending with `.`.
fn fit_error<'r>(nodes: usize, reasons: impl Iterator<Item = &'r str>) -> String {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for r in reasons {
        *counts.entry(r).or_default() += 1;
    }
    let mut histogram: Vec<String> = counts.iter().map(|(r, n)| format!("{n} {r}")).collect();
    histogram.sort();
    format!("0/{nodes} nodes are available: {}.", histogram.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_failed_scheduling_message_counts_nodes_per_reason() {
        let anti = Rejection::unschedulable("node(s) didn't match pod anti-affinity rules");
        assert_eq!(
            message(&[anti.clone(), anti]),
            "0/2 nodes are available: 2 node(s) didn't match pod anti-affinity rules. \
             preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod."
        );
    }

    #[test]
    fn reasons_sort_as_strings_and_unresolvable_nodes_are_not_helped_by_preemption() {
        let taint = Rejection::unresolvable(
            "node(s) had untolerated taint {machine-check-exception: memory}",
        );
        let cpu = Rejection::unschedulable("Insufficient cpu");
        let mut nodes = vec![taint];
        nodes.extend(std::iter::repeat_n(cpu, 10));
        // As upstream's sort.Strings orders them: "1 node(s)..." < "10 Insufficient cpu".
        assert_eq!(
            message(&nodes),
            "0/11 nodes are available: 1 node(s) had untolerated taint {machine-check-exception: memory}, \
             10 Insufficient cpu. preemption: 0/11 nodes are available: 1 Preemption is not helpful for \
             scheduling, 10 No preemption victims found for incoming pod."
        );
    }

    #[test]
    fn a_pre_filter_rejection_is_written_once_not_per_node() {
        let r = Rejection::unresolvable("pod has unbound immediate PersistentVolumeClaims");
        assert_eq!(
            pre_filter_message(
                "pod has unbound immediate PersistentVolumeClaims",
                &[r.clone(), r]
            ),
            "0/2 nodes are available: pod has unbound immediate PersistentVolumeClaims. \
             preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling."
        );
    }

    #[test]
    fn a_node_may_give_several_reasons_and_no_nodes_is_its_own_message() {
        let both = Rejection {
            reasons: vec!["Insufficient cpu".into(), "Insufficient memory".into()],
            resolvable: true,
            plugin: None,
        };
        assert_eq!(
            message(&[both]),
            "0/1 nodes are available: 1 Insufficient cpu, 1 Insufficient memory. \
             preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod."
        );
        assert_eq!(message(&[]), "no nodes available to schedule pods");
    }
}

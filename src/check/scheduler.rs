//! The scheduler at bind time: never more than a node's allocatable CPU, memory and pods
//! (kk:pkg/scheduler/framework/plugins/noderesources/fit.go), a nodeSelector always matched
//! (nodeaffinity), every NoSchedule/NoExecute taint tolerated (tainttoleration).

use super::{Checker, Delta, Findings, Invariant};
use crate::api::{Pod, PodId, PodPhase, Store};
use crate::engine::SimTime;
use crate::sim::WorldView;

/// What one binding looks like against its node.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BindFacts {
    /// CPU (millicores), memory (bytes) and pods requested by every non-terminal pod bound to the
    /// node, this one included.
    pub used: [u64; 3],
    /// The node's allocatable CPU, memory and pods.
    pub allocatable: [u64; 3],
    /// Every nodeSelector label is on the node.
    pub selector_matches: bool,
    /// The key of a NoSchedule or NoExecute taint the pod does not tolerate, if any.
    pub untolerated: Option<String>,
}

/// Why a binding breaks the scheduler's rules, if it does.
pub fn bind_fault(f: &BindFacts) -> Option<String> {
    const WHAT: [&str; 3] = ["cpu (millicores)", "memory (bytes)", "pods"];
    let over = (0..3).find(|&i| f.used[i] > f.allocatable[i]);
    if let Some(i) = over {
        let (used, alloc) = (f.used[i], f.allocatable[i]);
        return Some(format!(
            "overcommits {}: {used} requested of {alloc} allocatable",
            WHAT[i]
        ));
    }
    if !f.selector_matches {
        return Some("the node does not match the pod's nodeSelector".into());
    }
    f.untolerated
        .as_ref()
        .map(|k| format!("the pod does not tolerate the node's taint {k}"))
}

/// Judges every binding the scheduler made (its `Scheduled` Event) in the event.
#[derive(Debug, Default)]
pub struct SchedulerChecker;

impl Checker for SchedulerChecker {
    fn observe(
        &mut self,
        view: &WorldView<'_>,
        delta: &Delta,
        now: SimTime,
        findings: &mut Findings,
    ) {
        let store = view.store;
        let bound = view
            .new_events
            .iter()
            .filter(|e| e.kind == "Pod" && e.reason == "Scheduled");
        for e in bound {
            let Some(pod) = live_pod(store, &delta.pods, &e.namespace, &e.name) else {
                continue;
            };
            findings.judged(Invariant::SchedulerFit, 1);
            let Some(facts) = bind_facts(store, pod, now) else {
                continue;
            };
            if let Some(detail) = bind_fault(&facts) {
                let p = &store.pods[pod.index()];
                let node = p
                    .node
                    .map_or("", |n| store.nodes[n.index()].meta.name.as_str());
                let object = format!("Pod {}/{} on node {node}", p.meta.namespace, p.meta.name);
                findings.violate(now, Invariant::SchedulerFit, object, detail);
            }
        }
    }
}

/// The live pod `namespace/name`, looked for first among the pods the event wrote (`changed`: a
/// pod the event bound or evicted is one of them), then among all.
pub(super) fn live_pod(
    store: &Store,
    changed: &[PodId],
    namespace: &str,
    name: &str,
) -> Option<PodId> {
    let is = |p: &PodId| {
        let m = &store.pods[p.index()].meta;
        m.name == name && m.namespace == namespace && store.live_pods.contains(p)
    };
    (changed.iter().copied().find(is)).or_else(|| store.live_pods.iter().copied().find(is))
}

fn requests(p: &Pod) -> [u64; 3] {
    let cpu = p.spec.containers.iter().map(|c| c.cpu_milli).sum();
    let memory = p.spec.containers.iter().map(|c| c.memory_bytes).sum();
    [cpu, memory, 1]
}

/// The binding of `pod` as the rule reads it; None when it is not bound.
fn bind_facts(store: &Store, pod: PodId, now: SimTime) -> Option<BindFacts> {
    let p = &store.pods[pod.index()];
    let node_id = p.node?;
    let node = &store.nodes[node_id.index()];
    let mut used = [0u64; 3];
    let on_node = store.pods_on_node(node_id).map(|q| &store.pods[q.index()]);
    for q in on_node.filter(|q| !matches!(q.phase, PodPhase::Succeeded | PodPhase::Failed)) {
        let r = requests(q);
        (0..3).for_each(|i| used[i] += r[i]);
    }
    let labels = &node.meta.labels;
    let selector_matches = (p.spec.node_selector.iter()).all(|(k, v)| labels.get(k) == Some(v));
    // A taint added at this very instant may postdate the scheduling cycle's snapshot.
    let untolerated = (node.taints.iter())
        .filter(|t| t.effect == "NoSchedule" || t.effect == "NoExecute")
        .filter(|t| t.time_added != Some(now))
        .find(|t| !p.spec.tolerations.iter().any(|tol| tol.tolerates(t)))
        .map(|t| t.key.clone());
    Some(BindFacts {
        used,
        allocatable: [node.cpu_milli, node.memory_bytes, u64::from(node.pods)],
        selector_matches,
        untolerated,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fits() -> BindFacts {
        BindFacts {
            used: [1_000, 1 << 30, 3],
            allocatable: [4_000, 8 << 30, 110],
            selector_matches: true,
            untolerated: None,
        }
    }

    #[test]
    fn a_binding_within_allocatable_on_a_matching_node_is_right() {
        assert_eq!(bind_fault(&fits()), None);
    }

    #[test]
    fn a_binding_over_allocatable_cpu_is_an_overcommit() {
        let f = BindFacts {
            used: [4_001, 1 << 30, 3],
            ..fits()
        };
        assert!(bind_fault(&f).unwrap().contains("overcommits cpu"));
    }

    #[test]
    fn a_binding_that_ignores_a_selector_or_taint_is_wrong() {
        let f = BindFacts {
            selector_matches: false,
            ..fits()
        };
        assert!(bind_fault(&f).unwrap().contains("nodeSelector"));
        let f = BindFacts {
            untolerated: Some("dedicated".into()),
            ..fits()
        };
        assert!(bind_fault(&f).unwrap().contains("dedicated"));
    }
}

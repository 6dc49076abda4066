//! NodeAffinity (kk:pkg/scheduler/framework/plugins/nodeaffinity/node_affinity.go): the pod's nodeSelector and
//! required node affinity as a filter, its preferred node affinity terms as a score (weight 2).

use super::fit_error::Rejection;
use crate::api::{selector_matches, Labels, Pod};

/// `ErrReasonPod`.
pub const ERR_REASON_POD: &str = "node(s) didn't match Pod's node affinity/selector";

/// `GetRequiredNodeAffinity(pod).Match`: every nodeSelector pair, and one of the required node selector
/// terms when there are any.
pub fn required_matches(pod: &Pod, labels: &Labels) -> bool {
    let required = &pod.spec.affinity.node.required;
    selector_matches(&pod.spec.node_selector, labels)
        && required.as_ref().is_none_or(|r| r.matches(labels))
}

/// The filter: UnschedulableAndUnresolvable when the node does not match its labels, or its name
/// is not the one a `matchFields metadata.name` term (a DaemonSet pod's) asks for.
pub fn filter(pod: &Pod, labels: &Labels, node_name: &str) -> Option<Rejection> {
    let fields = pod.spec.affinity.node.required_node_name.as_deref();
    let fits = required_matches(pod, labels) && fields.is_none_or(|n| n == node_name);
    (!fits).then(|| Rejection::unresolvable(ERR_REASON_POD))
}

/// The raw score: the sum of the weights of the preferred terms the node matches (a term without
/// requirements matches nothing; component-helpers `NewPreferredSchedulingTerms`).
pub fn score(pod: &Pod, labels: &Labels) -> i64 {
    let preferred = &pod.spec.affinity.node.preferred;
    let matching = preferred
        .iter()
        .filter(|(_, reqs)| !reqs.is_empty() && reqs.iter().all(|r| r.matches(labels)));
    matching.map(|(w, _)| *w).sum()
}

/// `helper.DefaultNormalizeScore(MaxNodeScore, false, ...)`: `score * 100 / max`, all unchanged when the
/// maximum is 0.
pub fn normalize(scores: &mut [i64]) {
    let max = scores.iter().copied().max().unwrap_or(0);
    if max > 0 {
        scores.iter_mut().for_each(|s| *s = 100 * *s / max);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{NodeSelector, Operator, Requirement};
    use crate::scheduler::test_support::{labels, pod};

    fn req(key: &str, operator: Operator, values: &[&str]) -> Requirement {
        Requirement {
            key: key.into(),
            operator,
            values: values.iter().map(|v| v.to_string()).collect(),
        }
    }

    #[test]
    fn node_selector_and_required_terms_must_both_match() {
        let mut p = pod("p", &[("app", "web")]);
        p.spec.node_selector = labels(&[("disk", "ssd")]);
        p.spec.affinity.node.required = Some(NodeSelector {
            terms: vec![vec![req("zone", Operator::In, &["a", "b"])]],
        });
        assert!(required_matches(
            &p,
            &labels(&[("disk", "ssd"), ("zone", "b")])
        ));
        assert!(!required_matches(
            &p,
            &labels(&[("disk", "ssd"), ("zone", "c")])
        ));
        assert_eq!(
            filter(&p, &labels(&[("zone", "a")]), "n1"),
            Some(Rejection::unresolvable(ERR_REASON_POD))
        );
    }

    #[test]
    fn a_daemon_pods_match_fields_term_admits_only_its_node() {
        let mut p = pod("p", &[]);
        p.spec.affinity.node.required_node_name = Some("n2".into());
        assert_eq!(filter(&p, &labels(&[]), "n2"), None);
        assert_eq!(
            filter(&p, &labels(&[]), "n1"),
            Some(Rejection::unresolvable(ERR_REASON_POD))
        );
    }

    #[test]
    fn preferred_terms_add_their_weights_normalized_to_the_best_node() {
        // node_affinity_test.go TestNodeAffinityPriority "all nodes matches the preferred scheduling
        // requirements of pod but with different priorities": weights 2, 4 and 5 give 2, 11 and 4.
        let mut p = pod("p", &[]);
        let foo = req("foo", Operator::In, &["bar"]);
        let key = req("key", Operator::In, &["value"]);
        let az = req("az", Operator::In, &["az1"]);
        p.spec.affinity.node.preferred = vec![
            (2, vec![foo.clone()]),
            (4, vec![key.clone()]),
            (5, vec![foo, key, az]),
        ];
        let nodes = [
            labels(&[("foo", "bar")]),
            labels(&[("foo", "bar"), ("key", "value"), ("az", "az1")]),
            labels(&[("key", "value")]),
        ];
        let mut scores: Vec<i64> = nodes.iter().map(|l| score(&p, l)).collect();
        assert_eq!(scores, vec![2, 11, 4]);
        normalize(&mut scores);
        assert_eq!(scores, vec![18, 100, 36]);
    }
}

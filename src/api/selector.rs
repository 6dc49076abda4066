//! Label selectors with `matchExpressions`, and node selector terms (a volume's node affinity, a class's allowed topologies).

use super::objects::Labels;

/// A selector operator (k8s.io/apimachinery/pkg/selection; `Gt` and `Lt` only in node selectors).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operator {
    In,
    NotIn,
    Exists,
    DoesNotExist,
    Gt,
    Lt,
}

impl Operator {
    /// The operator as the API spells it; None for an unknown one.
    pub fn parse(op: &str) -> Option<Operator> {
        Some(match op {
            "In" => Operator::In,
            "NotIn" => Operator::NotIn,
            "Exists" => Operator::Exists,
            "DoesNotExist" => Operator::DoesNotExist,
            "Gt" => Operator::Gt,
            "Lt" => Operator::Lt,
            _ => return None,
        })
    }
}

/// One requirement: `key operator values`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Requirement {
    pub key: String,
    pub operator: Operator,
    pub values: Vec<String>,
}

impl Requirement {
    /// Whether `labels` satisfy it (k8s.io/apimachinery/pkg/labels/selector.go `Requirement.Matches`).
    pub fn matches(&self, labels: &Labels) -> bool {
        let value = labels.get(&self.key);
        let listed = |v: &String| self.values.contains(v);
        let number = |s: &str| s.parse::<i64>().ok();
        let compare = |f: fn(i64, i64) -> bool| {
            let bound = self.values.first().and_then(|v| number(v));
            match (value.and_then(|v| number(v)), bound) {
                (Some(v), Some(b)) => f(v, b),
                _ => false,
            }
        };
        match self.operator {
            Operator::In => value.is_some_and(listed),
            Operator::NotIn => !value.is_some_and(listed),
            Operator::Exists => value.is_some(),
            Operator::DoesNotExist => value.is_none(),
            Operator::Gt => compare(|v, b| v > b),
            Operator::Lt => compare(|v, b| v < b),
        }
    }
}

/// A label selector: every `matchLabels` pair and every expression must hold; an empty one selects everything.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LabelSelector {
    pub match_labels: Labels,
    pub match_expressions: Vec<Requirement>,
}

impl LabelSelector {
    /// Whether it selects an object with `labels` (`LabelSelectorAsSelector(...).Matches`).
    pub fn matches(&self, labels: &Labels) -> bool {
        self.match_labels
            .iter()
            .all(|(k, v)| labels.get(k) == Some(v))
            && self.match_expressions.iter().all(|r| r.matches(labels))
    }
}

/// Node selector terms: a node matches when any term does, a term when all its requirements do
/// (kk:staging/src/k8s.io/component-helpers/scheduling/corev1/nodeaffinity `NodeSelector.Match`;
/// a term without requirements matches no node).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NodeSelector {
    pub terms: Vec<Vec<Requirement>>,
}

impl NodeSelector {
    /// Whether a node with `labels` matches.
    pub fn matches(&self, labels: &Labels) -> bool {
        self.terms
            .iter()
            .any(|t| !t.is_empty() && t.iter().all(|r| r.matches(labels)))
    }

    /// One term of one requirement `key In [value]` (a provisioned volume's zone).
    pub fn single(key: &str, value: &str) -> NodeSelector {
        NodeSelector {
            terms: vec![vec![Requirement {
                key: key.to_string(),
                operator: Operator::In,
                values: vec![value.to_string()],
            }]],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(pairs: &[(&str, &str)]) -> Labels {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn req(key: &str, op: &str, values: &[&str]) -> Requirement {
        Requirement {
            key: key.into(),
            operator: Operator::parse(op).unwrap(),
            values: values.iter().map(|v| v.to_string()).collect(),
        }
    }

    #[test]
    fn node_selector_terms_are_ored_and_their_requirements_anded() {
        let sel = NodeSelector {
            terms: vec![
                vec![req("zone", "In", &["a"]), req("disk", "Exists", &[])],
                vec![req("zone", "In", &["b"])],
            ],
        };
        assert!(sel.matches(&labels(&[("zone", "a"), ("disk", "ssd")])));
        assert!(!sel.matches(&labels(&[("zone", "a")])));
        assert!(sel.matches(&labels(&[("zone", "b")])));
        assert!(!NodeSelector {
            terms: vec![vec![]]
        }
        .matches(&labels(&[("zone", "a")])));
    }

    #[test]
    fn gt_and_lt_compare_integers_and_fail_on_anything_else() {
        let gt = req("cores", "Gt", &["4"]);
        assert!(gt.matches(&labels(&[("cores", "8")])));
        assert!(!gt.matches(&labels(&[("cores", "4")])));
        assert!(!gt.matches(&labels(&[("cores", "many")])));
        assert!(req("cores", "Lt", &["4"]).matches(&labels(&[("cores", "2")])));
    }

    #[test]
    fn a_label_selector_needs_its_labels_and_expressions() {
        let sel = LabelSelector {
            match_labels: labels(&[("type", "local")]),
            match_expressions: vec![req("tier", "NotIn", &["slow"])],
        };
        assert!(sel.matches(&labels(&[("type", "local")])));
        assert!(!sel.matches(&labels(&[("type", "local"), ("tier", "slow")])));
        assert!(LabelSelector::default().matches(&Labels::new()));
    }
}

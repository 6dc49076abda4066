//! Label selectors: whether one matches a set of labels, and whether it is well formed.

use super::error::FieldError;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, LabelSelectorRequirement};
use std::collections::BTreeMap;

/// Whether `selector` selects an object with `labels` (k8s.io/apimachinery/pkg/labels/selector.go;
/// an empty selector selects everything, as `LabelSelectorAsSelector` makes it).
pub fn matches(selector: &LabelSelector, labels: &BTreeMap<String, String>) -> bool {
    let equal = selector.match_labels.iter().flatten();
    let by_value = equal.into_iter().all(|(k, v)| labels.get(k) == Some(v));
    let exprs = selector.match_expressions.iter().flatten();
    by_value && exprs.into_iter().all(|r| requirement_matches(r, labels))
}

/// True when the selector has neither matchLabels nor matchExpressions.
pub fn is_empty(selector: &LabelSelector) -> bool {
    selector
        .match_labels
        .as_ref()
        .is_none_or(BTreeMap::is_empty)
        && selector
            .match_expressions
            .as_ref()
            .is_none_or(Vec::is_empty)
}

fn requirement_matches(r: &LabelSelectorRequirement, labels: &BTreeMap<String, String>) -> bool {
    let value = labels.get(&r.key);
    let listed = |v: &String| r.values.iter().flatten().any(|x| x == v);
    match r.operator.as_str() {
        "In" => value.is_some_and(listed),
        "NotIn" => !value.is_some_and(listed),
        "Exists" => value.is_some(),
        "DoesNotExist" => value.is_none(),
        _ => false,
    }
}

/// `ValidateLabelSelector` (k8s.io/apimachinery/pkg/apis/meta/v1/validation/validation.go):
/// operators and their values.
pub(crate) fn validate(selector: &LabelSelector, path: &str, errs: &mut Vec<FieldError>) {
    let exprs = selector.match_expressions.iter().flatten();
    for (i, r) in exprs.enumerate() {
        let at = format!("{path}.matchExpressions[{i}]");
        let has_values = r.values.as_ref().is_some_and(|v| !v.is_empty());
        match r.operator.as_str() {
            "In" | "NotIn" if !has_values => errs.push(FieldError::required(
                format!("{at}.values"),
                "must be specified when `operator` is 'In' or 'NotIn'",
            )),
            "Exists" | "DoesNotExist" if has_values => errs.push(FieldError::forbidden(
                format!("{at}.values"),
                "may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
            )),
            "In" | "NotIn" | "Exists" | "DoesNotExist" => {}
            other => errs.push(FieldError::invalid(
                format!("{at}.operator"),
                super::error::quote(other),
                "not a valid selector operator",
            )),
        }
    }
}

/// Labels as Go's `%#v` prints them in the API server's messages: `map[string]string{"app":"web"}`.
pub(crate) fn go_map(labels: Option<&BTreeMap<String, String>>) -> String {
    let Some(labels) = labels else {
        return "map[string]string(nil)".to_string();
    };
    let items: Vec<String> = labels.iter().map(|(k, v)| format!("{k:?}:{v:?}")).collect();
    format!("map[string]string{{{}}}", items.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn expr(key: &str, op: &str, values: &[&str]) -> LabelSelectorRequirement {
        LabelSelectorRequirement {
            key: key.into(),
            operator: op.into(),
            values: Some(values.iter().map(|v| v.to_string()).collect()),
        }
    }

    #[test]
    fn match_labels_and_expressions_must_all_hold() {
        let sel = LabelSelector {
            match_labels: Some(labels(&[("app", "zk")])),
            match_expressions: Some(vec![
                expr("tier", "In", &["db", "cache"]),
                expr("canary", "DoesNotExist", &[]),
            ]),
        };
        assert!(matches(&sel, &labels(&[("app", "zk"), ("tier", "db")])));
        assert!(!matches(&sel, &labels(&[("app", "zk"), ("tier", "web")])));
        assert!(!matches(
            &sel,
            &labels(&[("app", "zk"), ("tier", "db"), ("canary", "1")])
        ));
        assert!(!matches(&sel, &labels(&[("tier", "db")])));
    }

    #[test]
    fn an_empty_selector_matches_everything() {
        let sel = LabelSelector::default();
        assert!(is_empty(&sel));
        assert!(matches(&sel, &labels(&[("a", "b")])));
    }

    #[test]
    fn in_without_values_and_unknown_operators_are_invalid() {
        let sel = LabelSelector {
            match_labels: None,
            match_expressions: Some(vec![expr("a", "In", &[]), expr("b", "Near", &["x"])]),
        };
        let mut errs = Vec::new();
        validate(&sel, "spec.selector", &mut errs);
        assert_eq!(errs[0].field, "spec.selector.matchExpressions[0].values");
        assert_eq!(errs[1].to_string(), "spec.selector.matchExpressions[1].operator: Invalid value: \"Near\": not a valid selector operator");
    }
}

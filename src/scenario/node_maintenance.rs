//! The scenario's node maintenance actions: `cordon`, `uncordon` and `drain`, each naming nodes of
//! `cluster.nodes`.

use super::field::{did_you_mean, Field, Result};
use super::model::{DrainSpec, FaultAction};

/// The node actions a fault may take, as the scenario spells them.
pub(crate) const MAINTENANCE_ACTIONS: &[&str] = &["cordon", "uncordon", "drain"];

const DRAIN: &[&str] = &["node", "nodes", "timeout", "grace-period", "uncordon-after"];

/// Reads the node action `action` (one of [`MAINTENANCE_ACTIONS`]) from `body`; `nodes` are the cluster's.
pub(crate) fn maintenance_action(
    action: &str,
    body: &Field,
    nodes: &[&str],
) -> Result<FaultAction> {
    Ok(match action {
        "cordon" => FaultAction::Cordon {
            node: node_name(body, nodes)?,
        },
        "uncordon" => FaultAction::Uncordon {
            node: node_name(body, nodes)?,
        },
        _ => FaultAction::Drain(drain(body, nodes)?),
    })
}

/// `drain: NODE` or `drain: {node: NODE | nodes: [NODE, ...], timeout, grace-period, uncordon-after}`.
fn drain(body: &Field, nodes: &[&str]) -> Result<DrainSpec> {
    if let serde_yaml_ng::Value::String(_) = body.value {
        return Ok(DrainSpec {
            nodes: vec![node_name(body, nodes)?],
            timeout_ms: None,
            grace_period_ms: None,
            uncordon_after_ms: None,
        });
    }
    let f = body.fields(DRAIN)?;
    let names = match (f.opt("node"), f.opt("nodes")) {
        (Some(one), None) => vec![node_name(&one, nodes)?],
        (None, Some(list)) => node_list(&list, nodes)?,
        (Some(_), Some(_)) => return Err(body.invalid("name either node or nodes, not both")),
        (None, None) => return Err(f.field.missing("node")),
    };
    let timeout_ms = match f.opt("timeout") {
        None => None,
        Some(t) => match t.duration()? {
            0 => {
                let why = "a drain needs some time; leave timeout out to wait as long as it takes";
                return Err(t.invalid(why));
            }
            ms => Some(ms),
        },
    };
    let duration = |key: &str| f.opt(key).map(|d| d.duration()).transpose();
    Ok(DrainSpec {
        nodes: names,
        timeout_ms,
        grace_period_ms: duration("grace-period")?,
        uncordon_after_ms: duration("uncordon-after")?,
    })
}

/// A non-empty list of distinct node names.
fn node_list(list: &Field, nodes: &[&str]) -> Result<Vec<String>> {
    let items = list.list()?;
    if items.is_empty() {
        return Err(list.invalid("an empty list; name at least one node"));
    }
    let mut out: Vec<String> = Vec::with_capacity(items.len());
    for item in &items {
        let name = node_name(item, nodes)?;
        if out.contains(&name) {
            return Err(item.invalid(format!("{name} is listed twice")));
        }
        out.push(name);
    }
    Ok(out)
}

/// A node of the cluster, by name.
pub(crate) fn node_name(field: &Field, nodes: &[&str]) -> Result<String> {
    let name = field.str()?;
    if nodes.contains(&name) {
        return Ok(name.to_string());
    }
    let hint = did_you_mean(name, nodes)
        .map(|s| format!("; did you mean {s}?"))
        .unwrap_or_default();
    let known = match nodes {
        [] => "cluster.nodes declares none".to_string(),
        _ => format!("cluster.nodes declares {}", nodes.join(", ")),
    };
    Err(field.invalid(format!("no node named {name}: {known}{hint}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_yaml_ng::Value;

    fn read(action: &str, yaml: &str) -> Result<FaultAction> {
        let value: Value = serde_yaml_ng::from_str(yaml).unwrap();
        let field = Field::root("s.yaml", &value).key(action, &value);
        maintenance_action(action, &field, &["node-1", "node-2", "node-3"])
    }

    #[test]
    fn a_drain_list_keeps_its_order_and_flags() {
        let yaml = "{nodes: [node-3, node-1], timeout: 5m, grace-period: 10s, uncordon-after: 30s}";
        let FaultAction::Drain(d) = read("drain", yaml).unwrap() else {
            panic!("not a drain")
        };
        assert_eq!(d.nodes, ["node-3", "node-1"]);
        assert_eq!(
            (d.timeout_ms, d.grace_period_ms, d.uncordon_after_ms),
            (Some(300_000), Some(10_000), Some(30_000))
        );
    }

    #[test]
    fn a_drain_of_one_node_may_be_just_its_name() {
        let FaultAction::Drain(d) = read("drain", "node-2").unwrap() else {
            panic!("not a drain")
        };
        assert_eq!((d.nodes, d.timeout_ms), (vec!["node-2".to_string()], None));
    }

    #[test]
    fn unknown_repeated_or_missing_nodes_are_rejected_with_the_field() {
        let cases = [
            ("cordon", "node-4", "drain: no node named node-4"),
            (
                "drain",
                "{nodes: [node-1, node-1]}",
                "node-1 is listed twice",
            ),
            ("drain", "{nodes: []}", "an empty list"),
            ("drain", "{node: node-1, nodes: [node-2]}", "not both"),
            ("drain", "{node: node-1, timeout: 0s}", "leave timeout out"),
            ("uncordon", "nod-1", "did you mean node-1?"),
        ];
        for (action, yaml, expected) in cases {
            let err = read(action, yaml).unwrap_err().to_string();
            let expected = expected.replace("drain:", &format!("{action}:"));
            assert!(err.contains(&expected), "{yaml}: {err}");
        }
    }
}

//! The scenario's node faults: `crash-node`, `partition-node`, `restart-node`, `recover-node`,
//! `delete-node`, `taint-node`, `zone-outage`, each aimed at nodes of the scenario's cluster by name
//! (or zone).

use super::dist::Dist;
use super::field::{Field, Result};
use super::model::{FaultAction, NodeFault, NodeSpec};

/// The node faults as the scenario spells them.
pub(crate) const NODE_ACTIONS: &[&str] = &[
    "crash-node",
    "partition-node",
    "restart-node",
    "recover-node",
    "shutdown-node",
    "delete-node",
    "taint-node",
    "zone-outage",
];

/// Reads the node fault `action` from `body`.
pub(crate) fn node_fault(action: &str, body: &Field, nodes: &[NodeSpec]) -> Result<FaultAction> {
    match action {
        "crash-node" => return outage(NodeFault::Crash, body, nodes),
        "partition-node" => return outage(NodeFault::Partition, body, nodes),
        _ => {}
    }
    let (fault, names) = match action {
        "recover-node" => (NodeFault::Recover, vec![node_name(body, nodes)?]),
        "delete-node" => (NodeFault::Delete, vec![node_name(body, nodes)?]),
        "restart-node" => restart(body, nodes)?,
        "shutdown-node" => shutdown(body, nodes)?,
        "taint-node" => taint(body, nodes)?,
        _ => zone_outage(body, nodes)?,
    };
    Ok(FaultAction::Node {
        fault,
        nodes: names,
        repair: None,
    })
}

/// `crash-node` / `partition-node`: `NAME`, or `{node: NAME | nodes: all | nodes: [NAME, ..],
/// repair: DURATION}`; with `repair` the node comes back (`recover-node`) after that long, a time
/// that may be random (a repair-time distribution for `every:` studies).
fn outage(fault: NodeFault, body: &Field, nodes: &[NodeSpec]) -> Result<FaultAction> {
    if !matches!(body.value, serde_yaml_ng::Value::Mapping(_)) {
        let names = vec![known_node(body, nodes)?];
        return Ok(FaultAction::Node {
            fault,
            nodes: names,
            repair: None,
        });
    }
    let f = body.fields(&["node", "nodes", "repair"])?;
    let names = match (f.opt("node"), f.opt("nodes")) {
        (Some(node), None) => vec![known_node(&node, nodes)?],
        (None, Some(list)) => node_list(&list, nodes)?,
        (Some(_), Some(_)) => return Err(f.field.invalid("name either node or nodes, not both")),
        (None, None) => return Err(f.field.missing("node")),
    };
    let repair: Option<Dist> = f.opt("repair").map(|r| r.dist()).transpose()?;
    Ok(FaultAction::Node {
        fault,
        nodes: names,
        repair,
    })
}

/// `all` (every node of `cluster.nodes`) or a list of node names.
fn node_list(field: &Field, nodes: &[NodeSpec]) -> Result<Vec<String>> {
    if let serde_yaml_ng::Value::String(word) = field.value {
        if word == "all" {
            return Ok(nodes.iter().map(|n| n.name.clone()).collect());
        }
        return Err(field.invalid(format!("{word:?} is neither all nor a list of node names")));
    }
    let items = field.list()?;
    let names = items.iter().map(|n| known_node(n, nodes));
    let names = names.collect::<Result<Vec<String>>>()?;
    if names.is_empty() {
        return Err(field.invalid("the list of nodes is empty"));
    }
    Ok(names)
}

/// `NAME` or `{node: NAME}`: a node of `cluster.nodes`.
fn node_name(body: &Field, nodes: &[NodeSpec]) -> Result<String> {
    let field = match body.value {
        serde_yaml_ng::Value::Mapping(_) => body.fields(&["node"])?.req("node")?,
        _ => body.clone(),
    };
    known_node(&field, nodes)
}

fn known_node(field: &Field, nodes: &[NodeSpec]) -> Result<String> {
    let names: Vec<&str> = nodes.iter().map(|n| n.name.as_str()).collect();
    super::node_maintenance::node_name(field, &names)
}

/// `{node: NAME, down: DURATION}`: the machine reboots, back after `down` (default 0s).
fn restart(body: &Field, nodes: &[NodeSpec]) -> Result<(NodeFault, Vec<String>)> {
    if !matches!(body.value, serde_yaml_ng::Value::Mapping(_)) {
        return Ok((
            NodeFault::Restart { down_ms: 0 },
            vec![known_node(body, nodes)?],
        ));
    }
    let f = body.fields(&["node", "down"])?;
    let name = known_node(&f.req("node")?, nodes)?;
    let down_ms = f
        .opt("down")
        .map(|d| d.duration())
        .transpose()?
        .unwrap_or(0);
    Ok((NodeFault::Restart { down_ms }, vec![name]))
}

/// `NAME` or `{node: NAME, grace-period: DURATION}`: graceful node shutdown with the kubelet's
/// `shutdownGracePeriod` (default here 30s; the kubelet's own default, 0, disables graceful shutdown,
/// which is then a `crash-node`).
fn shutdown(body: &Field, nodes: &[NodeSpec]) -> Result<(NodeFault, Vec<String>)> {
    const DEFAULT_MS: u64 = 30_000;
    if !matches!(body.value, serde_yaml_ng::Value::Mapping(_)) {
        let name = known_node(body, nodes)?;
        return Ok((
            NodeFault::Shutdown {
                grace_ms: DEFAULT_MS,
            },
            vec![name],
        ));
    }
    let f = body.fields(&["node", "grace-period"])?;
    let name = known_node(&f.req("node")?, nodes)?;
    let grace = f.opt("grace-period").map(|d| d.duration()).transpose()?;
    let grace_ms = grace.unwrap_or(DEFAULT_MS);
    Ok((NodeFault::Shutdown { grace_ms }, vec![name]))
}

/// `{node: NAME, taint: key[=value]:Effect}` adds a taint; `key:Effect-` removes it (`kubectl taint`).
fn taint(body: &Field, nodes: &[NodeSpec]) -> Result<(NodeFault, Vec<String>)> {
    let f = body.fields(&["node", "taint"])?;
    let name = known_node(&f.req("node")?, nodes)?;
    let field = f.req("taint")?;
    let text = field.str()?;
    let (text, remove) = match text.strip_suffix('-') {
        Some(t) => (t, true),
        None => (text, false),
    };
    let parsed = parse_taint(text).map_err(|why| field.invalid(why))?;
    let (key, value, effect) = parsed;
    Ok((
        NodeFault::Taint {
            key,
            value,
            effect,
            remove,
        },
        vec![name],
    ))
}

/// `key[=value]:Effect` with Effect one of NoSchedule, PreferNoSchedule, NoExecute.
fn parse_taint(text: &str) -> std::result::Result<(String, String, String), String> {
    let Some((kv, effect)) = text.rsplit_once(':') else {
        return Err(format!("{text:?} is not key[=value]:Effect"));
    };
    if !["NoSchedule", "PreferNoSchedule", "NoExecute"].contains(&effect) {
        return Err(format!(
            "{effect:?} is not a taint effect (NoSchedule, PreferNoSchedule or NoExecute)"
        ));
    }
    let (key, value) = kv.split_once('=').unwrap_or((kv, ""));
    if key.is_empty() || key.contains(char::is_whitespace) {
        return Err(format!("{text:?} has no valid key"));
    }
    Ok((key.to_string(), value.to_string(), effect.to_string()))
}

/// `ZONE` or `{zone: ZONE, mode: crash|partition}`: every node of the zone.
fn zone_outage(body: &Field, nodes: &[NodeSpec]) -> Result<(NodeFault, Vec<String>)> {
    let (zone_field, mode) = match body.value {
        serde_yaml_ng::Value::Mapping(_) => {
            let f = body.fields(&["zone", "mode"])?;
            (f.req("zone")?, f.opt("mode"))
        }
        _ => (body.clone(), None),
    };
    let partition = match mode.as_ref().map(|m| m.str()).transpose()? {
        None | Some("crash") => false,
        Some("partition") => true,
        Some(other) => {
            let why = format!("{other:?} is not a mode (crash or partition)");
            return Err(mode.expect("mode").invalid(why));
        }
    };
    let zone = zone_field.str()?;
    let names: Vec<String> = nodes
        .iter()
        .filter(|n| n.zone.as_deref() == Some(zone))
        .map(|n| n.name.clone())
        .collect();
    if names.is_empty() {
        return Err(zone_field.invalid(format!("no node of cluster.nodes is in zone {zone}")));
    }
    let fault = if partition {
        NodeFault::Partition
    } else {
        NodeFault::Crash
    };
    Ok((NodeFault::ZoneOutage(Box::new(fault)), names))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_yaml_ng::Value;

    fn cluster() -> Vec<NodeSpec> {
        let node = |name: &str| NodeSpec {
            name: name.into(),
            zone: None,
            labels: Default::default(),
            cpu_milli: 4000,
            memory_bytes: 1 << 33,
            pods: 110,
            taints: Vec::new(),
            unschedulable: false,
        };
        vec![node("node-1"), node("node-2"), node("node-3")]
    }

    fn read(action: &str, yaml: &str) -> Result<FaultAction> {
        let value: Value = serde_yaml_ng::from_str(yaml).unwrap();
        let field = Field::root("s.yaml", &value).key(action, &value);
        node_fault(action, &field, &cluster())
    }

    fn targets(action: FaultAction) -> (Vec<String>, Option<Dist>) {
        match action {
            FaultAction::Node { nodes, repair, .. } => (nodes, repair),
            other => panic!("not a node fault: {other:?}"),
        }
    }

    #[test]
    fn a_crash_may_name_every_node_and_a_random_repair_time() {
        let (nodes, repair) = targets(
            read(
                "crash-node",
                "{nodes: all, repair: {exponential: {mean: 1h}}}",
            )
            .unwrap(),
        );
        assert_eq!(nodes, ["node-1", "node-2", "node-3"]);
        assert_eq!(repair, Some(Dist::Exponential { mean_ms: 3_600_000 }));
        let (nodes, repair) = targets(read("partition-node", "{nodes: [node-3, node-1]}").unwrap());
        assert_eq!(
            (nodes, repair),
            (vec!["node-3".into(), "node-1".into()], None)
        );
        let (nodes, repair) = targets(read("crash-node", "{node: node-2, repair: 10m}").unwrap());
        assert_eq!(
            (nodes, repair),
            (vec!["node-2".into()], Some(Dist::Const(600_000)))
        );
    }

    #[test]
    fn a_crash_with_unknown_or_doubled_targets_is_refused_with_the_field() {
        let err = |yaml| read("crash-node", yaml).unwrap_err().to_string();
        assert!(
            err("{nodes: some}").contains("neither all nor a list"),
            "{}",
            err("{nodes: some}")
        );
        assert!(err("{nodes: [node-9]}").contains("no node named node-9"));
        assert!(err("{node: node-1, nodes: all}").contains("not both"));
        assert!(
            err("{repair: 1m}").contains("crash-node.node"),
            "{}",
            err("{repair: 1m}")
        );
        assert!(err("{node: node-1, repiar: 1m}").contains("did you mean repair"));
    }

    #[test]
    fn taints_parse_like_kubectl_taint() {
        let t = parse_taint("node.kubernetes.io/out-of-service=nodeshutdown:NoExecute").unwrap();
        assert_eq!(t.0, "node.kubernetes.io/out-of-service");
        assert_eq!((t.1.as_str(), t.2.as_str()), ("nodeshutdown", "NoExecute"));
        assert_eq!(parse_taint("dedicated:NoSchedule").unwrap().1, "");
        assert!(parse_taint("x=y:Sometimes").is_err());
        assert!(parse_taint("novalue").is_err());
    }
}

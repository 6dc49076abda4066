//! The scenario's node faults: `crash-node`, `partition-node`, `restart-node`, `recover-node`,
//! `delete-node`, `taint-node`, `zone-outage`, each aimed at nodes of the scenario's cluster by name
//! (or zone).

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
    let (fault, names) = match action {
        "crash-node" => (NodeFault::Crash, vec![node_name(body, nodes)?]),
        "partition-node" => (NodeFault::Partition, vec![node_name(body, nodes)?]),
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
    })
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

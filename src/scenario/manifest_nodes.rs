//! `kind: Node` objects among the manifests, turned into nodes of the cluster beside `cluster.nodes`.

use super::cluster::DEFAULT_MAX_PODS;
use super::error::ScenarioError;
use super::field::Result;
use super::model::NodeSpec;
use crate::api::Taint;
use crate::manifest::quantity::{parse_bytes, parse_cpu_milli};
use crate::manifest::{Loaded, Object};
use k8s_openapi::api::core::v1::Node;
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use std::collections::{BTreeMap, BTreeSet};

/// The label the zone of a node is read from (kk:staging/src/k8s.io/api/core/v1/well_known_labels.go).
const ZONE_LABEL: &str = "topology.kubernetes.io/zone";

/// Appends a node for every Node manifest, in manifest order; a name `cluster.nodes` already
/// holds is rejected like a second `kubectl create` of it.
pub(crate) fn append(objects: &[Loaded], nodes: &mut Vec<NodeSpec>) -> Result<()> {
    let mut seen: BTreeSet<String> = nodes.iter().map(|n| n.name.clone()).collect();
    for loaded in objects {
        let Object::Node(node) = &loaded.object else {
            continue;
        };
        let spec = node_spec(node, &loaded.source)?;
        if !seen.insert(spec.name.clone()) {
            let reason = format!("node {} is also defined in cluster.nodes", spec.name);
            return Err(invalid(&loaded.source, "metadata.name", reason));
        }
        nodes.push(spec);
    }
    Ok(())
}

/// One Node manifest (defaults applied: allocatable falls back to capacity) as a node.
fn node_spec(node: &Node, file: &str) -> Result<NodeSpec> {
    let labels = node.metadata.labels.clone().unwrap_or_default();
    let empty = BTreeMap::new();
    let allocatable = node
        .status
        .as_ref()
        .and_then(|s| s.allocatable.as_ref())
        .unwrap_or(&empty);
    let get = |name: &str| allocatable.get(name);
    let path = |name: &str| format!("status.allocatable.{name}");
    let cpu_milli = match get("cpu") {
        Some(q) => parse_cpu_milli(q).map_err(|e| invalid(file, &path("cpu"), e.to_string()))?,
        None => return Err(missing(file, &path("cpu"))),
    };
    let memory_bytes = match get("memory") {
        Some(q) => parse_bytes(q).map_err(|e| invalid(file, &path("memory"), e.to_string()))?,
        None => return Err(missing(file, &path("memory"))),
    };
    let pods = get("pods").map_or(Ok(DEFAULT_MAX_PODS), |q| pod_count(q, file))?;
    let spec = node.spec.as_ref();
    Ok(NodeSpec {
        name: node.metadata.name.clone().unwrap_or_default(),
        zone: labels.get(ZONE_LABEL).cloned(),
        labels,
        cpu_milli,
        memory_bytes,
        pods,
        taints: spec
            .and_then(|s| s.taints.as_ref())
            .map_or_else(Vec::new, |t| {
                t.iter()
                    .map(|t| Taint::new(&t.key, t.value.as_deref().unwrap_or(""), &t.effect))
                    .collect()
            }),
        unschedulable: spec.and_then(|s| s.unschedulable).unwrap_or(false),
    })
}

/// `status.allocatable.pods`: a whole number of pods.
fn pod_count(q: &Quantity, file: &str) -> Result<u32> {
    let path = "status.allocatable.pods";
    let milli = parse_cpu_milli(q).map_err(|e| invalid(file, path, e.to_string()))?;
    u32::try_from(milli / 1000).map_err(|_| invalid(file, path, "too many pods".into()))
}

fn invalid(file: &str, path: &str, reason: String) -> ScenarioError {
    ScenarioError::Invalid {
        file: file.to_string(),
        path: path.to_string(),
        reason,
    }
}

fn missing(file: &str, path: &str) -> ScenarioError {
    ScenarioError::MissingField {
        file: file.to_string(),
        path: path.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::parse_str;

    fn nodes_of(yaml: &str) -> Result<Vec<NodeSpec>> {
        let objects = parse_str(yaml, "nodes.yaml").expect("the manifest parses");
        let mut nodes = Vec::new();
        append(&objects, &mut nodes).map(|()| nodes)
    }

    const NODE: &str = "apiVersion: v1\nkind: Node\nmetadata:\n  name: n1\n  labels: {topology.kubernetes.io/zone: z1, gpu: p100}\nspec:\n  taints: [{key: k, value: v, effect: NoSchedule}]\nstatus:\n  capacity: {cpu: 64000m, memory: 1Gi, pods: '1001', example.com/gpu: '2'}\n";

    #[test]
    fn a_node_manifest_becomes_a_node_with_its_zone_labels_taints_and_capacity() {
        let nodes = nodes_of(NODE).expect("the node loads");
        let n = &nodes[0];
        assert_eq!(
            (n.name.as_str(), n.zone.as_deref()),
            ("n1", Some("z1")),
            "name and zone"
        );
        assert_eq!(
            (n.cpu_milli, n.memory_bytes, n.pods),
            (64_000, 1 << 30, 1001)
        );
        assert_eq!(n.labels.get("gpu").map(String::as_str), Some("p100"));
        assert_eq!(n.taints, vec![Taint::new("k", "v", "NoSchedule")]);
    }

    #[test]
    fn a_node_manifest_without_memory_is_rejected_naming_the_field() {
        let yaml = "apiVersion: v1\nkind: Node\nmetadata: {name: n1}\nstatus:\n  allocatable: {cpu: '4'}\n";
        let err = nodes_of(yaml).expect_err("memory is required").to_string();
        assert!(err.contains("status.allocatable.memory"), "{err}");
    }
}

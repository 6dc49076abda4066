//! The scenario's `cluster`: node groups expanded to nodes, provisioner behaviour per
//! StorageClass, and overrides of Kubernetes timings.

use super::dist::Dist;
use super::error::ScenarioError;
use super::field::{unknown_field, Field, Result};
use super::manifests::Index;
use super::model::{NodeSpec, ProvisionerSpec};
use super::timings::Timings;
use std::collections::{BTreeMap, BTreeSet};

/// Kubelet's default `maxPods` (kk:pkg/kubelet/apis/config/v1beta1/defaults.go).
pub(crate) const DEFAULT_MAX_PODS: u32 = 110;

/// Expands `cluster.nodes` groups into nodes, in declaration order.
pub(crate) fn nodes(groups: Option<Field>) -> Result<Vec<NodeSpec>> {
    let mut out = Vec::new();
    let mut seen = BTreeSet::new();
    for group in groups.map(|f| f.list()).transpose()?.unwrap_or_default() {
        node_group(&group, &mut out, &mut seen)?;
    }
    Ok(out)
}

fn node_group(group: &Field, out: &mut Vec<NodeSpec>, seen: &mut BTreeSet<String>) -> Result<()> {
    let f = group.fields(&["count", "name", "zones", "labels", "allocatable"])?;
    let count = f.opt("count").map(|c| c.u64()).transpose()?.unwrap_or(1);
    let name_field = f.req("name")?;
    let pattern = name_field.str()?;
    if count > 1 && !pattern.contains("{i}") {
        let reason =
            format!("{count} nodes need {{i}} in their name (e.g. node-{{i}}) to tell them apart");
        return Err(name_field.invalid(reason));
    }
    let zones = match f.opt("zones") {
        Some(z) => zones(&z)?,
        None => Vec::new(),
    };
    let labels = f
        .opt("labels")
        .map(|l| l.labels())
        .transpose()?
        .unwrap_or_default();
    let (cpu_milli, memory_bytes, pods) = allocatable(&f.req("allocatable")?)?;
    for i in 1..=count {
        let name = pattern.replace("{i}", &i.to_string());
        check_node_name(&name_field, &name, seen)?;
        let zone = (!zones.is_empty()).then(|| zones[(i as usize - 1) % zones.len()].clone());
        let labels = labels.clone();
        out.push(NodeSpec {
            name,
            zone,
            labels,
            cpu_milli,
            memory_bytes,
            pods,
            taints: Vec::new(),
            unschedulable: false,
        });
    }
    Ok(())
}

fn zones(f: &Field) -> Result<Vec<String>> {
    let zones = f
        .list()?
        .iter()
        .map(|z| z.str().map(str::to_string))
        .collect::<Result<Vec<_>>>()?;
    if zones.is_empty() {
        return Err(f.invalid("an empty list of zones; leave `zones` out for nodes without a zone"));
    }
    Ok(zones)
}

/// A node name must be a DNS subdomain (kk:pkg/apis/core/validation ValidateNodeName) and unique.
fn check_node_name(field: &Field, name: &str, seen: &mut BTreeSet<String>) -> Result<()> {
    let ok_chars = name
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.');
    let ok_ends = name.starts_with(|c: char| c.is_ascii_alphanumeric())
        && name.ends_with(|c: char| c.is_ascii_alphanumeric());
    if !(ok_chars && ok_ends && name.len() <= 253) {
        let reason =
            format!("{name:?} is not a valid node name (lower-case letters, digits, '-' and '.')");
        return Err(field.invalid(reason));
    }
    if !seen.insert(name.to_string()) {
        return Err(field.invalid(format!("node {name} is defined twice")));
    }
    Ok(())
}

/// `{cpu, memory, pods}` → (millicores, bytes, pods).
fn allocatable(f: &Field) -> Result<(u64, u64, u32)> {
    let a = f.fields(&["cpu", "memory", "pods"])?;
    let cpu = a.req("cpu")?.cpu_milli()?;
    let memory = a.req("memory")?.bytes()?;
    let pods = match a.opt("pods") {
        Some(p) => u32::try_from(p.u64()?).map_err(|_| p.invalid("too many pods"))?,
        None => DEFAULT_MAX_PODS,
    };
    Ok((cpu, memory, pods))
}

/// `cluster.storage-classes`: each entry must name a StorageClass among the manifests.
pub(crate) fn storage_classes(
    map: Option<Field>,
    index: &Index,
) -> Result<BTreeMap<String, ProvisionerSpec>> {
    let mut out = BTreeMap::new();
    for (class, entry) in map.map(|f| f.entries()).transpose()?.unwrap_or_default() {
        if !index.storage_classes.contains(class) {
            return Err(ScenarioError::UnknownStorageClass {
                file: entry.file.to_string(),
                path: entry.path.clone(),
                class: class.to_string(),
            });
        }
        out.insert(class.to_string(), provisioner(&entry)?);
    }
    Ok(out)
}

fn provisioner(entry: &Field) -> Result<ProvisionerSpec> {
    let f = entry.fields(&["provision", "min-size", "size-step", "attach", "detach"])?;
    let dist = |key: &str| f.opt(key).map(|d| d.dist()).transpose();
    let bytes = |key: &str| f.opt(key).map(|b| b.bytes()).transpose();
    Ok(ProvisionerSpec {
        provision: dist("provision")?.unwrap_or(Dist::Const(1_000)),
        min_size_bytes: bytes("min-size")?.unwrap_or(0),
        size_step_bytes: bytes("size-step")?.unwrap_or(0),
        attach: dist("attach")?.unwrap_or(Dist::Const(1_000)),
        detach: dist("detach")?.unwrap_or(Dist::Const(1_000)),
    })
}

/// `cluster.timings`: upstream defaults with the scenario's overrides.
pub(crate) fn timings(map: Option<Field>) -> Result<Timings> {
    let mut timings = Timings::default();
    for (name, value) in map.map(|f| f.entries()).transpose()?.unwrap_or_default() {
        if Timings::GATES.contains(&name) {
            timings.set_gate(name, value.bool()?);
            continue;
        }
        if !Timings::NAMES.contains(&name) {
            let known: Vec<&str> = Timings::NAMES
                .iter()
                .chain(Timings::GATES)
                .copied()
                .collect();
            return Err(unknown_field(&value, name, &known));
        }
        timings.set(name, value.duration()?);
    }
    Ok(timings)
}

//! Reading a scenario file: the YAML, the manifests it names, and every check, into a [`Scenario`].

use super::apps::app;
use super::cluster;
use super::error::ScenarioError;
use super::faults::faults;
use super::field::{Field, Fields, Result};
use super::manifests::{self, Index};
use super::model::{ClientSpec, Scenario};
use crate::manifest::Loaded;
use std::path::Path;

const TOP: &[&str] = &[
    "name",
    "seed",
    "duration",
    "cluster",
    "manifests",
    "apps",
    "traffic",
    "faults",
    "quorum",
    "testing",
];
const CLUSTER: &[&str] = &["nodes", "storage-classes", "timings"];
const TRAFFIC: &[&str] = &[
    "service",
    "namespace",
    "every",
    "closed-loop",
    "timeout",
    "start",
];

/// Reads and validates the scenario file at `path` and the manifests it names.
pub fn load(path: &Path) -> std::result::Result<Scenario, ScenarioError> {
    let text = std::fs::read_to_string(path).map_err(|e| ScenarioError::Read {
        file: path.display().to_string(),
        reason: e.to_string(),
    })?;
    load_str(&text, path)
}

/// Validates scenario text as if read from `path` (messages name it; manifest files are relative to
/// its folder).
pub fn load_str(text: &str, path: &Path) -> std::result::Result<Scenario, ScenarioError> {
    let file = path.display().to_string();
    let value: serde_yaml_ng::Value =
        serde_yaml_ng::from_str(text).map_err(|e| ScenarioError::Syntax {
            file: file.clone(),
            reason: e.to_string(),
        })?;
    let top = Field::root(&file, &value).fields(TOP)?;
    let base = path.parent().unwrap_or(Path::new("."));
    let objects = manifests::load_all(top.opt("manifests"), base)?;
    build(&top, objects, path)
}

/// Builds the scenario from its checked top-level fields and the manifests' objects.
fn build(top: &Fields, objects: Vec<Loaded>, path: &Path) -> Result<Scenario> {
    let index = Index::new(&objects);
    let base = path.parent().unwrap_or(Path::new("."));
    let duration = top.req("duration")?;
    let duration_ms = duration.duration()?;
    if duration_ms == 0 {
        return Err(duration.invalid("a scenario must last longer than 0s"));
    }
    let cluster = top.opt("cluster").map(|c| c.fields(CLUSTER)).transpose()?;
    let part = |key: &str| cluster.as_ref().and_then(|c| c.opt(key));
    let mut nodes = cluster::nodes(part("nodes"))?;
    super::manifest_nodes::append(&objects, &mut nodes)?;
    let cx = super::faults::Context {
        index: &index,
        nodes: &nodes,
        base,
        duration_ms,
    };
    let faults = faults(top.opt("faults"), &cx)?;
    Ok(Scenario {
        name: scenario_name(&top.req("name")?)?,
        source: path.to_path_buf(),
        seed: top.opt("seed").map(|s| s.u64()).transpose()?.unwrap_or(1),
        duration_ms,
        nodes,
        storage_classes: cluster::storage_classes(part("storage-classes"), &index)?,
        timings: cluster::timings(part("timings"))?,
        apps: each(top.opt("apps"), |f| app(f, &index))?,
        traffic: each(top.opt("traffic"), |f| client(f, &index))?,
        faults,
        quorums: each(top.opt("quorum"), |f| super::quorum::quorum(f, &index))?,
        testing: super::testing::testing(top.opt("testing"))?,
        objects,
    })
}

/// Reads every item of an optional list with `read`.
fn each<T>(list: Option<Field>, read: impl Fn(&Field) -> Result<T>) -> Result<Vec<T>> {
    let items = list.map(|f| f.list()).transpose()?.unwrap_or_default();
    items.iter().map(read).collect()
}

/// The name is the output folder's name: `[a-z0-9-]+`.
fn scenario_name(field: &Field) -> Result<String> {
    let name = field.str()?;
    let ok = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-';
    if name.is_empty() || !name.chars().all(ok) {
        let reason = format!("{name:?} is not a valid name (lower-case letters, digits and '-')");
        return Err(field.invalid(reason));
    }
    Ok(name.to_string())
}

fn client(item: &Field, index: &Index) -> Result<ClientSpec> {
    let f = item.fields(TRAFFIC)?;
    let service_field = f.req("service")?;
    let service = service_field.str()?.to_string();
    let namespace = f
        .opt("namespace")
        .map(|n| n.str())
        .transpose()?
        .unwrap_or("default")
        .to_string();
    if !index
        .services
        .contains(&(namespace.clone(), service.clone()))
    {
        let (file, path) = (item.file.to_string(), service_field.path.clone());
        return Err(ScenarioError::UnknownService {
            file,
            path,
            namespace,
            service,
        });
    }
    Ok(ClientSpec {
        every_ms: positive(&f, "every", None)?,
        closed_loop: f
            .opt("closed-loop")
            .map(|c| c.bool())
            .transpose()?
            .unwrap_or(false),
        timeout_ms: positive(&f, "timeout", Some(30_000))?,
        start_ms: f
            .opt("start")
            .map(|s| s.duration())
            .transpose()?
            .unwrap_or(0),
        service,
        namespace,
    })
}

/// The duration `key`, which must be longer than zero; required when there is no `default`.
fn positive(f: &Fields, key: &str, default: Option<u64>) -> Result<u64> {
    let field = match (f.opt(key), default) {
        (Some(field), _) => field,
        (None, Some(ms)) => return Ok(ms),
        (None, None) => return Err(f.field.missing(key)),
    };
    match field.duration()? {
        0 => Err(field.invalid("must be longer than 0s")),
        ms => Ok(ms),
    }
}

#[cfg(test)]
#[path = "load_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "changes_tests.rs"]
mod changes_tests;

#[cfg(test)]
#[path = "apps_tests.rs"]
mod apps_tests;

#[cfg(test)]
#[path = "control_plane_tests.rs"]
mod control_plane_tests;

//! A study file (`kubesim sweep STUDY.yaml`): a scenario, a grid of values for fields of it
//! addressed by path, and the replications per grid point; each point loaded as a scenario.

use super::error::ScenarioError;
use super::field::{Field, Result};
use super::model::Scenario;
use serde_yaml_ng::Value;
use std::path::{Path, PathBuf};

/// A parameter sweep, every grid point loaded and checked.
#[derive(Debug, Clone)]
pub struct Study {
    /// The study file's name without its extension (output/<name>/ by default).
    pub name: String,
    /// The scenario file, relative to the current directory.
    pub scenario_file: PathBuf,
    /// `seed`, if the study sets it (otherwise the scenario's).
    pub seed: Option<u64>,
    pub replications: u64,
    /// The parameters' paths, as written.
    pub parameters: Vec<String>,
    /// The grid: every combination of the parameters' values, the first parameter varying slowest.
    pub points: Vec<Point>,
}

/// One grid point: the parameters' values (as written) and the scenario with them set.
#[derive(Debug, Clone)]
pub struct Point {
    pub values: Vec<String>,
    pub scenario: Scenario,
}

const TOP: &[&str] = &["scenario", "seed", "replications", "parameters"];

/// Reads the study file at `path`, and the scenario it names once per grid point.
pub fn load_study(path: &Path) -> std::result::Result<Study, ScenarioError> {
    let file = path.display().to_string();
    let read = |p: &Path| {
        std::fs::read_to_string(p).map_err(|e| ScenarioError::Read {
            file: p.display().to_string(),
            reason: e.to_string(),
        })
    };
    let text = read(path)?;
    let value: Value = serde_yaml_ng::from_str(&text).map_err(|e| ScenarioError::Syntax {
        file: file.clone(),
        reason: e.to_string(),
    })?;
    let top = Field::root(&file, &value).fields(TOP)?;
    let scenario_field = top.req("scenario")?;
    let base = path.parent().unwrap_or(Path::new("."));
    let scenario_file = base.join(scenario_field.str()?);
    let scenario_text = read(&scenario_file)?;
    let scenario_value: Value =
        serde_yaml_ng::from_str(&scenario_text).map_err(|e| ScenarioError::Syntax {
            file: scenario_file.display().to_string(),
            reason: e.to_string(),
        })?;
    let replications = top.req("replications")?;
    let count = replications.u64()?;
    if count == 0 {
        return Err(replications.invalid("a study needs at least 1 replication"));
    }
    let seed = top.opt("seed").map(|s| s.u64()).transpose()?;
    let params = top.req("parameters")?.list()?;
    let mut parameters = Vec::new();
    let mut axes = Vec::new();
    for p in &params {
        let f = p.fields(&["path", "values"])?;
        let path_field = f.req("path")?;
        let values = f.req("values")?.list()?;
        if values.is_empty() {
            return Err(f
                .req("values")?
                .invalid("a parameter needs at least one value"));
        }
        parameters.push(path_field.str()?.to_string());
        axes.push((path_field, values));
    }
    let mut points = Vec::new();
    for combination in grid(&axes.iter().map(|(_, v)| v.len()).collect::<Vec<_>>()) {
        let mut doc = scenario_value.clone();
        let mut shown = Vec::new();
        for (axis, &i) in combination.iter().enumerate() {
            let (path_field, values) = &axes[axis];
            let value = &values[i];
            set_path(
                &mut doc,
                path_field.str()?,
                value.value.clone(),
                &scenario_file,
                &read,
            )
            .map_err(|why| path_field.invalid(why))?;
            shown.push(scalar_text(value)?);
        }
        let text = serde_yaml_ng::to_string(&doc).expect("a YAML value serializes");
        let scenario = super::load_str(&text, &scenario_file).map_err(|e| {
            let at = &axes[0].1[combination[0]];
            at.invalid(format!(
                "the scenario with {} is invalid: {e}",
                shown.join(", ")
            ))
        })?;
        points.push(Point {
            values: shown,
            scenario,
        });
    }
    let name = path
        .file_stem()
        .map_or("study".into(), |s| s.to_string_lossy().into_owned());
    Ok(Study {
        name,
        scenario_file,
        seed,
        replications: count,
        parameters,
        points,
    })
}

/// Every combination of indexes into axes of these lengths, the first axis varying slowest.
fn grid(lengths: &[usize]) -> Vec<Vec<usize>> {
    let mut out = vec![Vec::new()];
    for &n in lengths {
        out = out
            .into_iter()
            .flat_map(|prefix| {
                (0..n).map(move |i| {
                    let mut p = prefix.clone();
                    p.push(i);
                    p
                })
            })
            .collect();
    }
    out
}

/// A value as the sweep's files show it (`3`, `10m`, `true`); a mapping or list is refused.
fn scalar_text(f: &Field) -> Result<String> {
    match f.value {
        Value::String(s) => Ok(s.clone()),
        Value::Number(n) => Ok(n.to_string()),
        Value::Bool(b) => Ok(b.to_string()),
        _ => Err(f.wrong_type("a number, a string or a boolean")),
    }
}

/// One step of a parameter's path: a key, a list index `[2]`, or a manifest `[Deployment/web]`.
#[derive(Debug, Clone, PartialEq)]
enum Step {
    Key(String),
    Index(usize),
    Object { kind: String, name: String },
}

/// Splits `manifests[Deployment/web].spec.replicas` or `faults[0].at` into steps.
fn steps(path: &str) -> std::result::Result<Vec<Step>, String> {
    let mut out = Vec::new();
    for part in path.split('.') {
        let (key, mut rest) = part.split_once('[').map_or((part, ""), |(k, r)| (k, r));
        if !key.is_empty() {
            out.push(Step::Key(key.to_string()));
        }
        while !rest.is_empty() {
            let (inside, after) = rest
                .split_once(']')
                .ok_or_else(|| format!("{path:?}: a [ without its ]"))?;
            out.push(match (inside.parse::<usize>(), inside.split_once('/')) {
                (Ok(i), _) => Step::Index(i),
                (_, Some((kind, name))) => Step::Object {
                    kind: kind.into(),
                    name: name.into(),
                },
                _ => {
                    return Err(format!(
                        "{path:?}: [{inside}] is neither an index nor Kind/name"
                    ))
                }
            });
            rest = after.strip_prefix('[').unwrap_or(after);
        }
    }
    if out.is_empty() {
        return Err("the path is empty".into());
    }
    Ok(out)
}

/// Sets the field at `path` of the scenario document to `value`; a `[Kind/name]` step into
/// `manifests` finds that object in an inline document or a manifest file (which is then inlined).
fn set_path(
    doc: &mut Value,
    path: &str,
    value: Value,
    scenario_file: &Path,
    read: &dyn Fn(&Path) -> std::result::Result<String, ScenarioError>,
) -> std::result::Result<(), String> {
    let steps = steps(path)?;
    let mut at = doc;
    for (n, step) in steps.iter().enumerate() {
        let last = n + 1 == steps.len();
        at = match step {
            Step::Key(k) => {
                let Value::Mapping(m) = at else {
                    return Err(format!("{path:?}: {k} is not inside a mapping"));
                };
                if m.get(k.as_str()).is_none() {
                    let empty = if last {
                        Value::Null
                    } else {
                        Value::Mapping(Default::default())
                    };
                    m.insert(Value::String(k.clone()), empty);
                }
                m.get_mut(k.as_str()).expect("just ensured")
            }
            Step::Index(i) => {
                let Value::Sequence(items) = at else {
                    return Err(format!("{path:?}: [{i}] is not inside a list"));
                };
                let len = items.len();
                items
                    .get_mut(*i)
                    .ok_or(format!("{path:?}: [{i}] is past the list's {len} items"))?
            }
            Step::Object { kind, name } => {
                inline_manifests(at, scenario_file, read)?;
                find_object(at, kind, name)
                    .ok_or(format!("{path:?}: no {kind}/{name} among the manifests"))?
            }
        };
    }
    *at = value;
    Ok(())
}

/// Replaces each manifest file named in the list `list` by its documents, inline.
fn inline_manifests(
    list: &mut Value,
    scenario_file: &Path,
    read: &dyn Fn(&Path) -> std::result::Result<String, ScenarioError>,
) -> std::result::Result<(), String> {
    let Value::Sequence(items) = list else {
        return Err("[Kind/name] addresses an object of the list `manifests`".into());
    };
    let base = scenario_file.parent().unwrap_or(Path::new("."));
    let mut out = Vec::new();
    for item in items.drain(..) {
        let Value::String(relative) = &item else {
            out.push(item);
            continue;
        };
        let text = read(&base.join(relative)).map_err(|e| e.to_string())?;
        for doc in serde_yaml_ng::Deserializer::from_str(&text) {
            let doc = <Value as serde::Deserialize>::deserialize(doc)
                .map_err(|e| format!("{relative}: not valid YAML: {e}"))?;
            if !doc.is_null() {
                out.push(doc);
            }
        }
    }
    *items = out;
    Ok(())
}

/// The inline document of `kind` named `name` in the list `list`.
fn find_object<'v>(list: &'v mut Value, kind: &str, name: &str) -> Option<&'v mut Value> {
    let Value::Sequence(items) = list else {
        return None;
    };
    items.iter_mut().find(|d| {
        d.get("kind").and_then(Value::as_str) == Some(kind)
            && d.get("metadata")
                .and_then(|m| m.get("name"))
                .and_then(Value::as_str)
                == Some(name)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_split_into_keys_indexes_and_objects() {
        assert_eq!(
            steps("manifests[Deployment/web].spec.replicas").unwrap(),
            [
                Step::Key("manifests".into()),
                Step::Object {
                    kind: "Deployment".into(),
                    name: "web".into()
                },
                Step::Key("spec".into()),
                Step::Key("replicas".into()),
            ]
        );
        assert_eq!(
            steps("faults[0].at").unwrap(),
            [
                Step::Key("faults".into()),
                Step::Index(0),
                Step::Key("at".into())
            ]
        );
        assert!(steps("faults[x].at").is_err() && steps("faults[0.at").is_err());
    }

    #[test]
    fn setting_a_path_replaces_the_value_and_inlines_a_manifest_file() {
        let mut doc: Value = serde_yaml_ng::from_str(
            "faults: [{at: 1m}]\ncluster: {timings: {}}\nmanifests: [web.yaml]\n",
        )
        .unwrap();
        let read = |_: &Path| {
            Ok("kind: Service\nmetadata: {name: web}\n---\nkind: Deployment\nmetadata: {name: web}\nspec: {replicas: 1}\n".to_string())
        };
        let file = Path::new("s/x.yaml");
        set_path(&mut doc, "faults[0].at", "2m".into(), file, &read).unwrap();
        set_path(
            &mut doc,
            "cluster.timings.node-monitor-grace-period",
            "20s".into(),
            file,
            &read,
        )
        .unwrap();
        set_path(
            &mut doc,
            "manifests[Deployment/web].spec.replicas",
            3.into(),
            file,
            &read,
        )
        .unwrap();
        let text = serde_yaml_ng::to_string(&doc).unwrap();
        assert!(
            text.contains("at: 2m") && text.contains("node-monitor-grace-period: 20s"),
            "{text}"
        );
        assert!(
            text.contains("replicas: 3") && text.contains("kind: Service"),
            "{text}"
        );
        let err = set_path(
            &mut doc,
            "manifests[Deployment/api].spec",
            1.into(),
            file,
            &read,
        );
        assert!(err.unwrap_err().contains("no Deployment/api"));
    }

    #[test]
    fn the_grid_varies_the_last_parameter_fastest() {
        assert_eq!(grid(&[2, 2]), [[0, 0], [0, 1], [1, 0], [1, 1]]);
        assert_eq!(grid(&[3]).len(), 3);
    }
}

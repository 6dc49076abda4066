//! The scenario's `faults`: actions at points in time (fixed, drawn from a distribution, or a
//! Poisson process with a mean time between failures), each aimed at pods by a label selector that
//! must select the pods of some workload among the manifests, or a change to a named object
//! (`changes.rs`).

use super::changes::{change, CHANGES};
use super::control_plane::{control_plane_fault, CONTROL_PLANE_ACTIONS};
use super::duration::show;
use super::error::ScenarioError;
use super::field::{Field, Fields, Result};
use super::manifests::{Index, Template};
use super::model::{FaultAction, FaultSpec, FaultTiming, NodeFault, NodeSpec, Pick, PodSelector};
use super::node_faults::{node_fault, NODE_ACTIONS};
use super::node_maintenance::{maintenance_action, MAINTENANCE_ACTIONS};
use std::collections::BTreeMap;
use std::path::Path;

/// The actions on pods a fault may take, as the scenario spells them (then come the [`CHANGES`]).
const ACTIONS: &[&str] = &["delete-pod", "kill-container", "force-delete-pod"];

/// What a fault is checked against: the manifests, the cluster's node names, the folder `apply`'s
/// files are relative to, and the scenario's length.
pub(crate) struct Context<'c> {
    pub index: &'c Index,
    pub nodes: &'c [NodeSpec],
    pub base: &'c Path,
    pub duration_ms: u64,
}

/// Reads `faults`, sorted by `at` (stable: equal times keep file order).
pub(crate) fn faults(list: Option<Field>, cx: &Context) -> Result<Vec<FaultSpec>> {
    let items = list.map(|f| f.list()).transpose()?.unwrap_or_default();
    let mut out = items
        .iter()
        .map(|f| fault(f, cx))
        .collect::<Result<Vec<_>>>()?;
    out.sort_by_key(|f| f.at_ms);
    Ok(out)
}

fn fault(item: &Field, cx: &Context) -> Result<FaultSpec> {
    let (duration_ms, index, base) = (cx.duration_ms, cx.index, cx.base);
    let all: Vec<&str> = ACTIONS
        .iter()
        .chain(CHANGES)
        .chain(NODE_ACTIONS)
        .chain(MAINTENANCE_ACTIONS)
        .chain(CONTROL_PLANE_ACTIONS)
        .copied()
        .collect();
    let keys: Vec<&str> = WHEN.iter().chain(&all).copied().collect();
    let f = item.fields(&keys)?;
    let (at_ms, timing) = timing(&f, duration_ms)?;
    let actions: Vec<&str> = f
        .present()
        .into_iter()
        .filter(|k| all.contains(k))
        .collect();
    let [action] = actions[..] else {
        let reason = format!("a fault has exactly one action, one of: {}", all.join(", "));
        return Err(item.invalid(reason));
    };
    let body = f.req(action)?;
    let action = match action {
        "delete-pod" => delete_pod(&body, index)?,
        "kill-container" => kill_container(&body, index)?,
        "force-delete-pod" => match delete_pod(&body, index)? {
            FaultAction::DeletePod { selector, .. } => FaultAction::ForceDeletePod { selector },
            other => other,
        },
        a if NODE_ACTIONS.contains(&a) => node_fault(a, &body, cx.nodes)?,
        a if CONTROL_PLANE_ACTIONS.contains(&a) => {
            FaultAction::ControlPlane(control_plane_fault(a, &body)?)
        }
        a if MAINTENANCE_ACTIONS.contains(&a) => {
            let names: Vec<&str> = cx.nodes.iter().map(|n| n.name.as_str()).collect();
            maintenance_action(a, &body, &names)?
        }
        _ => change(action, &body, index, base)?,
    };
    let pick = pick(&f, &action)?;
    Ok(FaultSpec {
        at_ms,
        timing,
        pick,
        action,
    })
}

/// The keys of a fault that say when it happens and what it hits (then comes its action).
const WHEN: &[&str] = &["at", "every", "pick"];

/// The most faults a repeated fault may expect over the scenario (duration / mtbf).
const MAX_EXPECTED_FAULTS: u64 = 100_000;

/// `at` (a duration, or a distribution to draw it from) and `every: {mtbf}`: when the fault happens.
fn timing(f: &Fields, duration_ms: u64) -> Result<(u64, FaultTiming)> {
    let every = f.opt("every").map(|e| mtbf(&e, duration_ms)).transpose()?;
    let at = match (f.opt("at"), every) {
        (None, Some(mtbf_ms)) => return Ok((0, FaultTiming::Every { mtbf_ms })),
        (None, None) => return Err(f.field.missing("at")),
        (Some(at), _) => at,
    };
    let dist = at.dist()?;
    match (dist.as_const(), every) {
        (Some(at_ms), _) if at_ms > duration_ms => {
            let (at_s, end) = (show(at_ms), show(duration_ms));
            Err(at.invalid(format!("{at_s} is after the end of the scenario ({end})")))
        }
        (Some(at_ms), None) => Ok((at_ms, FaultTiming::Fixed)),
        (Some(at_ms), Some(mtbf_ms)) => Ok((at_ms, FaultTiming::Every { mtbf_ms })),
        (None, Some(_)) => Err(at
            .invalid("a repeated fault starts at a fixed time (`every` draws the times after it)")),
        (None, None) => Ok((0, FaultTiming::Drawn(dist))),
    }
}

/// `every: {mtbf: 10d}`: the mean time between failures of a Poisson process of faults.
fn mtbf(every: &Field, duration_ms: u64) -> Result<u64> {
    let mtbf = every.fields(&["mtbf"])?.req("mtbf")?;
    let mtbf_ms = mtbf.duration()?;
    if mtbf_ms == 0 {
        return Err(mtbf.invalid("the mean time between failures must be more than 0s"));
    }
    let expected = duration_ms / mtbf_ms;
    if expected > MAX_EXPECTED_FAULTS {
        let reason = format!(
            "{} over the scenario's {} expects {expected} faults; at most {MAX_EXPECTED_FAULTS} are allowed",
            show(mtbf_ms),
            show(duration_ms)
        );
        return Err(mtbf.invalid(reason));
    }
    Ok(mtbf_ms)
}

/// `pick: all` (the default) or `pick: one` (one of the selected pods, at random).
fn pick(f: &Fields, action: &FaultAction) -> Result<Pick> {
    let Some(field) = f.opt("pick") else {
        return Ok(Pick::All);
    };
    let pick = match field.str()? {
        "all" => Pick::All,
        "one" => Pick::One,
        other => {
            let reason = format!("{other:?} is neither all nor one");
            return Err(field.invalid(reason));
        }
    };
    let one_of_many = match action {
        FaultAction::DeletePod { .. } | FaultAction::KillContainer { .. } => true,
        FaultAction::Node { fault, .. } => matches!(fault, NodeFault::Crash | NodeFault::Partition),
        _ => false,
    };
    if pick == Pick::One && !one_of_many {
        let reason = format!(
            "pick: one applies to delete-pod, kill-container, crash-node and partition-node, not {}",
            action.name()
        );
        return Err(field.invalid(reason));
    }
    Ok(pick)
}

fn delete_pod(body: &Field, index: &Index) -> Result<FaultAction> {
    let f = body.fields(&["selector", "pod", "namespace", "grace-period"])?;
    let selector = match f.opt("pod") {
        Some(pod) if f.opt("selector").is_none() => stateful_pod(&f, &pod, index)?,
        Some(_) => return Err(f.field.invalid("name either selector or pod, not both")),
        None => selector(&f, index)?.0,
    };
    let grace_period_ms = f.opt("grace-period").map(|g| g.duration()).transpose()?;
    Ok(FaultAction::DeletePod {
        selector,
        grace_period_ms,
    })
}

fn kill_container(body: &Field, index: &Index) -> Result<FaultAction> {
    let f = body.fields(&["selector", "namespace", "container"])?;
    let (selector, templates) = selector(&f, index)?;
    let container = match f.opt("container") {
        None => None,
        Some(c) => {
            let name = c.str()?;
            if !templates
                .iter()
                .any(|t| t.containers.iter().any(|n| n == name))
            {
                let reason = format!("the pods it selects have no container named {name}");
                return Err(c.invalid(reason));
            }
            Some(name.to_string())
        }
    };
    Ok(FaultAction::KillContainer {
        selector,
        container,
    })
}

/// `pod: <set>-<ordinal>` (`kubectl delete pod web-0`): a pod of a StatefulSet among the manifests,
/// selected by its template's labels and the pod-name label the controller gives it.
fn stateful_pod(f: &Fields, field: &Field, index: &Index) -> Result<PodSelector> {
    let namespace = match f.opt("namespace") {
        Some(ns) => ns.str()?.to_string(),
        None => "default".to_string(),
    };
    let name = field.str()?;
    let set = name
        .rsplit_once('-')
        .filter(|(_, o)| o.parse::<u32>().is_ok());
    let template = set.and_then(|(set, _)| {
        let owner = ("StatefulSet", set.to_string());
        index
            .templates
            .iter()
            .find(|t| t.owner == owner && t.namespace == namespace)
    });
    let Some(template) = template else {
        let reason = format!("no StatefulSet in the manifests has a pod {namespace}/{name} (StatefulSet pods are named <set>-<ordinal>)");
        return Err(field.invalid(reason));
    };
    let mut labels = template.labels.clone();
    labels.insert(
        "statefulset.kubernetes.io/pod-name".into(),
        name.to_string(),
    );
    Ok(PodSelector { namespace, labels })
}

/// `selector` (`k=v,k=v` or a mapping) and `namespace` (default `default`) of an action, with the
/// pod templates it selects; selecting none is an error.
pub(crate) fn selector<'i>(
    f: &Fields,
    index: &'i Index,
) -> Result<(PodSelector, Vec<&'i Template>)> {
    let field = f.req("selector")?;
    let labels = match field.value {
        serde_yaml_ng::Value::Mapping(_) => field.labels()?,
        _ => parse_selector(field.str()?).map_err(|why| field.invalid(why))?,
    };
    if labels.is_empty() {
        return Err(field.invalid("an empty selector; name at least one label, like app=web"));
    }
    let namespace = match f.opt("namespace") {
        Some(ns) => ns.str()?.to_string(),
        None => "default".to_string(),
    };
    let templates: Vec<&Template> = index.matching(Some(&namespace), &labels).collect();
    if templates.is_empty() {
        return Err(no_match(&field, &namespace, &labels));
    }
    Ok((PodSelector { namespace, labels }, templates))
}

/// An error: `labels` (in `namespace`, if given) select no workload's pods.
pub(crate) fn no_match(
    field: &Field,
    namespace: &str,
    labels: &BTreeMap<String, String>,
) -> ScenarioError {
    let mut selector = show_labels(labels);
    if namespace != "default" {
        selector = format!("{selector} (namespace {namespace})");
    }
    let (file, path) = (field.file.to_string(), field.path.clone());
    ScenarioError::NoMatch {
        file,
        path,
        selector,
    }
}

/// `app=web,tier=db`.
pub(crate) fn show_labels(labels: &BTreeMap<String, String>) -> String {
    labels
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(",")
}

/// Parses `key=value[,key=value]`, like `kubectl -l` with equality only.
pub(crate) fn parse_selector(text: &str) -> std::result::Result<BTreeMap<String, String>, String> {
    let mut labels = BTreeMap::new();
    for term in text.split(',').map(str::trim).filter(|t| !t.is_empty()) {
        let Some((key, value)) = term.split_once('=') else {
            return Err(format!("{term:?} is not key=value"));
        };
        let (key, value) = (key.trim(), value.trim_start_matches('=').trim());
        let bad = |s: &str| s.contains(|c: char| c.is_whitespace() || "!=()".contains(c));
        if key.is_empty() || bad(key) || bad(value) {
            return Err(format!(
                "{term:?} is not key=value (only equality selectors are supported)"
            ));
        }
        if labels.insert(key.to_string(), value.to_string()).is_some() {
            return Err(format!("{key} appears twice"));
        }
    }
    Ok(labels)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selectors_parse_into_labels() {
        let labels = parse_selector("app=mariadb, tier==db").unwrap();
        assert_eq!(show_labels(&labels), "app=mariadb,tier=db");
    }

    #[test]
    fn set_based_or_malformed_selectors_are_rejected() {
        for text in ["app", "app!=x", "tier in (a,b)", "=x", "a=1,a=2"] {
            assert!(parse_selector(text).is_err(), "{text}");
        }
    }
}

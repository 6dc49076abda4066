//! API-server validation of a defaulted object: metadata, Pods, ConfigMaps, Secrets, and dispatch.
//!
//! The workload, Service, storage and pod-spec checks live in the other validate_*.rs files.
//! Checks and messages follow kk:pkg/apis/core/validation/validation.go and
//! kk:pkg/apis/apps/validation/validation.go; what a simulator cannot use (annotation sizes, label
//! key syntax, security contexts) is left out.

use super::error::{quote, FieldError};
use super::names::{self, NameRule};
use super::quantity::QuantityError;
use super::{
    validate_pod, validate_storage as storage, validate_svc, validate_workload as workload, Object,
};
use k8s_openapi::api::core::v1::{ConfigMap, Pod, Secret};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

/// Every validation error of the object, in the API server's order (metadata first).
pub(crate) fn object(obj: &Object) -> Vec<FieldError> {
    let mut errs = Vec::new();
    metadata(obj, &mut errs);
    match obj {
        Object::Deployment(d) => workload::deployment(d, &mut errs),
        Object::ReplicaSet(r) => workload::replica_set(r, &mut errs),
        Object::StatefulSet(s) => workload::stateful_set(s, &mut errs),
        Object::DaemonSet(d) => workload::daemon_set(d, &mut errs),
        Object::Job(j) => workload::job(j, &mut errs),
        Object::PodDisruptionBudget(p) => workload::disruption_budget(p, &mut errs),
        Object::Pod(p) => pod(p, &mut errs),
        Object::Service(s) => validate_svc::service(s, &mut errs),
        Object::PersistentVolumeClaim(c) => storage::claim(c, &mut errs),
        Object::PersistentVolume(v) => storage::persistent_volume(v, &mut errs),
        Object::StorageClass(c) => storage::storage_class(c, &mut errs),
        Object::ConfigMap(c) => config_map(c, &mut errs),
        Object::Secret(s) => secret(s, &mut errs),
        Object::Node(_) => {}
    }
    errs
}

/// `ValidateObjectMeta`: a name of the kind's syntax, and a namespace that is a DNS label.
fn metadata(obj: &Object, errs: &mut Vec<FieldError>) {
    let meta = obj.metadata();
    match meta.name.as_deref() {
        None | Some("") if meta.generate_name.is_some() => errs.push(FieldError::required(
            "metadata.name",
            "kubesim needs a name (generateName is not supported)",
        )),
        None | Some("") => errs.push(FieldError::required(
            "metadata.name",
            "name or generateName is required",
        )),
        Some(name) => invalid_all(
            "metadata.name",
            name,
            names::check(name_rule(obj), name),
            errs,
        ),
    }
    if let Some(ns) = meta.namespace.as_deref() {
        invalid_all("metadata.namespace", ns, names::dns1123_label(ns), errs);
    }
}

/// kk:pkg/apis/apps/validation `ValidateStatefulSetName` (a DNS label, so pods' hostnames are
/// valid) and kk:pkg/apis/core/validation `ValidateServiceName` (DNS-1035); the rest are subdomains.
fn name_rule(obj: &Object) -> NameRule {
    match obj {
        Object::StatefulSet(_) => NameRule::Label,
        Object::Service(_) => NameRule::Dns1035,
        _ => NameRule::Subdomain,
    }
}

/// `ValidatePodCreate`: the spec, with any restart policy.
fn pod(p: &Pod, errs: &mut Vec<FieldError>) {
    match p.spec.as_ref() {
        Some(spec) => validate_pod::pod_spec(spec, "spec", &[], errs),
        None => errs.push(FieldError::required("spec.containers", "")),
    }
}

/// `ValidateConfigMap`: keys are config keys, and no key is in both data and binaryData.
fn config_map(c: &ConfigMap, errs: &mut Vec<FieldError>) {
    for key in c.data.iter().flatten().map(|(k, _)| k) {
        invalid_all(&format!("data[{key}]"), key, names::config_key(key), errs);
    }
    for key in c.binary_data.iter().flatten().map(|(k, _)| k) {
        invalid_all(
            &format!("binaryData[{key}]"),
            key,
            names::config_key(key),
            errs,
        );
        if c.data.as_ref().is_some_and(|d| d.contains_key(key)) {
            errs.push(FieldError::duplicate(format!("data[{key}]"), key));
        }
    }
}

/// `ValidateSecret`: keys of data and stringData are config keys.
fn secret(s: &Secret, errs: &mut Vec<FieldError>) {
    let data = s.data.iter().flatten().map(|(k, _)| ("data", k));
    let string_data = s
        .string_data
        .iter()
        .flatten()
        .map(|(k, _)| ("stringData", k));
    for (field, key) in data.chain(string_data) {
        invalid_all(
            &format!("{field}[{key}]"),
            key,
            names::config_key(key),
            errs,
        );
    }
}

/// One `Invalid value` per message (name and key checks return several).
pub(crate) fn invalid_all(path: &str, value: &str, msgs: Vec<String>, errs: &mut Vec<FieldError>) {
    errs.extend(
        msgs.iter()
            .map(|m| FieldError::invalid(path, quote(value), m)),
    );
}

/// `ValidateNonnegativeField`.
pub(crate) fn nonnegative<T: Into<i64>>(value: Option<T>, path: &str, errs: &mut Vec<FieldError>) {
    if let Some(v) = value.map(Into::into).filter(|v| *v < 0) {
        errs.push(FieldError::invalid(
            path,
            v,
            "must be greater than or equal to 0",
        ));
    }
}

/// `must be between 1 and 65535, inclusive` for port numbers.
pub(crate) fn port_number(port: i32, path: &str, errs: &mut Vec<FieldError>) {
    if !(1..=65535).contains(&port) {
        errs.push(FieldError::invalid(
            path,
            port,
            "must be between 1 and 65535, inclusive",
        ));
    }
}

/// `NotSupported` unless `value` is one of `supported` (absent values are left to defaulting).
pub(crate) fn one_of(
    value: Option<&str>,
    supported: &[&str],
    path: &str,
    errs: &mut Vec<FieldError>,
) {
    if let Some(v) = value.filter(|v| !supported.contains(v)) {
        errs.push(FieldError::not_supported(path, v, supported));
    }
}

/// kk:pkg/apis/apps/validation `ValidatePositiveIntOrPercent` and `IsNotMoreThan100Percent` when
/// `max_100`; returns the number (`getIntOrPercentValue`) when valid.
pub(crate) fn int_or_percent(
    v: &IntOrString,
    path: &str,
    max_100: bool,
    errs: &mut Vec<FieldError>,
) -> Option<i64> {
    let (shown, number) = match v {
        IntOrString::Int(i) => (i.to_string(), Some(i64::from(*i))),
        IntOrString::String(s) => (quote(s), percent(s)),
    };
    match (v, number) {
        (IntOrString::String(_), None) => errs.push(FieldError::invalid(path, &shown, PERCENT_MSG)),
        (_, Some(n)) if n < 0 => errs.push(FieldError::invalid(
            path,
            &shown,
            "must be greater than or equal to 0",
        )),
        (IntOrString::String(_), Some(n)) if max_100 && n > 100 => errs.push(FieldError::invalid(
            path,
            &shown,
            "must not be greater than 100%",
        )),
        _ => return number,
    }
    None
}

const PERCENT_MSG: &str =
    "a valid percent string must be a numeric string followed by an ending '%' \
(e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')";

/// `IsValidPercent`: `[0-9]+%`.
fn percent(s: &str) -> Option<i64> {
    let digits = s.strip_suffix('%')?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// The API server's detail for a quantity that does not parse.
pub(crate) fn quantity_detail(e: &QuantityError) -> &'static str {
    match e {
        QuantityError::Malformed { .. } => {
            "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"
        }
        QuantityError::Negative { .. } => "must be greater than or equal to 0",
        QuantityError::TooLarge { .. } => "is too large",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentages_and_non_negative_integers_are_accepted() {
        let mut errs = Vec::new();
        assert_eq!(
            int_or_percent(&IntOrString::String("25%".into()), "p", true, &mut errs),
            Some(25)
        );
        assert_eq!(
            int_or_percent(&IntOrString::Int(3), "p", true, &mut errs),
            Some(3)
        );
        assert!(errs.is_empty());
        assert_eq!(
            int_or_percent(&IntOrString::String("25".into()), "p", true, &mut errs),
            None
        );
        assert_eq!(
            int_or_percent(&IntOrString::String("150%".into()), "p", true, &mut errs),
            None
        );
        assert_eq!(
            int_or_percent(&IntOrString::Int(-1), "p", true, &mut errs),
            None
        );
        assert_eq!(errs.len(), 3);
        assert!(errs[1].detail.ends_with("must not be greater than 100%"));
    }
}

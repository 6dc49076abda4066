//! Validation of the update strategies of Deployments, StatefulSets and DaemonSets.
//!
//! After kk:pkg/apis/apps/validation/validation.go `ValidateDeploymentStrategy`,
//! `validateRollingUpdateStatefulSet`, `ValidateDaemonSetUpdateStrategy`.

use super::error::{quote, FieldError};
use super::validate::{int_or_percent, nonnegative};
use k8s_openapi::api::apps::v1::{DaemonSetUpdateStrategy, DeploymentStrategy};
use k8s_openapi::api::apps::v1::{
    RollingUpdateDaemonSet, RollingUpdateDeployment, RollingUpdateStatefulSetStrategy,
    StatefulSetUpdateStrategy,
};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

/// `ValidateDeploymentStrategy`.
pub(crate) fn deployment(strategy: Option<&DeploymentStrategy>, errs: &mut Vec<FieldError>) {
    let Some(s) = strategy else { return };
    match s.type_.as_deref().unwrap_or_default() {
        "Recreate" if s.rolling_update.is_some() => {
            let msg = "may not be specified when strategy `type` is 'Recreate'";
            errs.push(FieldError::forbidden("spec.strategy.rollingUpdate", msg));
        }
        "Recreate" => {}
        "RollingUpdate" => s
            .rolling_update
            .iter()
            .for_each(|r| rolling_deployment(r, errs)),
        other => {
            let supported = ["Recreate", "RollingUpdate"];
            errs.push(FieldError::not_supported(
                "spec.strategy",
                other,
                &supported,
            ));
        }
    }
}

/// `ValidateRollingUpdateDeployment`: maxSurge and maxUnavailable may not both be 0, and
/// maxUnavailable is at most 100%.
fn rolling_deployment(r: &RollingUpdateDeployment, errs: &mut Vec<FieldError>) {
    let path = "spec.strategy.rollingUpdate";
    let unavailable_at = format!("{path}.maxUnavailable");
    let unavailable = r.max_unavailable.as_ref();
    let unavailable_n = unavailable.and_then(|v| int_or_percent(v, &unavailable_at, true, errs));
    let surge_at = format!("{path}.maxSurge");
    let surge_n = r
        .max_surge
        .as_ref()
        .and_then(|v| int_or_percent(v, &surge_at, false, errs));
    if let (Some(v), Some(0), 0) = (unavailable, unavailable_n, surge_n.unwrap_or(0)) {
        let msg = "may not be 0 when `maxSurge` is 0";
        errs.push(FieldError::invalid(unavailable_at, show(v), msg));
    }
}

/// A StatefulSet's `updateStrategy`.
pub(crate) fn stateful_set(s: Option<&StatefulSetUpdateStrategy>, errs: &mut Vec<FieldError>) {
    let Some(s) = s else { return };
    let path = "spec.updateStrategy";
    let ty = s.type_.as_deref().unwrap_or_default();
    match (ty, s.rolling_update.as_ref()) {
        ("OnDelete", Some(_)) => {
            let msg = "only allowed for updateStrategy 'RollingUpdate'";
            let at = format!("{path}.rollingUpdate");
            errs.push(FieldError::invalid(at, "{...}", msg));
        }
        ("OnDelete", None) | ("RollingUpdate", None) => {}
        ("RollingUpdate", Some(r)) => rolling_stateful_set(r, errs),
        (other, _) => {
            let msg = "must be 'RollingUpdate' or 'OnDelete'";
            errs.push(FieldError::invalid(path, quote(other), msg));
        }
    }
}

/// `validateRollingUpdateStatefulSet`: partition ≥ 0; maxUnavailable, when given, is 1..100%.
fn rolling_stateful_set(r: &RollingUpdateStatefulSetStrategy, errs: &mut Vec<FieldError>) {
    let path = "spec.updateStrategy.rollingUpdate";
    nonnegative(r.partition, &format!("{path}.partition"), errs);
    let at = format!("{path}.maxUnavailable");
    if let Some(v) = r.max_unavailable.as_ref() {
        if int_or_percent(v, &at, true, errs) == Some(0) {
            errs.push(FieldError::invalid(at, show(v), "cannot be 0"));
        }
    }
}

/// `ValidateDaemonSetUpdateStrategy`.
pub(crate) fn daemon_set(s: Option<&DaemonSetUpdateStrategy>, errs: &mut Vec<FieldError>) {
    let Some(s) = s else { return };
    let ty = s.type_.as_deref().unwrap_or_default();
    match (ty, s.rolling_update.as_ref()) {
        ("OnDelete", _) => {}
        ("RollingUpdate", None) => {
            errs.push(FieldError::required(
                "spec.updateStrategy.rollingUpdate",
                "",
            ));
        }
        ("RollingUpdate", Some(r)) => rolling_daemon_set(r, errs),
        (other, _) => {
            let supported = ["RollingUpdate", "OnDelete"];
            errs.push(FieldError::not_supported(
                "spec.updateStrategy",
                other,
                &supported,
            ));
        }
    }
}

/// `ValidateRollingUpdateDaemonSet`: exactly one of maxSurge and maxUnavailable is non-zero.
fn rolling_daemon_set(r: &RollingUpdateDaemonSet, errs: &mut Vec<FieldError>) {
    let path = "spec.updateStrategy.rollingUpdate";
    let mut number = |v: &Option<IntOrString>, field: &str| {
        let at = format!("{path}.{field}");
        v.as_ref()
            .and_then(|v| int_or_percent(v, &at, true, errs))
            .unwrap_or(0)
    };
    let unavailable = number(&r.max_unavailable, "maxUnavailable");
    let surge = number(&r.max_surge, "maxSurge");
    if unavailable != 0 && surge != 0 {
        let shown = r.max_surge.as_ref().map(show).unwrap_or_default();
        let msg = "may not be set when maxUnavailable is non-zero";
        errs.push(FieldError::invalid(format!("{path}.maxSurge"), shown, msg));
    } else if unavailable == 0 && surge == 0 {
        let msg = "cannot be 0 when maxSurge is 0";
        errs.push(FieldError::required(format!("{path}.maxUnavailable"), msg));
    }
}

/// An int-or-percent as the API server shows it: `25%` quoted, numbers bare.
fn show(v: &IntOrString) -> String {
    match v {
        IntOrString::Int(i) => i.to_string(),
        IntOrString::String(s) => quote(s),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errors<T: serde::de::DeserializeOwned>(
        yaml: &str,
        check: fn(Option<&T>, &mut Vec<FieldError>),
    ) -> Vec<String> {
        let strategy: T = serde_yaml_ng::from_str(yaml).unwrap();
        let mut errs = Vec::new();
        check(Some(&strategy), &mut errs);
        errs.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn a_rollout_may_not_have_zero_surge_and_zero_unavailable() {
        let errs = errors(
            "{type: RollingUpdate, rollingUpdate: {maxSurge: 0, maxUnavailable: 0%}}",
            deployment,
        );
        assert_eq!(errs, ["spec.strategy.rollingUpdate.maxUnavailable: Invalid value: \"0%\": may not be 0 when `maxSurge` is 0"]);
    }

    #[test]
    fn recreate_takes_no_rolling_parameters() {
        let errs = errors("{type: Recreate, rollingUpdate: {maxSurge: 1}}", deployment);
        assert_eq!(errs, ["spec.strategy.rollingUpdate: Forbidden: may not be specified when strategy `type` is 'Recreate'"]);
    }

    #[test]
    fn a_daemonset_surges_or_drains_but_not_both() {
        let errs = errors(
            "{type: RollingUpdate, rollingUpdate: {maxSurge: 1, maxUnavailable: 1}}",
            daemon_set,
        );
        assert_eq!(errs, ["spec.updateStrategy.rollingUpdate.maxSurge: Invalid value: 1: may not be set when maxUnavailable is non-zero"]);
    }

    #[test]
    fn an_unknown_statefulset_strategy_is_rejected() {
        let errs = errors("{type: Rolling}", stateful_set);
        assert_eq!(errs, ["spec.updateStrategy: Invalid value: \"Rolling\": must be 'RollingUpdate' or 'OnDelete'"]);
    }
}

//! Validation of workloads and disruption budgets: selectors, pod templates, counts.
//!
//! After kk:pkg/apis/apps/validation/validation.go, kk:pkg/apis/batch/validation/validation.go and
//! kk:pkg/apis/policy/validation/validation.go. Update strategies are in validate_strategy.rs.

use super::error::FieldError;
use super::selector::{self, go_map};
use super::validate::{int_or_percent, nonnegative, one_of};
use super::validate_strategy as strategy;
use super::{validate_pod, validate_storage};
use k8s_openapi::api::apps::v1::{DaemonSet, Deployment, ReplicaSet, StatefulSet, StatefulSetSpec};
use k8s_openapi::api::batch::v1::Job;
use k8s_openapi::api::core::v1::PodTemplateSpec;
use k8s_openapi::api::policy::v1::PodDisruptionBudget;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;

const TEMPLATE_SPEC: &str = "spec.template.spec";

/// `ValidateDeploymentSpec`.
pub(crate) fn deployment(d: &Deployment, errs: &mut Vec<FieldError>) {
    let Some(spec) = d.spec.as_ref() else {
        return errs.push(FieldError::required("spec", ""));
    };
    nonnegative(spec.replicas, "spec.replicas", errs);
    selector_matches_template(&spec.selector, "deployment", &spec.template, errs);
    controller_template(&spec.template, "ReplicaSet", &[], errs);
    strategy::deployment(spec.strategy.as_ref(), errs);
    let min_ready = spec.min_ready_seconds.unwrap_or(0);
    nonnegative(Some(min_ready), "spec.minReadySeconds", errs);
    nonnegative(
        spec.revision_history_limit,
        "spec.revisionHistoryLimit",
        errs,
    );
    if let Some(deadline) = spec.progress_deadline_seconds {
        let path = "spec.progressDeadlineSeconds";
        nonnegative(Some(deadline), path, errs);
        if deadline <= min_ready {
            let msg = "must be greater than minReadySeconds";
            errs.push(FieldError::invalid(path, deadline, msg));
        }
    }
}

/// `ValidateReplicaSetSpec`.
pub(crate) fn replica_set(r: &ReplicaSet, errs: &mut Vec<FieldError>) {
    let Some(spec) = r.spec.as_ref() else {
        return errs.push(FieldError::required("spec", ""));
    };
    nonnegative(spec.replicas, "spec.replicas", errs);
    nonnegative(spec.min_ready_seconds, "spec.minReadySeconds", errs);
    let Some(template) = spec.template.as_ref() else {
        return errs.push(FieldError::required("spec.template", ""));
    };
    // Upstream says "deployment" here too.
    selector_matches_template(&spec.selector, "deployment", template, errs);
    controller_template(template, "ReplicaSet", &[], errs);
}

/// `ValidateStatefulSetSpec`. Upstream leaves the template's pod spec and the claim templates to
/// be rejected when pods and claims are created; a simulator rejects them up front.
pub(crate) fn stateful_set(s: &StatefulSet, errs: &mut Vec<FieldError>) {
    let Some(spec) = s.spec.as_ref() else {
        return errs.push(FieldError::required("spec", ""));
    };
    let policy = spec.pod_management_policy.as_deref().unwrap_or_default();
    if !matches!(policy, "OrderedReady" | "Parallel") {
        let msg = "must be 'OrderedReady' or 'Parallel'";
        let shown = super::error::quote(policy);
        errs.push(FieldError::invalid("spec.podManagementPolicy", shown, msg));
    }
    strategy::stateful_set(spec.update_strategy.as_ref(), errs);
    if let Some(p) = spec.persistent_volume_claim_retention_policy.as_ref() {
        let path = "spec.persistentVolumeClaimRetentionPolicy";
        let policies = [
            ("whenDeleted", &p.when_deleted),
            ("whenScaled", &p.when_scaled),
        ];
        for (field, value) in policies {
            let at = format!("{path}.{field}");
            one_of(value.as_deref(), &["Retain", "Delete"], &at, errs);
        }
    }
    nonnegative(spec.replicas, "spec.replicas", errs);
    nonnegative(spec.min_ready_seconds, "spec.minReadySeconds", errs);
    let start = spec.ordinals.as_ref().and_then(|o| o.start);
    nonnegative(start, "spec.ordinals.start", errs);
    selector_matches_template(&spec.selector, "statefulset", &spec.template, errs);
    let claims = claim_templates(spec, errs);
    controller_template(&spec.template, "StatefulSet", &claims, errs);
}

/// Validates the claim templates as PVCs and returns their names (volumes the pods may mount).
fn claim_templates(spec: &StatefulSetSpec, errs: &mut Vec<FieldError>) -> Vec<String> {
    let mut names = Vec::new();
    for (i, claim) in spec.volume_claim_templates.iter().flatten().enumerate() {
        let path = format!("spec.volumeClaimTemplates[{i}]");
        match claim.metadata.name.as_deref().filter(|n| !n.is_empty()) {
            Some(name) => names.push(name.to_string()),
            None => errs.push(FieldError::required(format!("{path}.metadata.name"), "")),
        }
        match claim.spec.as_ref() {
            Some(s) => validate_storage::claim_spec(s, &format!("{path}.spec"), errs),
            None => errs.push(FieldError::required(format!("{path}.spec"), "")),
        }
    }
    names
}

/// `ValidateDaemonSetSpec`.
pub(crate) fn daemon_set(d: &DaemonSet, errs: &mut Vec<FieldError>) {
    let Some(spec) = d.spec.as_ref() else {
        return errs.push(FieldError::required("spec", ""));
    };
    selector_matches_template(&spec.selector, "daemonset", &spec.template, errs);
    controller_template(&spec.template, "DaemonSet", &[], errs);
    nonnegative(spec.min_ready_seconds, "spec.minReadySeconds", errs);
    strategy::daemon_set(spec.update_strategy.as_ref(), errs);
    nonnegative(
        spec.revision_history_limit,
        "spec.revisionHistoryLimit",
        errs,
    );
}

/// `ValidateJobSpec`: counts, and a template whose pods stop (restartPolicy OnFailure or Never).
pub(crate) fn job(j: &Job, errs: &mut Vec<FieldError>) {
    let Some(spec) = j.spec.as_ref() else {
        return errs.push(FieldError::required("spec", ""));
    };
    let counts = [
        ("parallelism", spec.parallelism),
        ("completions", spec.completions),
        ("backoffLimit", spec.backoff_limit),
        ("ttlSecondsAfterFinished", spec.ttl_seconds_after_finished),
    ];
    for (field, value) in counts {
        nonnegative(value, &format!("spec.{field}"), errs);
    }
    let modes = ["NonIndexed", "Indexed"];
    one_of(
        spec.completion_mode.as_deref(),
        &modes,
        "spec.completionMode",
        errs,
    );
    if let Some(sel) = spec.selector.as_ref().filter(|s| !selector::is_empty(s)) {
        selector_matches_template(sel, "job", &spec.template, errs);
    }
    let Some(pod) = spec.template.spec.as_ref() else {
        return errs.push(FieldError::required(
            format!("{TEMPLATE_SPEC}.containers"),
            "",
        ));
    };
    validate_pod::pod_spec(pod, TEMPLATE_SPEC, &[], errs);
    let restart = pod.restart_policy.as_deref().unwrap_or_default();
    if !matches!(restart, "OnFailure" | "Never") {
        let at = format!("{TEMPLATE_SPEC}.restartPolicy");
        errs.push(FieldError::not_supported(
            at,
            restart,
            &["OnFailure", "Never"],
        ));
    }
}

/// `ValidatePodDisruptionBudgetSpec`.
pub(crate) fn disruption_budget(p: &PodDisruptionBudget, errs: &mut Vec<FieldError>) {
    let Some(spec) = p.spec.as_ref() else { return };
    if spec.min_available.is_some() && spec.max_unavailable.is_some() {
        let msg = "minAvailable and maxUnavailable cannot be both set";
        errs.push(FieldError::invalid(
            "spec",
            "{minAvailable, maxUnavailable}",
            msg,
        ));
    }
    let bounds = [
        ("minAvailable", &spec.min_available),
        ("maxUnavailable", &spec.max_unavailable),
    ];
    for (field, value) in bounds {
        if let Some(v) = value {
            int_or_percent(v, &format!("spec.{field}"), true, errs);
        }
    }
    if let Some(sel) = spec.selector.as_ref() {
        selector::validate(sel, "spec.selector", errs);
    }
    let policy = spec.unhealthy_pod_eviction_policy.as_deref();
    let policies = ["IfHealthyBudget", "AlwaysAllow"];
    one_of(policy, &policies, "spec.unhealthyPodEvictionPolicy", errs);
}

/// A well-formed, non-empty selector that selects the template's labels.
fn selector_matches_template(
    sel: &LabelSelector,
    resource: &str,
    t: &PodTemplateSpec,
    errs: &mut Vec<FieldError>,
) {
    let before = errs.len();
    selector::validate(sel, "spec.selector", errs);
    if selector::is_empty(sel) {
        let msg = format!("empty selector is invalid for {resource}");
        return errs.push(FieldError::invalid("spec.selector", "{}", &msg));
    }
    let labels = t.metadata.as_ref().and_then(|m| m.labels.as_ref());
    let empty = Default::default();
    if errs.len() == before && !selector::matches(sel, labels.unwrap_or(&empty)) {
        let msg = "`selector` does not match template `labels`";
        let at = "spec.template.metadata.labels";
        errs.push(FieldError::invalid(at, go_map(labels), msg));
    }
}

/// A controller's pod template (`ValidatePodTemplateSpecForReplicaSet` and its DaemonSet and
/// StatefulSet counterparts): a valid pod spec whose pods always restart and never time out.
fn controller_template(
    t: &PodTemplateSpec,
    kind: &str,
    claims: &[String],
    errs: &mut Vec<FieldError>,
) {
    let Some(spec) = t.spec.as_ref() else {
        return errs.push(FieldError::required(
            format!("{TEMPLATE_SPEC}.containers"),
            "",
        ));
    };
    validate_pod::pod_spec(spec, TEMPLATE_SPEC, claims, errs);
    let restart = spec.restart_policy.as_deref().unwrap_or_default();
    if restart != "Always" {
        let at = format!("{TEMPLATE_SPEC}.restartPolicy");
        errs.push(FieldError::not_supported(at, restart, &["Always"]));
    }
    if spec.active_deadline_seconds.is_some() {
        let msg = format!("activeDeadlineSeconds in {kind} is not Supported");
        let at = format!("{TEMPLATE_SPEC}.activeDeadlineSeconds");
        errs.push(FieldError::forbidden(at, &msg));
    }
}

//! Converts defaulted DaemonSets and Jobs into the store's objects.

use super::convert::{selector, template};
use crate::api::*;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

/// A DaemonSet; the defaulted manifest is kept as `source` for `set-image` and patches.
pub fn daemon_set(d: &k8s_openapi::api::apps::v1::DaemonSet, meta: Meta) -> DaemonSet {
    let spec = d.spec.clone().unwrap_or_default();
    let show = |v: Option<&IntOrString>, default: &str| match v {
        Some(IntOrString::Int(i)) => i.to_string(),
        Some(IntOrString::String(s)) => s.clone(),
        None => default.to_string(),
    };
    let strategy = spec.update_strategy.as_ref();
    let update_strategy = match strategy.and_then(|s| s.type_.as_deref()) {
        Some("OnDelete") => DsUpdateStrategy::OnDelete,
        _ => {
            let ru = strategy.and_then(|s| s.rolling_update.as_ref());
            DsUpdateStrategy::RollingUpdate {
                max_unavailable: show(ru.and_then(|r| r.max_unavailable.as_ref()), "1"),
                max_surge: show(ru.and_then(|r| r.max_surge.as_ref()), "0"),
            }
        }
    };
    DaemonSet {
        meta,
        selector: selector(&spec.selector),
        template: template(&spec.template),
        update_strategy,
        min_ready_ms: spec.min_ready_seconds.unwrap_or(0).max(0) as u64 * 1000,
        revision_history_limit: spec.revision_history_limit.unwrap_or(10).max(0) as u32,
        status: DaemonSetStatus::default(),
        source: Box::new(d.clone()),
    }
}

/// The labels the API server's Job strategy adds to the template and selects by
/// (kk:pkg/registry/batch/job/strategy.go `generateSelector`).
fn job_labels(name: &str, uid: &str) -> [(&'static str, String); 4] {
    [
        ("batch.kubernetes.io/controller-uid", uid.to_string()),
        ("batch.kubernetes.io/job-name", name.to_string()),
        ("controller-uid", uid.to_string()),
        ("job-name", name.to_string()),
    ]
}

/// A Job (its meta already has its uid): the template gets the generated labels, the selector is
/// `batch.kubernetes.io/controller-uid=<uid>`.
pub fn job(j: &k8s_openapi::api::batch::v1::Job, meta: Meta) -> Job {
    let spec = j.spec.clone().unwrap_or_default();
    let mut template = template(&spec.template);
    for (k, v) in job_labels(&meta.name, &meta.uid) {
        template.labels.insert(k.to_string(), v);
    }
    let selector = Labels::from([(
        "batch.kubernetes.io/controller-uid".to_string(),
        meta.uid.clone(),
    )]);
    let count = |v: Option<i32>| v.map(|n| n.max(0) as u32);
    Job {
        meta,
        selector,
        template,
        completions: count(spec.completions),
        parallelism: count(spec.parallelism).unwrap_or(1),
        backoff_limit: count(spec.backoff_limit).unwrap_or(6),
        active_deadline_ms: spec.active_deadline_seconds.map(|s| s.max(0) as u64 * 1000),
        status: JobStatus::default(),
    }
}

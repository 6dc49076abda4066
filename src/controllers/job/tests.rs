//! Unit tests of the Job controller's decisions.

use super::sync::{past_backoff_limit_on_failure, wanted_active};
use crate::api::{Job, JobStatus, PodTemplate};

fn job(completions: Option<u32>, parallelism: u32) -> Job {
    let meta = crate::manifest::convert::unstored_meta(&Default::default());
    Job {
        meta,
        selector: Default::default(),
        template: PodTemplate {
            labels: Default::default(),
            spec: crate::manifest::convert::pod_spec(None::<&k8s_openapi::api::core::v1::PodSpec>),
        },
        completions,
        parallelism,
        backoff_limit: 6,
        active_deadline_ms: None,
        status: JobStatus::default(),
    }
}

#[test]
fn a_job_runs_parallelism_pods_but_no_more_than_the_completions_still_needed() {
    let status = |succeeded| JobStatus {
        succeeded,
        ..Default::default()
    };
    assert_eq!(wanted_active(&job(Some(5), 2), &status(0), 0), 2);
    assert_eq!(wanted_active(&job(Some(5), 2), &status(4), 2), 1);
    assert_eq!(wanted_active(&job(Some(5), 2), &status(5), 0), 0);
    // A work queue (no completions): no new pods once one succeeded.
    assert_eq!(wanted_active(&job(None, 3), &status(0), 0), 3);
    assert_eq!(wanted_active(&job(None, 3), &status(1), 2), 2);
}

#[test]
fn with_on_failure_container_restarts_count_toward_the_backoff_limit() {
    assert!(!past_backoff_limit_on_failure(true, &[1, 2], 4));
    assert!(past_backoff_limit_on_failure(true, &[2, 2], 4));
    assert!(past_backoff_limit_on_failure(true, &[1], 0));
    assert!(!past_backoff_limit_on_failure(true, &[0], 0));
    assert!(!past_backoff_limit_on_failure(false, &[9], 4));
}

//! `syncJob` and `manageJob` (kk:pkg/controller/job/job_controller.go) for NonIndexed Jobs.

use super::backoff::{
    BackoffRecord, DEFAULT_JOB_POD_FAILURE_BACKOFF_MS, MAX_JOB_POD_FAILURE_BACKOFF_MS,
};
use super::Requeue;
use crate::api::{
    ContainerState, Effects, Event, Job, JobCondition, JobConditionType, JobId, JobStatus, Owner,
    Pod, PodId, PodPhase, RestartPolicy, Store, Write,
};
use crate::engine::SimTime;

/// `JobReasonBackoffLimitExceeded` and its condition message.
const BACKOFF_LIMIT_EXCEEDED: (&str, &str) = (
    "BackoffLimitExceeded",
    "Job has reached the specified backoff limit",
);

/// `JobReasonDeadlineExceeded` and its condition message.
const DEADLINE_EXCEEDED: (&str, &str) = (
    "DeadlineExceeded",
    "Job was active longer than specified deadline",
);

/// One sync: count finished pods, then fail, complete, or create and delete pods. Returns the
/// effects and the back-off record after this sync.
pub(super) fn sync_job(
    store: &Store,
    id: JobId,
    record: BackoffRecord,
    now: SimTime,
) -> (Effects<Requeue>, BackoffRecord) {
    let mut fx = Effects::default();
    let job = &store.jobs[id.index()];
    if !job.meta.exists() || job.finished() {
        return (fx, record);
    }
    let pods: Vec<PodId> = store.pods_of(Owner::Job(id)).collect();
    let mut status = job.status.clone();
    if status.start_time.is_none() {
        status.start_time = Some(now);
        // The deadline is checked again when it passes.
        if let Some(deadline) = job.active_deadline_ms {
            fx.timer(now.plus_ms(deadline), Requeue(id));
        }
    }
    let record = count_finished(store, &pods, record, &mut status, now);
    let active: Vec<PodId> = pods
        .iter()
        .copied()
        .filter(|p| store.pods[p.index()].is_active())
        .collect();
    match failure(store, job, &status, &active, now) {
        Some(reason) => fail(store, job, &active, reason, &mut status, now, &mut fx),
        None if complete(job, &status, active.len() as u32) => {
            status.completion_time = Some(now);
            status.condition = Some(condition(JobConditionType::Complete, ("", ""), now));
            fx.event(job_event(job, now, "Completed", "Job completed"));
        }
        None => manage(store, id, &status, &active, &record, now, &mut fx),
    }
    let active = &active;
    status.active = if status.condition.is_some() {
        0
    } else {
        active.len() as u32
    };
    status.ready = active
        .iter()
        .filter(|p| store.pods[p.index()].ready)
        .count() as u32;
    if status != job.status {
        fx.write(Write::SetJobStatus {
            job: id,
            status: Box::new(status),
        });
    }
    (fx, record)
}

/// Counts pods that finished since the last sync (`trackJobStatusAndRemoveFinalizers`) and updates
/// the back-off record with their finish times (`newBackoffRecord`).
fn count_finished(
    store: &Store,
    pods: &[PodId],
    record: BackoffRecord,
    status: &mut JobStatus,
    now: SimTime,
) -> BackoffRecord {
    let (mut succeeded, mut failed) = (Vec::new(), Vec::new());
    for &p in pods {
        let pod = &store.pods[p.index()];
        let done = match pod.phase {
            PodPhase::Succeeded => &mut succeeded,
            PodPhase::Failed => &mut failed,
            _ => continue,
        };
        if status.counted.insert(p) {
            done.push(finished_time(pod, now));
        }
    }
    status.succeeded += succeeded.len() as u32;
    status.failed += failed.len() as u32;
    record.updated(succeeded, failed)
}

/// `getFinishedTime`: the container's finishedAt, else the deletion time, else now.
fn finished_time(pod: &Pod, now: SimTime) -> SimTime {
    match pod.container {
        ContainerState::Terminated { finished, .. } => finished,
        _ => pod.meta.deletion.map_or(now, |d| d.requested),
    }
}

/// Why the Job fails now, if it does: more failed pods than backoffLimit (or, with OnFailure, as many
/// container restarts), or its activeDeadlineSeconds passed.
fn failure(
    store: &Store,
    job: &Job,
    status: &JobStatus,
    active: &[PodId],
    now: SimTime,
) -> Option<(&'static str, &'static str)> {
    let restarts: Vec<u32> = active
        .iter()
        .map(|p| &store.pods[p.index()])
        .filter(|p| matches!(p.phase, PodPhase::Running | PodPhase::Pending))
        .map(|p| p.restarts)
        .collect();
    let on_failure = job.template.spec.restart_policy == RestartPolicy::OnFailure;
    if status.failed > job.backoff_limit
        || past_backoff_limit_on_failure(on_failure, &restarts, job.backoff_limit)
    {
        return Some(BACKOFF_LIMIT_EXCEEDED);
    }
    let started = status.start_time?;
    let deadline = job.active_deadline_ms?;
    (now.since_ms(started) >= deadline).then_some(DEADLINE_EXCEEDED)
}

/// `pastBackoffLimitOnFailure`: with restartPolicy OnFailure, the restarts of the running and pending
/// pods' containers reach backoffLimit (exceed it when the limit is 0).
pub fn past_backoff_limit_on_failure(on_failure: bool, restarts: &[u32], limit: u32) -> bool {
    if !on_failure {
        return false;
    }
    let total: u32 = restarts.iter().sum();
    if limit == 0 {
        return total > 0;
    }
    total >= limit
}

/// Complete: no pod is active and `completions` pods succeeded (without completions: one did).
fn complete(job: &Job, status: &JobStatus, active: u32) -> bool {
    active == 0 && status.succeeded >= job.completions.unwrap_or(1)
}

/// The Failed condition: delete the active pods (`deleteActivePods`) and record the reason as an Event.
fn fail(
    store: &Store,
    job: &Job,
    active: &[PodId],
    reason: (&'static str, &'static str),
    status: &mut JobStatus,
    now: SimTime,
    fx: &mut Effects<Requeue>,
) {
    for &p in active {
        delete_pod(store, job, p, now, fx);
    }
    status.condition = Some(condition(JobConditionType::Failed, reason, now));
    fx.event(job_event(job, now, reason.0, reason.1));
}

/// `manageJob` for NonIndexed Jobs: create pods up to the wanted active count once the back-off has
/// passed, or delete the extra ones.
fn manage(
    store: &Store,
    id: JobId,
    status: &JobStatus,
    active: &[PodId],
    record: &BackoffRecord,
    now: SimTime,
    fx: &mut Effects<Requeue>,
) {
    let job = &store.jobs[id.index()];
    let running = active.len() as u32;
    let want = wanted_active(job, status, running);
    if running > want {
        for &p in active.iter().rev().take((running - want) as usize) {
            delete_pod(store, job, p, now, fx);
        }
        return;
    }
    if running == want {
        return;
    }
    let remaining_ms = record.remaining_ms(
        now,
        DEFAULT_JOB_POD_FAILURE_BACKOFF_MS,
        MAX_JOB_POD_FAILURE_BACKOFF_MS,
    );
    if remaining_ms > 0 {
        fx.timer(now.plus_ms(remaining_ms), Requeue(id));
        return;
    }
    for _ in running..want {
        fx.write(Write::CreatePod {
            namespace: job.meta.namespace.clone(),
            generate_name: format!("{}-", job.meta.name),
            owner: Owner::Job(id),
            template: job.template.clone(),
        });
    }
}

/// `wantActive`: parallelism, no more than the completions still needed; without completions,
/// no new pods once one succeeded.
pub(super) fn wanted_active(job: &Job, status: &JobStatus, active: u32) -> u32 {
    match job.completions {
        Some(c) => c.saturating_sub(status.succeeded).min(job.parallelism),
        None if status.succeeded > 0 => active,
        None => job.parallelism,
    }
}

fn delete_pod(store: &Store, job: &Job, p: PodId, now: SimTime, fx: &mut Effects<Requeue>) {
    fx.write(Write::DeletePod {
        pod: p,
        grace_period_ms: None,
    });
    let name = &store.pods[p.index()].meta.name;
    let msg = format!("Deleted pod: {name}");
    fx.event(Event::new(
        now,
        "Job",
        &job.meta.namespace,
        &job.meta.name,
        "SuccessfulDelete",
        msg,
    ));
}

fn condition(
    kind: JobConditionType,
    reason: (&'static str, &'static str),
    at: SimTime,
) -> JobCondition {
    JobCondition {
        kind,
        reason: reason.0,
        message: reason.1,
        at,
    }
}

fn job_event(job: &Job, now: SimTime, reason: &str, message: &str) -> Event {
    Event::new(
        now,
        "Job",
        &job.meta.namespace,
        &job.meta.name,
        reason,
        message.to_string(),
    )
}

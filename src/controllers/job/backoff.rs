//! The Job controller's pod-failure back-off (kk:pkg/controller/job/backoff_utils.go): a record per
//! Job of the failures since the last success and the last failure's time, and the delay before
//! the next pod may be created: 10 s doubling per failure, capped at 6 minutes.

use crate::engine::SimTime;

/// `DefaultJobPodFailureBackOff` (kk:pkg/controller/job/job_controller.go).
pub const DEFAULT_JOB_POD_FAILURE_BACKOFF_MS: u64 = 10_000;

/// `MaxJobPodFailureBackOff` (kk:pkg/controller/job/job_controller.go).
pub const MAX_JOB_POD_FAILURE_BACKOFF_MS: u64 = 360_000;

/// `backoffRecord`: kept by the controller in memory (`podBackoffStore`), not in the API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct BackoffRecord {
    pub failures_after_last_success: u32,
    pub last_failure: Option<SimTime>,
}

impl BackoffRecord {
    /// `newBackoffRecord`: the record after the newly finished pods, given their finish times.
    pub fn updated(self, mut succeeded: Vec<SimTime>, mut failed: Vec<SimTime>) -> BackoffRecord {
        succeeded.sort();
        failed.sort();
        let Some(last_success) = succeeded.last().copied() else {
            let Some(last) = failed.last().copied() else {
                return self;
            };
            return BackoffRecord {
                failures_after_last_success: self.failures_after_last_success + failed.len() as u32,
                last_failure: Some(last),
            };
        };
        let after: Vec<SimTime> = failed.into_iter().filter(|t| *t > last_success).collect();
        BackoffRecord {
            failures_after_last_success: after.len() as u32,
            last_failure: after.last().copied(),
        }
    }

    /// `getRemainingTime`: how long from `now` until a new pod may be created.
    pub fn remaining_ms(&self, now: SimTime, default_ms: u64, max_ms: u64) -> u64 {
        let Some(last) = self.last_failure else {
            return 0;
        };
        if self.failures_after_last_success == 0 {
            return 0;
        }
        let mut backoff = default_ms;
        for _ in 1..self.failures_after_last_success {
            backoff = backoff.saturating_mul(2);
            if backoff >= max_ms {
                backoff = max_ms;
                break;
            }
        }
        backoff.saturating_sub(now.since_ms(last))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wait_after(failures: u32) -> u64 {
        let record = BackoffRecord {
            failures_after_last_success: failures,
            last_failure: Some(SimTime(0)),
        };
        record.remaining_ms(
            SimTime(0),
            DEFAULT_JOB_POD_FAILURE_BACKOFF_MS,
            MAX_JOB_POD_FAILURE_BACKOFF_MS,
        )
    }

    #[test]
    fn the_back_off_doubles_from_ten_seconds_up_to_six_minutes() {
        let waits: Vec<u64> = (0..8).map(|n| wait_after(n) / 1000).collect();
        assert_eq!(waits, vec![0, 10, 20, 40, 80, 160, 320, 360]);
    }

    #[test]
    fn the_back_off_counts_from_the_last_failure_and_a_success_resets_it() {
        let r = BackoffRecord::default().updated(vec![], vec![SimTime(5_000), SimTime(2_000)]);
        assert_eq!(r.failures_after_last_success, 2);
        assert_eq!(r.remaining_ms(SimTime(15_000), 10_000, 360_000), 10_000);
        let r = r.updated(
            vec![SimTime(20_000)],
            vec![SimTime(19_000), SimTime(21_000)],
        );
        assert_eq!(
            r,
            BackoffRecord {
                failures_after_last_success: 1,
                last_failure: Some(SimTime(21_000))
            }
        );
        assert_eq!(r.updated(vec![SimTime(30_000)], vec![]).last_failure, None);
    }
}

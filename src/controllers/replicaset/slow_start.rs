//! Slow-start batches of pod creations (kk:pkg/controller/replicaset/replica_set.go `slowStartBatch`).

/// The first batch's size (`SlowStartInitialBatchSize = 1`, kk:pkg/controller/controller_utils.go).
pub const SLOW_START_INITIAL_BATCH_SIZE: usize = 1;

/// The sizes of the batches `slowStartBatch` makes for `count` calls when none fails:
/// `min(remaining, initial)`, then `min(2 * batch, remaining)` until nothing remains (1, 2, 4, ..., rest).
/// An initial size of 0 makes no batch at all, as upstream's loop condition `batchSize > 0` does.
pub fn batch_sizes(count: usize, initial_batch_size: usize) -> Vec<usize> {
    let mut sizes = Vec::new();
    let mut remaining = count;
    // replica_set.go: for batchSize := min(remaining, initialBatchSize); batchSize > 0; batchSize = min(2*batchSize, remaining)
    let mut batch = remaining.min(initial_batch_size);
    while batch > 0 {
        sizes.push(batch);
        remaining -= batch;
        batch = (2 * batch).min(remaining);
    }
    sizes
}

/// `slowStartBatch`: calls `f` `count` times in batches of [`batch_sizes`]. Every call of a batch is made
/// (upstream runs them concurrently); if any of them failed, the remaining batches are skipped.
/// Returns the number of successful calls and the first failure (in call order; upstream returns whichever
/// failed goroutine reported first).
pub fn slow_start_batch<E>(
    count: usize,
    initial_batch_size: usize,
    mut f: impl FnMut() -> Result<(), E>,
) -> (usize, Result<(), E>) {
    let mut successes = 0;
    for batch in batch_sizes(count, initial_batch_size) {
        let mut first_error = None;
        for _ in 0..batch {
            match f() {
                Ok(()) => successes += 1,
                Err(e) => {
                    first_error.get_or_insert(e);
                }
            }
        }
        if let Some(e) = first_error {
            return (successes, Err(e));
        }
    }
    (successes, Ok(()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slow_start_batches_double_from_one() {
        assert_eq!(
            batch_sizes(10, SLOW_START_INITIAL_BATCH_SIZE),
            vec![1, 2, 4, 3]
        );
        assert_eq!(batch_sizes(1, 1), vec![1]);
        assert_eq!(batch_sizes(7, 1), vec![1, 2, 4]);
        assert_eq!(batch_sizes(0, 1), Vec::<usize>::new());
        assert_eq!(batch_sizes(5, 3), vec![3, 2]);
    }

    #[test]
    fn a_burst_of_five_hundred_ends_with_the_remainder() {
        let sizes = batch_sizes(500, 1);
        assert_eq!(sizes, vec![1, 2, 4, 8, 16, 32, 64, 128, 245]);
        assert_eq!(sizes.iter().sum::<usize>(), 500);
    }

    #[test]
    fn an_initial_batch_of_zero_makes_no_call() {
        let mut calls = 0;
        let (ok, result) = slow_start_batch(5, 0, || -> Result<(), ()> {
            calls += 1;
            Ok(())
        });
        assert_eq!((calls, ok, result), (0, 0, Ok(())));
    }

    #[test]
    fn when_every_call_succeeds_all_count_calls_are_made() {
        let mut calls = 0;
        let (ok, result) = slow_start_batch(10, 1, || -> Result<(), &str> {
            calls += 1;
            Ok(())
        });
        assert_eq!((calls, ok, result), (10, 10, Ok(())));
    }

    #[test]
    fn a_failing_batch_is_finished_and_the_rest_are_skipped() {
        // Batches 1, 2, 4, 3: the 4th call is the first of the third batch; that batch still makes its 4 calls.
        let mut calls = 0;
        let (ok, result) = slow_start_batch(10, 1, || {
            calls += 1;
            if calls == 4 || calls == 6 {
                Err(calls)
            } else {
                Ok(())
            }
        });
        assert_eq!(calls, 7);
        assert_eq!(ok, 5, "1 + 2 + (4 - 2 failures)");
        assert_eq!(result, Err(4), "the first failure");
    }

    #[test]
    fn a_failure_in_the_first_batch_stops_everything() {
        let mut calls = 0;
        let (ok, result) = slow_start_batch(500, 1, || {
            calls += 1;
            Err("quota exceeded")
        });
        assert_eq!((calls, ok, result), (1, 0, Err("quota exceeded")));
    }
}

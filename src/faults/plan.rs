//! When a replication's faults happen: fixed times, times drawn per replication, and Poisson
//! processes expanded into repeated faults, each from its own named random stream.

use crate::engine::Streams;
use crate::scenario::{Dist, FaultSpec, FaultTiming};

/// The faults of one replication as (time in ms, index into the scenario's faults), in time
/// order (equal times keep the scenario's order). A fault whose drawn time falls after
/// `duration_ms` does not happen.
pub fn plan(faults: &[FaultSpec], duration_ms: u64, streams: &Streams) -> Vec<(u64, usize)> {
    let mut out = Vec::new();
    for (i, f) in faults.iter().enumerate() {
        match &f.timing {
            FaultTiming::Fixed => out.push((f.at_ms, i)),
            FaultTiming::Drawn(dist) => {
                let at_ms = dist.sample(&mut streams.stream(&format!("faults[{i}].at")));
                if at_ms <= duration_ms {
                    out.push((at_ms, i));
                }
            }
            FaultTiming::Every { mtbf_ms } => {
                let times = poisson(f.at_ms, *mtbf_ms, duration_ms, streams, i);
                out.extend(times.into_iter().map(|t| (t, i)));
            }
        }
    }
    out.sort_by_key(|(at_ms, i)| (*at_ms, *i));
    out
}

/// The times of a Poisson process with mean gap `mtbf_ms` from `start_ms` until `end_ms`, drawn
/// from the stream `faults[<i>].every` (so the processes of other faults do not shift them).
fn poisson(start_ms: u64, mtbf_ms: u64, end_ms: u64, streams: &Streams, i: usize) -> Vec<u64> {
    let mut rng = streams.stream(&format!("faults[{i}].every"));
    let gap = Dist::Exponential { mean_ms: mtbf_ms };
    let mut times = Vec::new();
    let mut t = start_ms;
    loop {
        // A gap of 0 ms (a draw below half a millisecond) still moves on: at most one fault per ms.
        t = t.saturating_add(gap.sample(&mut rng).max(1));
        if t > end_ms {
            return times;
        }
        times.push(t);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{FaultAction, Pick, PodSelector};

    fn spec(at_ms: u64, timing: FaultTiming) -> FaultSpec {
        let selector = PodSelector {
            namespace: "default".into(),
            labels: [("app".to_string(), "web".to_string())].into(),
        };
        FaultSpec {
            at_ms,
            timing,
            pick: Pick::One,
            action: FaultAction::DeletePod {
                selector,
                grace_period_ms: None,
            },
        }
    }

    const DAY_MS: u64 = 86_400_000;

    #[test]
    fn a_poisson_process_has_about_duration_over_mtbf_faults_with_exponential_gaps() {
        let every = spec(0, FaultTiming::Every { mtbf_ms: DAY_MS });
        let counts: Vec<usize> = (0..200)
            .map(|r| {
                plan(
                    std::slice::from_ref(&every),
                    30 * DAY_MS,
                    &Streams::new(1, r),
                )
                .len()
            })
            .collect();
        let mean = counts.iter().sum::<usize>() as f64 / counts.len() as f64;
        assert!((27.0..33.0).contains(&mean), "mean count {mean}");
        let var = counts
            .iter()
            .map(|c| (*c as f64 - mean).powi(2))
            .sum::<f64>()
            / 199.0;
        assert!(
            (15.0..50.0).contains(&var),
            "a Poisson count's variance is its mean: {var}"
        );
    }

    #[test]
    fn a_repeated_fault_starts_at_its_at_and_stops_at_the_end() {
        let every = spec(
            5 * DAY_MS,
            FaultTiming::Every {
                mtbf_ms: DAY_MS / 10,
            },
        );
        let times = plan(&[every], 6 * DAY_MS, &Streams::new(3, 0));
        assert!(times.len() > 3);
        assert!(times
            .iter()
            .all(|(t, _)| (5 * DAY_MS..=6 * DAY_MS).contains(t)));
    }

    #[test]
    fn drawn_times_vary_by_replication_and_late_draws_are_dropped() {
        let uniform = Dist::Uniform {
            lo_ms: 0,
            hi_ms: 2 * DAY_MS,
        };
        let drawn = spec(0, FaultTiming::Drawn(uniform));
        let runs: Vec<Vec<(u64, usize)>> = (0..100)
            .map(|r| plan(std::slice::from_ref(&drawn), DAY_MS, &Streams::new(1, r)))
            .collect();
        let fired = runs.iter().filter(|p| !p.is_empty()).count();
        assert!(
            (30..70).contains(&fired),
            "about half fall in the first day: {fired}"
        );
        assert_ne!(runs[0], runs[1]);
    }

    #[test]
    fn adding_a_later_fault_does_not_move_the_times_of_another() {
        let every = spec(0, FaultTiming::Every { mtbf_ms: DAY_MS });
        let fixed = spec(DAY_MS, FaultTiming::Fixed);
        let streams = Streams::new(9, 4);
        let alone = plan(std::slice::from_ref(&every), 10 * DAY_MS, &streams);
        let both = plan(&[every, fixed], 10 * DAY_MS, &streams);
        let kept: Vec<(u64, usize)> = both.iter().copied().filter(|(_, i)| *i == 0).collect();
        assert_eq!(kept, alone);
        assert!(both.contains(&(DAY_MS, 1)));
    }
}

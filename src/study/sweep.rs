//! A parameter sweep: every grid point's replications (the same replication indexes, hence the
//! same random numbers, at every point) and `sweep.csv`, one row per point with its aggregates.

use super::stats::Aggregate;
use super::table::{aggregate_files, Files, TableError};
use super::{run_units, Replication, StudyError};
use crate::scenario::{Scenario, Study};
use std::ops::Range;

/// Runs replications `range` of every grid point of `study` with `seed` on `jobs` threads; the
/// files of each point, in grid order.
pub fn run_sweep(
    study: &Study,
    seed: u64,
    range: Range<u64>,
    jobs: usize,
    done: &(dyn Fn() + Sync),
) -> Result<Vec<Files>, StudyError> {
    let units: Vec<(&Scenario, u64)> = study
        .points
        .iter()
        .flat_map(|p| range.clone().map(move |r| (&p.scenario, r)))
        .collect();
    let reps = run_units(&units, seed, jobs, done)?;
    let per_point = (range.end - range.start) as usize;
    let files = study
        .points
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let mine: &[Replication] = &reps[i * per_point..(i + 1) * per_point];
            Files::of(&p.scenario, seed, mine)
        })
        .collect();
    Ok(files)
}

/// One grid point's parameter values and metric aggregates.
pub type PointAggregates = (Vec<String>, Vec<(String, Option<Aggregate>)>);

/// The aggregates of every point from its files.
pub fn point_aggregates(
    points: &[Vec<String>],
    files: &[Files],
) -> Result<Vec<PointAggregates>, TableError> {
    points
        .iter()
        .zip(files)
        .map(|(values, f)| Ok((values.clone(), aggregate_files(&f.replications, &f.faults)?)))
        .collect()
}

/// The metrics of any point, in first-seen order.
pub fn metric_names(points: &[PointAggregates]) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for (_, aggs) in points {
        for (name, _) in aggs {
            if !names.contains(name) {
                names.push(name.clone());
            }
        }
    }
    names
}

/// The statistics `sweep.csv` gives for each metric, as column suffixes.
pub const STATS: [&str; 7] = ["n", "mean", "ci95_low", "ci95_high", "p50", "p90", "p99"];

/// `sweep.csv`: the parameters, then `<metric>.<stat>` for each metric and each of [`STATS`].
pub fn sweep_csv(parameters: &[String], points: &[PointAggregates]) -> Vec<u8> {
    let names = metric_names(points);
    let mut w = csv::Writer::from_writer(Vec::new());
    let header: Vec<String> = parameters
        .iter()
        .cloned()
        .chain(
            names
                .iter()
                .flat_map(|m| STATS.iter().map(move |s| format!("{m}.{s}"))),
        )
        .collect();
    w.write_record(&header).expect("writes to memory");
    for (values, aggs) in points {
        let mut row = values.clone();
        for name in &names {
            let agg = aggs
                .iter()
                .find(|(n, _)| n == name)
                .and_then(|(_, a)| a.as_ref());
            row.extend(stat_cells(agg));
        }
        w.write_record(&row).expect("writes to memory");
    }
    w.into_inner().expect("writes to memory")
}

/// The [`STATS`] cells of one aggregate (empty without values).
fn stat_cells(a: Option<&Aggregate>) -> Vec<String> {
    let Some(a) = a else {
        return vec![String::new(); STATS.len()];
    };
    let r = |v: f64| super::fmt((v * 1e6).round() / 1e6);
    vec![
        a.n.to_string(),
        r(a.mean),
        r(a.mean - a.ci95),
        r(a.mean + a.ci95),
        r(a.p50),
        r(a.p90),
        r(a.p99),
    ]
}

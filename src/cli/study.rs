//! `kubesim run --replications N`: the replications with a progress bar, their table and files.

use super::{CliError, RunConfig};
use crate::study;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;

/// Runs `count` replications on `jobs` threads, prints the aggregate table, writes
/// `replications.csv` and `study.json` into the output directory.
pub fn run_study(cfg: &RunConfig, count: u64, jobs: usize) -> Result<(), CliError> {
    let bar = progress_bar(count);
    let done = || bar.inc(1);
    let reps = study::replicate(&cfg.scenario, cfg.seed, count, jobs, &done)?;
    bar.finish_and_clear();
    let aggs = study::aggregates(&cfg.scenario, &reps);
    let name = &cfg.scenario.name;
    super::say(&study::study_text(name, cfg.seed, count, &aggs));
    let csv = study::replications_csv(&cfg.scenario, cfg.seed, &reps).map_err(|source| {
        crate::report::ReportError::Csv {
            path: cfg.out.join("replications.csv"),
            source,
        }
    })?;
    let json = study::study_json(name, cfg.seed, count, &aggs).into_bytes();
    crate::report::write_rendered(&cfg.out, &[("replications.csv", csv), ("study.json", json)])?;
    super::say(&format!("wrote {}\n", cfg.out.display()));
    Ok(())
}

/// A bar on standard error when it is a terminal; hidden otherwise (logs, pipes, CI).
fn progress_bar(count: u64) -> ProgressBar {
    let bar = ProgressBar::new(count);
    if !std::io::stderr().is_terminal() {
        bar.set_draw_target(ProgressDrawTarget::hidden());
    }
    let style =
        ProgressStyle::with_template("{bar:40} {pos}/{len} replications  {elapsed} (eta {eta})");
    if let Ok(style) = style {
        bar.set_style(style);
    }
    bar
}

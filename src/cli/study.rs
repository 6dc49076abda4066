//! `kubesim run --replications N [--shard I/N]`: the replications with a progress bar, their table
//! and files, or one shard's files for `kubesim merge`.

use super::{CliError, RunConfig};
use crate::report::write_rendered;
use crate::study::{self, shard::Shard, shard::ShardInfo, Files};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;

/// Runs `count` replications (or shard `shard` of them) on `jobs` threads; unsharded, prints the
/// aggregate table and writes `replications.csv`, `faults.csv` and `study.json`; a shard writes
/// its rows of the two CSV files and `shard.json`.
pub fn run_study(
    cfg: &RunConfig,
    count: u64,
    jobs: usize,
    shard: Option<Shard>,
) -> Result<(), CliError> {
    let range = shard.map_or(0..count, |s| s.range(count));
    let bar = progress_bar(range.end - range.start, "replications");
    let done = || bar.inc(1);
    let reps = study::replicate_range(&cfg.scenario, cfg.seed, range, jobs, &done)?;
    bar.finish_and_clear();
    let files = Files::of(&cfg.scenario, cfg.seed, &reps);
    let name = &cfg.scenario.name;
    let third = match shard {
        Some(shard) => {
            let info = ShardInfo {
                kind: "run".into(),
                scenario: name.clone(),
                seed: cfg.seed,
                replications: count,
                shard,
                parameters: Vec::new(),
                points: Vec::new(),
            };
            ("shard.json", info.to_json().into_bytes())
        }
        None => (
            "study.json",
            study_outputs(name, cfg.seed, count, &files, true)?,
        ),
    };
    let written = [
        ("replications.csv", files.replications),
        ("faults.csv", files.faults),
        third,
    ];
    write_rendered(&cfg.out, &written)?;
    super::say(&format!("wrote {}\n", cfg.out.display()));
    Ok(())
}

/// `study.json` of a study's files, printing the aggregate table first when `print`.
pub(super) fn study_outputs(
    name: &str,
    seed: u64,
    count: u64,
    files: &Files,
    print: bool,
) -> Result<Vec<u8>, CliError> {
    let aggs = study::aggregate_files(&files.replications, &files.faults)
        .map_err(|e| CliError::Usage(e.to_string()))?;
    if print {
        super::say(&study::study_text(name, seed, count, &aggs));
    }
    Ok(study::study_json(name, seed, count, &aggs).into_bytes())
}

/// A bar on standard error when both standard output and standard error are terminals; hidden
/// otherwise (logs, pipes, CI).
pub(super) fn progress_bar(count: u64, what: &str) -> ProgressBar {
    let bar = ProgressBar::new(count);
    if !(std::io::stderr().is_terminal() && std::io::stdout().is_terminal()) {
        bar.set_draw_target(ProgressDrawTarget::hidden());
    }
    let template = format!("{{bar:40}} {{pos}}/{{len}} {what}  {{elapsed}} (eta {{eta}})");
    if let Ok(style) = ProgressStyle::with_template(&template) {
        bar.set_style(style);
    }
    bar
}

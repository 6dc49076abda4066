//! `kubesim check SCENARIO [--replications N] [--seed S]`: runs with every invariant on and prints
//! the first violation with the events that led to it; `run --check` prints violations in its log.

use super::{say, CliError};
use crate::check::{check_run, CheckReport};
use crate::scenario::{self, Scenario};
use std::path::PathBuf;

/// A validated `check` invocation.
#[derive(Debug)]
pub struct CheckConfig {
    pub scenario: Scenario,
    /// The seed of the first replication; replication i runs with seed + i.
    pub seed: u64,
    pub replications: u64,
}

/// Validates `check`'s arguments (reads and checks the scenario).
pub fn configure_check(
    path: PathBuf,
    seed: Option<u64>,
    replications: Option<u64>,
) -> Result<CheckConfig, CliError> {
    let replications = replications.unwrap_or(1);
    if replications == 0 {
        return Err(CliError::Usage("--replications must be at least 1".into()));
    }
    let scenario = scenario::load(&path)?;
    let seed = seed.unwrap_or(scenario.seed);
    Ok(CheckConfig {
        scenario,
        seed,
        replications,
    })
}

/// Runs the replications in order until one breaks an invariant; prints its first violation and
/// history (exit status 1), or what was checked.
pub fn check(cfg: &CheckConfig) -> Result<(), CliError> {
    let mut events = 0;
    let mut judgements = 0;
    for i in 0..cfg.replications {
        let seed = cfg.seed.wrapping_add(i);
        let (_, report) = check_run(&cfg.scenario, seed)?;
        events += report.checked.events;
        judgements += report.checked.judgements.values().sum::<u64>();
        if !report.passed() {
            say(&failure_text(&cfg.scenario, seed, &report));
            return Err(CliError::Violated(report.violations.len()));
        }
    }
    say(&format!(
        "{}: {} replication(s) from seed {}: no invariant broken ({events} events, {judgements} judgements)\n",
        cfg.scenario.name, cfg.replications, cfg.seed
    ));
    Ok(())
}

/// The first violation, its history, and how to replay it.
pub fn failure_text(scenario: &Scenario, seed: u64, report: &CheckReport) -> String {
    let mut text = format!(
        "{}: seed {seed}: {} invariant violation(s)\n",
        scenario.name,
        report.violations.len()
    );
    text.push_str(&report.first_text().unwrap_or_default());
    text.push_str(&format!(
        "replay: kubesim run {} --seed {seed} --check\n",
        scenario.source.display()
    ));
    text
}

/// The violations of a `run --check`, one line each, for the end of its log.
pub fn violation_lines(report: &CheckReport) -> String {
    if report.passed() {
        return "CHECK no invariant broken\n".into();
    }
    let mut text = String::from("VIOLATIONS\n");
    for v in &report.violations {
        text.push_str(&format!("{v}\n"));
    }
    text
}

//! Command-line arguments per subcommand, validated into a configuration, then run.

use crate::scenario::{self, Scenario};
use crate::sim::{self, RunError};
use clap::{Parser, Subcommand};
use std::path::PathBuf;

/// kubesim: replay Kubernetes manifests and a scenario of faults against faithful models of the
/// controllers, scheduler, kubelets, volumes and load balancers.
#[derive(Debug, Parser)]
#[command(name = "kubesim", version, about)]
pub struct Args {
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run a scenario once: print a `kubectl get pods -w`-style log and a summary, write the output files.
    Run {
        /// The scenario file (YAML).
        scenario: PathBuf,
        /// Seed of the random streams (default: the scenario's `seed`).
        #[arg(long)]
        seed: Option<u64>,
        /// Output directory (default: output/<scenario name>/); replaced by this run.
        #[arg(long)]
        out: Option<PathBuf>,
        /// Print only the summary, not the watch log.
        #[arg(long)]
        quiet: bool,
    },
}

/// A validated `run` invocation.
#[derive(Debug)]
pub struct RunConfig {
    pub scenario: Scenario,
    pub seed: u64,
    pub out: PathBuf,
    pub quiet: bool,
}

/// What went wrong, and the exit status it maps to.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// The scenario or a manifest is invalid (exit status 2).
    #[error("{0}")]
    Scenario(#[from] scenario::ScenarioError),
    /// The scenario cannot be simulated as written (exit status 2).
    #[error("{0}")]
    Input(RunError),
    /// The simulation stopped (exit status 1).
    #[error("{0}")]
    Run(RunError),
    /// Writing the output failed (exit status 1).
    #[error("{0}")]
    Report(#[from] crate::report::ReportError),
}

impl CliError {
    /// 2 for bad input, 1 otherwise.
    pub fn exit_code(&self) -> i32 {
        match self {
            CliError::Scenario(_) | CliError::Input(_) => 2,
            CliError::Run(_) | CliError::Report(_) => 1,
        }
    }
}

impl From<RunError> for CliError {
    fn from(e: RunError) -> Self {
        match e {
            RunError::World(_) => CliError::Run(e),
            _ => CliError::Input(e),
        }
    }
}

/// Validates `run`'s arguments into a configuration (reads and checks the scenario).
pub fn configure_run(
    scenario: PathBuf,
    seed: Option<u64>,
    out: Option<PathBuf>,
    quiet: bool,
) -> Result<RunConfig, CliError> {
    let scenario = scenario::load(&scenario)?;
    let seed = seed.unwrap_or(scenario.seed);
    let out = out.unwrap_or_else(|| PathBuf::from("output").join(&scenario.name));
    Ok(RunConfig {
        scenario,
        seed,
        out,
        quiet,
    })
}

/// Runs the scenario, prints the log and summary, writes the output files (only after a complete run).
pub fn run(cfg: &RunConfig) -> Result<(), CliError> {
    let output = sim::run(&cfg.scenario, cfg.seed)?;
    if !cfg.quiet {
        print!("{}", crate::report::watch_log(&output.watch));
        println!();
        if !output.rollouts.is_empty() {
            println!("ROLLOUTS");
            print!("{}", crate::report::rollout_log(&output.rollouts));
            println!();
        }
    }
    print!("{}", crate::report::summary_text(&output.summary));
    crate::report::write_all(&cfg.out, &output)?;
    println!("wrote {}", cfg.out.display());
    Ok(())
}

/// Parses, validates and runs; returns the process exit status.
pub fn main_with(args: Args) -> i32 {
    let result = match args.command {
        Command::Run {
            scenario,
            seed,
            out,
            quiet,
        } => configure_run(scenario, seed, out, quiet).and_then(|cfg| run(&cfg)),
    };
    match result {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("error: {e}");
            e.exit_code()
        }
    }
}

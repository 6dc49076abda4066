//! Command-line arguments per subcommand, validated into a configuration, then run.

mod check;
mod merge;
mod report;
mod study;
mod sweep;

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
        /// Run N independent replications (each seeded from the seed and its index) and write their
        /// aggregates (`study.json`) and one row per replication (`replications.csv`).
        #[arg(long, value_name = "N")]
        replications: Option<u64>,
        /// Worker threads for replications (default: the machine's cores); results do not depend on it.
        #[arg(long, value_name = "J", requires = "replications")]
        jobs: Option<usize>,
        /// Run only shard I of N of the replications (counted from 0) and write its rows and
        /// `shard.json`; `kubesim merge` combines the shards.
        #[arg(long, value_name = "I/N", requires = "replications")]
        shard: Option<String>,
        /// Check every invariant after every event and print the violations at the end of the log.
        #[arg(long, conflicts_with = "replications")]
        check: bool,
    },
    /// Run a scenario with every invariant checked after every event (and liveness at the end);
    /// print the first violation with the events that led to it. Exit status 1 on a violation.
    Check {
        /// The scenario file (YAML).
        scenario: PathBuf,
        /// Seed of the first replication (default: the scenario's `seed`); replication i uses seed + i.
        #[arg(long)]
        seed: Option<u64>,
        /// Check N replications (seeds S, S+1, ...), stopping at the first that breaks an invariant.
        #[arg(long, value_name = "N")]
        replications: Option<u64>,
    },
    /// Run a parameter sweep: a grid of scenario values (STUDY.yaml) x replications; writes
    /// `sweep.csv`, a picture per metric and each grid point's study files.
    Sweep {
        /// The study file (YAML): scenario, replications, parameters.
        study: PathBuf,
        /// Seed of the random streams (default: the study's `seed`, else the scenario's).
        #[arg(long)]
        seed: Option<u64>,
        /// Output directory (default: output/<study file name>/); replaced by this run.
        #[arg(long)]
        out: Option<PathBuf>,
        /// Worker threads (default: the machine's cores); results do not depend on it.
        #[arg(long, value_name = "J")]
        jobs: Option<usize>,
        /// Run only shard I of N of every point's replications (counted from 0).
        #[arg(long, value_name = "I/N")]
        shard: Option<String>,
        /// Print a Kubernetes Indexed Job manifest that runs the sweep in N shards, instead of running it.
        #[arg(long, requires = "shards")]
        emit_job: bool,
        /// The number of shards (pods) of the emitted Job.
        #[arg(long, value_name = "N")]
        shards: Option<u64>,
        /// The container image of the emitted Job (holding kubesim and the study's files).
        #[arg(long, default_value = "kubesim:latest")]
        image: String,
        /// The PersistentVolumeClaim the emitted Job's pods write their shards into.
        #[arg(long, default_value = "kubesim-results")]
        claim: String,
    },
    /// Merge the output directories of the shards of a `run --replications` or a `sweep` into
    /// exactly what the unsharded command writes.
    Merge {
        /// The shards' output directories (every shard once, any order).
        #[arg(required = true)]
        dirs: Vec<PathBuf>,
        /// Output directory (default: output/<name>/); replaced.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Write DIR/report.html: one self-contained page (no network needed) with the summary tables
    /// and pictures of a run, a study or a sweep written into DIR.
    Report {
        /// An output directory of `kubesim run`, `run --replications`, `sweep` or `merge`.
        dir: PathBuf,
    },
}

/// A validated `run` invocation.
#[derive(Debug)]
pub struct RunConfig {
    pub scenario: Scenario,
    pub seed: u64,
    pub out: PathBuf,
    pub quiet: bool,
    /// Some: a study of that many replications on `jobs` threads.
    pub replications: Option<(u64, usize)>,
    /// Check every invariant during the run (`--check`).
    pub check: bool,
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
    /// A replication stopped, or the workers could not start (exit status 1).
    #[error("{0}")]
    Study(#[from] crate::study::StudyError),
    /// An argument is out of range (exit status 2).
    #[error("{0}")]
    Usage(String),
    /// `kubesim check` found invariant violations (exit status 1).
    #[error("{0} invariant violation(s)")]
    Violated(usize),
}

impl CliError {
    /// 2 for bad input, 1 otherwise.
    pub fn exit_code(&self) -> i32 {
        match self {
            CliError::Scenario(_) | CliError::Input(_) | CliError::Usage(_) => 2,
            CliError::Run(_) | CliError::Report(_) | CliError::Study(_) | CliError::Violated(_) => {
                1
            }
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
    replications: Option<(u64, Option<usize>)>,
) -> Result<RunConfig, CliError> {
    let replications = match replications {
        Some((0, _)) => return Err(CliError::Usage("--replications must be at least 1".into())),
        Some((_, Some(0))) => return Err(CliError::Usage("--jobs must be at least 1".into())),
        Some((n, jobs)) => Some((n, jobs.unwrap_or_else(default_jobs))),
        None => None,
    };
    let scenario = scenario::load(&scenario)?;
    let seed = seed.unwrap_or(scenario.seed);
    let out = out.unwrap_or_else(|| PathBuf::from("output").join(&scenario.name));
    Ok(RunConfig {
        scenario,
        seed,
        out,
        quiet,
        replications,
        check: false,
    })
}

/// `--shard I/N`, if given.
fn parse_shard(text: Option<&str>) -> Result<Option<crate::study::shard::Shard>, CliError> {
    text.map(crate::study::shard::Shard::parse)
        .transpose()
        .map_err(CliError::Usage)
}

/// Validates `sweep`'s arguments (reads the study file and every grid point's scenario).
fn configure_sweep(
    file: PathBuf,
    seed: Option<u64>,
    out: Option<PathBuf>,
    jobs: Option<usize>,
    shard: Option<&str>,
) -> Result<sweep::SweepConfig, CliError> {
    if jobs == Some(0) {
        return Err(CliError::Usage("--jobs must be at least 1".into()));
    }
    let shard = parse_shard(shard)?;
    let study = scenario::load_study(&file)?;
    let seed = seed
        .or(study.seed)
        .unwrap_or_else(|| study.points[0].scenario.seed);
    let out = out.unwrap_or_else(|| PathBuf::from("output").join(&study.name));
    Ok(sweep::SweepConfig {
        study,
        seed,
        out,
        jobs: jobs.unwrap_or_else(default_jobs),
        shard,
    })
}

/// The machine's cores (1 when unknown).
fn default_jobs() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// Runs the scenario, prints the log and summary, writes the output files (only after a complete run).
pub fn run(cfg: &RunConfig) -> Result<(), CliError> {
    let (output, report) = if cfg.check {
        let (output, report) = crate::check::check_run(&cfg.scenario, cfg.seed)?;
        (output, Some(report))
    } else {
        (sim::run(&cfg.scenario, cfg.seed)?, None)
    };
    if !cfg.quiet {
        say(&crate::report::watch_log(&output.watch));
        say("\n");
        if !output.rollouts.is_empty() {
            say("ROLLOUTS\n");
            say(&crate::report::rollout_log(&output.rollouts));
            say("\n");
        }
    }
    say(&crate::report::summary_text(&output.summary));
    crate::report::write_all(&cfg.out, &output)?;
    say(&format!("wrote {}\n", cfg.out.display()));
    if let Some(report) = report {
        say(&check::violation_lines(&report));
        if let Some(first) = report.first_text() {
            say(&first);
        }
    }
    Ok(())
}

/// Writes to standard output; a closed pipe (`kubesim run ... | head`) ends the program quietly
/// with status 0, as ripgrep does, instead of a panic.
pub(crate) fn say(text: &str) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        eprintln!("error: cannot write to standard output: {e}");
        std::process::exit(1);
    }
}

/// Parses, validates and runs; returns the process exit status.
pub fn main_with(args: Args) -> i32 {
    let result = match args.command {
        Command::Run {
            scenario,
            seed,
            out,
            quiet,
            replications,
            jobs,
            shard,
            check,
        } => parse_shard(shard.as_deref()).and_then(|shard| {
            let mut cfg =
                configure_run(scenario, seed, out, quiet, replications.map(|n| (n, jobs)))?;
            cfg.check = check;
            match cfg.replications {
                Some((n, jobs)) => study::run_study(&cfg, n, jobs, shard),
                None => run(&cfg),
            }
        }),
        Command::Sweep {
            study,
            seed,
            out,
            jobs,
            shard,
            emit_job,
            shards,
            image,
            claim,
        } => match (emit_job, shards) {
            (true, Some(0)) => Err(CliError::Usage("--shards must be at least 1".into())),
            (true, Some(n)) => scenario::load_study(&study)
                .map_err(CliError::from)
                .map(|s| say(&sweep::job_manifest(&study, &s.name, n, &image, &claim))),
            _ => configure_sweep(study, seed, out, jobs, shard.as_deref())
                .and_then(|cfg| sweep::run_sweep(&cfg)),
        },
        Command::Check {
            scenario,
            seed,
            replications,
        } => check::configure_check(scenario, seed, replications).and_then(|c| check::check(&c)),
        Command::Merge { dirs, out } => merge::merge(&dirs, out),
        Command::Report { dir } => report::report(&dir),
    };
    match result {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("error: {e}");
            e.exit_code()
        }
    }
}

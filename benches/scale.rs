//! `scale-5k` benchmark: 5,000 nodes, 150,000 pods, a simulated day of churn, at several fractions.
//!
//! Run with `cargo bench --bench scale -- --hours 24 0.25 0.5 1` (simulated hours and fractions of
//! the full size; the default, 2 hours at 1/500, 1/250 and 1/125, finishes in minutes now), and
//! `cargo bench --bench scale -- --hours 24 --nodes 1000 --check` for the 1,000-node size with the invariant
//! checks on after every event. Every size runs in its own child process, so the peak memory
//! (VmHWM) printed for it is its own. The scenario is generated into a temporary directory
//! (`common/scale_scenario.rs`); one line per size gives nodes, pods, simulated time, wall time,
//! events, events/s, the simulated-to-wall ratio and peak memory. Issue 8's targets for the full
//! size: under 60 s, under 4 GB, at least 2 M events/s; 1,000 nodes with invariants: under 10 s.
//! `-- --write DIR 0.1` only writes the scenario of that size into DIR, for `kubesim run DIR/scenario.yaml`.

#[path = "common/mod.rs"]
mod common;
#[path = "common/scale_scenario.rs"]
mod scale_scenario;

use common::{Clock, Figures};
use scale_scenario::{Size, FULL_NODES};
use std::path::Path;
use std::process::Command;

/// Fractions of the full size, and simulated hours, run when none are given: small enough to
/// finish in a few minutes while the simulator is slow (issue 8); `-- --hours 24 0.25 0.5 1` is
/// the run.
const DEFAULT_FRACTIONS: [f64; 3] = [0.002, 0.004, 0.008];
const DEFAULT_HOURS: f64 = 2.0;

/// What the command line asks for.
struct Args {
    fractions: Vec<f64>,
    hours: f64,
    check: bool,
    /// Run one size in this process and print its result line (the parent's child).
    child: bool,
    /// Only write the scenario of the first size into this directory (for `kubesim run`).
    write: Option<String>,
}

fn main() {
    let args = parse_args();
    if let Some(dir) = &args.write {
        let size = Size::fraction(args.fractions[0], args.hours);
        let path = scale_scenario::write(Path::new(dir), size).expect("the scenario is written");
        return println!("wrote {}", path.display());
    }
    if args.child {
        return child(args.fractions[0], args.hours, args.check);
    }
    println!(
        "scale-5k: {} simulated hours, invariants {}",
        args.hours,
        if args.check { "on" } else { "off" }
    );
    println!(
        "{:>6} {:>8} {:>9} {:>9} {:>9} {:>10} {:>12} {:>10} {:>10} {:>10}",
        "nodes",
        "pods",
        "sim_s",
        "wall_s",
        "cpu_s",
        "events",
        "events/s",
        "sim/wall",
        "peak_MB",
        "violations"
    );
    for &f in &args.fractions {
        spawn_child(f, &args);
    }
}

fn parse_args() -> Args {
    let mut args = Args {
        fractions: Vec::new(),
        hours: DEFAULT_HOURS,
        check: false,
        child: false,
        write: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        let mut number = |name: &str| -> f64 {
            let v = it.next().and_then(|v| v.parse().ok());
            v.unwrap_or_else(|| panic!("{name} needs a number"))
        };
        match a.as_str() {
            "--hours" => args.hours = number("--hours"),
            "--nodes" => args.fractions.push(number("--nodes") / FULL_NODES as f64),
            "--check" => args.check = true,
            "--child" => args.child = true,
            "--write" => args.write = it.next(),
            _ => args.fractions.extend(a.parse::<f64>().ok()), // `--bench` and the like
        }
    }
    if args.fractions.is_empty() {
        args.fractions = DEFAULT_FRACTIONS.to_vec();
    }
    args
}

/// Runs one size in a child process (its own peak memory) and passes its line through.
fn spawn_child(fraction: f64, args: &Args) {
    let exe = std::env::current_exe().expect("the benchmark's own path");
    let mut cmd = Command::new(exe);
    cmd.args([
        "--child",
        &fraction.to_string(),
        "--hours",
        &args.hours.to_string(),
    ]);
    if args.check {
        cmd.arg("--check");
    }
    let status = cmd.status().expect("the child process starts");
    if !status.success() {
        eprintln!("size {fraction}: the child process failed ({status})");
    }
}

/// Generates, loads and runs one size, and prints its line.
fn child(fraction: f64, hours: f64, check: bool) {
    let size = Size::fraction(fraction, hours);
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = scale_scenario::write(dir.path(), size).expect("the scenario is written");
    let start = Clock::start();
    let scenario = kubesim::scenario::load(&path).expect("the generated scenario loads");
    let (output, violations) = run(&scenario, check);
    let s = &output.summary;
    let fig = Figures::since(&start, s.events, s.duration_ms);
    let peak_mb = fig.peak_kib.map_or(f64::NAN, |k| k as f64 / 1024.0);
    println!(
        "{:>6} {:>8} {:>9.0} {:>9.2} {:>9.2} {:>10} {:>12.0} {:>10.0} {:>10.1} {:>10}",
        size.nodes,
        size.pods,
        s.duration_ms as f64 / 1000.0,
        fig.wall_s,
        fig.cpu_s.unwrap_or(f64::NAN),
        fig.events,
        fig.events_per_s(),
        fig.sim_to_wall(),
        peak_mb,
        violations.map_or("off".to_string(), |v| v.to_string()),
    );
}

/// Runs the scenario; with `check`, under every invariant checker there is (None: unchecked).
fn run(
    scenario: &kubesim::scenario::Scenario,
    check: bool,
) -> (kubesim::metrics::RunOutput, Option<usize>) {
    if !check {
        let out = kubesim::sim::run(scenario, scenario.seed).expect("the run completes");
        return (out, None);
    }
    // Every invariant of `kubesim check`, after every event.
    let (out, report) =
        kubesim::check::check_run(scenario, scenario.seed).expect("the run completes");
    (out, Some(report.violations.len()))
}

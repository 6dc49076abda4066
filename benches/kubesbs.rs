//! KubeSBS benchmark: 100 Nodes and 1,067 bare Pods (../shared/benchmarks/kubesbs/) end to end.
//!
//! Run with `cargo bench --bench kubesbs` (add `-- N` to time N runs and keep the fastest, default 5).
//! One run is what `kubesim run benches/kubesbs.yaml --quiet` does less its other files: load the
//! scenario and its manifests as they are, simulate until the scenario's end, print the summary and
//! write `summary.json`. It prints how many pods were scheduled, bound and started (a pod that fits
//! no node is a result, not a failure), when the last one started, wall time, events, events/s, the
//! simulated-to-wall ratio and the process's peak resident memory (VmHWM). Issue 8's target: under
//! 50 ms and 20 MB.

#[path = "common/mod.rs"]
mod common;

use common::{Clock, Figures};
use kubesim::metrics::PodRecord;
use std::path::Path;

fn main() {
    let runs: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(5)
        .max(1);
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/kubesbs.yaml");
    let out = tempfile::tempdir().expect("a temporary directory");
    let mut best: Option<Run> = None;
    for _ in 0..runs {
        let run = run_once(&path, out.path());
        if best
            .as_ref()
            .is_none_or(|b| run.figures.wall_s < b.figures.wall_s)
        {
            best = Some(run);
        }
    }
    let Run {
        figures,
        pods,
        summary,
        phases_s,
    } = best.expect("at least one run");
    print!("{summary}");
    println!(
        "KubeSBS: 100 nodes, {} pods; fastest of {runs} runs",
        pods.len()
    );
    print_pods(&pods);
    figures.print();
    let [load, simulate, write] = phases_s.map(|s| s * 1000.0);
    println!("of which: load {load:.1} ms, simulate {simulate:.1} ms, summary {write:.1} ms");
}

/// One measured run: its figures, the pods' records, the summary text, and the wall seconds of
/// loading, simulating and writing the summary.
struct Run {
    figures: Figures,
    pods: Vec<PodRecord>,
    summary: String,
    phases_s: [f64; 3],
}

/// Loads, runs and writes the summary once; the figures cover all three.
fn run_once(path: &Path, out: &Path) -> Run {
    let start = Clock::start();
    let scenario = kubesim::scenario::load(path).expect("the KubeSBS scenario loads");
    let loaded = start.wall_s();
    let output = kubesim::sim::run(&scenario, scenario.seed).expect("the run completes");
    let simulated = start.wall_s();
    let summary = kubesim::report::summary_text(&output.summary);
    let json = kubesim::report::summary_json(&output.summary);
    std::fs::write(out.join("summary.json"), json).expect("summary.json is written");
    let s = &output.summary;
    let figures = Figures::since(&start, s.events, s.duration_ms);
    let phases_s = [loaded, simulated - loaded, figures.wall_s - simulated];
    Run {
        figures,
        pods: output.pods,
        summary,
        phases_s,
    }
}

/// How many pods reached each step, and when the last one started.
fn print_pods(pods: &[PodRecord]) {
    let count = |f: fn(&PodRecord) -> bool| pods.iter().filter(|p| f(p)).count();
    let scheduled = count(|p| p.scheduled.is_some());
    let bound = count(|p| p.node.is_some());
    let started = count(|p| p.started.is_some());
    println!("pods scheduled      {scheduled} of {}", pods.len());
    println!("pods bound          {bound} of {}", pods.len());
    println!("pods started        {started} of {}", pods.len());
    let last = pods.iter().filter_map(|p| p.started).max();
    if let Some(t) = last {
        println!(
            "last pod started at {:.3} s (simulated)",
            t.0 as f64 / 1000.0
        );
    }
}

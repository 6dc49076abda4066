//! Replications benchmark: 1,000 replications of the MariaDB example, as `--replications` runs them.
//!
//! Run with `cargo bench --bench replications` (optionally `-- N J` for N replications on J jobs;
//! default 1000 on every core). Prints wall time, replications and simulation events per second,
//! and the process's peak resident memory (VmHWM from /proc/self/status, Linux only).

#[path = "common/mod.rs"]
mod common;

use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let count: u64 = args.first().and_then(|a| a.parse().ok()).unwrap_or(1_000);
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let jobs: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(cores);
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/mariadb-failover.yaml");
    let scenario = kubesim::scenario::load(&path).expect("the example loads");
    let start = Instant::now();
    let reps =
        kubesim::study::replicate(&scenario, scenario.seed, count, jobs, &|| {}).expect("runs");
    let wall = start.elapsed().as_secs_f64();
    let events: u64 = reps.iter().map(|r| r.summary.events).sum();
    println!("replications of mariadb-failover: {count} on {jobs} jobs");
    println!("wall time           {wall:.3} s");
    println!("replications/s      {:.0}", count as f64 / wall);
    println!("events              {events}");
    println!("events/s            {:.0}", events as f64 / wall);
    println!(
        "peak memory         {}",
        common::show_kib(common::peak_memory_kib())
    );
}

//! What the end-to-end benchmarks share: timing one run and printing its figures, and peak memory.
//!
//! Each benchmark includes this file with `#[path = "common/mod.rs"] mod common;`.
#![allow(dead_code)] // not every benchmark uses every helper

use std::time::Instant;

/// The figures of one measured run.
pub struct Figures {
    /// Wall time of the whole run (loading, simulating and writing), in seconds.
    pub wall_s: f64,
    /// Events the simulation processed (`summary.events`).
    pub events: u64,
    /// Simulated time covered, in milliseconds.
    pub simulated_ms: u64,
    /// The process's peak resident memory (VmHWM), in KiB, if the platform reports it.
    pub peak_kib: Option<u64>,
}

impl Figures {
    /// Measures the time from `start` to now; reads the events and simulated time from the caller.
    pub fn since(start: Instant, events: u64, simulated_ms: u64) -> Self {
        Figures {
            wall_s: start.elapsed().as_secs_f64(),
            events,
            simulated_ms,
            peak_kib: peak_memory_kib(),
        }
    }

    /// Events per wall-clock second.
    pub fn events_per_s(&self) -> f64 {
        self.events as f64 / self.wall_s
    }

    /// Simulated seconds per wall-clock second.
    pub fn sim_to_wall(&self) -> f64 {
        self.simulated_ms as f64 / 1000.0 / self.wall_s
    }

    /// The figures as aligned `name value` lines.
    pub fn print(&self) {
        println!("wall time           {:.3} s", self.wall_s);
        println!("events              {}", self.events);
        println!("events/s            {:.0}", self.events_per_s());
        println!(
            "simulated time      {:.0} s",
            self.simulated_ms as f64 / 1000.0
        );
        println!("simulated/wall      {:.0}x", self.sim_to_wall());
        println!("peak memory         {}", show_kib(self.peak_kib));
    }
}

/// `123.4 MB` (MiB, as /proc counts), or `unknown`.
pub fn show_kib(kib: Option<u64>) -> String {
    kib.map_or_else(
        || "unknown".to_string(),
        |k| format!("{:.1} MB", k as f64 / 1024.0),
    )
}

/// VmHWM of this process (peak resident set size) in KiB, as /proc reports it (Linux only).
pub fn peak_memory_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let number = line.trim_start_matches("VmHWM:").trim().trim_end_matches("kB");
    number.trim().parse().ok()
}

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
    /// CPU seconds (user and system) the process used during the run: on a loaded machine, the
    /// wall time includes waiting for a core and this does not.
    pub cpu_s: Option<f64>,
}

/// When a measured run started, on the wall clock and in the process's CPU time.
pub struct Clock {
    wall: Instant,
    cpu_s: Option<f64>,
}

impl Clock {
    /// Starts measuring now.
    pub fn start() -> Self {
        Clock {
            wall: Instant::now(),
            cpu_s: cpu_seconds(),
        }
    }

    /// Wall seconds since the start.
    pub fn wall_s(&self) -> f64 {
        self.wall.elapsed().as_secs_f64()
    }
}

impl Figures {
    /// Measures the time since `start`; reads the events and simulated time from the caller.
    pub fn since(start: &Clock, events: u64, simulated_ms: u64) -> Self {
        let cpu_s = cpu_seconds().zip(start.cpu_s).map(|(now, then)| now - then);
        Figures {
            wall_s: start.wall_s(),
            events,
            simulated_ms,
            peak_kib: peak_memory_kib(),
            cpu_s,
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
        if let Some(cpu) = self.cpu_s {
            println!("cpu time            {cpu:.3} s");
        }
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
    let number = line
        .trim_start_matches("VmHWM:")
        .trim()
        .trim_end_matches("kB");
    number.trim().parse().ok()
}

/// User plus system CPU seconds of this process, from /proc/self/stat (Linux only; assumes the
/// usual 100 clock ticks a second).
pub fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name (which may hold spaces) start at the state, field 3.
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(ticks as f64 / 100.0)
}

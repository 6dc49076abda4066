//! kubesim: a deterministic discrete-event simulator of Kubernetes workloads.
//!
//! The shape follows Kubernetes itself: every actor (controllers, scheduler, kubelets, network)
//! reads and writes one object store ([`api::Store`], the API server) and reacts to its change
//! notifications; actors never call each other. The engine ([`engine`]) orders events by
//! (time, sequence) in integer milliseconds and draws randomness only from named seeded streams,
//! so the same scenario and seed always give the same bytes.
//!
//! ```no_run
//! let scenario = kubesim::scenario::load(std::path::Path::new("scenarios/mariadb-failover.yaml"))?;
//! let output = kubesim::sim::run(&scenario, scenario.seed)?;
//! println!("{} events, availability {:.4}", output.summary.events, output.summary.services[0].availability);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod api;
pub mod check;
pub mod cli;
pub mod controllers;
pub mod engine;
pub mod faults;
pub mod kubelet;
pub mod manifest;
pub mod metrics;
pub mod network;
pub mod report;
pub mod scenario;
pub mod scheduler;
pub mod sim;
pub mod study;

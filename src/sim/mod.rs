//! One simulation run: the world (store, actors, calendar), its event dispatch, and the run loop.
//!
//! Every actor is called only from here, with the store and its own state; actors never call each other.

mod build;
mod cache_view;
mod control_plane;
mod drain;
mod late_watch;
mod notify;
mod notify_batch;
mod notify_disruption;
mod notify_nodes;
mod notify_scheduler;
mod notify_sts;
mod notify_volumes;
mod run;
mod world;

pub use run::{run, run_inspected, run_observed, run_replication, RunError, WorldView};

//! Integration tests of `kubesim run`: the example scenarios, determinism, golden files, bad input.

mod bad_input;
mod bare_pods;
mod check;
mod control_plane;
mod determinism;
mod drain;
mod failing_rollouts;
mod generated;
mod generated_mutants;
mod incremental_check;
mod mariadb;
mod network;
mod node_failure;
mod rollouts;
mod scenario_gen;
mod scheduling_queue;
mod statefulset;
mod statefulset_storage;
mod study;
mod sweep;
pub mod util;
mod volume_binding;
mod workloads;
mod zookeeper;

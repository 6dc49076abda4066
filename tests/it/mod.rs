//! Integration tests of `kubesim run`: the example scenarios, determinism, golden files, bad input.

mod bad_input;
mod bare_pods;
mod determinism;
mod drain;
mod failing_rollouts;
mod mariadb;
mod network;
mod node_failure;
mod rollouts;
mod scheduling_queue;
mod statefulset;
mod statefulset_storage;
mod study;
mod sweep;
pub mod util;
mod volume_binding;
mod workloads;
mod zookeeper;

//! The scenario file: the cluster, how the programs behave, traffic, and faults over time.
//!
//! `load` reads and validates a scenario YAML file (and the manifests it names) into a [`Scenario`].

pub mod dist;
pub mod model;
pub mod timings;

pub use dist::Dist;
pub use model::*;
pub use timings::Timings;

//! The scenario file: the cluster, how the programs behave, traffic, and faults over time.
//!
//! `load` reads and validates a scenario YAML file (and the manifests it names) into a [`Scenario`].

mod apps;
mod changes;
mod cluster;
pub mod control_plane;
pub mod dist;
mod duration;
mod error;
mod faults;
mod field;
mod load;
mod manifest_nodes;
mod manifests;
pub mod model;
mod node_faults;
mod node_maintenance;
mod quantity;
mod quorum;
mod study;
pub mod testing;
pub mod timings;

pub use control_plane::{ControlPlaneFault, Controller, WatchedResource};
pub use dist::Dist;
pub use error::ScenarioError;
pub use load::{load, load_str};
pub use model::*;
pub use study::{load_study, Point, Study};
pub use testing::{Mutant, Testing};
pub use timings::Timings;

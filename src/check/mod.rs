//! Invariants checked after every event of a run: safety properties of the controllers against API objects and ground truth.

pub mod statefulset;
pub mod sts_rules;

pub use statefulset::{Checked, StatefulSetChecker};
pub use sts_rules::{Violation, ViolationKind};

//! The simulation engine: integer time, the event calendar, keyed work queues and seeded random streams.
//!
//! Knows nothing of Kubernetes; every other module builds on it.

pub mod calendar;
pub mod rng;
pub mod time;
pub mod workqueue;

pub use calendar::{Calendar, TimerId};
pub use rng::Streams;
pub use time::{format_secs, SimTime};
pub use workqueue::WorkQueue;

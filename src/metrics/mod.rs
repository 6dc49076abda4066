//! Pure recorders of what a run produced: events, pod incarnations, client requests, fault recoveries.
//!
//! The simulation appends to these; `report` turns them into files. Nothing here touches the file system.

pub mod records;
pub mod summary;

pub use records::{EventRecord, Outcome, PodRecord, RequestRecord, WatchLine};
pub use summary::{FaultSummary, ServiceSummary, Summary};

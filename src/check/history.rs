//! The history before a violation: the Kubernetes Events and watch-log lines up to its time, merged.

use crate::engine::SimTime;
use crate::metrics::RunOutput;

/// The last `lines` Events and pod watch lines at or before `at`, oldest first, as text.
pub fn history_before(out: &RunOutput, at: SimTime, lines: usize) -> Vec<String> {
    let events = out.events.iter().filter(|e| e.time <= at).map(|e| {
        let text = format!(
            "{:>9} s  event {} {}/{} {}: {}",
            e.time.to_string(),
            e.kind,
            e.namespace,
            e.name,
            e.reason,
            e.message
        );
        (e.time, 0u8, text)
    });
    let watch = out.watch.iter().filter(|w| w.time <= at).map(|w| {
        let text = format!(
            "{:>9} s  pod   {} {} {} restarts={} node={} ip={}",
            w.time.to_string(),
            w.name,
            w.ready,
            w.status,
            w.restarts,
            w.node,
            w.ip
        );
        (w.time, 1u8, text)
    });
    let mut all: Vec<(SimTime, u8, String)> = events.chain(watch).collect();
    // Stable: equal times keep events before watch lines, each in recorded order.
    all.sort_by_key(|(t, k, _)| (*t, *k));
    let skip = all.len().saturating_sub(lines);
    all.into_iter().skip(skip).map(|(_, _, t)| t).collect()
}

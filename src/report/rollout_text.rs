//! The terminal's rollout view: one line per Deployment step with its ReplicaSets' sizes.

use crate::metrics::RolloutRecord;
use std::collections::BTreeMap;

/// Before each line, so the view reads as a section under its `ROLLOUTS` header.
const INDENT: &str = "  ";
/// Between the time, the Deployment and its ReplicaSets.
const GAP: &str = "  ";

/// What the view knows of one ReplicaSet after the steps so far.
#[derive(Debug, Clone, PartialEq)]
struct RsState<'a> {
    name: &'a str,
    revision: u64,
    replicas: u32,
    available: u32,
}

/// The rollout view: one line per Deployment step (its records with the same time), in order.
///
/// A line names the time (right-aligned), the Deployment and, oldest revision first, each of its
/// ReplicaSets that has replicas or changed in the step: `web-5d8f7c (rev 1) 10→8 avail 8`, the
/// arrow only when spec replicas changed in the step. Every column, the ReplicaSets' included, is
/// padded to its widest value. No records give an empty string.
pub fn rollout_log(records: &[RolloutRecord]) -> String {
    let mut known: BTreeMap<&str, Vec<RsState>> = BTreeMap::new();
    let rows: Vec<Vec<String>> = steps(records)
        .into_iter()
        .map(|step| {
            let first = step[0];
            let sets = known.entry(&first.deployment).or_default();
            let head = [format!("{}s", first.time), first.deployment.clone()];
            head.into_iter().chain(step_cells(sets, &step)).collect()
        })
        .collect();
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..columns)
        .map(|c| {
            rows.iter()
                .filter_map(|r| r.get(c))
                .map(|v| v.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    rows.iter().map(|row| format_row(row, &widths)).collect()
}

/// One line: the time right-aligned, the rest left-aligned, ReplicaSets `|`-separated.
fn format_row(row: &[String], widths: &[usize]) -> String {
    let mut line = String::from(INDENT);
    for (i, (cell, width)) in row.iter().zip(widths).enumerate() {
        let sep = match i {
            0 => "",
            1 | 2 => GAP,
            _ => " | ",
        };
        let cell = if i == 0 {
            format!("{cell:>width$}")
        } else {
            format!("{cell:<width$}")
        };
        line.push_str(sep);
        line.push_str(&cell);
    }
    line.trim_end().to_string() + "\n"
}

/// The records grouped into steps: those with the same time and Deployment, in order of appearance.
fn steps(records: &[RolloutRecord]) -> Vec<Vec<&RolloutRecord>> {
    let mut steps: Vec<Vec<&RolloutRecord>> = Vec::new();
    let mut first_at_time = 0;
    for r in records {
        if steps
            .get(first_at_time)
            .is_some_and(|s| s[0].time != r.time)
        {
            first_at_time = steps.len();
        }
        let same = steps[first_at_time..]
            .iter_mut()
            .find(|s| s[0].deployment == r.deployment);
        match same {
            Some(step) => step.push(r),
            None => steps.push(vec![r]),
        }
    }
    steps
}

/// Applies a step to its Deployment's ReplicaSets and describes the ones to show.
fn step_cells<'a>(sets: &mut Vec<RsState<'a>>, step: &[&'a RolloutRecord]) -> Vec<String> {
    let before: Vec<(&str, u32)> = sets.iter().map(|s| (s.name, s.replicas)).collect();
    for r in step {
        apply(sets, r);
    }
    let touched = |name: &str| step.iter().any(|r| r.replicaset == name);
    let mut shown: Vec<&RsState> = sets
        .iter()
        .filter(|s| s.replicas > 0 || touched(s.name))
        .collect();
    shown.sort_by_key(|s| (s.revision, s.name));
    shown
        .iter()
        .map(|s| {
            let old = before
                .iter()
                .find(|(n, _)| *n == s.name)
                .map_or(0, |&(_, r)| r);
            rs_cell(s, old)
        })
        .collect()
}

/// Records one ReplicaSet's new state, adding it when first seen.
fn apply<'a>(sets: &mut Vec<RsState<'a>>, r: &'a RolloutRecord) {
    let state = RsState {
        name: &r.replicaset,
        revision: r.revision,
        replicas: r.replicas,
        available: r.available,
    };
    match sets.iter_mut().find(|s| s.name == state.name) {
        Some(s) => *s = state,
        None => sets.push(state),
    }
}

/// `web-5d8f7c (rev 1) 10→8 avail 8`: `old→new` when spec replicas changed, else the size.
fn rs_cell(s: &RsState, old: u32) -> String {
    let size = if old == s.replicas {
        s.replicas.to_string()
    } else {
        format!("{old}→{}", s.replicas)
    };
    format!(
        "{} (rev {}) {size} avail {}",
        s.name, s.revision, s.available
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::tests::{rollout, sample_rollouts};

    #[test]
    fn the_rollout_log_prints_one_line_per_deployment_step_with_old_and_new_sizes() {
        let expected = [
            "   0.000s  default/web  web-5d8f7c (rev 1) 0→10 avail 0",
            "   0.000s  default/api  api-6c9d (rev 1) 0→2 avail 0",
            "   5.000s  default/web  web-5d8f7c (rev 1) 10 avail 10",
            "  12.000s  default/web  web-5d8f7c (rev 1) 10→8 avail 8 | web-7b9c4d (rev 2) 0→3 avail 0",
            "  20.000s  default/web  web-5d8f7c (rev 1) 8→0 avail 0  | web-7b9c4d (rev 2) 3→10 avail 3",
        ];
        let log = rollout_log(&sample_rollouts());
        assert_eq!(log.lines().collect::<Vec<_>>(), expected, "{log}");
    }

    #[test]
    fn the_replica_sets_of_successive_lines_line_up_in_columns() {
        let log = rollout_log(&sample_rollouts());
        let bar_columns: Vec<usize> = log
            .lines()
            .filter_map(|l| l.find(" | ").map(|b| l[..b].chars().count()))
            .collect();
        assert_eq!(bar_columns.len(), 2, "{log}");
        assert_eq!(bar_columns[0], bar_columns[1], "{log}");
    }

    #[test]
    fn a_replica_set_scaled_to_zero_drops_out_of_later_lines_and_an_unchanged_size_has_no_arrow() {
        let mut records = sample_rollouts();
        records.push(rollout(30_000, "default/web", "web-7b9c4d", 2, 10, 10));
        let log = rollout_log(&records);
        let last = log.lines().last().unwrap();
        assert_eq!(
            last,
            "  30.000s  default/web  web-7b9c4d (rev 2) 10 avail 10"
        );
    }

    #[test]
    fn steps_of_different_deployments_at_the_same_time_are_separate_aligned_lines() {
        let records = [
            rollout(1_000, "default/web", "web-a", 1, 2, 0),
            rollout(1_000, "kube-system/dns", "dns-b", 1, 1, 0),
            rollout(1_000, "default/web", "web-c", 2, 1, 0),
        ];
        let expected = [
            "  1.000s  default/web      web-a (rev 1) 0→2 avail 0 | web-c (rev 2) 0→1 avail 0",
            "  1.000s  kube-system/dns  dns-b (rev 1) 0→1 avail 0",
        ];
        assert_eq!(rollout_log(&records).lines().collect::<Vec<_>>(), expected);
    }

    #[test]
    fn a_rolled_back_replica_set_is_listed_under_its_new_revision_after_the_newer_one() {
        let mut records = sample_rollouts();
        records.push(rollout(40_000, "default/web", "web-5d8f7c", 3, 3, 0));
        let last = rollout_log(&records).lines().last().unwrap().to_string();
        assert!(
            last.ends_with("web-7b9c4d (rev 2) 10 avail 3   | web-5d8f7c (rev 3) 0→3 avail 0"),
            "{last}"
        );
    }

    #[test]
    fn no_rollout_records_give_an_empty_view() {
        assert_eq!(rollout_log(&[]), "");
    }
}

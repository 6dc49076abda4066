//! Terminal text: the `kubectl get pods -w`-style watch log and the human summary.

use crate::engine::format_secs;
use crate::metrics::{Summary, WatchLine};
use std::fmt::Write;

/// The watch log's column headers.
const WATCH_HEADER: [&str; 7] = ["TIME", "NAME", "READY", "STATUS", "RESTARTS", "NODE", "IP"];
/// The gap between columns, as kubectl prints it.
const GAP: &str = "   ";

/// The watch log: a header, then one line per change, columns padded to the widest value.
///
/// TIME is right-aligned simulated seconds (`  62.013s`); the other columns are left-aligned and
/// empty NODE or IP cells read `<none>`, as in kubectl.
pub fn watch_log(lines: &[WatchLine]) -> String {
    let header = WATCH_HEADER.map(String::from).to_vec();
    let rows: Vec<Vec<String>> = std::iter::once(header)
        .chain(lines.iter().map(watch_cells))
        .collect();
    let widths = column_widths(&rows);
    let mut out = String::new();
    for row in &rows {
        out.push_str(&format_row(row, &widths));
        out.push('\n');
    }
    out
}

/// The cells of one watch line, in [`WATCH_HEADER`] order.
fn watch_cells(l: &WatchLine) -> Vec<String> {
    vec![
        format!("{}s", l.time),
        l.name.clone(),
        l.ready.clone(),
        l.status.clone(),
        l.restarts.to_string(),
        none_if_empty(&l.node),
        none_if_empty(&l.ip),
    ]
}

/// kubectl's placeholder for an unset field.
fn none_if_empty(s: &str) -> String {
    if s.is_empty() {
        "<none>".to_string()
    } else {
        s.to_string()
    }
}

/// The widest cell of each column, in characters.
fn column_widths(rows: &[Vec<String>]) -> Vec<usize> {
    let columns = rows.first().map_or(0, Vec::len);
    (0..columns)
        .map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
        .collect()
}

/// One padded line: the first column right-aligned, the rest left-aligned, no trailing blanks.
fn format_row(row: &[String], widths: &[usize]) -> String {
    let mut line = String::new();
    for (i, (cell, width)) in row.iter().zip(widths).enumerate() {
        if i == 0 {
            let _ = write!(line, "{cell:>width$}");
        } else {
            let _ = write!(line, "{GAP}{cell:<width$}");
        }
    }
    line.trim_end().to_string()
}

/// A short human summary: the run, each service's availability, each fault's recovery.
pub fn summary_text(s: &Summary) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "scenario {}  seed {}  simulated {}s  events {}",
        s.scenario,
        s.seed,
        format_secs(s.duration_ms),
        s.events
    );
    for svc in &s.services {
        let _ = writeln!(
            out,
            "service {}: availability {:.3}%  requests {}  failed {}  downtime {}s  longest outage {}s",
            svc.name,
            svc.availability * 100.0,
            svc.requests,
            svc.failed,
            format_secs(svc.downtime_ms),
            format_secs(svc.longest_outage_ms)
        );
    }
    for q in &s.quorums {
        let _ = writeln!(out, "{}", quorum_line(q));
    }
    for f in &s.faults {
        let recovery = match f.recovery_ms {
            Some(ms) => format!("recovered after {}s", format_secs(ms)),
            // Recovery is measured by a client's requests: without traffic there is nothing to say.
            None if s.services.is_empty() => "no traffic to measure recovery".to_string(),
            None => "never recovered".to_string(),
        };
        let _ = writeln!(
            out,
            "fault at {}s: {} {}: {}",
            f.at, f.action, f.target, recovery
        );
    }
    for c in &s.claims {
        let got = c.capacity_bytes.map_or("unbound".to_string(), |b| {
            format!("{} provisioned", binary_quantity(b))
        });
        let class = c.storage_class.as_deref().unwrap_or("<none>");
        let _ = writeln!(
            out,
            "claim {}/{} ({class}): {} requested, {got}",
            c.namespace,
            c.name,
            binary_quantity(c.requested_bytes)
        );
    }
    for b in &s.disruption_budgets {
        let _ = writeln!(
            out,
            "pdb {}/{}: {} healthy of {} desired ({} expected), {} disruption(s) allowed",
            b.namespace,
            b.name,
            b.current_healthy,
            b.desired_healthy,
            b.expected_pods,
            b.disruptions_allowed
        );
    }
    for j in &s.jobs {
        let _ = writeln!(out, "{}", job_line(j));
    }
    for d in &s.daemon_sets {
        let _ = writeln!(
            out,
            "daemonset {}/{}: {} desired, {} current, {} ready, {} available, {} updated",
            d.namespace, d.name, d.desired, d.current, d.ready, d.available, d.updated
        );
    }
    for p in &s.pending {
        let why = p
            .reason
            .as_deref()
            .unwrap_or("not yet considered by the scheduler");
        let since = format_secs(p.created.0);
        let _ = writeln!(
            out,
            "pod {}/{}: Pending since {since}s: {why}",
            p.namespace, p.name
        );
    }
    node_report_text(&s.node_report, &mut out);
    for r in &s.rollouts {
        let _ = writeln!(
            out,
            "rollout {} revision {} at {}s: {}",
            r.deployment,
            r.revision,
            r.started,
            rollout_outcome(r)
        );
    }
    out
}

/// Nodes NotReady, capacity lost, and pods waiting for a silent node's kubelet.
fn node_report_text(r: &crate::metrics::node_report::NodeReport, out: &mut String) {
    for n in &r.nodes {
        let again = n.ready_again.map_or("not Ready again".to_string(), |t| {
            format!("Ready again at {}s", format_secs(t.0))
        });
        let _ = writeln!(
            out,
            "node {}: NotReady at {}s, {again}",
            n.node,
            format_secs(n.not_ready.0)
        );
    }
    for c in &r.capacity {
        let _ = writeln!(
            out,
            "capacity {} ({}): below {} ready from {}s, lowest {}; {}s below in all (longest {}s)",
            c.workload,
            c.kind,
            c.desired,
            format_secs(c.first_below.0),
            c.lowest_ready,
            format_secs(c.below_ms),
            format_secs(c.longest_below_ms)
        );
    }
    for p in &r.stuck_terminating {
        let _ = writeln!(
            out,
            "pod {}: Terminating since {}s, waiting for node {} (its kubelet must confirm the containers stopped; \
             force-delete the pod, delete the Node or taint it out-of-service to release it)",
            p.pod,
            format_secs(p.since.0),
            p.node
        );
    }
}

/// `complete after 9.300s`, `ProgressDeadlineExceeded at 731.000s`, or `not complete`.
fn rollout_outcome(r: &crate::metrics::RolloutSpan) -> String {
    match (r.completed, r.timed_out) {
        (Some(c), _) => format!(
            "complete after {}s",
            crate::engine::SimTime(c.since_ms(r.started))
        ),
        (None, Some(t)) => format!("ProgressDeadlineExceeded at {t}s"),
        (None, None) => "not complete at the end of the run".into(),
    }
}

/// Bytes as a Kubernetes quantity in the largest binary suffix that divides them (`50Gi`, `100Mi`),
/// as `kubectl get pvc` shows capacities; else plain bytes.
fn binary_quantity(bytes: u64) -> String {
    const SUFFIXES: [(&str, u32); 4] = [("Ti", 40), ("Gi", 30), ("Mi", 20), ("Ki", 10)];
    SUFFIXES
        .iter()
        .find(|(_, shift)| bytes > 0 && bytes.is_multiple_of(1 << shift))
        .map_or(format!("{bytes}"), |(suffix, shift)| {
            format!("{}{suffix}", bytes >> shift)
        })
}

/// `quorum zookeeper (app=zk, 2 ready): availability 100.000% since 80.100s  outages 0  downtime 0.000s  longest outage 0.000s`.
fn quorum_line(q: &crate::metrics::QuorumSummary) -> String {
    let head = format!("quorum {} ({}, {} ready)", q.name, q.selector, q.min_ready);
    let Some(since) = q.since else {
        return format!("{head}: never reached");
    };
    format!(
        "{head}: availability {:.3}% since {}s  outages {}  downtime {}s  longest outage {}s",
        q.availability * 100.0,
        format_secs(since.0),
        q.outages.len(),
        format_secs(q.downtime_ms),
        format_secs(q.longest_outage_ms)
    )
}

/// `job default/pi: Complete after 28.313s: 1 of 1 succeeded, 0 failed`.
fn job_line(j: &crate::metrics::JobSummary) -> String {
    let state = match (j.condition, j.reason, j.started.zip(j.finished)) {
        (Some(c), Some(r), Some((s, f))) => {
            format!("{c} ({r}) after {}s", format_secs(f.since_ms(s)))
        }
        (Some(c), None, Some((s, f))) => format!("{c} after {}s", format_secs(f.since_ms(s))),
        _ => "running".to_string(),
    };
    let wanted = j.completions.map_or("any".to_string(), |c| c.to_string());
    format!(
        "job {}/{}: {state}: {} of {wanted} succeeded, {} failed",
        j.namespace, j.name, j.succeeded, j.failed
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::SimTime;
    use crate::report::tests::sample_summary;

    fn line(ms: u64, name: &str, status: &str, node: &str, ip: &str) -> WatchLine {
        let ready = if status == "Running" { "1/1" } else { "0/1" };
        WatchLine {
            time: SimTime(ms),
            name: name.into(),
            ready: ready.into(),
            status: status.into(),
            restarts: 0,
            node: node.into(),
            ip: ip.into(),
        }
    }

    #[test]
    fn the_watch_log_aligns_columns_to_the_widest_value() {
        let log = watch_log(&[
            line(0, "web-1", "Pending", "", ""),
            line(62_013, "mariadb-0", "ContainerCreating", "node-a", ""),
            line(62_900, "mariadb-0", "Running", "node-a", "10.244.0.7"),
        ]);
        let expected = [
            "   TIME   NAME        READY   STATUS              RESTARTS   NODE     IP",
            " 0.000s   web-1       0/1     Pending             0          <none>   <none>",
            "62.013s   mariadb-0   0/1     ContainerCreating   0          node-a   <none>",
            "62.900s   mariadb-0   1/1     Running             0          node-a   10.244.0.7",
        ];
        assert_eq!(log.lines().collect::<Vec<_>>(), expected);
    }

    #[test]
    fn the_watch_log_of_no_changes_is_just_the_header() {
        assert_eq!(
            watch_log(&[]),
            "TIME   NAME   READY   STATUS   RESTARTS   NODE   IP\n"
        );
    }

    #[test]
    fn the_summary_text_gives_availability_as_a_percentage_and_each_fault_recovery() {
        let text = summary_text(&sample_summary());
        assert!(
            text.contains("service web: availability 99.000%  requests 300  failed 3"),
            "{text}"
        );
        assert!(
            text.contains("downtime 31.004s  longest outage 14.500s"),
            "{text}"
        );
        assert!(
            text.contains("fault at 60.000s: delete-pod default/web-1: recovered after 14.500s"),
            "{text}"
        );
        assert!(
            text.contains("fault at 120.001s: delete-pod default/web-1: never recovered"),
            "{text}"
        );
    }

    #[test]
    fn claim_sizes_print_in_the_largest_binary_suffix_that_divides_them() {
        assert_eq!(binary_quantity(50 << 30), "50Gi");
        assert_eq!(binary_quantity(100 << 20), "100Mi");
        assert_eq!(binary_quantity(2 << 40), "2Ti");
        assert_eq!(binary_quantity(3 << 10), "3Ki");
        assert_eq!(binary_quantity(1536), "1536");
        assert_eq!(binary_quantity(1000), "1000");
    }

    #[test]
    fn a_fault_without_traffic_says_there_is_nothing_to_measure_recovery_by() {
        let mut summary = sample_summary();
        summary.services.clear();
        let text = summary_text(&summary);
        assert!(
            text.contains(
                "fault at 120.001s: delete-pod default/web-1: no traffic to measure recovery"
            ),
            "{text}"
        );
    }
}

//! `events.csv`, `pods.csv` and `requests.csv`: one row per record, seconds with millisecond precision.

use crate::engine::{format_secs, SimTime};
use crate::metrics::{EventRecord, PodRecord, RequestRecord, RolloutRecord};

/// The columns of `events.csv`.
pub const EVENT_COLUMNS: [&str; 6] = ["time_s", "kind", "namespace", "name", "reason", "message"];
/// The columns of `pods.csv` (the contract's twelve, then `namespace` and `dns`).
pub const POD_COLUMNS: [&str; 14] = [
    "pod",
    "uid",
    "owner",
    "node",
    "ip",
    "created_s",
    "scheduled_s",
    "started_s",
    "ready_s",
    "deleted_s",
    "gone_s",
    "restarts",
    "namespace",
    "dns",
];
/// The columns of `requests.csv`.
pub const REQUEST_COLUMNS: [&str; 5] = ["time_s", "service", "outcome", "latency_s", "pod"];

/// `events.csv` as bytes.
pub fn events_csv(events: &[EventRecord]) -> Result<Vec<u8>, csv::Error> {
    let rows = events.iter().map(|e| {
        let t = secs(e.time);
        vec![
            t,
            e.kind.clone(),
            e.namespace.clone(),
            e.name.clone(),
            e.reason.clone(),
            e.message.clone(),
        ]
    });
    to_csv(&EVENT_COLUMNS, rows)
}

/// `pods.csv` as bytes: one row per pod incarnation, empty cells for what never happened.
pub fn pods_csv(pods: &[PodRecord]) -> Result<Vec<u8>, csv::Error> {
    to_csv(&POD_COLUMNS, pods.iter().map(pod_row))
}

/// `requests.csv` as bytes.
pub fn requests_csv(requests: &[RequestRecord]) -> Result<Vec<u8>, csv::Error> {
    let rows = requests.iter().map(|r| {
        vec![
            secs(r.time),
            r.service.clone(),
            r.outcome.as_str().to_string(),
            format_secs(r.latency_ms),
            r.pod.clone().unwrap_or_default(),
        ]
    });
    to_csv(&REQUEST_COLUMNS, rows)
}

/// The columns of `rollouts.csv`.
pub const ROLLOUT_COLUMNS: [&str; 7] = [
    "time_s",
    "deployment",
    "replicaset",
    "revision",
    "replicas",
    "ready",
    "available",
];

/// `rollouts.csv`: one row per change of a Deployment's ReplicaSet.
pub fn rollouts_csv(rows: &[RolloutRecord]) -> Result<Vec<u8>, csv::Error> {
    let rows = rows.iter().map(|r| {
        vec![
            secs(r.time),
            r.deployment.clone(),
            r.replicaset.clone(),
            r.revision.to_string(),
            r.replicas.to_string(),
            r.ready.to_string(),
            r.available.to_string(),
        ]
    });
    to_csv(&ROLLOUT_COLUMNS, rows)
}

/// One row of `pods.csv`, in [`POD_COLUMNS`] order.
fn pod_row(p: &PodRecord) -> Vec<String> {
    vec![
        p.pod.clone(),
        p.uid.clone(),
        p.owner.clone(),
        p.node.clone().unwrap_or_default(),
        p.ip.clone().unwrap_or_default(),
        secs(p.created),
        opt_secs(p.scheduled),
        opt_secs(p.started),
        opt_secs(p.ready),
        opt_secs(p.deleted),
        opt_secs(p.gone),
        p.restarts.to_string(),
        p.namespace.clone(),
        p.dns.clone().unwrap_or_default(),
    ]
}

/// A header and rows, encoded as CSV.
fn to_csv(header: &[&str], rows: impl Iterator<Item = Vec<String>>) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(header)?;
    for row in rows {
        w.write_record(&row)?;
    }
    w.into_inner().map_err(|e| csv::Error::from(e.into_error()))
}

/// A time as seconds with millisecond precision.
fn secs(t: SimTime) -> String {
    format_secs(t.as_ms())
}

/// A time, or the empty string when it never happened.
fn opt_secs(t: Option<SimTime>) -> String {
    t.map(secs).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::Outcome;

    fn text(bytes: Vec<u8>) -> String {
        String::from_utf8(bytes).unwrap()
    }

    #[test]
    fn events_csv_has_the_contract_header_and_quotes_messages_with_commas() {
        let e = EventRecord {
            time: SimTime(62_013),
            kind: "Pod".into(),
            namespace: "default".into(),
            name: "web-1".into(),
            reason: "BackOff".into(),
            message: "Back-off restarting failed container, web".into(),
        };
        let out = text(events_csv(&[e]).unwrap());
        let lines: Vec<_> = out.lines().collect();
        assert_eq!(lines[0], "time_s,kind,namespace,name,reason,message");
        assert_eq!(
            lines[1],
            "62.013,Pod,default,web-1,BackOff,\"Back-off restarting failed container, web\""
        );
    }

    #[test]
    fn pods_csv_leaves_cells_empty_for_what_never_happened() {
        let p = PodRecord {
            pod: "web-1".into(),
            namespace: "default".into(),
            uid: "u-1".into(),
            owner: "ReplicaSet/web-5d8f".into(),
            created: SimTime(1_500),
            scheduled: Some(SimTime(1_502)),
            restarts: 2,
            ..PodRecord::default()
        };
        let out = text(pods_csv(&[p]).unwrap());
        let lines: Vec<_> = out.lines().collect();
        assert_eq!(
            lines[0],
            "pod,uid,owner,node,ip,created_s,scheduled_s,started_s,ready_s,deleted_s,gone_s,restarts,namespace,dns"
        );
        assert_eq!(
            lines[1],
            "web-1,u-1,ReplicaSet/web-5d8f,,,1.500,1.502,,,,,2,default,"
        );
    }

    #[test]
    fn pods_csv_ends_with_the_dns_name_of_a_statefulset_pod() {
        let p = PodRecord {
            pod: "web-0".into(),
            namespace: "default".into(),
            owner: "StatefulSet/web".into(),
            dns: Some("web-0.nginx.default.svc.cluster.local".into()),
            ..PodRecord::default()
        };
        let out = text(pods_csv(&[p]).unwrap());
        let row = out.lines().nth(1).unwrap();
        assert!(
            row.ends_with(",default,web-0.nginx.default.svc.cluster.local"),
            "{row}"
        );
    }

    #[test]
    fn requests_csv_writes_outcome_latency_and_an_empty_pod_when_none_answered() {
        let rs = [
            RequestRecord {
                time: SimTime(1_000),
                service: "web".into(),
                outcome: Outcome::Ok,
                latency_ms: 4,
                pod: Some("web-1".into()),
            },
            RequestRecord {
                time: SimTime(2_000),
                service: "web".into(),
                outcome: Outcome::Timeout,
                latency_ms: 30_000,
                pod: None,
            },
        ];
        let out = text(requests_csv(&rs).unwrap());
        assert_eq!(out, "time_s,service,outcome,latency_s,pod\n1.000,web,ok,0.004,web-1\n2.000,web,timeout,30.000,\n");
    }
}

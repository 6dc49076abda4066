//! `scenarios/mariadb-failover.yaml` reproduces what the MariaDB article measured on a real cluster.

use kubesim::engine::SimTime;
use kubesim::metrics::{Outcome, RequestRecord, RunOutput};

fn run_seed_1() -> RunOutput {
    let path = super::util::root().join("scenarios/mariadb-failover.yaml");
    let scenario = kubesim::scenario::load(&path).expect("scenario loads");
    kubesim::sim::run(&scenario, scenario.seed).expect("scenario runs")
}

fn between(out: &RunOutput, from_ms: u64, to_ms: u64) -> Vec<&RequestRecord> {
    out.requests
        .iter()
        .filter(|r| r.time >= SimTime(from_ms) && r.time < SimTime(to_ms))
        .collect()
}

#[test]
fn mariadb_failover_seed_1_delete_pod_refuses_for_the_30_s_grace_period() {
    let out = run_seed_1();
    let fault = &out.summary.faults[0];
    assert_eq!(fault.action, "delete-pod");
    let at = fault.at.as_ms();
    let recovery = fault.recovery_ms.expect("the service answers again");
    assert!(
        (29_000..=33_000).contains(&recovery),
        "recovery {recovery} ms"
    );
    // Refused from about 1 s after the delete until about 31 s after it.
    let first_failure = out
        .requests
        .iter()
        .find(|r| r.time.as_ms() >= at && r.outcome != Outcome::Ok)
        .expect("a failure");
    assert!(
        first_failure.time.as_ms() - at <= 1_500,
        "first failure at +{} ms",
        first_failure.time.as_ms() - at
    );
    let outage = between(&out, at + 1_500, at + 29_000);
    assert!(
        !outage.is_empty() && outage.iter().all(|r| r.outcome == Outcome::Refused),
        "{outage:?}"
    );
}

#[test]
fn mariadb_failover_seed_1_kill_container_fails_no_request_but_delays_one_by_about_14_s() {
    let out = run_seed_1();
    let fault = &out.summary.faults[1];
    assert_eq!(fault.action, "kill-container");
    let at = fault.at.as_ms();
    let after = between(&out, at - 5_000, at + 60_000);
    assert!(after.iter().all(|r| r.outcome == Outcome::Ok), "{after:?}");
    let slow: Vec<_> = after.iter().filter(|r| r.latency_ms > 1_000).collect();
    assert_eq!(slow.len(), 1, "{slow:?}");
    assert!((12_000..=16_000).contains(&slow[0].latency_ms), "{slow:?}");
    let recovery = fault.recovery_ms.expect("recovers");
    assert!(
        (12_000..=16_000).contains(&recovery),
        "recovery {recovery} ms"
    );
}

#[test]
fn mariadb_failover_seed_1_provisions_the_10gi_claim_as_a_50gi_disk() {
    let out = run_seed_1();
    let claim = out
        .summary
        .claims
        .iter()
        .find(|c| c.name == "cbs-pvc1")
        .expect("claim");
    assert_eq!(claim.requested_bytes, 10 << 30);
    assert_eq!(claim.capacity_bytes, Some(50 << 30));
}

#[test]
fn mariadb_failover_seed_1_replacement_lands_on_the_node_with_the_image_and_disk() {
    let out = run_seed_1();
    let nodes: Vec<_> = out
        .pods
        .iter()
        .map(|p| p.node.clone().expect("scheduled"))
        .collect();
    assert_eq!(nodes.len(), 2, "one replacement: {nodes:?}");
    assert_eq!(
        nodes[0], nodes[1],
        "ImageLocality keeps the replacement where the image and the disk are"
    );
    let multi = out
        .events
        .iter()
        .filter(|e| e.reason == "FailedAttachVolume")
        .count();
    assert_eq!(multi, 0, "the disk never has to move");
}

//! Tests of the control-plane faults' parsing: each fault, and the messages for bad input.
use super::tests::{message, with_objects, HEAD};
use crate::scenario::FaultAction;
use crate::scenario::{ControlPlaneFault, Controller, WatchedResource};

fn faults(
    lines: &str,
) -> std::result::Result<crate::scenario::Scenario, crate::scenario::ScenarioError> {
    with_objects(&format!("{HEAD}faults:\n{lines}"), Vec::new())
}

#[test]
fn each_control_plane_fault_parses_with_its_controller_and_durations() {
    let s = faults("  - {at: 1m, crash-controller: {name: statefulset, down: 30s}}\n  - {at: 2m, delay-watch: {controller: endpointslice, by: 5s, for: 2m}}\n  - {at: 3m, conflict: {controller: replicaset, probability: 0.3, for: 5m}}\n  - {at: 4m, drop-watch: {controller: deployment, relist-after: 45s}}\n  - {at: 5m, slow-sync: {controller: garbagecollector, per-key: 2s, for: 3m}}\n").unwrap();
    let got: Vec<ControlPlaneFault> = s
        .faults
        .iter()
        .filter_map(|f| match &f.action {
            FaultAction::ControlPlane(c) => Some(c.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(
        got,
        vec![
            ControlPlaneFault::Crash {
                controller: Controller::StatefulSet,
                down_ms: 30_000
            },
            ControlPlaneFault::DelayWatch {
                controller: Controller::Endpoints,
                by_ms: 5_000,
                for_ms: 120_000,
                resource: WatchedResource::All,
            },
            ControlPlaneFault::Conflict {
                controller: Controller::ReplicaSet,
                probability: 0.3,
                for_ms: 300_000
            },
            ControlPlaneFault::DropWatch {
                controller: Controller::Deployment,
                relist_after_ms: 45_000,
            },
            ControlPlaneFault::SlowSync {
                controller: Controller::GarbageCollector,
                per_key_ms: 2_000,
                for_ms: 180_000,
            },
        ]
    );
}

#[test]
fn an_unknown_controller_is_reported_with_the_field_and_the_known_names() {
    let m = message(faults(
        "  - {at: 1m, crash-controller: {name: statefulsets, down: 30s}}\n",
    ));
    assert!(
        m.contains("scenarios/x.yaml") && m.contains("crash-controller.name"),
        "{m}"
    );
    assert!(m.contains("statefulset, replicaset"), "{m}");
}

#[test]
fn a_probability_outside_0_to_1_and_a_zero_delay_are_rejected() {
    let m = message(faults(
        "  - {at: 1m, conflict: {controller: job, probability: 3, for: 1m}}\n",
    ));
    assert!(m.contains("conflict.probability"), "{m}");
    let m = message(faults(
        "  - {at: 1m, delay-watch: {controller: job, by: 0s, for: 1m}}\n",
    ));
    assert!(m.contains("delay-watch.by"), "{m}");
    let m = message(faults("  - {at: 1m, crash-controller: {name: job}}\n"));
    assert!(m.contains("down"), "{m}");
    let m = message(faults(
        "  - {at: 1m, slow-sync: {controller: job, per-key: 0s, for: 1m}}\n",
    ));
    assert!(m.contains("slow-sync.per-key"), "{m}");
}

#[test]
fn a_delay_watch_may_slow_only_the_replicaset_controllers_pod_informer() {
    let s = faults(
        "  - {at: 1m, delay-watch: {controller: replicaset, by: 20s, for: 1m, resource: pods}}\n",
    )
    .unwrap();
    let lag = s.faults.iter().find_map(|f| match &f.action {
        FaultAction::ControlPlane(ControlPlaneFault::DelayWatch { resource, .. }) => {
            Some(*resource)
        }
        _ => None,
    });
    assert_eq!(lag, Some(WatchedResource::Pods));
}

#[test]
fn a_pods_only_delay_of_another_controller_or_an_unknown_resource_is_rejected_by_field() {
    let m = message(faults(
        "  - {at: 1m, delay-watch: {controller: job, by: 5s, for: 1m, resource: pods}}\n",
    ));
    assert!(
        m.contains("scenarios/x.yaml") && m.contains("delay-watch.resource"),
        "{m}"
    );
    assert!(m.contains("replicaset controller only"), "{m}");
    let m = message(faults(
        "  - {at: 1m, delay-watch: {controller: replicaset, by: 5s, for: 1m, resource: pod}}\n",
    ));
    assert!(
        m.contains("delay-watch.resource") && m.contains("all, pods"),
        "{m}"
    );
}

#[test]
fn a_drop_watch_without_its_relist_time_or_with_a_typo_is_reported_by_field() {
    let m = message(faults("  - {at: 1m, drop-watch: {controller: job}}\n"));
    assert!(
        m.contains("scenarios/x.yaml") && m.contains("relist-after"),
        "{m}"
    );
    let m = message(faults(
        "  - {at: 1m, drop-watch: {controller: job, relist-afte: 5s}}\n",
    ));
    assert!(m.contains("relist-afte"), "{m}");
}

//! Tests of the control-plane faults' parsing: each fault, and the messages for bad input.
use super::tests::{message, with_objects, HEAD};
use crate::scenario::FaultAction;
use crate::scenario::{ControlPlaneFault, Controller};

fn faults(
    lines: &str,
) -> std::result::Result<crate::scenario::Scenario, crate::scenario::ScenarioError> {
    with_objects(&format!("{HEAD}faults:\n{lines}"), Vec::new())
}

#[test]
fn each_control_plane_fault_parses_with_its_controller_and_durations() {
    let s = faults("  - {at: 1m, crash-controller: {name: statefulset, down: 30s}}\n  - {at: 2m, delay-watch: {controller: endpointslice, by: 5s, for: 2m}}\n  - {at: 3m, conflict: {controller: replicaset, probability: 0.3, for: 5m}}\n").unwrap();
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
                for_ms: 120_000
            },
            ControlPlaneFault::Conflict {
                controller: Controller::ReplicaSet,
                probability: 0.3,
                for_ms: 300_000
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
}

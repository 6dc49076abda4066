//! Each mutant (a deliberately wrong controller from a real upstream bug, `testing.mutant`) is caught
//! by the generated-scenario property: the hunt fails within the CI budget, and its shrunk
//! counterexample is a scenario of a few events whose replay, `kubesim run <file> --check`, shows the
//! violation in its log.

use super::generated::{hunt_in, invariants_hold};
use super::scenario_gen::{self, GenScenario};
use proptest::strategy::Strategy;

/// Cases a mutant's hunt may take in CI before the test says it was not caught (a few seconds at
/// most; the node lifecycle mutant needs about 70 since drop-watch and slow-sync joined the faults).
const CI_CASES: u32 = 256;

/// Hunts with `mutant` switched on in every generated scenario; returns the counterexample's text.
fn caught(mutant: &'static str) -> String {
    let test = format!("mutant-{mutant}");
    let cases = scenario_gen::cases(CI_CASES);
    let strategy = scenario_gen::scenario().prop_map(move |mut g: GenScenario| {
        g.mutant = Some(mutant);
        g
    });
    let (path, why) = hunt_in(&test, cases, strategy, invariants_hold)
        .err()
        .unwrap_or_else(|| panic!("{mutant} passed {cases} generated scenarios"));
    let text = std::fs::read_to_string(&path).expect("the counterexample is written");
    println!(
        "{mutant}: {why}\nshrunk counterexample: kubesim run {} --check\n{text}",
        path.display()
    );
    let out_dir = super::util::temp_dir("mutant-replay");
    let out = out_dir.path().to_str().unwrap();
    let replay = super::util::kubesim(&["run", path.to_str().unwrap(), "--check", "--out", out]);
    let log = String::from_utf8_lossy(&replay.stdout);
    assert!(
        log.contains("VIOLATIONS"),
        "`kubesim run --check` of the counterexample shows no violation:\n{log}{}",
        String::from_utf8_lossy(&replay.stderr)
    );
    text
}

/// Fault entries of a rendered scenario.
fn faults(text: &str) -> usize {
    text.lines().filter(|l| l.starts_with("  - {at:")).count()
}

#[test]
fn generated_scenarios_catch_the_node_lifecycle_controller_that_force_deletes_pods() {
    let text = caught("nodelifecycle-force-delete");
    assert!(faults(&text) <= 3, "shrunk to a few faults:\n{text}");
}

#[test]
fn generated_scenarios_catch_the_statefulset_scale_down_that_does_not_wait() {
    let text = caught("statefulset-early-scale-down");
    assert!(faults(&text) <= 3, "shrunk to a few faults:\n{text}");
}

#[test]
fn generated_scenarios_catch_the_replicaset_controller_without_expectations() {
    let text = caught("replicaset-no-expectations");
    assert!(faults(&text) <= 3, "shrunk to a few faults:\n{text}");
}

#[test]
fn generated_scenarios_catch_the_endpoints_controller_that_ignores_deletion() {
    let text = caught("endpoints-ignore-deletion");
    assert!(faults(&text) <= 3, "shrunk to a few faults:\n{text}");
}

#[test]
fn generated_scenarios_catch_the_attach_detach_controller_on_a_fixed_timer() {
    let text = caught("attach-detach-fixed-timer");
    assert!(faults(&text) <= 3, "shrunk to a few faults:\n{text}");
}

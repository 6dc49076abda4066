//! The invariant checker (`kubesim check`): every example passes with the correct controllers, and
//! each mutant of issue 7 is caught on its small scenario under scenarios/check/.

use kubesim::check::{check_run, CheckReport, Invariant};
use kubesim::scenario::{Mutant, Scenario};
use std::path::PathBuf;

fn check_dir() -> PathBuf {
    super::util::root().join("scenarios").join("check")
}

fn load(path: &std::path::Path) -> Scenario {
    kubesim::scenario::load(path).expect("scenario loads")
}

fn checked(scenario: &Scenario) -> CheckReport {
    check_run(scenario, scenario.seed).expect("runs").1
}

fn shown(report: &CheckReport) -> String {
    let mut text = report.first_text().unwrap_or_default();
    for v in report.violations.iter().skip(1).take(5) {
        text.push_str(&format!("{v}\n"));
    }
    text
}

/// Runs the mutant's scenario as written (mutant on) and with the mutant off: the first breaks
/// `invariant`, the second breaks nothing.
fn assert_caught(file: &str, mutant: Mutant, invariant: Invariant) {
    let mut scenario = load(&check_dir().join(file));
    assert_eq!(
        scenario.testing.mutant,
        Some(mutant),
        "{file} switches the mutant on"
    );
    let report = checked(&scenario);
    assert!(
        report.violations.iter().any(|v| v.invariant == invariant),
        "{file} (seed {}): the mutant {} should break {invariant}; found:\n{}",
        scenario.seed,
        mutant.name(),
        shown(&report)
    );
    assert!(
        !report.history.is_empty(),
        "the report shows the history before the violation"
    );
    scenario.testing.mutant = None;
    let correct = checked(&scenario);
    assert!(
        correct.passed(),
        "{file} (seed {}) with the correct controllers:\n{}",
        scenario.seed,
        shown(&correct)
    );
}

#[test]
fn the_node_lifecycle_force_delete_mutant_runs_a_statefulset_identity_twice() {
    assert_caught(
        "nodelifecycle-force-delete.yaml",
        Mutant::NodeLifecycleForceDelete,
        Invariant::StsIdentity,
    );
}

#[test]
fn the_early_scale_down_mutant_deletes_out_of_order() {
    assert_caught(
        "statefulset-early-scale-down.yaml",
        Mutant::StatefulSetEarlyScaleDown,
        Invariant::StsOrder,
    );
}

#[test]
fn the_no_expectations_mutant_creates_beyond_replicas_from_a_stale_cache() {
    assert_caught(
        "replicaset-no-expectations.yaml",
        Mutant::ReplicaSetNoExpectations,
        Invariant::ReplicaSetReplicas,
    );
}

#[test]
fn the_endpoints_mutant_keeps_a_terminating_pod_a_ready_endpoint() {
    assert_caught(
        "endpoints-ignore-deletion.yaml",
        Mutant::EndpointsIgnoreDeletion,
        Invariant::EndpointsReady,
    );
}

#[test]
fn the_fixed_timer_mutant_detaches_a_volume_under_a_running_container() {
    assert_caught(
        "attach-detach-fixed-timer.yaml",
        Mutant::AttachDetachFixedTimer,
        Invariant::VolumeAttachment,
    );
}

#[test]
fn every_example_scenario_passes_every_invariant_with_the_correct_controllers() {
    let dir = super::util::root().join("scenarios");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("scenarios/")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    paths.sort();
    let mut failures = Vec::new();
    for path in &paths {
        let scenario = load(path);
        let report = checked(&scenario);
        assert!(
            report.checked.events > 0,
            "{}: no event checked",
            path.display()
        );
        if !report.passed() {
            failures.push(format!(
                "{} (seed {}):\n{}",
                path.display(),
                scenario.seed,
                shown(&report)
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn a_checked_run_judges_every_family_it_meets_and_is_deterministic() {
    let scenario = load(&check_dir().join("statefulset-early-scale-down.yaml"));
    let a = check_run(&scenario, 3).expect("runs");
    let b = check_run(&scenario, 3).expect("runs");
    assert_eq!(a.1, b.1, "same scenario and seed, same report");
    assert_eq!(a.0.summary.events, b.0.summary.events);
    for invariant in [
        Invariant::StsIdentity,
        Invariant::StsOrder,
        Invariant::ClaimIdentity,
        Invariant::VolumeAttachment,
        Invariant::VolumeBinding,
        Invariant::SchedulerFit,
        Invariant::EndpointsReady,
    ] {
        assert!(a.1.checked.of(invariant) > 0, "{invariant} judged nothing");
    }
}

#[test]
fn kubesim_check_exits_non_zero_and_prints_the_first_violation_with_its_history() {
    let path = "scenarios/check/statefulset-early-scale-down.yaml";
    let out = super::util::kubesim(&["check", path]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("VIOLATION at "), "{stdout}");
    assert!(stdout.contains("statefulset-order"), "{stdout}");
    assert!(stdout.contains("history"), "{stdout}");
    assert!(stdout.contains("replay: kubesim run"), "{stdout}");
}

#[test]
fn kubesim_check_exits_zero_on_an_example_that_breaks_nothing() {
    let out = super::util::kubesim(&[
        "check",
        "scenarios/web-delete-all.yaml",
        "--replications",
        "2",
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(stdout.contains("no invariant broken"), "{stdout}");
}

/// Regression, generated scenario seed 799 (tests/fixtures/generated-detach-while-mounted): after a
/// set-image, the new s0-0 landed on the node its disk was being detached from and the kubelet
/// mounted the disk at once; it must wait for the detach and the re-attach.
#[test]
fn generated_detach_while_mounted_seed_799_keeps_every_invariant() {
    let path =
        super::util::root().join("tests/fixtures/generated-detach-while-mounted/scenario.yaml");
    let report = checked(&load(&path));
    assert!(report.violations.is_empty(), "{}", shown(&report));
    assert!(report.checked.events > 0, "nothing was checked");
}

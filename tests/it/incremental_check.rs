//! The incremental checker (each event's changes judged, indexes kept up to date) finds exactly what
//! a full rescan of the world after every event finds: the same violations, at the same events, in
//! the same order, with the same history, on generated scenarios with and without a mutant.

use super::generated::hunt_in;
use super::scenario_gen::{self, GenScenario};
use kubesim::check::{check_run_with, CheckReport, Scan};
use kubesim::scenario::{Mutant, Scenario};
use proptest::prop_assert_eq;
use proptest::strategy::Strategy;
use proptest::test_runner::TestCaseError;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Cases in CI (each runs its scenario twice, once with the slow full rescan).
const CI_CASES: u32 = 24;

fn report(scenario: &Scenario, scan: Scan) -> Result<CheckReport, TestCaseError> {
    let run = check_run_with(scenario, scenario.seed, scan);
    Ok(run.map_err(|e| TestCaseError::fail(e.to_string()))?.1)
}

/// The property on one scenario; returns how many violations both found.
fn same_findings(scenario: &Scenario) -> Result<usize, TestCaseError> {
    let incremental = report(scenario, Scan::Incremental)?;
    let full = report(scenario, Scan::Full)?;
    prop_assert_eq!(&incremental.violations, &full.violations);
    prop_assert_eq!(&incremental.history, &full.history);
    prop_assert_eq!(incremental.checked.events, full.checked.events);
    Ok(full.violations.len())
}

#[test]
fn the_incremental_checker_finds_what_a_full_rescan_finds_on_generated_scenarios() {
    let with_violations = AtomicUsize::new(0);
    let mutants = Mutant::ALL.map(|m| m.name()).to_vec();
    let mutant = proptest::option::of(proptest::sample::select(mutants));
    let strategy = (scenario_gen::scenario(), mutant).prop_map(|(mut g, m)| {
        g.mutant = m;
        g
    });
    let property = |g: GenScenario| {
        let dir = super::util::temp_dir("incremental-check");
        let path = scenario_gen::write_case(&g, dir.path());
        let scenario = kubesim::scenario::load(&path).map_err(|e| {
            TestCaseError::fail(format!("the generated scenario does not load: {e}"))
        })?;
        if same_findings(&scenario)? > 0 {
            with_violations.fetch_add(1, Ordering::Relaxed);
        }
        Ok(())
    };
    let cases = scenario_gen::cases(CI_CASES);
    if let Err((path, why)) = hunt_in("incremental-check", cases, strategy, property) {
        panic!(
            "{why}\nshrunk counterexample: kubesim check {}",
            path.display()
        );
    }
    assert!(
        with_violations.load(Ordering::Relaxed) > 0,
        "no generated case broke an invariant: the comparison judged no violation"
    );
}

#[test]
fn the_incremental_checker_finds_what_a_full_rescan_finds_on_every_mutant_scenario() {
    let dir = super::util::root().join("scenarios").join("check");
    let mut found = 0;
    for mutant in kubesim::scenario::Mutant::ALL {
        let path = dir.join(format!("{}.yaml", mutant.name()));
        let scenario = kubesim::scenario::load(&path).expect("the scenario loads");
        found += same_findings(&scenario).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    }
    assert!(found > 0, "the mutant scenarios broke no invariant");
}

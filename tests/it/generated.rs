//! Property tests over generated whole scenarios (cluster, workloads, changes, node and control-plane
//! faults): every invariant holds after every event; a failure is shrunk and written out as a
//! scenario directory that `kubesim run` replays.
//!
//! CI runs a few dozen cases per test (`KUBESIM_PROPTEST_CASES`, default below); a soak is
//! `KUBESIM_PROPTEST_CASES=5000 cargo test --release --test kubesim generated`.

use super::scenario_gen::{self, GenScenario};
use kubesim::scenario::Scenario;
use proptest::test_runner::{TestCaseError, TestError};

/// Cases per property test in CI.
const CI_CASES: u32 = 32;

/// The invariant violations of one run of `scenario` with `seed` (every invariant on), one line
/// each.
fn check(scenario: &Scenario, seed: u64) -> Result<Vec<String>, String> {
    let (_, report) = kubesim::check::check_run(scenario, seed).map_err(|e| e.to_string())?;
    Ok(report.violations.iter().map(|v| v.to_string()).collect())
}

/// Renders `g` into a fresh directory and loads it as `kubesim run` would.
fn load(g: &GenScenario) -> Result<(tempfile::TempDir, Scenario), TestCaseError> {
    let dir = super::util::temp_dir("generated");
    let path = scenario_gen::write_case(g, dir.path());
    let scenario = kubesim::scenario::load(&path)
        .map_err(|e| TestCaseError::fail(format!("the generated scenario does not load: {e}")))?;
    Ok((dir, scenario))
}

/// The property: the rendered scenario loads, runs, and no invariant is violated.
pub(super) fn invariants_hold(g: GenScenario) -> Result<(), TestCaseError> {
    let (_dir, scenario) = load(&g)?;
    let violations = check(&scenario, scenario.seed).map_err(TestCaseError::fail)?;
    match violations.first() {
        None => Ok(()),
        Some(first) => Err(TestCaseError::fail(format!(
            "{} violations, first: {first}",
            violations.len()
        ))),
    }
}

/// Runs `property` over `cases` generated scenarios; on failure writes the shrunk scenario to
/// `target/counterexamples/<test>/` and returns its path with the reason.
pub(super) fn hunt(
    test: &str,
    cases: u32,
    property: impl Fn(GenScenario) -> Result<(), TestCaseError>,
) -> Result<(), (std::path::PathBuf, String)> {
    hunt_in(test, cases, scenario_gen::scenario(), property)
}

/// [`hunt`] over the scenarios `strategy` generates.
pub(super) fn hunt_in(
    test: &str,
    cases: u32,
    strategy: impl proptest::strategy::Strategy<Value = GenScenario>,
    property: impl Fn(GenScenario) -> Result<(), TestCaseError>,
) -> Result<(), (std::path::PathBuf, String)> {
    let mut runner = scenario_gen::runner(cases);
    match runner.run(&strategy, property) {
        Ok(()) => Ok(()),
        Err(TestError::Fail(why, minimal)) => {
            let path = scenario_gen::write_case(&minimal, &scenario_gen::counterexample_dir(test));
            Err((path, why.to_string()))
        }
        Err(TestError::Abort(why)) => Err((Default::default(), format!("aborted: {why}"))),
    }
}

#[test]
fn generated_scenarios_keep_every_invariant_with_the_correct_controllers() {
    let test = "generated_scenarios_keep_every_invariant";
    if let Err((path, why)) = hunt(test, scenario_gen::cases(CI_CASES), invariants_hold) {
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        panic!(
            "{why}\nshrunk counterexample: kubesim run {}\n{text}",
            path.display()
        );
    }
}

/// The shrinking pipeline end to end, on a property that is false on purpose ("no container is
/// ever restarted"): the failure shrinks to a scenario of one workload and one fault, written
/// where the message says, and `kubesim run` on that file shows the restart in its pods.csv.
#[test]
fn a_failing_property_shrinks_to_one_fault_that_kubesim_run_replays() {
    let test = "shrinking-demo";
    let never_restarted = |g: GenScenario| {
        let (_dir, scenario) = load(&g)?;
        let out = kubesim::sim::run(&scenario, scenario.seed).map_err(|e| e.to_string());
        let out = out.map_err(TestCaseError::fail)?;
        let restarted = out.pods.iter().any(|p| p.restarts > 0);
        proptest::prop_assert!(!restarted, "a container was restarted");
        Ok(())
    };
    let (path, why) =
        hunt(test, 200, never_restarted).expect_err("some scenario restarts a container");
    assert!(why.contains("restarted"), "{why}");
    let text = std::fs::read_to_string(&path).expect("the counterexample is written");
    let faults = text.lines().filter(|l| l.starts_with("  - {at:")).count();
    assert!(faults <= 1, "not shrunk to one fault:\n{text}");
    assert_eq!(
        text.matches("  - {match:").count(),
        1,
        "one workload:\n{text}"
    );
    let out_dir = super::util::temp_dir("shrunk-replay");
    let run = super::util::kubesim(&[
        "run",
        path.to_str().unwrap(),
        "--quiet",
        "--out",
        out_dir.path().to_str().unwrap(),
    ]);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let pods = std::fs::read_to_string(out_dir.path().join("pods.csv")).unwrap();
    let header: Vec<&str> = pods.lines().next().unwrap_or("").split(',').collect();
    let col = header
        .iter()
        .position(|h| *h == "restarts")
        .expect("a restarts column");
    let restarted = pods
        .lines()
        .skip(1)
        .any(|l| l.split(',').nth(col).is_some_and(|r| r != "0"));
    assert!(restarted, "the replay shows no restart:\n{pods}");
}

/// Regression: the soak's first counterexample (seed 1059: a drain under a PDB while the disruption
/// controller's watch lags), whose budget recheck at the deletion timeout requeued itself forever.
#[test]
fn the_drain_with_a_lagging_disruption_watch_of_seed_1059_runs_to_its_end() {
    let path = super::util::root().join("tests/fixtures/generated-livelock/scenario.yaml");
    let scenario = kubesim::scenario::load(&path).expect("loads");
    assert_eq!(scenario.seed, 1059);
    let out = kubesim::sim::run(&scenario, scenario.seed).expect("runs to its end");
    assert_eq!(out.summary.duration_ms, scenario.duration_ms);
}

/// Regression: the soak's counterexample of seed 2973 (a set-image of a StatefulSet while its
/// controller's status updates may fail with 409): the controller deletes the old revision's pod
/// before its status names the new update revision, which is no partition violation.
#[test]
fn the_rolling_update_under_conflicts_of_seed_2973_keeps_every_invariant() {
    replay_keeps_every_invariant("generated-sts-conflict", 2973);
}

/// Regression: the soak's counterexample of seed 1 (`KUBESIM_PROPTEST_SEED=0`): a StatefulSet pod
/// waits in PreBind for its volume while a Deployment's replacement pods are scheduled onto the same
/// node. The waiting pod is assumed on its node, so the others must not take its cpu.
#[test]
fn a_pod_waiting_for_its_volume_keeps_its_resources_in_seed_1_of_the_soak() {
    replay_keeps_every_invariant("generated-prebind-overcommit", 1);
}

/// Regression: the soak's counterexample of seed 1062 (`KUBESIM_PROPTEST_SEED=0`): under
/// whenScaled Delete, a scale to 0 and back to 4 while the StatefulSet controller's watch lags.
/// The condemned pod owns its claim, so the garbage collector deletes the claim when the pod is
/// gone, as upstream does (KEP-1847): no claim-identity violation.
#[test]
fn a_claim_condemned_by_a_scale_down_may_go_with_its_pod_in_seed_1062_of_the_soak() {
    replay_keeps_every_invariant("generated-sts-scale-down-up", 1062);
}

/// The soak's third run, seed 1: d0 is scaled from 3 to 1 while the Deployment controller's watch
/// lags by 14 s. A ReplicaSet event queued d0's key for earlier; the scale's own watch event must
/// still add the key when it arrives (not merge into the earlier one and be lost), so d0 converges.
#[test]
fn a_deployment_scaled_while_its_watch_lags_converges_in_seed_1_of_the_soak() {
    replay_keeps_every_invariant("generated-deployment-scale-lag", 1);
}

/// The soak's fourth run, seed 1: d0 is scaled to 4 and at once to 0 while the ReplicaSet
/// controller's whole cache lags 7 s. It sizes the set from its stale copy (replicas 4) and creates
/// a pod, as upstream's lister-fed `manageReplicas` would: the bound is the replicas it could read.
#[test]
fn a_replicaset_sized_from_its_lagging_cache_is_judged_by_what_it_read_in_seed_1_of_the_soak() {
    replay_keeps_every_invariant("generated-rs-stale-replicas", 1);
}

/// The soak's fifth run, seed 1: a second crash of the ReplicaSet controller begins the instant the
/// first one ends, while its pod informer lags. The first restart must not bring it back early, and
/// the restart's fresh list (`WaitForCacheSync`) must not read pods from the lagging watch.
#[test]
fn a_replicaset_controller_crashing_again_as_it_restarts_keeps_its_bound_in_seed_1_of_the_soak() {
    replay_keeps_every_invariant("generated-rs-second-crash", 1);
}

/// The soak's sixth run, seed 1: the ReplicaSet controller's watch is dropped as d0 scales to 0,
/// and a delay-watch begins before the relist. The relist must mark the caches fresh, so the
/// relisted controller does not read the copy from before the drop and stays within its bound.
#[test]
fn a_replicaset_relisted_after_a_dropped_watch_reads_fresh_caches_in_seed_1_of_the_soak() {
    replay_keeps_every_invariant("generated-rs-drop-then-delay", 1);
}

/// The soak's seventh run, seed 1: a drain and a delete-pod of the StatefulSet's only pod at the
/// same instant. The drain evicts a pod the delete already made terminating, which ignores the
/// budget (`canIgnorePDB`): the eviction disrupts nothing and breaks no budget.
#[test]
fn evicting_a_pod_already_deleted_breaks_no_budget_in_seed_1_of_the_soak() {
    replay_keeps_every_invariant("generated-evict-deleted-pod", 1);
}

/// Replays the counterexample saved in tests/fixtures/`fixture` (its seed must be `seed`) with
/// every invariant on, and asserts that it keeps them all.
fn replay_keeps_every_invariant(fixture: &str, seed: u64) {
    let dir = super::util::root().join("tests/fixtures").join(fixture);
    let scenario = kubesim::scenario::load(&dir.join("scenario.yaml")).expect("loads");
    assert_eq!(scenario.seed, seed, "{fixture}");
    let violations = check(&scenario, scenario.seed).expect("runs");
    assert!(violations.is_empty(), "{fixture}: {violations:?}");
}

//! Monte Carlo replications: independent of the number of jobs, each re-runnable alone.

use super::util::{kubesim, root, temp_dir};
use kubesim::scenario::Scenario;
use kubesim::study;

fn mariadb() -> Scenario {
    kubesim::scenario::load(&root().join("scenarios/mariadb-failover.yaml")).expect("loads")
}

/// The study's files for `count` replications on `jobs` threads: replications.csv, study.json.
fn files(s: &Scenario, count: u64, jobs: usize) -> (Vec<u8>, String) {
    let reps = study::replicate(s, 1, count, jobs, &|| {}).expect("runs");
    let aggs = study::aggregates(s, 1, &reps);
    let files = study::Files::of(s, 1, &reps);
    (
        files.replications,
        study::study_json(&s.name, 1, count, &aggs),
    )
}

#[test]
fn replications_of_mariadb_failover_seed_1_do_not_depend_on_the_number_of_jobs() {
    let s = mariadb();
    let one = files(&s, 12, 1);
    assert_eq!(one, files(&s, 12, 3));
    let csv = String::from_utf8(one.0).unwrap();
    assert_eq!(
        csv.lines().count(),
        13,
        "a header and one row per replication"
    );
    assert!(csv.starts_with("replication,seed,availability[mariadb],downtime_s[mariadb],failed[mariadb],recovery_s[0:delete-pod],recovery_s[1:kill-container],rollout_s[default/mariadb]\n"), "{csv}");
}

#[test]
fn each_replication_can_be_rerun_alone_and_replication_0_is_the_single_run() {
    let s = mariadb();
    let reps = study::replicate(&s, 1, 6, 2, &|| {}).expect("runs");
    for r in [&reps[0], &reps[5]] {
        let alone = kubesim::sim::run_replication(&s, 1, r.index).expect("runs");
        assert_eq!(alone.summary, r.summary);
    }
    assert_eq!(kubesim::sim::run(&s, 1).unwrap().summary, reps[0].summary);
    assert_ne!(
        reps[1].summary, reps[0].summary,
        "replications draw different numbers"
    );
}

#[test]
fn the_study_aggregates_delete_pod_recovery_around_31_s() {
    let s = mariadb();
    let reps = study::replicate(&s, 1, 20, 2, &|| {}).expect("runs");
    let aggs = study::aggregates(&s, 1, &reps);
    let (_, agg) = aggs
        .iter()
        .find(|(k, _)| k == "recovery_s[delete-pod]")
        .expect("pooled by kind");
    let agg = agg.as_ref().expect("values");
    assert_eq!(agg.n, 20);
    assert!((29.0..33.0).contains(&agg.mean), "{agg:?}");
    assert!(agg.p50 <= agg.p90 && agg.p90 <= agg.p99);
}

#[test]
fn run_with_replications_writes_the_study_files_and_rejects_zero() {
    let dir = temp_dir("study");
    let out = dir.path().join("out");
    let args = [
        "run",
        "scenarios/mariadb-failover.yaml",
        "--replications",
        "4",
        "--jobs",
        "2",
        "--out",
        out.to_str().unwrap(),
    ];
    let run = kubesim(&args);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let mut names: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["faults.csv", "replications.csv", "study.json"]);
    let zero = kubesim(&[
        "run",
        "scenarios/mariadb-failover.yaml",
        "--replications",
        "0",
    ]);
    assert_eq!(zero.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&zero.stderr).contains("--replications must be at least 1"));
}

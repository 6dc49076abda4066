//! The same scenario and seed give byte-identical output files; golden files pin the example's output.

use super::util::{check_golden, read_dir_files, run_example, temp_dir};

#[test]
fn mariadb_failover_seed_1_gives_byte_identical_files_when_run_twice() {
    let (a, b) = (temp_dir("det-a"), temp_dir("det-b"));
    for dir in [&a, &b] {
        run_example(dir.path(), &["--seed", "1"]);
    }
    let (fa, fb) = (read_dir_files(a.path()), read_dir_files(b.path()));
    let names: Vec<&str> = fa.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "events.csv",
            "pods.csv",
            "requests.csv",
            "rollouts.csv",
            "rollouts.svg",
            "summary.json",
            "timeline.svg"
        ]
    );
    for ((name, x), (_, y)) in fa.iter().zip(&fb) {
        assert!(x == y, "{name} differs between two runs with the same seed");
    }
}

#[test]
fn a_different_seed_changes_the_random_draws_but_not_the_file_set() {
    let dir = temp_dir("det-seed");
    run_example(dir.path(), &["--seed", "2"]);
    assert_eq!(read_dir_files(dir.path()).len(), 7);
}

#[test]
fn mariadb_failover_seed_1_matches_its_golden_files() {
    check_golden(
        "mariadb-failover",
        &["summary.json", "events.csv", "pods.csv"],
    );
}

#[test]
fn rolling_update_seed_1_matches_its_golden_files() {
    check_golden(
        "rolling-update",
        &["summary.json", "rollouts.csv", "events.csv"],
    );
}

#[test]
fn recreate_seed_1_matches_its_golden_files() {
    check_golden("recreate", &["summary.json", "rollouts.csv"]);
}

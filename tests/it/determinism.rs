//! The same scenario and seed give byte-identical output files; golden files pin the example's output.

use super::util::{read_dir_files, root, run_example, temp_dir};

#[test]
fn mariadb_failover_seed_1_gives_byte_identical_files_when_run_twice() {
    let (a, b) = (temp_dir("det-a"), temp_dir("det-b"));
    for dir in [&a, &b] {
        run_example(dir, &["--seed", "1"]);
    }
    let (fa, fb) = (read_dir_files(&a), read_dir_files(&b));
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
    run_example(&dir, &["--seed", "2"]);
    assert_eq!(read_dir_files(&dir).len(), 7);
}

/// Compares the example's summary and events with the golden files in tests/golden/mariadb-failover/;
/// `KUBESIM_UPDATE_GOLDEN=1 cargo test` rewrites them after a deliberate change of behaviour.
#[test]
fn mariadb_failover_seed_1_matches_its_golden_files() {
    let dir = temp_dir("golden");
    run_example(&dir, &[]);
    let golden = root().join("tests/golden/mariadb-failover");
    for name in ["summary.json", "events.csv", "pods.csv"] {
        let actual = std::fs::read_to_string(dir.join(name)).unwrap();
        if std::env::var_os("KUBESIM_UPDATE_GOLDEN").is_some() {
            std::fs::create_dir_all(&golden).unwrap();
            std::fs::write(golden.join(name), &actual).unwrap();
            continue;
        }
        let expected = std::fs::read_to_string(golden.join(name))
            .expect("golden file (KUBESIM_UPDATE_GOLDEN=1 writes it)");
        assert!(
            actual == expected,
            "{name} differs from tests/golden/mariadb-failover/{name}"
        );
    }
}

//! The same scenario and seed give byte-identical output files; golden files pin the example's output.

use super::util::{kubesim, read_dir_files, root, run_example, temp_dir};

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

/// Runs `scenarios/<name>.yaml` and compares `files` with the golden files in tests/golden/<name>/;
/// `KUBESIM_UPDATE_GOLDEN=1 cargo test` rewrites them after a deliberate change of behaviour.
fn check_golden(name: &str, files: &[&str]) {
    let dir = temp_dir(name);
    let scenario = format!("scenarios/{name}.yaml");
    let out = kubesim(&[
        "run",
        &scenario,
        "--quiet",
        "--out",
        dir.path().to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let golden = root().join("tests/golden").join(name);
    for file in files {
        let actual = std::fs::read_to_string(dir.path().join(file)).unwrap();
        if std::env::var_os("KUBESIM_UPDATE_GOLDEN").is_some() {
            std::fs::create_dir_all(&golden).unwrap();
            std::fs::write(golden.join(file), &actual).unwrap();
            continue;
        }
        let expected = std::fs::read_to_string(golden.join(file))
            .expect("golden file (KUBESIM_UPDATE_GOLDEN=1 writes it)");
        assert!(
            actual == expected,
            "{file} differs from tests/golden/{name}/{file}"
        );
    }
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

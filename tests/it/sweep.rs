//! Parameter sweeps, shards and their merge, the emitted Indexed Job, and the HTML report.

use super::util::{kubesim, read_dir_files, root, temp_dir};
use kubesim::scenario::load_study;
use kubesim::study::{stats::Aggregate, sweep};
use std::path::Path;

/// Runs `kubesim` and asserts it succeeded with nothing on standard error (no progress bar when
/// the output is not a terminal).
fn ok(args: &[&str]) -> String {
    let out = kubesim(args);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success() && err.is_empty(), "{args:?}: {err}");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// study-replicas.yaml shortened to half a day with a node crash every hour on average, with
/// replicas 1, 2 and 3.
fn small_study(dir: &Path, replications: u32) -> std::path::PathBuf {
    let scenario = root().join("scenarios/study-replicas.yaml");
    let text = format!(
        "scenario: {}\nreplications: {replications}\nparameters:\n  - path: duration\n    values: [12h]\n  - path: faults[0].every.mtbf\n    values: [1h]\n  - path: manifests[Deployment/web].spec.replicas\n    values: [1, 2, 3]\n",
        scenario.display()
    );
    let path = dir.join("small.study.yaml");
    std::fs::write(&path, text).unwrap();
    path
}

fn availability(aggs: &[sweep::PointAggregates], point: usize) -> Aggregate {
    let (_, metrics) = &aggs[point];
    let (_, a) = metrics
        .iter()
        .find(|(n, _)| n == "availability[web]")
        .expect("the metric");
    a.clone().expect("values")
}

#[test]
fn availability_rises_with_replicas_and_the_confidence_intervals_shrink_with_replications() {
    let tmp = temp_dir("replicas");
    let study = load_study(&small_study(tmp.path(), 24)).expect("loads");
    let points: Vec<Vec<String>> = study.points.iter().map(|p| p.values.clone()).collect();
    let aggs_of = |n: u64| {
        let files = sweep::run_sweep(&study, 1, 0..n, 2, &|| {}).expect("runs");
        sweep::point_aggregates(&points, &files).expect("aggregates")
    };
    let (few, many) = (aggs_of(6), aggs_of(24));
    let means: Vec<f64> = (0..3).map(|p| availability(&many, p).mean).collect();
    assert!(means[0] < means[1] && means[1] <= means[2], "{means:?}");
    // With one replica every crash of its node is an outage, so the spread is steady and the
    // interval narrows like 1/sqrt(n); with more, outages are rare and six replications may see none.
    let (a, b) = (availability(&few, 0), availability(&many, 0));
    assert!(b.ci95 < a.ci95 * 0.8, "{} then {}", a.ci95, b.ci95);
    let (_, metrics) = &many[0];
    let (_, count) = metrics
        .iter()
        .find(|(n, _)| n == "faults[0:crash-node]")
        .expect("the repeated fault's count");
    let count = count.as_ref().expect("values").mean;
    assert!(
        (9.0..15.0).contains(&count),
        "12 h / 1 h = 12 faults on average: {count}"
    );
}

#[test]
fn shards_of_a_run_merge_into_exactly_the_unsharded_files() {
    let tmp = temp_dir("merge-run");
    let dir = |n: &str| tmp.path().join(n).to_str().unwrap().to_string();
    let base = [
        "run",
        "scenarios/mariadb-failover.yaml",
        "--replications",
        "7",
    ];
    ok(&[&base[..], &["--jobs", "2", "--out", &dir("whole")]].concat());
    for i in 0..3 {
        let shard = format!("{i}/3");
        ok(&[
            &base[..],
            &[
                "--jobs",
                "1",
                "--shard",
                &shard,
                "--out",
                &dir(&format!("s{i}")),
            ],
        ]
        .concat());
    }
    ok(&[
        "merge",
        &dir("s2"),
        &dir("s0"),
        &dir("s1"),
        "--out",
        &dir("merged"),
    ]);
    let whole = read_dir_files(Path::new(&dir("whole")));
    assert_eq!(whole.len(), 3);
    assert_eq!(whole, read_dir_files(Path::new(&dir("merged"))));
    let missing = kubesim(&["merge", &dir("s0"), &dir("s1"), "--out", &dir("bad")]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("every shard 0..3 is needed once"));
}

#[test]
fn shards_of_a_sweep_merge_into_exactly_the_unsharded_files_and_jobs_do_not_matter() {
    let tmp = temp_dir("merge-sweep");
    let study = tmp.path().join("at.study.yaml");
    let scenario = root().join("scenarios/mariadb-failover.yaml");
    let text = format!("scenario: {}\nreplications: 5\nparameters:\n  - path: faults[0].at\n    values: [90s, 2m]\n", scenario.display());
    std::fs::write(&study, text).unwrap();
    let study = study.to_str().unwrap();
    let dir = |n: &str| tmp.path().join(n).to_str().unwrap().to_string();
    ok(&["sweep", study, "--jobs", "2", "--out", &dir("whole")]);
    ok(&["sweep", study, "--jobs", "1", "--out", &dir("one-job")]);
    for i in 0..2 {
        let shard = format!("{i}/2");
        ok(&[
            "sweep",
            study,
            "--shard",
            &shard,
            "--out",
            &dir(&format!("s{i}")),
        ]);
    }
    ok(&["merge", &dir("s0"), &dir("s1"), "--out", &dir("merged")]);
    let whole = read_dir_files(Path::new(&dir("whole")));
    assert_eq!(whole, read_dir_files(Path::new(&dir("merged"))));
    assert_eq!(whole, read_dir_files(Path::new(&dir("one-job"))));
    let names: Vec<&str> = whole.iter().map(|(n, _)| n.as_str()).collect();
    assert!(
        names.contains(&"sweep.csv")
            && names.contains(&"sweep-0.svg")
            && names.contains(&"p1-study.json"),
        "{names:?}"
    );
    let csv = String::from_utf8(
        whole
            .iter()
            .find(|(n, _)| n == "sweep.csv")
            .unwrap()
            .1
            .clone(),
    )
    .unwrap();
    assert_eq!(
        csv.lines().count(),
        3,
        "a header and one row per grid point: {csv}"
    );
    assert!(
        csv.starts_with("faults[0].at,availability[mariadb].n,availability[mariadb].mean,"),
        "{csv}"
    );
}

#[test]
fn emit_job_prints_an_indexed_job_whose_pods_run_their_shard() {
    let out = ok(&[
        "sweep",
        "scenarios/study-replicas/study-replicas.study.yaml",
        "--emit-job",
        "--shards",
        "8",
    ]);
    let job: serde_yaml_ng::Value = serde_yaml_ng::from_str(&out).expect("YAML");
    assert_eq!(job["kind"].as_str(), Some("Job"));
    assert_eq!(job["spec"]["completionMode"].as_str(), Some("Indexed"));
    assert_eq!(job["spec"]["completions"].as_u64(), Some(8));
    let container = &job["spec"]["template"]["spec"]["containers"][0];
    let script = container["args"][0].as_str().unwrap();
    assert!(
        script.contains("--shard \"$JOB_COMPLETION_INDEX/8\""),
        "{script}"
    );
}

/// Opens `html` in headless Chromium and returns the text of its `#render-status` element.
fn render_status(html: &Path) -> String {
    let chromium = Path::new("/usr/bin/chromium");
    assert!(
        chromium.exists(),
        "the report test needs /usr/bin/chromium (.ci/run installs it)"
    );
    let profile = temp_dir("chromium-profile");
    let flags = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
    ];
    let out = std::process::Command::new(chromium)
        .args(flags)
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(["--virtual-time-budget=5000", "--dump-dom"])
        .arg(format!("file://{}", html.display()))
        .output()
        .expect("run chromium");
    let dom = String::from_utf8_lossy(&out.stdout);
    let start = dom
        .find("id=\"render-status\">")
        .expect("the status element")
        + "id=\"render-status\">".len();
    dom[start..].split('<').next().unwrap_or("").to_string()
}

#[test]
fn the_report_of_a_run_and_of_a_study_renders_its_tables_and_pictures_in_chromium() {
    let tmp = temp_dir("report");
    let run = tmp.path().join("run");
    let study = tmp.path().join("study");
    ok(&[
        "run",
        "scenarios/mariadb-failover.yaml",
        "--quiet",
        "--out",
        run.to_str().unwrap(),
    ]);
    ok(&[
        "run",
        "scenarios/mariadb-failover.yaml",
        "--replications",
        "20",
        "--out",
        study.to_str().unwrap(),
    ]);
    for (dir, tables, images) in [(&run, 2, 3), (&study, 1, 3)] {
        ok(&["report", dir.to_str().unwrap()]);
        let html = dir.join("report.html");
        let text = std::fs::read_to_string(&html).unwrap();
        assert!(
            !text.contains("http://") && !text.contains("https://"),
            "self-contained"
        );
        let status = render_status(&html);
        let field = |k: &str| -> usize {
            let v = status
                .split(' ')
                .find_map(|kv| kv.strip_prefix(&format!("{k}=")));
            v.and_then(|v| v.parse().ok())
                .unwrap_or_else(|| panic!("{k} in {status:?}"))
        };
        assert!(field("tables") >= tables && field("rows") > 0, "{status}");
        assert!(
            field("images") >= images && field("broken") == 0,
            "{status}"
        );
    }
}

#[test]
fn a_bad_study_file_exits_2_naming_the_file_and_the_field() {
    let tmp = temp_dir("bad-study");
    let scenario = root().join("scenarios/mariadb-failover.yaml");
    let cases = [
        (
            "manifests[Deployment/nope].spec.replicas",
            "[1]",
            "parameters[0].path",
            "no Deployment/nope",
        ),
        (
            "faults[0].at",
            "[-1m]",
            "parameters[0].values[0]",
            "negative",
        ),
        (
            "faults[9].at",
            "[1m]",
            "parameters[0].path",
            "past the list",
        ),
    ];
    for (path, values, field, why) in cases {
        let study = tmp.path().join("bad.study.yaml");
        let text = format!(
            "scenario: {}\nreplications: 2\nparameters:\n  - path: {path}\n    values: {values}\n",
            scenario.display()
        );
        std::fs::write(&study, text).unwrap();
        let out = kubesim(&[
            "sweep",
            study.to_str().unwrap(),
            "--out",
            tmp.path().join("out").to_str().unwrap(),
        ]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{err}");
        assert!(
            err.contains("bad.study.yaml") && err.contains(field) && err.contains(why),
            "{path}: {err}"
        );
        assert!(!tmp.path().join("out").exists());
    }
}

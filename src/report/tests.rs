//! Shared fixtures of the report tests, and the tests of writing the output directory.

use super::*;
use crate::engine::SimTime;
use crate::metrics::{
    EventRecord, FaultMark, FaultSummary, Outcome, PodRecord, RequestRecord, RolloutRecord,
    ServiceSummary, Summary,
};

/// A summary with two services and two faults, one never recovered.
pub(crate) fn sample_summary() -> Summary {
    let svc = |name: &str, availability| ServiceSummary {
        name: name.into(),
        requests: 300,
        failed: 3,
        availability,
        downtime_ms: 31_004,
        longest_outage_ms: 14_500,
    };
    let fault = |at, recovery_ms| FaultSummary {
        spec: 0,
        at: SimTime(at),
        action: "delete-pod".into(),
        target: "default/web-1".into(),
        recovery_ms,
    };
    Summary {
        scenario: "web-failover".into(),
        seed: 42,
        duration_ms: 300_000,
        events: 12_345,
        services: vec![svc("web", 297.0 / 300.0), svc("db", 2.0 / 3.0)],
        faults: vec![fault(60_000, Some(14_500)), fault(120_001, None)],
        claims: Vec::new(),
        rollouts: Vec::new(),
        disruption_budgets: Vec::new(),
        quorums: Vec::new(),
        pending: Vec::new(),
        jobs: Vec::new(),
        daemon_sets: Vec::new(),
        node_report: Default::default(),
    }
}

/// A pod incarnation created at `created_ms` that became ready two seconds later.
fn pod(name: &str, created_ms: u64, gone_ms: Option<u64>) -> PodRecord {
    let t = SimTime(created_ms);
    PodRecord {
        pod: name.into(),
        namespace: "default".into(),
        uid: format!("uid-{name}"),
        owner: "ReplicaSet/web-5d8f".into(),
        node: Some("node-a".into()),
        ip: Some("10.244.0.7".into()),
        created: t,
        scheduled: Some(t.plus_ms(2)),
        started: Some(t.plus_ms(1_500)),
        ready: Some(t.plus_ms(2_000)),
        deleted: gone_ms.map(|g| SimTime(g - 1_000)),
        gone: gone_ms.map(SimTime),
        restarts: 0,
        dns: None,
        phases: vec![
            (t, "Pending"),
            (t.plus_ms(2), "ContainerCreating"),
            (t.plus_ms(1_500), "Running"),
            (t.plus_ms(2_000), "Ready"),
        ],
        endpoints: vec![(t.plus_ms(2_000), true)],
    }
}

/// The state of one ReplicaSet of a Deployment after a change at `ms`.
pub(crate) fn rollout(
    ms: u64,
    deployment: &str,
    rs: &str,
    revision: u64,
    replicas: u32,
    available: u32,
) -> RolloutRecord {
    RolloutRecord {
        time: SimTime(ms),
        deployment: deployment.into(),
        replicaset: rs.into(),
        revision,
        replicas,
        ready: available,
        available,
    }
}

/// A rolling update of `default/web` (10 replicas) from revision 1 to 2, and `default/api` created.
pub(crate) fn sample_rollouts() -> Vec<RolloutRecord> {
    let web =
        |ms, rs, rev, replicas, available| rollout(ms, "default/web", rs, rev, replicas, available);
    vec![
        web(0, "web-5d8f7c", 1, 10, 0),
        rollout(0, "default/api", "api-6c9d", 1, 2, 0),
        web(5_000, "web-5d8f7c", 1, 10, 10),
        web(12_000, "web-7b9c4d", 2, 3, 0),
        web(12_000, "web-5d8f7c", 1, 8, 8),
        web(20_000, "web-7b9c4d", 2, 3, 3),
        web(20_000, "web-7b9c4d", 2, 10, 3),
        web(20_000, "web-5d8f7c", 1, 0, 0),
    ]
}

/// A small run: three pod incarnations, a few events and requests, two faults.
pub(crate) fn sample_output() -> RunOutput {
    let event = EventRecord {
        time: SimTime(2),
        kind: "Pod".into(),
        namespace: "default".into(),
        name: "web-1".into(),
        reason: "Scheduled".into(),
        message: "Successfully assigned default/web-1 to node-a".into(),
    };
    let request = |ms, outcome, pod: Option<&str>| RequestRecord {
        time: SimTime(ms),
        service: "web".into(),
        outcome,
        latency_ms: 3,
        pod: pod.map(String::from),
    };
    let mark = |ms, action: &str| FaultMark {
        at: SimTime(ms),
        action: action.into(),
        target: "default/web-1".into(),
    };
    RunOutput {
        rollouts: sample_rollouts(),
        events: vec![event],
        pods: vec![
            pod("web-1", 0, Some(61_000)),
            pod("web-2", 0, None),
            pod("web-3", 60_010, None),
        ],
        requests: vec![
            request(1_000, Outcome::Refused, None),
            request(5_000, Outcome::Ok, Some("web-2")),
        ],
        watch: Vec::new(),
        faults: vec![mark(60_000, "delete-pod"), mark(120_001, "kill-container")],
        summary: sample_summary(),
    }
}

/// A fresh scratch directory for one test.
fn scratch(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kubesim-report-{}-{test}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    dir
}

/// The names in a directory, sorted.
fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn write_all_replaces_an_old_directorys_files_and_leaves_no_temp_dir() {
    let root = scratch("replace");
    let dir = root.join("nested").join("web-failover");
    fs::create_dir_all(&dir).unwrap();
    fs::write(dir.join("stale.csv"), "from an older run").unwrap();
    fs::write(dir.join("summary.json"), "{}").unwrap();
    write_all(&dir, &sample_output()).unwrap();
    let mut expected: Vec<String> = FILES.iter().map(|f| f.to_string()).collect();
    expected.sort();
    assert_eq!(names_in(&dir), expected);
    assert_eq!(
        names_in(&root.join("nested")),
        vec!["web-failover".to_string()],
        "no temp dir beside the output"
    );
    assert!(fs::read_to_string(dir.join("summary.json"))
        .unwrap()
        .contains("\"scenario\": \"web-failover\""));
    fs::remove_dir_all(&root).unwrap();
}

#[test]
fn write_all_creates_missing_parents_and_clears_a_stale_temp_dir() {
    let root = scratch("fresh");
    let dir = root.join("a").join("b");
    fs::create_dir_all(root.join("a").join("b.tmp-kubesim")).unwrap();
    fs::write(root.join("a").join("b.tmp-kubesim").join("junk"), "x").unwrap();
    write_all(&dir, &sample_output()).unwrap();
    assert_eq!(names_in(&dir).len(), FILES.len());
    assert_eq!(names_in(&root.join("a")), vec!["b".to_string()]);
    fs::remove_dir_all(&root).unwrap();
}

#[test]
fn write_all_refuses_to_replace_a_directory_with_subdirectories() {
    let root = scratch("foreign");
    fs::create_dir_all(root.join("project").join("src")).unwrap();
    let err = write_all(&root.join("project"), &sample_output()).unwrap_err();
    assert!(matches!(err, ReportError::NotAnOutputDir { .. }), "{err}");
    assert!(err.to_string().contains("project"), "{err}");
    assert!(root.join("project").join("src").is_dir());
    assert_eq!(names_in(&root), vec!["project".to_string()]);
    fs::remove_dir_all(&root).unwrap();
}

#[test]
fn write_all_names_the_path_when_the_output_dir_has_no_name() {
    let err = write_all(Path::new(".."), &sample_output()).unwrap_err();
    assert!(matches!(err, ReportError::NoDirName { .. }));
    assert!(err.to_string().contains(".."), "{err}");
}

#[test]
fn writing_twice_gives_identical_bytes() {
    let root = scratch("twice");
    let dir = root.join("out");
    write_all(&dir, &sample_output()).unwrap();
    let first: Vec<Vec<u8>> = FILES
        .iter()
        .map(|f| fs::read(dir.join(f)).unwrap())
        .collect();
    write_all(&dir, &sample_output()).unwrap();
    let second: Vec<Vec<u8>> = FILES
        .iter()
        .map(|f| fs::read(dir.join(f)).unwrap())
        .collect();
    assert_eq!(first, second);
    let rendered: Vec<Vec<u8>> = render_all(&sample_output())
        .unwrap()
        .into_iter()
        .map(|(_, b)| b)
        .collect();
    assert_eq!(first, rendered);
    fs::remove_dir_all(&root).unwrap();
}

//! Bad input exits with status 2, one clear message naming the file and the field, and no output.

use super::util::{kubesim, temp_dir};
use std::path::Path;

fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).unwrap();
}

const DEPLOYMENT: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec: {containers: [{name: web, image: nginx}]}\n";

fn scenario(extra: &str) -> String {
    format!("name: bad\nduration: 1m\ncluster:\n  nodes: [{{name: n1, allocatable: {{cpu: '4', memory: 8Gi}}}}]\nmanifests: [web.yaml]\n{extra}")
}

/// Runs a scenario written to a temp dir; returns (status, stderr) and checks nothing was written.
fn run_bad(name: &str, scenario_text: &str, manifest: &str) -> (i32, String) {
    let tmp = temp_dir(name);
    let dir = tmp.path();
    write(dir, "web.yaml", manifest);
    write(dir, "s.yaml", scenario_text);
    let out_dir = dir.join("out");
    let out = kubesim(&[
        "run",
        dir.join("s.yaml").to_str().unwrap(),
        "--out",
        out_dir.to_str().unwrap(),
    ]);
    assert!(!out_dir.exists(), "bad input must write no output");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_misspelt_scenario_field_exits_2_naming_file_and_field() {
    let (code, err) = run_bad("misspelt", &scenario("trafic: []\n"), DEPLOYMENT);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("s.yaml") && err.contains("trafic"), "{err}");
}

#[test]
fn a_removed_api_version_exits_2_and_names_its_replacement() {
    let (code, err) = run_bad(
        "removed",
        &scenario(""),
        &DEPLOYMENT.replace("apps/v1", "apps/v1beta1"),
    );
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("web.yaml") && err.contains("apps/v1beta1") && err.contains("apps/v1"),
        "{err}"
    );
}

#[test]
fn a_missing_manifest_file_exits_2_naming_it() {
    let (code, err) = run_bad(
        "missing",
        &scenario("").replace("web.yaml", "nope.yaml"),
        DEPLOYMENT,
    );
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("nope.yaml") && err.contains("manifests[0]"),
        "{err}"
    );
}

#[test]
fn a_selector_that_matches_nothing_exits_2_naming_the_field() {
    let (code, err) = run_bad(
        "selector",
        &scenario("faults: [{at: 10s, delete-pod: {selector: app=db}}]\n"),
        DEPLOYMENT,
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("faults[0]") && err.contains("app=db"), "{err}");
}

#[test]
fn an_unknown_field_in_a_manifest_is_reported_as_kubectl_does() {
    let (code, err) = run_bad(
        "unknown",
        &scenario(""),
        &DEPLOYMENT.replace("selector:", "replikas: 3\n  selector:"),
    );
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("web.yaml") && err.contains("unknown field \"spec.replikas\""),
        "{err}"
    );
}

#[test]
fn a_negative_duration_exits_2_naming_the_field() {
    let (code, err) = run_bad(
        "negative",
        &scenario("").replace("duration: 1m", "duration: -1m"),
        DEPLOYMENT,
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("duration"), "{err}");
}

#[test]
fn a_drain_of_a_node_the_cluster_lacks_exits_2_naming_the_field_and_the_nodes() {
    let faults = "faults:\n  - {at: 10s, drain: {nodes: [n1, n2]}}\n";
    let (code, err) = run_bad("drain-node", &scenario(faults), DEPLOYMENT);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("s.yaml: faults[0].drain.nodes[1]: no node named n2")
            && err.contains("cluster.nodes declares n1"),
        "{err}"
    );
}

#[test]
fn a_cordon_of_a_misspelt_node_suggests_the_right_one() {
    let faults = "faults:\n  - {at: 10s, cordon: n11}\n";
    let (code, err) = run_bad("cordon-node", &scenario(faults), DEPLOYMENT);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("faults[0].cordon") && err.contains("did you mean n1?"),
        "{err}"
    );
}

#[test]
fn a_misspelt_drain_flag_exits_2_with_the_flags_drain_knows() {
    let faults = "faults:\n  - {at: 10s, drain: {node: n1, grace: 5s}}\n";
    let (code, err) = run_bad("drain-flag", &scenario(faults), DEPLOYMENT);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("faults[0].drain.grace: unknown field") && err.contains("grace-period"),
        "{err}"
    );
}

#[test]
fn a_quorum_of_zero_members_or_of_no_workload_exits_2_naming_the_field() {
    let zero = "quorum:\n  - {selector: app=web, min-ready: 0}\n";
    let (code, err) = run_bad("quorum-zero", &scenario(zero), DEPLOYMENT);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("quorum[0].min-ready"), "{err}");
    let none = "quorum:\n  - {selector: app=db, min-ready: 2}\n";
    let (code, err) = run_bad("quorum-none", &scenario(none), DEPLOYMENT);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("quorum[0].selector") && err.contains("app=db"),
        "{err}"
    );
}

#[test]
fn bad_random_fault_times_exit_2_naming_the_file_and_the_field() {
    let cases = [
        (
            "faults: [{every: {mtbf: 0s}, delete-pod: {selector: app=web}}]\n",
            "faults[0].every.mtbf",
            "more than 0s",
        ),
        (
            "faults: [{every: {mtbf: 100ms}, delete-pod: {selector: app=web}}]\nduration: 1d\n",
            "faults[0].every.mtbf",
            "expects 864000 faults",
        ),
        (
            "faults: [{every: {mtbf: 10s}, at: {uniform: {min: 0s, max: 5s}}, delete-pod: {selector: app=web}}]\n",
            "faults[0].at",
            "starts at a fixed time",
        ),
        (
            "faults: [{at: {exponential: {mean: 10s}, uniform: {min: 0s, max: 1s}}, delete-pod: {selector: app=web}}]\n",
            "faults[0].at",
            "exactly one of",
        ),
        (
            "faults: [{at: {lognormal: {median: 10s, p99: 1s}}, delete-pod: {selector: app=web}}]\n",
            "faults[0].at.lognormal.p99",
            "below the median",
        ),
        (
            "faults: [{at: 10s, pick: some, delete-pod: {selector: app=web}}]\n",
            "faults[0].pick",
            "neither all nor one",
        ),
        (
            "faults: [{at: 10s, pick: one, scale: {deployment: web, replicas: 2}}]\n",
            "faults[0].pick",
            "applies to delete-pod, kill-container, crash-node and partition-node",
        ),
        (
            "faults: [{every: {mtbf: 10s, mean: 1s}, delete-pod: {selector: app=web}}]\n",
            "faults[0].every.mean",
            "mtbf",
        ),
        (
            "faults: [{delete-pod: {selector: app=web}}]\n",
            "faults[0].at",
            "",
        ),
    ];
    for (faults, field, why) in cases {
        let mut text = scenario(faults);
        if faults.contains("duration: 1d") {
            text = text.replace("duration: 1m\n", "");
        }
        let (code, err) = run_bad("random-faults", &text, DEPLOYMENT);
        assert_eq!(code, 2, "{faults}: {err}");
        assert!(
            err.contains("s.yaml") && err.contains(field) && err.contains(why),
            "{faults}: {err}"
        );
    }
}

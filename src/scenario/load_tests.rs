//! Tests of the scenario loader: scenario files written to a temporary folder, manifests given as objects.

use super::*;
use crate::manifest::Object;
use crate::scenario::{Dist, FaultAction, NodeSpec, OnSigterm, Timings};
use serde_json::json;

/// A fresh folder under the system's temporary folder, removed when dropped.
pub(super) fn temp_dir() -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix("kubesim-scenario-")
        .tempdir()
        .unwrap()
}

/// Writes `text` as `x.yaml` in a fresh folder and loads it.
pub(super) fn load_text(text: &str) -> std::result::Result<Scenario, ScenarioError> {
    let dir = temp_dir();
    let path = dir.path().join("x.yaml");
    std::fs::write(&path, text).unwrap();
    load(&path)
}

/// Reads `text` as `scenarios/x.yaml` with `objects` standing in for its manifests.
pub(super) fn with_objects(
    text: &str,
    objects: Vec<Loaded>,
) -> std::result::Result<Scenario, ScenarioError> {
    let value: serde_yaml_ng::Value = serde_yaml_ng::from_str(text).unwrap();
    let top = Field::root("scenarios/x.yaml", &value).fields(TOP)?;
    build(&top, objects, Path::new("scenarios/x.yaml"))
}

pub(super) fn object<T: serde::de::DeserializeOwned>(
    wrap: fn(Box<T>) -> Object,
    value: serde_json::Value,
) -> Loaded {
    let object = wrap(Box::new(serde_json::from_value(value).unwrap()));
    Loaded {
        source: "test.yaml".into(),
        object,
    }
}

/// A StatefulSet `mariadb` (pods `app=mariadb`, container `mariadb`), its Service and StorageClass `cbs`.
fn mariadb() -> Vec<Loaded> {
    let template = json!({"metadata": {"labels": {"app": "mariadb"}},
        "spec": {"containers": [{"name": "mariadb", "image": "mariadb:11"}]}});
    vec![
        object(
            Object::StatefulSet,
            json!({"metadata": {"name": "mariadb"},
            "spec": {"selector": {"matchLabels": {"app": "mariadb"}}, "template": template}}),
        ),
        object(Object::Service, json!({"metadata": {"name": "mariadb"}})),
        object(
            Object::StorageClass,
            json!({"metadata": {"name": "cbs"}, "provisioner": "cbs"}),
        ),
    ]
}

pub(super) fn message(result: std::result::Result<Scenario, ScenarioError>) -> String {
    result
        .expect_err("the scenario should be rejected")
        .to_string()
}

pub(super) const HEAD: &str = "name: t\nduration: 10m\n";

#[test]
fn a_minimal_scenario_gets_the_defaults() {
    let s = load_text(HEAD).unwrap();
    assert_eq!((s.name.as_str(), s.seed, s.duration_ms), ("t", 1, 600_000));
    assert_eq!(s.timings, Timings::default());
    assert!(s.nodes.is_empty() && s.objects.is_empty() && s.faults.is_empty());
    assert!(s.source.ends_with("x.yaml"));
}

#[test]
fn a_misspelt_scenario_field_is_reported_with_its_path() {
    let err = message(load_text("name: t\nduraton: 10m\n"));
    assert!(err.ends_with("x.yaml: duraton: unknown field; expected one of: name, seed, duration, cluster, manifests, apps, traffic, faults, quorum, testing; did you mean duration?"), "{err}");
    let text = format!("{HEAD}faults:\n  - {{at: 1m, delete-pod: {{selector: app=mariadb}}}}\n  - {{at: 2m, kill-containr: {{selector: app=mariadb}}}}\n");
    let err = message(with_objects(&text, mariadb()));
    assert_eq!(err, "scenarios/x.yaml: faults[1].kill-containr: unknown field; expected one of: at, every, pick, delete-pod, kill-container, force-delete-pod, set-image, scale, rollout-undo, rollout-pause, rollout-resume, patch, apply, crash-node, partition-node, restart-node, recover-node, shutdown-node, delete-node, taint-node, zone-outage, cordon, uncordon, drain, crash-controller, delay-watch, drop-watch, slow-sync, conflict; did you mean kill-container?");
}

#[test]
fn a_negative_duration_is_reported_with_the_file_and_the_field() {
    let text = format!("{HEAD}apps:\n  - {{match: {{app: mariadb}}, listen-after: -3s}}\n");
    let err = message(with_objects(&text, mariadb()));
    assert_eq!(
        err,
        r#"scenarios/x.yaml: apps[0].listen-after: "-3s" is not a duration (a negative duration is not allowed)"#
    );
}

#[test]
fn a_duration_without_a_unit_is_rejected() {
    let err = message(load_text("name: t\nduration: 600\n"));
    assert!(
        err.ends_with("x.yaml: duration: 600 is not a duration (needs a unit: ms, s, m, h or d)"),
        "{err}"
    );
}

#[test]
fn each_kind_of_distribution_parses() {
    let text = format!("{HEAD}apps:\n  - match: {{app: mariadb}}\n    image-pull: {{uniform: {{min: 1s, max: 3s}}}}\n    listen-after: {{exponential: {{mean: 10s}}}}\n    serve-after: {{lognormal: {{median: 2s, p99: 20s}}}}\n    crash-recovery: {{empirical: [1s, 2s, 5s]}}\n    on-sigterm: {{exit-after: never}}\n");
    let app = &with_objects(&text, mariadb()).unwrap().apps[0];
    assert_eq!(
        app.image_pull,
        Dist::Uniform {
            lo_ms: 1_000,
            hi_ms: 3_000
        }
    );
    assert_eq!(
        app.listen_after,
        Some(Dist::Exponential { mean_ms: 10_000 })
    );
    assert_eq!(
        app.serve_after,
        Some(Dist::Lognormal {
            median_ms: 2_000,
            p99_ms: 20_000
        })
    );
    assert_eq!(
        app.crash_recovery,
        Dist::Empirical(vec![1_000, 2_000, 5_000])
    );
    assert_eq!(app.latency, Dist::Const(5));
    assert_eq!(
        app.on_sigterm,
        OnSigterm {
            close_listener: true,
            exit_after: None
        }
    );
}

#[test]
fn a_lognormal_with_p99_below_its_median_is_rejected() {
    let text = format!("{HEAD}apps:\n  - {{match: {{app: mariadb}}, latency: {{lognormal: {{median: 2s, p99: 1s}}}}}}\n");
    let err = message(with_objects(&text, mariadb()));
    assert_eq!(
        err,
        "scenarios/x.yaml: apps[0].latency.lognormal.p99: p99 1s is below the median 2s"
    );
}

#[test]
fn node_groups_expand_with_zones_in_turn() {
    let text = format!(
        "{HEAD}cluster:\n  nodes:\n    - count: 3\n      name: node-{{i}}\n      zones: [a, b]\n      labels: {{disk: ssd}}\n      allocatable: {{cpu: \"4\", memory: 16Gi}}\n    - {{name: big, allocatable: {{cpu: 500m, memory: 1G, pods: 30}}}}\n"
    );
    let nodes = load_text(&text).unwrap().nodes;
    let zones: Vec<_> = nodes
        .iter()
        .map(|n| (n.name.as_str(), n.zone.as_deref()))
        .collect();
    assert_eq!(
        zones,
        [
            ("node-1", Some("a")),
            ("node-2", Some("b")),
            ("node-3", Some("a")),
            ("big", None)
        ]
    );
    assert_eq!(
        (nodes[0].cpu_milli, nodes[0].memory_bytes, nodes[0].pods),
        (4_000, 16 << 30, 110)
    );
    assert_eq!(nodes[0].labels.get("disk").map(String::as_str), Some("ssd"));
    let big = NodeSpec {
        name: "big".into(),
        zone: None,
        labels: Default::default(),
        cpu_milli: 500,
        memory_bytes: 1_000_000_000,
        pods: 30,
        taints: Vec::new(),
        unschedulable: false,
    };
    assert_eq!(nodes[3], big);
}

#[test]
fn nodes_of_a_group_need_an_index_in_their_name() {
    let text = format!("{HEAD}cluster:\n  nodes:\n    - {{count: 2, name: node, allocatable: {{cpu: 1, memory: 1Gi}}}}\n");
    let err = message(load_text(&text));
    assert!(
        err.contains("cluster.nodes[0].name: 2 nodes need {i} in their name"),
        "{err}"
    );
}

#[test]
fn timings_override_the_defaults_and_unknown_ones_are_listed() {
    let text = format!("{HEAD}cluster:\n  timings: {{node-monitor-grace-period: 40s}}\n");
    let timings = load_text(&text).unwrap().timings;
    assert_eq!(timings.node_monitor_grace_period_ms, 40_000);
    assert_eq!(
        timings.pleg_relist_period_ms,
        Timings::default().pleg_relist_period_ms
    );
    let text = format!("{HEAD}cluster:\n  timings: {{node-monitor-grace: 40s}}\n");
    let err = message(load_text(&text));
    assert!(err.contains("cluster.timings.node-monitor-grace: unknown field; expected one of: pleg-relist-period,"), "{err}");
    assert!(
        err.ends_with("did you mean node-monitor-grace-period?"),
        "{err}"
    );
}

#[test]
fn faults_are_sorted_by_time_keeping_file_order_at_equal_times() {
    let text = format!("{HEAD}faults:\n  - {{at: 6m, kill-container: {{selector: app=mariadb, container: mariadb}}}}\n  - {{at: 2m, delete-pod: {{selector: app=mariadb, grace-period: 30s}}}}\n  - {{at: 6m, delete-pod: {{selector: {{app: mariadb}}}}}}\n");
    let faults = with_objects(&text, mariadb()).unwrap().faults;
    let order: Vec<_> = faults.iter().map(|f| (f.at_ms, f.action.name())).collect();
    assert_eq!(
        order,
        [
            (120_000, "delete-pod"),
            (360_000, "kill-container"),
            (360_000, "delete-pod")
        ]
    );
    let FaultAction::DeletePod {
        selector,
        grace_period_ms,
    } = &faults[0].action
    else {
        panic!()
    };
    assert_eq!(
        (selector.namespace.as_str(), *grace_period_ms),
        ("default", Some(30_000))
    );
}

#[test]
fn a_selector_that_matches_nothing_is_rejected() {
    let text = format!("{HEAD}faults:\n  - {{at: 2m, delete-pod: {{selector: app=mysql}}}}\n");
    let err = message(with_objects(&text, mariadb()));
    assert_eq!(err, "scenarios/x.yaml: faults[0].delete-pod.selector: app=mysql matches no pods of any workload in the manifests");
    let text = format!(
        "{HEAD}faults:\n  - {{at: 2m, delete-pod: {{selector: app=mariadb, namespace: prod}}}}\n"
    );
    assert!(message(with_objects(&text, mariadb()))
        .contains("app=mariadb (namespace prod) matches no pods"));
}

#[test]
fn references_to_what_the_manifests_lack_are_rejected() {
    let cases = [
        (
            "apps:\n  - {match: {app: web}}\n",
            "apps[0].match: app=web matches no pods",
        ),
        (
            "traffic:\n  - {service: web, every: 1s}\n",
            "traffic[0].service: no Service default/web among",
        ),
        (
            "traffic:\n  - {service: mariadb, every: 0s}\n",
            "traffic[0].every: must be longer than 0s",
        ),
        (
            "cluster:\n  storage-classes: {gp2: {provision: 5s}}\n",
            "cluster.storage-classes.gp2: no StorageClass named gp2",
        ),
        (
            "faults:\n  - {at: 11m, delete-pod: {selector: app=mariadb}}\n",
            "faults[0].at: 11m is after the end of the scenario (10m)",
        ),
        (
            "faults:\n  - {at: 1m, kill-container: {selector: app=mariadb, container: db}}\n",
            "container: the pods it selects have no container named db",
        ),
        (
            "faults:\n  - {at: 1m}\n",
            "faults[0]: a fault has exactly one action",
        ),
    ];
    for (tail, expected) in cases {
        let err = message(with_objects(&format!("{HEAD}{tail}"), mariadb()));
        assert!(err.contains(expected), "{tail}: {err}");
    }
}

#[test]
fn traffic_and_storage_classes_get_their_defaults() {
    let text = format!("{HEAD}traffic:\n  - {{service: mariadb, every: 1s}}\ncluster:\n  storage-classes: {{cbs: {{provision: 15s, min-size: 50Gi, size-step: 10Gi}}}}\n");
    let s = with_objects(&text, mariadb()).unwrap();
    let c = &s.traffic[0];
    assert_eq!(
        (
            c.namespace.as_str(),
            c.every_ms,
            c.closed_loop,
            c.timeout_ms,
            c.start_ms
        ),
        ("default", 1_000, false, 30_000, 0)
    );
    let cbs = &s.storage_classes["cbs"];
    assert_eq!(
        (
            cbs.provision.as_const(),
            cbs.min_size_bytes,
            cbs.size_step_bytes
        ),
        (Some(15_000), 50 << 30, 10 << 30)
    );
    assert_eq!(cbs.attach, Dist::Const(1_000));
}

#[test]
fn a_missing_manifest_file_is_rejected_naming_the_field_and_the_path() {
    let err = message(load_text(&format!("{HEAD}manifests: [nothere.yaml]\n")));
    assert!(err.contains("x.yaml: manifests[0]: "), "{err}");
    assert!(err.contains("nothere.yaml: cannot read"), "{err}");
}

#[test]
fn a_missing_scenario_file_is_rejected() {
    let err = message(load(Path::new("/nonexistent/kubesim/x.yaml")));
    assert!(
        err.starts_with("/nonexistent/kubesim/x.yaml: cannot read"),
        "{err}"
    );
}

/// Needs the manifest loader (`crate::manifest::parse_str`).
#[test]
fn manifest_files_and_inline_documents_are_loaded_in_order() {
    let tmp = temp_dir();
    let dir = tmp.path();
    let sts = "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: mariadb}\nspec:\n  serviceName: mariadb\n  selector: {matchLabels: {app: mariadb}}\n  template:\n    metadata: {labels: {app: mariadb}}\n    spec: {containers: [{name: mariadb, image: mariadb:11}]}\n";
    std::fs::write(dir.join("mariadb.yaml"), sts).unwrap();
    let text = format!("{HEAD}manifests:\n  - mariadb.yaml\n  - {{apiVersion: v1, kind: Service, metadata: {{name: mariadb}}, spec: {{selector: {{app: mariadb}}, ports: [{{port: 3306}}]}}}}\ntraffic:\n  - {{service: mariadb, every: 1s}}\nfaults:\n  - {{at: 2m, delete-pod: {{selector: app=mariadb}}}}\n");
    std::fs::write(dir.join("x.yaml"), text).unwrap();
    let s = load(&dir.join("x.yaml")).unwrap();
    let kinds: Vec<_> = s
        .objects
        .iter()
        .map(|l| matches!(l.object, Object::Service(_)))
        .collect();
    assert_eq!(kinds, [false, true]);
}

#[test]
fn the_example_scenario_reads_with_stand_in_manifests() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/mariadb-failover.yaml");
    let mut value: serde_yaml_ng::Value =
        serde_yaml_ng::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    value.as_mapping_mut().unwrap().remove("manifests");
    let top = Field::root("mariadb-failover.yaml", &value)
        .fields(TOP)
        .unwrap();
    let s = build(&top, mariadb(), &path).unwrap();
    assert_eq!(
        (s.nodes.len(), s.duration_ms, s.faults[1].at_ms),
        (3, 480_000, 330_750)
    );
    assert_eq!(s.apps[0].on_sigterm.exit_after, None);
    assert!(s.traffic[0].closed_loop);
}

/// Needs the manifest loader (`crate::manifest::parse_str`).
#[test]
fn the_example_scenario_loads() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/mariadb-failover.yaml");
    let s = load(&path).unwrap();
    assert_eq!(s.name, "mariadb-failover");
    assert_eq!(s.objects.len(), 4);
}

#[test]
fn fault_times_may_be_drawn_or_a_poisson_process_and_days_are_a_unit() {
    use crate::scenario::{FaultTiming, Pick};
    let text = format!(
        "name: t\nduration: 30d\n{}faults:\n  - {{at: {{uniform: {{min: 1m, max: 2m}}}}, delete-pod: {{selector: app=mariadb}}}}\n  - {{every: {{mtbf: 10d}}, pick: one, kill-container: {{selector: app=mariadb}}}}\n  - {{at: 1d, every: {{mtbf: 1h}}, delete-pod: {{selector: app=mariadb}}}}\n",
        "cluster: {nodes: [{name: n1, allocatable: {cpu: '4', memory: 8Gi}}]}\n"
    );
    let s = with_objects(&text, mariadb()).unwrap();
    assert_eq!(s.duration_ms, 30 * 86_400_000);
    let timings: Vec<(u64, FaultTiming, Pick)> = s
        .faults
        .iter()
        .map(|f| (f.at_ms, f.timing.clone(), f.pick))
        .collect();
    let uniform = crate::scenario::Dist::Uniform {
        lo_ms: 60_000,
        hi_ms: 120_000,
    };
    assert_eq!(
        timings,
        [
            (0, FaultTiming::Drawn(uniform), Pick::All),
            (
                0,
                FaultTiming::Every {
                    mtbf_ms: 864_000_000
                },
                Pick::One
            ),
            (
                86_400_000,
                FaultTiming::Every { mtbf_ms: 3_600_000 },
                Pick::All
            ),
        ]
    );
}

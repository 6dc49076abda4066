//! StatefulSets end to end: ordered recreation, staged rolling updates, OnDelete and Parallel, golden
//! files, and the invariant checker after every event on every example and on generated scenarios.

use kubesim::check::{
    StatefulSetChecker, StsChecked as Checked, StsViolation as Violation,
    StsViolationKind as ViolationKind,
};
use kubesim::engine::SimTime;
use kubesim::manifest::Object;
use kubesim::metrics::{PodRecord, RunOutput};
use kubesim::scenario::Scenario;
use std::path::Path;

fn load(path: &Path) -> Scenario {
    kubesim::scenario::load(path).expect("scenario loads")
}

fn example(name: &str) -> Scenario {
    load(&super::util::root().join("scenarios").join(name))
}

/// Runs `scenario` with `seed`, checking the StatefulSet invariants after every event.
fn run_checked(scenario: &Scenario, seed: u64) -> (RunOutput, Vec<Violation>) {
    let (out, violations, _) = run_counted(scenario, seed);
    (out, violations)
}

/// [`run_checked`], with how many creations and controller deletions the checker judged.
fn run_counted(scenario: &Scenario, seed: u64) -> (RunOutput, Vec<Violation>, Checked) {
    let mut checker = StatefulSetChecker::new();
    let out = kubesim::sim::run_inspected(scenario, seed, |view, now| {
        checker.observe(view, now);
    })
    .expect("runs");
    (out, checker.violations().to_vec(), checker.checked())
}

fn assert_no_violations(what: &str, violations: &[Violation]) {
    let shown: Vec<String> = violations.iter().take(5).map(|v| v.to_string()).collect();
    assert!(
        violations.is_empty(),
        "{what}: {} violations, first:\n{}",
        violations.len(),
        shown.join("\n")
    );
}

/// The incarnations of pod `name`, oldest first.
fn incarnations<'a>(out: &'a RunOutput, name: &str) -> Vec<&'a PodRecord> {
    let mut pods: Vec<&PodRecord> = out.pods.iter().filter(|p| p.pod == name).collect();
    pods.sort_by_key(|p| p.created);
    pods
}

fn secs(t: SimTime) -> f64 {
    t.0 as f64 / 1000.0
}

#[test]
fn statefulset_invariants_hold_after_every_event_of_every_statefulset_example() {
    let dir = super::util::root().join("scenarios");
    let mut checked = Vec::new();
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .expect("scenarios/")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    paths.sort();
    for path in paths {
        let scenario = load(&path);
        let has_sts = scenario
            .objects
            .iter()
            .any(|o| matches!(o.object, Object::StatefulSet(_)));
        if !has_sts {
            continue;
        }
        let (_, violations) = run_checked(&scenario, scenario.seed);
        assert_no_violations(&path.display().to_string(), &violations);
        checked.push(scenario.name.clone());
    }
    assert!(
        checked.len() >= 2,
        "StatefulSet examples checked: {checked:?}"
    );
}

#[test]
fn web_delete_all_matches_its_golden_files() {
    super::util::check_golden(
        "web-delete-all",
        &["events.csv", "pods.csv", "summary.json", super::util::WATCH],
    );
}

#[test]
fn web_delete_all_recreates_web_0_first_running_in_about_2_s_and_web_1_after_web_0_is_ready() {
    let (out, violations) = run_checked(&example("web-delete-all.yaml"), 1);
    assert_no_violations("web-delete-all", &violations);
    let (web0, web1) = (incarnations(&out, "web-0"), incarnations(&out, "web-1"));
    assert_eq!(
        (web0.len(), web1.len()),
        (2, 2),
        "each pod deleted once and recreated"
    );
    let (new0, new1) = (web0[1], web1[1]);
    assert!(new0.created < new1.created, "web-0 is recreated first");
    let ready0 = new0.ready.expect("the new web-0 gets Ready");
    let age = secs(ready0) - secs(new0.created);
    // Article 002: `web-0 1/1 Running 0 2s`.
    assert!(
        (0.0..=4.0).contains(&age),
        "the new web-0 is Running after {age} s, not about 2 s"
    );
    assert!(
        new1.created >= ready0,
        "web-1 created at {} before web-0 Ready at {}",
        new1.created,
        ready0
    );
}

#[test]
fn web_rolling_partition_matches_its_golden_files() {
    super::util::check_golden(
        "web-rolling-partition",
        &["events.csv", "pods.csv", "summary.json", super::util::WATCH],
    );
}

#[test]
fn a_partitioned_rolling_update_replaces_ordinals_4_then_3_and_after_partition_0_ordinals_2_1_0() {
    let (out, violations, checked) = run_counted(&example("web-rolling-partition.yaml"), 1);
    assert_no_violations("web-rolling-partition", &violations);
    let judged = Checked {
        creations: 10,
        controller_deletions: 5,
    };
    assert_eq!(
        checked, judged,
        "the checker judged every creation and update deletion"
    );
    let set_image = SimTime(90_000);
    let unpartition = SimTime(180_000);
    // The old incarnation of each ordinal, deleted by the update, and its replacement.
    let replaced: Vec<(u32, &PodRecord, &PodRecord)> = (0..5)
        .map(|o| {
            let pods = incarnations(&out, &format!("web-{o}"));
            assert_eq!(pods.len(), 2, "web-{o} is replaced exactly once");
            (o, pods[0], pods[1])
        })
        .collect();
    let mut order: Vec<&(u32, &PodRecord, &PodRecord)> = replaced.iter().collect();
    order.sort_by_key(|(_, old, _)| old.deleted);
    let ordinals: Vec<u32> = order.iter().map(|(o, _, _)| *o).collect();
    assert_eq!(ordinals, vec![4, 3, 2, 1, 0], "replacement order");
    for (o, old, _) in &replaced {
        let deleted = old.deleted.expect("deleted");
        let window = if *o >= 3 {
            set_image..unpartition
        } else {
            unpartition..SimTime(300_000)
        };
        assert!(window.contains(&deleted), "web-{o} deleted at {deleted}");
    }
    // Each deletion waits for the replacement before it to be Running and Ready.
    for pair in order.windows(2) {
        let ready = pair[0].2.ready.expect("replacement Ready");
        let next_deleted = pair[1].1.deleted.expect("deleted");
        assert!(
            next_deleted >= ready,
            "web-{} deleted at {next_deleted} before web-{} Ready at {ready}",
            pair[1].0,
            pair[0].0
        );
    }
}

#[test]
fn on_delete_replaces_a_pod_with_the_new_image_only_when_it_is_deleted() {
    let dir = super::util::temp_dir("sts-ondelete");
    let changes = [
        "{at: 1m, set-image: {statefulset: web, image: \"nginx:new\"}}".to_string(),
        "{at: 2m, delete-pod: {pod: web-1}}".to_string(),
    ];
    let scenario = write_scenario(
        dir.path(),
        &Params {
            strategy: "OnDelete",
            ..Params::default()
        },
        &changes,
    );
    let mut images = Vec::new();
    let mut checker = StatefulSetChecker::new();
    let out = kubesim::sim::run_inspected(&scenario, 1, |view, now| {
        checker.observe(view, now);
        images = pod_images(view.store);
    })
    .expect("runs");
    assert_no_violations("OnDelete", checker.violations());
    for o in 0..3 {
        let expected = if o == 1 { 2 } else { 1 };
        assert_eq!(
            incarnations(&out, &format!("web-{o}")).len(),
            expected,
            "web-{o}"
        );
    }
    let want = vec![
        ("web-0".to_string(), "nginx:old".to_string()),
        ("web-1".to_string(), "nginx:new".to_string()),
        ("web-2".to_string(), "nginx:old".to_string()),
    ];
    assert_eq!(images, want);
}

#[test]
fn parallel_creates_every_pod_without_waiting_for_the_ones_before() {
    let dir = super::util::temp_dir("sts-parallel");
    let params = Params {
        parallel: true,
        replicas: 4,
        ..Params::default()
    };
    let scenario = write_scenario(dir.path(), &params, &[]);
    let (out, violations) = run_checked(&scenario, 1);
    assert_no_violations("Parallel", &violations);
    let created: Vec<SimTime> = (0..4)
        .map(|o| incarnations(&out, &format!("web-{o}"))[0].created)
        .collect();
    let first_ready = (0..4)
        .filter_map(|o| incarnations(&out, &format!("web-{o}"))[0].ready)
        .min()
        .expect("pods get Ready");
    assert!(
        created.iter().all(|c| *c < first_ready),
        "created {created:?}, first Ready {first_ready}"
    );
}

/// The live pods by name with their first container's image.
fn pod_images(store: &kubesim::api::Store) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = store
        .live_pods
        .iter()
        .map(|p| &store.pods[p.index()])
        .map(|p| (p.meta.name.clone(), p.spec.containers[0].image.clone()))
        .collect();
    v.sort();
    v
}

/// A generated StatefulSet: the tutorial's web with these knobs.
#[derive(Debug, Clone)]
struct Params {
    replicas: u32,
    parallel: bool,
    min_ready_s: u32,
    strategy: &'static str,
    /// RollingUpdate maxUnavailable, with the MaxUnavailableStatefulSet gate on.
    max_unavailable: Option<u32>,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            replicas: 3,
            parallel: false,
            min_ready_s: 0,
            strategy: "RollingUpdate",
            max_unavailable: None,
        }
    }
}

fn sts_manifest(p: &Params) -> String {
    let policy = if p.parallel {
        "Parallel"
    } else {
        "OrderedReady"
    };
    let strategy = match p.max_unavailable {
        Some(m) => format!(
            "{{type: {}, rollingUpdate: {{maxUnavailable: {m}}}}}",
            p.strategy
        ),
        None => format!("{{type: {}}}", p.strategy),
    };
    format!(
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: nginx\nspec:\n  clusterIP: None\n  selector: {{app: nginx}}\n  ports: [{{port: 80, name: web}}]\n---\napiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: web\nspec:\n  selector:\n    matchLabels: {{app: nginx}}\n  serviceName: nginx\n  replicas: {r}\n  podManagementPolicy: {policy}\n  minReadySeconds: {m}\n  updateStrategy: {strategy}\n  template:\n    metadata:\n      labels: {{app: nginx}}\n    spec:\n      terminationGracePeriodSeconds: 10\n      containers:\n      - name: nginx\n        image: nginx:old\n        readinessProbe: {{tcpSocket: {{port: 80}}, periodSeconds: 2}}\n        volumeMounts: [{{name: www, mountPath: /usr/share/nginx/html}}]\n  volumeClaimTemplates:\n  - metadata: {{name: www}}\n    spec: {{accessModes: [ReadWriteOnce], resources: {{requests: {{storage: 1Gi}}}}}}\n",
        r = p.replicas,
        m = p.min_ready_s,
    )
}

/// Writes `sts.yaml` and `s.yaml` (the web-delete-all cluster and app, with `changes`) into `dir`.
fn write_scenario(dir: &Path, p: &Params, changes: &[String]) -> Scenario {
    std::fs::write(dir.join("sts.yaml"), sts_manifest(p)).unwrap();
    let class = super::util::root().join("scenarios/web-delete-all/standard-storageclass.yaml");
    let faults: String = changes.iter().map(|c| format!("  - {c}\n")).collect();
    let gate = if p.max_unavailable.is_some() {
        "  timings: {max-unavailable-stateful-set: true}\n"
    } else {
        ""
    };
    let faults = if faults.is_empty() {
        "faults: []\n".to_string()
    } else {
        format!("faults:\n{faults}")
    };
    let text = format!(
        "name: sts-generated\nseed: 1\nduration: 6m\ncluster:\n  nodes:\n    - {{count: 2, name: \"node-{{i}}\", allocatable: {{cpu: \"4\", memory: 8Gi, pods: 110}}}}\n  storage-classes:\n    standard: {{provision: 1s, attach: 0s, detach: 0s}}\n{gate}manifests: [{class}, sts.yaml]\napps:\n  - {{image: nginx:broken, serve-after: never, listen-after: never}}\n  - {{image: nginx:crash, serve-after: 2s, crash-after: 5s}}\n  - {{match: {{app: nginx}}, image-pull: 3s, listen-after: 300ms, serve-after: 300ms, latency: 5ms, on-sigterm: {{close-listener: true, exit-after: 200ms}}}}\n{faults}",
        class = class.display(),
    );
    std::fs::write(dir.join("s.yaml"), text).unwrap();
    load(&dir.join("s.yaml"))
}

/// One generated change at `at_ms`.
fn change_text(at_ms: u64, kind: u8, n: u32) -> String {
    match kind {
        0 => format!("{{at: {at_ms}ms, scale: {{statefulset: web, replicas: {n}}}}}"),
        1 => {
            let image = match n {
                4 => "nginx:broken".to_string(),
                5 => "nginx:crash".to_string(),
                _ => format!("nginx:v{at_ms}"),
            };
            format!("{{at: {at_ms}ms, set-image: {{statefulset: web, image: \"{image}\"}}}}")
        }
        2 => format!("{{at: {at_ms}ms, patch: {{statefulset: web, merge: {{spec: {{updateStrategy: {{type: RollingUpdate, rollingUpdate: {{partition: {n}}}}}}}}}}}}}"),
        3 => format!("{{at: {at_ms}ms, delete-pod: {{pod: web-{n}}}}}"),
        _ => format!("{{at: {at_ms}ms, delete-pod: {{selector: app=nginx}}}}"),
    }
}

/// The replicas after the generated changes: the last `scale`, else the initial number.
fn final_replicas(initial: u32, changes: &[(u64, u8, u32)]) -> u32 {
    let mut scales: Vec<(u64, u32)> = changes
        .iter()
        .filter(|(_, kind, _)| *kind == 0)
        .map(|(at, _, n)| (*at, *n))
        .collect();
    scales.sort_by_key(|(at, _)| *at);
    scales.last().map_or(initial, |(_, n)| *n)
}

/// The partition of the last generated partition patch, if any.
fn final_partition(changes: &[(u64, u8, u32)]) -> Option<u32> {
    let mut patches: Vec<(u64, u32)> = changes
        .iter()
        .filter(|(_, kind, _)| *kind == 2)
        .map(|(at, _, n)| (*at, *n))
        .collect();
    patches.sort_by_key(|(at, _)| *at);
    patches.last().map(|(_, n)| *n)
}

/// The live pods at or above `partition` (0 when None) whose revision is not the update revision.
fn stale_at_or_above(store: &kubesim::api::Store, partition: Option<u32>) -> Vec<String> {
    let update = &store.stateful_sets[0].status.update_revision;
    let from = partition.unwrap_or(0);
    store
        .live_pods
        .iter()
        .map(|p| &store.pods[p.index()])
        .filter(|p| {
            let ordinal = p
                .meta
                .name
                .rsplit_once('-')
                .and_then(|(_, o)| o.parse::<u32>().ok());
            ordinal.is_some_and(|o| o >= from)
        })
        .filter(|p| p.meta.labels.get("controller-revision-hash") != Some(update))
        .map(|p| p.meta.name.clone())
        .collect()
}

/// Live pods not being deleted, and how many of them are Ready.
fn live_and_ready(store: &kubesim::api::Store) -> (u32, u32) {
    let pods = store.live_pods.iter().map(|p| &store.pods[p.index()]);
    let live: Vec<_> = pods.filter(|p| p.meta.deletion.is_none()).collect();
    (
        live.len() as u32,
        live.iter().filter(|p| p.ready).count() as u32,
    )
}

fn prop_cases() -> u32 {
    let cases = std::env::var("KUBESIM_PROPTEST_CASES").ok();
    cases.and_then(|c| c.parse().ok()).unwrap_or(32)
}

proptest::proptest! {
    // KUBESIM_PROPTEST_CASES=500 for a longer hunt than CI's 32 cases.
    #![proptest_config(proptest::prelude::ProptestConfig { cases: prop_cases(), ..Default::default() })]

    /// Any replicas, pod management policy, minReadySeconds, update strategy (maxUnavailable with its
    /// feature gate) and 1 to 4 changes at random times among
    /// scale, set-image, partition patches and deletes of one or all pods: the StatefulSet invariants
    /// hold after every event.
    #[test]
    fn statefulset_invariants_hold_for_generated_scenarios(
        replicas in 1u32..6,
        parallel in proptest::bool::ANY,
        on_delete in proptest::bool::weighted(0.2),
        max_unavailable in proptest::option::weighted(0.3, 1u32..4),
        seed in 1u64..1000,
        min_ready_s in proptest::sample::select(vec![0u32, 5]),
        changes in proptest::collection::vec((1_000u64..240_000, 0u8..5, 0u32..6), 1..=4),
    ) {
        let dir = super::util::temp_dir("sts-prop");
        let strategy = if on_delete { "OnDelete" } else { "RollingUpdate" };
        let max_unavailable = max_unavailable.filter(|_| !on_delete);
        let params = Params { replicas, parallel, min_ready_s, strategy, max_unavailable };
        let texts: Vec<String> = changes.iter().map(|(at, kind, n)| change_text(*at, *kind, *n)).collect();
        let scenario = write_scenario(dir.path(), &params, &texts);
        let mut checker = StatefulSetChecker::new();
        let mut last = (0, 0);
        let partition = final_partition(&changes);
        let mut stale = Vec::new();
        kubesim::sim::run_inspected(&scenario, seed, |view, now| {
            checker.observe(view, now);
            last = live_and_ready(view.store);
            stale = stale_at_or_above(view.store, partition);
        })
        .expect("runs");
        let shown: Vec<String> = checker.violations().iter().take(5).map(|v| v.to_string()).collect();
        proptest::prop_assert!(shown.is_empty(), "seed {seed} {params:?} {texts:?}:\n{}", shown.join("\n"));
        // Liveness: two minutes after the last change, with images that get Ready, every replica is
        // there and Ready (a broken image stalls an OrderedReady set for good, as upstream).
        if !texts.iter().any(|t| t.contains("broken") || t.contains("crash")) {
            let want = final_replicas(replicas, &changes);
            proptest::prop_assert_eq!(last, (want, want), "seed {} {:?} {:?}: (live, Ready) pods at the end", seed, params, texts);
            // A RollingUpdate (also one a partition patch turned OnDelete into) has updated every
            // pod at or above the last partition.
            if !on_delete || partition.is_some() {
                proptest::prop_assert!(stale.is_empty(), "seed {seed} {params:?} {texts:?}: not updated {stale:?}");
            }
        }
    }
}

/// The hazard the Kubernetes docs warn of (force-delete-stateful-set-pod): `kubectl delete pod
/// --grace-period=0 --force` removes the object at once, the controller creates the replacement, and
/// the old container still runs (the kubelet gives it its grace period): two processes of one
/// identity. The checker sees it because it looks at the runtime, not only at the API objects.
#[test]
fn the_checker_sees_two_running_incarnations_after_a_force_delete_of_web_0() {
    let dir = super::util::temp_dir("sts-force");
    let changes = ["{at: 1m, delete-pod: {pod: web-0, grace-period: 0s}}".to_string()];
    let params = Params {
        replicas: 2,
        ..Params::default()
    };
    write_scenario(dir.path(), &params, &changes);
    let text = std::fs::read_to_string(dir.path().join("s.yaml")).unwrap();
    let text = text.replace("exit-after: 200ms", "exit-after: never");
    std::fs::write(dir.path().join("s.yaml"), text).unwrap();
    let scenario = load(&dir.path().join("s.yaml"));
    let (_, violations) = run_checked(&scenario, 1);
    let shown: Vec<String> = violations.iter().map(|v| v.to_string()).collect();
    assert!(
        violations
            .iter()
            .any(|v| v.ordinal == 0 && matches!(v.kind, ViolationKind::RunningTwice(_))),
        "{shown:?}"
    );
}

/// Upstream waits for an updated pod to be healthy before the next: an image that never answers its
/// readiness probe stops the rollout at the highest ordinal, and the lower ones keep the old image.
#[test]
fn a_rolling_update_stops_at_a_replacement_that_never_gets_ready() {
    let dir = super::util::temp_dir("sts-stall");
    let changes = ["{at: 1m, set-image: {statefulset: web, image: \"nginx:broken\"}}".to_string()];
    let scenario = write_scenario(dir.path(), &Params::default(), &changes);
    let (out, violations) = run_checked(&scenario, 1);
    assert_no_violations("stalled rollout", &violations);
    let counts: Vec<usize> = (0..3)
        .map(|o| incarnations(&out, &format!("web-{o}")).len())
        .collect();
    assert_eq!(counts, vec![1, 1, 2], "only web-2 is replaced");
    assert_eq!(
        incarnations(&out, "web-2")[1].ready,
        None,
        "the broken web-2 never gets Ready"
    );
}

/// With the MaxUnavailableStatefulSet gate, `maxUnavailable: 2` lets the rolling update delete the two
/// highest ordinals at once (`updateStatefulSetAfterInvariantEstablished`), still never below the partition.
#[test]
fn with_the_max_unavailable_gate_a_rolling_update_replaces_two_pods_at_once() {
    let dir = super::util::temp_dir("sts-maxunavailable");
    let params = Params {
        replicas: 4,
        max_unavailable: Some(2),
        ..Params::default()
    };
    let changes = ["{at: 1m, set-image: {statefulset: web, image: \"nginx:new\"}}".to_string()];
    let scenario = write_scenario(dir.path(), &params, &changes);
    let (out, violations) = run_checked(&scenario, 1);
    assert_no_violations("maxUnavailable 2", &violations);
    let deleted = |o: u32| {
        incarnations(&out, &format!("web-{o}"))[0]
            .deleted
            .expect("replaced")
    };
    assert_eq!(deleted(3), deleted(2), "web-3 and web-2 go together");
    assert!(
        deleted(1) > deleted(2) && deleted(1) == deleted(0),
        "then web-1 and web-0"
    );
}

/// Inspecting the world after every event changes nothing of the run.
#[test]
fn run_inspected_gives_the_same_output_as_run() {
    let scenario = example("web-rolling-partition.yaml");
    let plain = kubesim::sim::run(&scenario, 1).expect("runs");
    let (inspected, _) = run_checked(&scenario, 1);
    assert_eq!(format!("{plain:?}"), format!("{inspected:?}"));
}

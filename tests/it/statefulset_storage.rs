//! StatefulSets and their storage: the Redis pod of article 000 coming back to its NFS claim, the static
//! volumes of article 004, the claims' retention policy on scale-down and scale-up, golden files.

use super::util::{check_golden, kubesim, root, temp_dir};
use kubesim::api::{ClaimPhase, Owner, Store};
use kubesim::metrics::{PodRecord, RunOutput};
use kubesim::scenario::Scenario;
use std::collections::BTreeMap;

fn load(path: &std::path::Path) -> Scenario {
    kubesim::scenario::load(path).expect("scenario loads")
}

/// What a test wants to know of one claim, as the store shows it after an event.
#[derive(Debug, Clone, PartialEq, Eq)]
struct ClaimSeen {
    uid: String,
    phase: ClaimPhase,
    volume: Option<String>,
    capacity: Option<u64>,
    owner: Option<Owner>,
}

/// The existing claim `namespace/name`, if any.
fn claim_seen(store: &Store, name: &str) -> Option<ClaimSeen> {
    let id = store.claim_by_name("default", name)?;
    let c = &store.claims[id.index()];
    c.meta.exists().then(|| ClaimSeen {
        uid: c.meta.uid.clone(),
        phase: c.phase,
        volume: c.volume_name.clone(),
        capacity: c.capacity_bytes,
        owner: c.meta.owner,
    })
}

/// Every claim of `names` after every event: (time in ms, the claim or None while it does not exist).
type History = BTreeMap<String, Vec<(u64, Option<ClaimSeen>)>>;

/// Runs `scenario`, recording each claim of `names` whenever it changes.
fn run_recording(scenario: &Scenario, names: &[String]) -> (RunOutput, History) {
    let mut history: History = names.iter().map(|n| (n.clone(), Vec::new())).collect();
    let out = kubesim::sim::run_observed(scenario, scenario.seed, |store, now| {
        for (name, seen) in history.iter_mut() {
            let claim = claim_seen(store, name);
            if seen.last().map(|(_, c)| c) != Some(&claim) {
                seen.push((now.0, claim));
            }
        }
    })
    .expect("runs");
    (out, history)
}

/// The distinct uids a claim had, in order.
fn uids(seen: &[(u64, Option<ClaimSeen>)]) -> Vec<String> {
    let mut uids: Vec<String> = Vec::new();
    for c in seen.iter().filter_map(|(_, c)| c.as_ref()) {
        if uids.last() != Some(&c.uid) {
            uids.push(c.uid.clone());
        }
    }
    uids
}

/// The final state of a claim.
fn last(history: &History, name: &str) -> Option<ClaimSeen> {
    history[name].last().and_then(|(_, c)| c.clone())
}

/// The incarnations of pod `name`, in creation order.
fn incarnations<'a>(out: &'a RunOutput, name: &str) -> Vec<&'a PodRecord> {
    out.pods.iter().filter(|p| p.pod == name).collect()
}

const REDIS_CLAIM: &str = "redis-100m-pvc-redis-pv-sts-0";

#[test]
fn a_deleted_redis_pod_comes_back_with_the_same_claim_and_a_new_ip() {
    let scenario = load(&root().join("scenarios/redis-sts.yaml"));
    let (out, history) = run_recording(&scenario, &[REDIS_CLAIM.to_string()]);
    let pods = incarnations(&out, "redis-pv-sts-0");
    assert_eq!(pods.len(), 2, "the pod is deleted once and comes back once");
    let (old, new) = (pods[0], pods[1]);
    assert_ne!(old.uid, new.uid, "a new incarnation");
    assert_ne!(old.ip, new.ip, "with a new IP");
    assert!(
        new.ip.is_some() && new.ready.is_some(),
        "the new pod is Ready"
    );
    assert_eq!(old.deleted.map(|t| t.0), Some(60_000));
    assert!(
        old.gone.unwrap() <= new.created,
        "same name: only once the old one has left"
    );
    // The claim was created once, bound once, and never went away: the same uid throughout.
    let seen = &history[REDIS_CLAIM];
    assert_eq!(uids(seen).len(), 1, "one claim: {seen:?}");
    assert!(seen.iter().all(|(t, c)| *t < 1_000 || c.is_some()));
    let claim = last(&history, REDIS_CLAIM).unwrap();
    assert_eq!(claim.phase, ClaimPhase::Bound);
    assert_eq!(claim.capacity, Some(100 << 20), "NFS gives the 100Mi asked");
    assert_eq!(claim.owner, None, "retention Retain/Retain: no owner");
    let volume = claim.volume.unwrap();
    assert_eq!(
        volume,
        format!("pvc-{}", claim.uid),
        "the provisioner names it pvc-<claim uid>"
    );
}

#[test]
fn redis_pods_keep_their_dns_name_under_the_headless_service_in_pods_csv() {
    let dir = temp_dir("redis-dns");
    let out_dir = dir.path().to_str().unwrap();
    let out = kubesim(&[
        "run",
        "scenarios/redis-sts.yaml",
        "--quiet",
        "--out",
        out_dir,
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let csv = std::fs::read_to_string(dir.path().join("pods.csv")).unwrap();
    let header: Vec<&str> = csv.lines().next().unwrap().split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let (pod, ip, dns) = (col("pod"), col("ip"), col("dns"));
    let rows: Vec<Vec<&str>> = csv
        .lines()
        .skip(1)
        .map(|l| l.split(',').collect())
        .collect();
    let zero: Vec<&Vec<&str>> = rows.iter().filter(|r| r[pod] == "redis-pv-sts-0").collect();
    assert_eq!(zero.len(), 2);
    assert_ne!(zero[0][ip], zero[1][ip]);
    for row in &rows {
        let want = format!("{}.redis-pv-svc.default.svc.cluster.local", row[pod]);
        assert_eq!(row[dns], want);
    }
}

#[test]
fn each_static_claim_binds_its_own_10gi_volume_of_its_class() {
    let scenario = load(&root().join("scenarios/web-static-pv.yaml"));
    let names: Vec<String> = (0..3).map(|i| format!("www-web-{i}")).collect();
    let (_, history) = run_recording(&scenario, &names);
    let mut volumes: Vec<String> = Vec::new();
    for name in &names {
        let claim = last(&history, name).expect("claim exists");
        assert_eq!(claim.phase, ClaimPhase::Bound, "{name}");
        assert_eq!(
            claim.capacity,
            Some(10 << 30),
            "{name}: the whole 10Gi volume"
        );
        volumes.push(claim.volume.expect("bound to a volume"));
        assert_eq!(uids(&history[name]).len(), 1, "{name} is never recreated");
    }
    assert_eq!(
        volumes,
        ["pv-1", "pv-2", "pv-3"],
        "distinct volumes, in creation order"
    );
}

#[test]
fn static_volume_pods_become_available_in_order_honouring_min_ready_seconds() {
    let scenario = load(&root().join("scenarios/web-static-pv.yaml"));
    let out = kubesim::sim::run(&scenario, scenario.seed).expect("runs");
    let pods: Vec<&PodRecord> = (0..3)
        .map(|i| incarnations(&out, &format!("web-{i}"))[0])
        .collect();
    for pair in pods.windows(2) {
        let ready = pair[0].ready.expect("ready").0;
        let created = pair[1].created.0;
        assert!(
            created >= ready + 10_000,
            "{} created at {created} ms, {} ready at {ready} ms",
            pair[1].pod,
            pair[0].pod
        );
        // ... and not much later: the set is requeued after minReadySeconds (stateful_set.go).
        assert!(created <= ready + 10_100, "{} created late", pair[1].pod);
    }
    assert!(pods
        .iter()
        .all(|p| p.deleted.is_none() && p.ready.is_some()));
}

#[test]
fn golden_redis_sts() {
    check_golden(
        "redis-sts",
        &["events.csv", "pods.csv", "summary.json", super::util::WATCH],
    );
}

#[test]
fn golden_web_static_pv() {
    check_golden(
        "web-static-pv",
        &["events.csv", "pods.csv", "summary.json", super::util::WATCH],
    );
}

/// A 5-replica nginx StatefulSet with one claim template and `policy`, scaled to 2 at 1 min and back
/// to 5 at 2 min, written into `dir`.
fn retention_scenario(dir: &std::path::Path, when_scaled: &str, when_deleted: &str) -> Scenario {
    let manifest = format!(
        "apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: {{name: standard}}
provisioner: rancher.io/local-path
---
apiVersion: v1
kind: Service
metadata: {{name: nginx}}
spec:
  clusterIP: None
  selector: {{app: nginx}}
  ports: [{{port: 80}}]
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {{name: web}}
spec:
  serviceName: nginx
  replicas: 5
  persistentVolumeClaimRetentionPolicy: {{whenScaled: {when_scaled}, whenDeleted: {when_deleted}}}
  selector:
    matchLabels: {{app: nginx}}
  template:
    metadata:
      labels: {{app: nginx}}
    spec:
      terminationGracePeriodSeconds: 10
      containers:
      - name: nginx
        image: nginx:1.27
        volumeMounts: [{{name: www, mountPath: /usr/share/nginx/html}}]
  volumeClaimTemplates:
  - metadata: {{name: www}}
    spec:
      accessModes: [ReadWriteOnce]
      storageClassName: standard
      resources: {{requests: {{storage: 1Gi}}}}
"
    );
    let scenario = "name: retention
seed: 1
duration: 4m
cluster:
  nodes:
    - {count: 2, name: \"node-{i}\", allocatable: {cpu: \"4\", memory: 8Gi, pods: 110}}
  storage-classes:
    standard: {provision: 1s, attach: 0s, detach: 0s}
manifests: [sts.yaml]
apps:
  - {match: {app: nginx}, image-pull: 1s, listen-after: 100ms, serve-after: 100ms, on-sigterm: {close-listener: true, exit-after: 200ms}}
faults:
  - {at: 1m, scale: {statefulset: web, replicas: 2}}
  - {at: 2m, scale: {statefulset: web, replicas: 5}}
";
    std::fs::write(dir.join("sts.yaml"), manifest).unwrap();
    std::fs::write(dir.join("s.yaml"), scenario).unwrap();
    load(&dir.join("s.yaml"))
}

fn claim_names() -> Vec<String> {
    (0..5).map(|i| format!("www-web-{i}")).collect()
}

#[test]
fn with_when_scaled_retain_the_same_claims_come_back_for_the_scaled_up_ordinals() {
    let dir = temp_dir("retain");
    let scenario = retention_scenario(dir.path(), "Retain", "Retain");
    let (out, history) = run_recording(&scenario, &claim_names());
    for name in claim_names() {
        let seen = &history[&name];
        assert_eq!(uids(seen).len(), 1, "{name} keeps its uid: {seen:?}");
        assert!(
            seen.iter().skip(1).all(|(_, c)| c.is_some()),
            "{name} never leaves"
        );
        let claim = last(&history, &name).unwrap();
        assert_eq!(claim.phase, ClaimPhase::Bound);
        assert_eq!(claim.owner, None, "Retain/Retain: no owner reference");
    }
    for i in 2..5 {
        let pods = incarnations(&out, &format!("web-{i}"));
        assert_eq!(pods.len(), 2, "web-{i} is removed and created again");
        assert!(pods[0].gone.is_some() && pods[1].ready.is_some());
    }
}

#[test]
fn with_when_scaled_delete_condemned_claims_are_collected_after_their_pods_and_made_anew() {
    let dir = temp_dir("delete");
    let scenario = retention_scenario(dir.path(), "Delete", "Retain");
    let (out, history) = run_recording(&scenario, &claim_names());
    for i in 0..2 {
        let name = format!("www-web-{i}");
        assert_eq!(
            uids(&history[&name]).len(),
            1,
            "{name} is in range throughout"
        );
        assert_eq!(last(&history, &name).unwrap().owner, None);
    }
    for i in 2..5 {
        let name = format!("www-web-{i}");
        let seen = &history[&name];
        assert_eq!(
            uids(seen).len(),
            2,
            "{name} is deleted and created anew: {seen:?}"
        );
        let pods = incarnations(&out, &format!("web-{i}"));
        assert_eq!(pods.len(), 2);
        let pod_gone = pods[0].gone.expect("condemned pod removed").0;
        // The claim was owned by the condemned pod, and left only after the pod had left.
        let first = uids(seen)[0].clone();
        let owned: Vec<&ClaimSeen> = seen.iter().filter_map(|(_, c)| c.as_ref()).collect();
        assert!(owned
            .iter()
            .any(|c| c.uid == first && matches!(c.owner, Some(Owner::Pod(_)))));
        let created = seen.iter().position(|(_, c)| c.is_some()).unwrap();
        let gap = seen[created..].iter().find(|(_, c)| c.is_none());
        let (left, _) = gap.expect("claim deleted");
        assert!(
            *left >= pod_gone,
            "{name} left at {left} ms, its pod at {pod_gone} ms"
        );
        assert!(*left < 120_000, "collected before the scale-up");
        let claim = last(&history, &name).unwrap();
        assert_ne!(claim.uid, first);
        assert_eq!((claim.phase, claim.owner), (ClaimPhase::Bound, None));
        assert!(pods[1].created.0 >= 120_000 && pods[1].ready.is_some());
    }
}

#[test]
fn with_when_deleted_delete_every_claim_is_owned_by_the_statefulset_until_condemned() {
    // The scenario language cannot delete a StatefulSet; what the garbage collector would act on
    // is the owner reference: the set for claims in range, the pod for condemned ones (Delete/Delete).
    let dir = temp_dir("deleted");
    let scenario = retention_scenario(dir.path(), "Delete", "Delete");
    let (_, history) = run_recording(&scenario, &claim_names());
    for name in claim_names() {
        let claim = last(&history, &name).unwrap();
        assert_eq!(
            claim.owner,
            Some(Owner::StatefulSet(kubesim::api::StsId(0))),
            "{name}"
        );
    }
    for i in 2..5 {
        let name = format!("www-web-{i}");
        assert_eq!(
            uids(&history[&name]).len(),
            2,
            "{name}: Delete on scale-down too"
        );
    }
}

/// `scenario` reloaded from `dir` with one more fault.
fn with_fault(dir: &std::path::Path, fault: &str) -> Scenario {
    let path = dir.join("s.yaml");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, format!("{text}  - {fault}\n")).unwrap();
    load(&path)
}

/// When each condemned claim of the scale-down (www-web-2 to 4) was deleted, in ms, sorted.
fn condemned_claims_deleted_ms(history: &History) -> Vec<u64> {
    let mut at: Vec<u64> = (2..5)
        .map(|i| {
            let seen = &history[&format!("www-web-{i}")];
            let first = uids(seen)[0].clone();
            let after = seen.iter().skip_while(|(_, c)| c.is_none());
            let gone = after.skip_while(|(_, c)| c.as_ref().is_some_and(|c| c.uid == first));
            gone.map(|(t, _)| *t)
                .next()
                .expect("the condemned claim is deleted")
        })
        .collect();
    at.sort();
    at
}

#[test]
fn a_slow_garbage_collector_deletes_condemned_claims_one_turn_apart() {
    let dir = temp_dir("slow-gc");
    let quick = retention_scenario(dir.path(), "Delete", "Retain");
    let (_, history) = run_recording(&quick, &claim_names());
    let on_time = condemned_claims_deleted_ms(&history);
    let slow = with_fault(
        dir.path(),
        "{at: 50s, slow-sync: {controller: garbagecollector, per-key: 5s, for: 3m}}",
    );
    let (_, history) = run_recording(&slow, &claim_names());
    let late = condemned_claims_deleted_ms(&history);
    assert!(
        on_time.windows(2).any(|w| w[1] - w[0] < 5_000),
        "without the fault two deletions come within 5 s: {on_time:?}"
    );
    assert!(
        late.windows(2).all(|w| w[1] - w[0] >= 5_000),
        "each deletion takes a 5 s turn of the collector: {late:?}"
    );
    assert!(late[2] > on_time[2], "{late:?} against {on_time:?}");
}

//! Volume matching, with the cases of upstream's index_test.go (`TestMatchVolume`,
//! `TestMatchingWithBoundVolumes`, `TestFindingVolumeWithDifferentAccessModes`) and pv_helpers_test.go.

use super::index::{find_best_match, find_matching_volume};
use crate::api::{PvId, PvcId, Store, VolumePhase};
use crate::engine::{SimTime, Streams};
use crate::manifest::{convert, parse_str, Object};
use std::collections::BTreeSet;

/// A store holding the volumes, claims and classes of `yaml`, every volume Available (as after the
/// PV controller's first sync), no changes pending.
pub(super) fn store_from(yaml: &str) -> Store {
    let mut store = Store::new(Streams::new(1, 0).stream("names"));
    for loaded in parse_str(yaml, "test.yaml").expect("valid manifests") {
        match &loaded.object {
            Object::PersistentVolume(v) => {
                let mut meta = convert::meta(&mut store, &v.metadata, SimTime::ZERO);
                meta.namespace.clear();
                let mut volume = convert::volume(v, meta);
                volume.binding.phase = VolumePhase::Available;
                store.add_volume(volume);
            }
            Object::PersistentVolumeClaim(c) => {
                let meta = convert::meta(&mut store, &c.metadata, SimTime::ZERO);
                store.add_claim(convert::claim(c, meta, None));
            }
            Object::StorageClass(c) => {
                let class = convert::storage_class(c);
                store.storage_classes.insert(class.name.clone(), class);
            }
            other => panic!("unexpected {}", other.kind()),
        }
    }
    store.take_changes();
    store
}

/// A PersistentVolume manifest: `name`, size, access modes, and extra `spec` lines.
pub(super) fn pv(name: &str, size: &str, modes: &str, extra: &str) -> String {
    format!(
        "---\napiVersion: v1\nkind: PersistentVolume\nmetadata: {{name: {name}}}\nspec:\n  capacity: {{storage: {size}}}\n  accessModes: [{modes}]\n  hostPath: {{path: /tmp/{name}}}\n{extra}"
    )
}

/// A PersistentVolumeClaim manifest in `myns` called `claim01` with extra `spec` lines.
pub(super) fn pvc(size: &str, modes: &str, extra: &str) -> String {
    format!(
        "---\napiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {{name: claim01, namespace: myns}}\nspec:\n  accessModes: [{modes}]\n  resources: {{requests: {{storage: {size}}}}}\n{extra}"
    )
}

pub(super) fn volume_named(store: &Store, name: &str) -> PvId {
    let i = store.volumes.iter().position(|v| v.meta.name == name);
    PvId(i.expect("volume") as u32)
}

/// The name of the volume `findBestMatchForClaim` picks for the (only) claim.
fn best(store: &Store, delay_binding: bool) -> Option<String> {
    let v = find_best_match(store, PvcId(0), delay_binding)?;
    Some(store.volumes[v.index()].meta.name.clone())
}

/// Upstream's `createTestVolumes` (sizes in Gi): gce volumes RWO+ROX, nfs (glusterfs) RWO+ROX+RWX,
/// gce-pd-1 and gce-pd-20 bound to other claims.
fn test_volumes() -> String {
    let gce = "ReadWriteOnce, ReadOnlyMany";
    let nfs = "ReadWriteOnce, ReadOnlyMany, ReadWriteMany";
    [
        pv("gce-pd-10", "10Gi", gce, ""),
        pv(
            "gce-pd-20",
            "20Gi",
            gce,
            "  claimRef: {name: other, namespace: myns}\n",
        ),
        pv("nfs-5", "5Gi", nfs, ""),
        pv(
            "gce-pd-1",
            "1Gi",
            gce,
            "  claimRef: {name: other, namespace: myns}\n",
        ),
        pv("nfs-10", "10Gi", nfs, ""),
        pv("gce-pd-5", "5Gi", gce, ""),
        pv("nfs-1", "1Gi", nfs, ""),
        pv("gce-pd-2", "2000Gi", "ReadWriteOnce", ""),
    ]
    .concat()
        + &pv(
            "gce-pd-silver1",
            "10000Gi",
            "ReadWriteOnce",
            "  storageClassName: silver\n",
        )
        .replace(
            "metadata: {name: gce-pd-silver1}",
            "metadata: {name: gce-pd-silver1, labels: {should-exist: 'true'}}",
        )
        + &pv(
            "gce-pd-silver2",
            "100Gi",
            "ReadWriteOnce",
            "  storageClassName: silver\n",
        )
}

fn claim_with(size: &str, modes: &str, extra: &str) -> Store {
    store_from(&(test_volumes() + &pvc(size, modes, extra)))
}

#[test]
fn a_claim_binds_the_smallest_volume_that_fits() {
    let gce = "ReadOnlyMany, ReadWriteOnce";
    assert_eq!(
        best(&claim_with("8Gi", gce, ""), false).as_deref(),
        Some("gce-pd-10")
    );
    // gce-pd-1 is bound to another claim: the next size up.
    assert_eq!(
        best(&claim_with("1Gi", gce, ""), false).as_deref(),
        Some("gce-pd-5")
    );
    assert_eq!(best(&claim_with("999Gi", gce, ""), false), None);
    let rwx = "ReadOnlyMany, ReadWriteOnce, ReadWriteMany";
    assert_eq!(
        best(&claim_with("5Gi", rwx, ""), false).as_deref(),
        Some("nfs-5")
    );
}

#[test]
fn a_claim_selector_must_match_the_volume_labels() {
    let missing = "  selector: {matchLabels: {should-not-exist: 'true'}}\n";
    assert_eq!(
        best(&claim_with("1Gi", "ReadWriteOnce", missing), false),
        None
    );
    let present = "  selector: {matchLabels: {should-exist: 'true'}}\n  storageClassName: silver\n";
    let s = claim_with("1Gi", "ReadWriteOnce", present);
    assert_eq!(best(&s, false).as_deref(), Some("gce-pd-silver1"));
    let expr = "  selector: {matchExpressions: [{key: should-exist, operator: DoesNotExist}]}\n  storageClassName: silver\n";
    let s = claim_with("1Gi", "ReadWriteOnce", expr);
    assert_eq!(best(&s, false).as_deref(), Some("gce-pd-silver2"));
}

#[test]
fn the_storage_class_must_be_equal_and_no_class_matches_only_volumes_without_one() {
    let silver = "  storageClassName: silver\n";
    let s = claim_with("1Gi", "ReadWriteOnce", silver);
    assert_eq!(best(&s, false).as_deref(), Some("gce-pd-silver2"));
    // Without a class the silver volumes are never candidates, however large the request.
    assert_eq!(
        best(&claim_with("3000Gi", "ReadWriteOnce", ""), false),
        None
    );
    let gold = "  storageClassName: gold\n";
    assert_eq!(best(&claim_with("1Gi", "ReadWriteOnce", gold), false), None);
}

#[test]
fn the_fewest_access_modes_that_hold_the_claims_win_before_size() {
    // TestFindingVolumeWithDifferentAccessModes: equal sizes, gce RWO+ROX, ebs RWO, nfs RWO+ROX+RWX.
    let vols = [
        pv("gce", "10Gi", "ReadWriteOnce, ReadOnlyMany", ""),
        pv("ebs", "10Gi", "ReadWriteOnce", ""),
        pv(
            "nfs",
            "10Gi",
            "ReadWriteOnce, ReadOnlyMany, ReadWriteMany",
            "",
        ),
    ]
    .concat();
    let with = |modes: &str| store_from(&(vols.clone() + &pvc("1Gi", modes, "")));
    assert_eq!(best(&with("ReadWriteOnce"), false).as_deref(), Some("ebs"));
    assert_eq!(
        best(&with("ReadWriteOnce, ReadOnlyMany"), false).as_deref(),
        Some("gce")
    );
    let all = "ReadWriteMany, ReadWriteOnce, ReadOnlyMany";
    assert_eq!(best(&with(all), false).as_deref(), Some("nfs"));
    assert_eq!(best(&with("ReadWriteMany"), false).as_deref(), Some("nfs"));
    // The exact match taken: the next level of modes up, then the next.
    let mut s = with("ReadWriteOnce");
    s.volumes[1].claim = Some(PvcId(7));
    assert_eq!(best(&s, false).as_deref(), Some("gce"));
    s.volumes[0].claim = Some(PvcId(7));
    assert_eq!(best(&s, false).as_deref(), Some("nfs"));
    let mut s = with("ReadOnlyMany");
    s.volumes[1].claim = Some(PvcId(7));
    assert_eq!(best(&s, false).as_deref(), Some("gce"));
}

#[test]
fn a_volume_bound_to_another_claim_is_skipped() {
    // TestMatchingWithBoundVolumes: two equal volumes, the first bound.
    let modes = "ReadWriteOnce, ReadOnlyMany";
    let yaml = pv(
        "gce001",
        "1Gi",
        modes,
        "  claimRef: {name: x, namespace: y}\n",
    ) + &pv("gce002", "1Gi", modes, "")
        + &pvc("1Gi", "ReadOnlyMany, ReadWriteOnce", "");
    assert_eq!(best(&store_from(&yaml), false).as_deref(), Some("gce002"));
}

#[test]
fn a_volume_pre_bound_to_the_claim_wins_and_is_the_only_match_when_binding_waits() {
    let mine = "  claimRef: {name: claim01, namespace: myns}\n";
    let yaml = pv("small", "1Gi", "ReadWriteOnce", "")
        + &pv("reserved", "50Gi", "ReadWriteOnce", mine)
        + &pvc("1Gi", "ReadWriteOnce", "");
    let s = store_from(&yaml);
    assert_eq!(best(&s, false).as_deref(), Some("reserved"));
    assert_eq!(best(&s, true).as_deref(), Some("reserved"));
    let yaml = pv("small", "1Gi", "ReadWriteOnce", "") + &pvc("1Gi", "ReadWriteOnce", "");
    assert_eq!(
        best(&store_from(&yaml), true),
        None,
        "WaitForFirstConsumer: the scheduler binds"
    );
    // A reserved volume smaller than the request does not serve it.
    let yaml = pv("reserved", "1Gi", "ReadWriteOnce", mine) + &pvc("2Gi", "ReadWriteOnce", "");
    assert_eq!(best(&store_from(&yaml), false), None);
}

#[test]
fn volume_modes_must_be_equal_and_only_available_volumes_match() {
    let yaml = pv("block", "1Gi", "ReadWriteOnce", "  volumeMode: Block\n")
        + &pv("fs", "5Gi", "ReadWriteOnce", "")
        + &pvc("1Gi", "ReadWriteOnce", "");
    let mut s = store_from(&yaml);
    assert_eq!(best(&s, false).as_deref(), Some("fs"));
    let block = store_from(&(yaml.clone() + "  volumeMode: Block\n"));
    assert_eq!(best(&block, false).as_deref(), Some("block"));
    s.volumes[1].binding.phase = VolumePhase::Released;
    assert_eq!(best(&s, false), None);
}

#[test]
fn on_the_scheduler_path_node_affinity_and_access_modes_filter_volumes() {
    let zone = |z: &str| {
        format!("  nodeAffinity: {{required: {{nodeSelectorTerms: [{{matchExpressions: [{{key: topology.kubernetes.io/zone, operator: In, values: [{z}]}}]}}]}}}}\n")
    };
    let yaml = pv("in-a", "1Gi", "ReadWriteOnce", &zone("a"))
        + &pv("in-b", "5Gi", "ReadWriteOnce", &zone("b"))
        + &pv("rox", "1Gi", "ReadOnlyMany", "")
        + &pvc("1Gi", "ReadWriteOnce", "");
    let mut s = store_from(&yaml);
    for (name, z) in [("node-a", "a"), ("node-b", "b")] {
        let labels = [("topology.kubernetes.io/zone".to_string(), z.to_string())].into();
        let meta = s.new_meta(name, "", labels, SimTime::ZERO);
        s.add_node(crate::api::Node {
            meta,
            cpu_milli: 1000,
            memory_bytes: 1 << 30,
            pods: 110,
            taints: vec![],
            unschedulable: false,
            ready: true,
            volumes_in_use: vec![],
            images: vec![],
        });
    }
    let all: Vec<PvId> = (0..3).map(PvId).collect();
    let none = BTreeSet::new();
    let on =
        |n: u32| find_matching_volume(&s, PvcId(0), &all, Some(crate::api::NodeId(n)), &none, true);
    assert_eq!(on(0), Some(volume_named(&s, "in-a")));
    assert_eq!(on(1), Some(volume_named(&s, "in-b")));
    let taken = BTreeSet::from([volume_named(&s, "in-a")]);
    assert_eq!(
        find_matching_volume(
            &s,
            PvcId(0),
            &all,
            Some(crate::api::NodeId(0)),
            &taken,
            true
        ),
        None
    );
}

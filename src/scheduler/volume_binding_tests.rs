//! VolumeBinding and VolumeZone after upstream's tables (kk:pkg/scheduler/framework/plugins/volumebinding/
//! volume_binding_test.go, volumezone/volume_zone_test.go): PreFilter, Filter per node, PreBind writes.

use super::test_support::{labels, pod, Cluster};
use super::volume_binding::*;
use super::volume_zone;
use crate::api::*;
use crate::engine::SimTime;

const GI: u64 = 1 << 30;

fn class(
    c: &mut Cluster,
    name: &str,
    provisioner: &str,
    wffc: bool,
    allowed: Option<NodeSelector>,
) {
    c.store.storage_classes.insert(
        name.into(),
        StorageClass {
            name: name.into(),
            provisioner: provisioner.into(),
            reclaim_policy: ReclaimPolicy::Delete,
            wait_for_first_consumer: wffc,
            allowed_topologies: allowed,
        },
    );
}

fn claim(c: &mut Cluster, name: &str, class: &str) -> PvcId {
    let meta = c.store.new_meta(name, "default", Labels::new(), SimTime(0));
    c.store.add_claim(Claim {
        meta,
        storage_class: Some(class.into()),
        request_bytes: GI,
        access_modes: vec![AccessMode::ReadWriteOnce],
        phase: ClaimPhase::Pending,
        volume: None,
        capacity_bytes: None,
        selector: None,
        volume_name: None,
        volume_mode: VolumeMode::Filesystem,
    })
}

fn volume(c: &mut Cluster, name: &str, class: &str, zone: &str) -> PvId {
    let meta = c
        .store
        .new_meta(name, "", labels(&[(ZONE_LABEL, zone)]), SimTime(0));
    c.store.add_volume(Volume {
        meta,
        storage_class: Some(class.into()),
        capacity_bytes: GI,
        access_modes: vec![AccessMode::ReadWriteOnce],
        claim: None,
        attached_to: Vec::new(),
        detaching_from: Vec::new(),
        binding: VolumeBinding {
            phase: VolumePhase::Available,
            node_affinity: Some(NodeSelector::single(ZONE_LABEL, zone)),
            ..Default::default()
        },
    })
}

/// Two nodes, node-a in zone-a and node-b in zone-b, and a pod using claim `data`.
fn zones() -> (Cluster, Pod) {
    let mut c = Cluster::new();
    c.node("node-a", &[(ZONE_LABEL, "zone-a")]);
    c.node("node-b", &[(ZONE_LABEL, "zone-b")]);
    let mut p = pod("web-0", &[]);
    p.spec.claims = vec!["data".into()];
    (c, p)
}

fn filter_all(c: &Cluster, p: &Pod) -> Vec<Option<Rejection>> {
    let vols = pre_filter(&c.store, p).expect("PreFilter passes");
    c.nodes()
        .into_iter()
        .map(|n| filter(&c.store, &vols, n))
        .collect()
}

fn rejected(reason: &str) -> Option<Rejection> {
    Some(Rejection::unresolvable(reason.to_string()))
}

use super::fit_error::Rejection;

#[test]
fn an_unbound_immediate_claim_rejects_the_pod_at_pre_filter() {
    let (mut c, p) = zones();
    class(&mut c, "standard", "example.com/disk", false, None);
    claim(&mut c, "data", "standard");
    assert_eq!(pre_filter(&c.store, &p), Err(UNBOUND_IMMEDIATE.to_string()));
}

#[test]
fn a_missing_claim_is_named_in_the_pre_filter_message() {
    let (c, p) = zones();
    assert_eq!(
        pre_filter(&c.store, &p),
        Err("persistentvolumeclaim \"data\" not found".to_string())
    );
}

#[test]
fn a_bound_volume_in_zone_a_conflicts_with_the_zone_b_node() {
    let (mut c, p) = zones();
    class(&mut c, "standard", "example.com/disk", false, None);
    let id = claim(&mut c, "data", "standard");
    let v = volume(&mut c, "pv-a", "standard", "zone-a");
    c.store.apply(
        Write::Volume(VolumeWrite::Bind {
            volume: v,
            claim: id,
        }),
        SimTime(0),
    );
    assert_eq!(filter_all(&c, &p), vec![None, rejected(NODE_CONFLICT)]);
}

#[test]
fn a_wait_for_first_consumer_claim_without_volume_or_provisioner_fits_no_node() {
    let (mut c, p) = zones();
    class(&mut c, "local", storage::NO_PROVISIONER, true, None);
    claim(&mut c, "data", "local");
    assert_eq!(
        filter_all(&c, &p),
        vec![rejected(BIND_CONFLICT), rejected(BIND_CONFLICT)]
    );
}

#[test]
fn a_static_volume_in_zone_b_admits_only_the_zone_b_node_and_is_pre_bound_there() {
    let (mut c, p) = zones();
    class(&mut c, "local", storage::NO_PROVISIONER, true, None);
    let id = claim(&mut c, "data", "local");
    let v = volume(&mut c, "pv-b", "local", "zone-b");
    assert_eq!(filter_all(&c, &p), vec![rejected(BIND_CONFLICT), None]);
    let vols = pre_filter(&c.store, &p).unwrap();
    let d = find_pod_volumes(&c.store, &vols, NodeId(1)).unwrap();
    assert_eq!(
        pre_bind_writes(&c.store, &d, NodeId(1)),
        vec![Write::Volume(VolumeWrite::Reserve {
            volume: v,
            claim: id
        })]
    );
}

#[test]
fn a_provisionable_claim_fits_the_nodes_its_class_allows_and_gets_the_selected_node() {
    let (mut c, p) = zones();
    let allowed = NodeSelector::single(ZONE_LABEL, "zone-a");
    class(&mut c, "fast", "example.com/disk", true, Some(allowed));
    let id = claim(&mut c, "data", "fast");
    assert_eq!(filter_all(&c, &p), vec![None, rejected(BIND_CONFLICT)]);
    let vols = pre_filter(&c.store, &p).unwrap();
    let d = find_pod_volumes(&c.store, &vols, NodeId(0)).unwrap();
    let annotate = VolumeWrite::AnnotateClaim {
        claim: id,
        key: ann::SELECTED_NODE.into(),
        value: "node-a".into(),
    };
    assert_eq!(
        pre_bind_writes(&c.store, &d, NodeId(0)),
        vec![Write::Volume(annotate)]
    );
}

#[test]
fn a_claim_with_a_selected_node_fits_only_that_node() {
    let (mut c, p) = zones();
    class(&mut c, "fast", "example.com/disk", true, None);
    let id = claim(&mut c, "data", "fast");
    let w = VolumeWrite::AnnotateClaim {
        claim: id,
        key: ann::SELECTED_NODE.into(),
        value: "node-b".into(),
    };
    c.store.apply(Write::Volume(w), SimTime(0));
    assert_eq!(filter_all(&c, &p), vec![rejected(BIND_CONFLICT), None]);
}

#[test]
fn volume_zone_rejects_a_node_outside_the_bound_volumes_zone_labels() {
    let (mut c, p) = zones();
    class(&mut c, "standard", "example.com/disk", false, None);
    let id = claim(&mut c, "data", "standard");
    let v = volume(&mut c, "pv-a", "standard", "zone-a__zone-c");
    c.store.volumes[v.index()].binding.node_affinity = None;
    c.store.apply(
        Write::Volume(VolumeWrite::Bind {
            volume: v,
            claim: id,
        }),
        SimTime(0),
    );
    let vols = pre_filter(&c.store, &p).unwrap();
    let zone = |n| volume_zone::filter(&c.store, &vols, NodeId(n));
    assert_eq!((zone(0), zone(1)), (None, rejected(volume_zone::CONFLICT)));
}

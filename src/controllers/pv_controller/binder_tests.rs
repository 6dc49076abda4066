//! The controller's syncs on a store, with cases of upstream's binder_test.go `TestSync` (unit test
//! sets 1: unbound claims, 2: pre-bound claims, 4: volumes, 5: reclaim) and provision_test.go.

use super::index_tests::{pv, pvc, store_from, volume_named};
use super::{Ctx, PvController, Timer};
use crate::api::*;
use crate::engine::{SimTime, Streams};
use std::collections::BTreeMap;

/// A store, the controller, and every Event it emitted; `settle` plays the informers: each changed
/// claim or volume is synced again until nothing changes.
struct Binder {
    store: Store,
    pv: PvController,
    events: Vec<Event>,
}

impl Binder {
    fn new(yaml: &str) -> Binder {
        let mut store = store_from(yaml);
        for v in &mut store.volumes {
            v.binding.phase = VolumePhase::Pending;
        }
        let mut b = Binder {
            store,
            pv: PvController::default(),
            events: Vec::new(),
        };
        b.sync_everything();
        b
    }

    /// The controller's start: every volume, then every claim (`initializeCaches`, then the workers).
    fn sync_everything(&mut self) {
        let volumes = (0..self.store.volumes.len() as u32).map(|v| Key::Volume(PvId(v)));
        let claims = (0..self.store.claims.len() as u32).map(|c| Key::Claim(PvcId(c)));
        let keys: Vec<Key> = volumes.chain(claims).collect();
        self.settle(keys);
    }

    fn settle(&mut self, mut keys: Vec<Key>) {
        for _ in 0..50 {
            if keys.is_empty() {
                return;
            }
            for key in std::mem::take(&mut keys) {
                keys.extend(self.sync(key));
            }
            keys.extend(
                self.store
                    .take_changes()
                    .into_iter()
                    .filter_map(|c| match c.kind {
                        Kind::PersistentVolume => Some(Key::Volume(PvId(c.id))),
                        Kind::PersistentVolumeClaim => Some(Key::Claim(PvcId(c.id))),
                        _ => None,
                    }),
            );
        }
        panic!("the controller never settles");
    }

    /// One sync; timers due at once (claim enqueues, a finished provisioning) come back as keys.
    fn sync(&mut self, key: Key) -> Vec<Key> {
        let provisioners = BTreeMap::new();
        let mut rng = Streams::new(1, 0).stream("storage");
        let mut cx = Ctx {
            store: &self.store,
            provisioners: &provisioners,
            rng: &mut rng,
            resync_ms: 15_000,
            now: SimTime::ZERO,
        };
        let fx = match key {
            Key::Claim(c) => self.pv.sync_claim(&mut cx, c),
            Key::Volume(v) => self.pv.sync_volume(&mut cx, v),
            Key::Provisioned(c) => self.pv.on_provisioned(&mut cx, c),
        };
        for w in fx.writes {
            self.store.apply(w, SimTime::ZERO);
        }
        self.events.extend(fx.events);
        let timers = fx.timers.into_iter().filter_map(|(_, t)| match t {
            Timer::Claim(c) => Some(Key::Claim(c)),
            Timer::Provisioned(c) => Some(Key::Provisioned(c)),
            Timer::Resync(_) => None,
        });
        timers.collect()
    }

    fn claim(&self) -> &Claim {
        &self.store.claims[0]
    }

    fn volume(&self, name: &str) -> &Volume {
        &self.store.volumes[volume_named(&self.store, name).index()]
    }

    fn reasons(&self) -> Vec<&str> {
        self.events.iter().map(|e| e.reason.as_str()).collect()
    }
}

#[derive(Debug, Clone, Copy)]
enum Key {
    Claim(PvcId),
    Volume(PvId),
    Provisioned(PvcId),
}

const RWO: &str = "ReadWriteOnce";

#[test]
fn a_pending_claim_binds_an_available_volume_both_ways() {
    // 1-1: both Bound, the claim's volumeName set, both marked bound-by-controller, bind-completed.
    let b = Binder::new(&(pv("volume1-1", "10Gi", RWO, "") + &pvc("1Gi", RWO, "")));
    let (c, v) = (b.claim(), b.volume("volume1-1"));
    assert_eq!(
        (c.phase, v.binding.phase),
        (ClaimPhase::Bound, VolumePhase::Bound)
    );
    assert_eq!(c.volume_name.as_deref(), Some("volume1-1"));
    assert_eq!(c.capacity_bytes, Some(10 << 30));
    assert_eq!(v.claim, Some(PvcId(0)));
    for key in [ann::BIND_COMPLETED, ann::BOUND_BY_CONTROLLER] {
        assert!(c.meta.annotations.contains_key(key), "{key}");
    }
    assert!(v.meta.annotations.contains_key(ann::BOUND_BY_CONTROLLER));
    assert!(b.events.is_empty(), "{:?}", b.reasons());
}

#[test]
fn a_claim_without_a_match_or_a_class_stays_pending_and_says_why() {
    // 1-2 and 1-3: no volume, or only a too small one.
    let b = Binder::new(&(pv("volume1-3", "1Gi", RWO, "") + &pvc("10Gi", RWO, "")));
    assert_eq!(b.claim().phase, ClaimPhase::Pending);
    assert_eq!(b.volume("volume1-3").binding.phase, VolumePhase::Available);
    assert_eq!(b.reasons(), ["FailedBinding"]);
    assert_eq!(
        b.events[0].message,
        "no persistent volumes available for this claim and no storage class is set"
    );
}

#[test]
fn a_claim_naming_a_volume_binds_it_or_waits_with_the_reason() {
    // 2-3: the named volume is free: bound, without bound-by-controller on the claim.
    let named = "  volumeName: volume2-3\n";
    let b = Binder::new(&(pv("volume2-3", "10Gi", RWO, "") + &pvc("1Gi", RWO, named)));
    assert_eq!(b.claim().phase, ClaimPhase::Bound);
    assert!(!b
        .claim()
        .meta
        .annotations
        .contains_key(ann::BOUND_BY_CONTROLLER));
    // 2-1: the named volume does not exist: Pending, no event.
    let b = Binder::new(&pvc("1Gi", RWO, "  volumeName: missing\n"));
    assert_eq!((b.claim().phase, b.events.len()), (ClaimPhase::Pending, 0));
    // 2-4: too small.
    let named = "  volumeName: volume2-4\n";
    let b = Binder::new(&(pv("volume2-4", "1Gi", RWO, "") + &pvc("10Gi", RWO, named)));
    assert_eq!(b.claim().phase, ClaimPhase::Pending);
    assert_eq!(
        b.events[0].message,
        "Cannot bind to requested volume \"volume2-4\": requested PV is too small"
    );
    // 2-7: reserved by its creator for another claim.
    let other = "  claimRef: {name: other, namespace: myns}\n";
    let named = "  volumeName: volume2-7\n";
    let b = Binder::new(&(pv("volume2-7", "10Gi", RWO, other) + &pvc("1Gi", RWO, named)));
    assert_eq!(b.claim().phase, ClaimPhase::Pending);
    assert_eq!(
        b.events[0].message,
        "volume \"volume2-7\" already bound to a different claim."
    );
}

#[test]
fn a_volume_reserved_for_a_claim_by_name_is_available_until_that_claim_binds_it() {
    // 4-1 / 4-3: an unused or pre-bound volume is Available; the named claim then binds it, and the
    // volume does not get bound-by-controller (its creator made the binding).
    let mine = "  claimRef: {name: claim01, namespace: myns}\n";
    let b = Binder::new(&pv("volume4-3", "10Gi", RWO, mine));
    assert_eq!(b.volume("volume4-3").binding.phase, VolumePhase::Available);
    let b = Binder::new(&(pv("volume4-3", "10Gi", RWO, mine) + &pvc("1Gi", RWO, "")));
    let v = b.volume("volume4-3");
    assert_eq!(
        (v.binding.phase, v.claim),
        (VolumePhase::Bound, Some(PvcId(0)))
    );
    assert!(!v.meta.annotations.contains_key(ann::BOUND_BY_CONTROLLER));
}

#[test]
fn a_deleted_claims_volume_is_released_and_retained_or_deleted_by_its_reclaim_policy() {
    for (policy, gone) in [("Retain", false), ("Delete", true)] {
        let extra = format!("  persistentVolumeReclaimPolicy: {policy}\n");
        let mut b = Binder::new(&(pv("volume5", "10Gi", RWO, &extra) + &pvc("1Gi", RWO, "")));
        assert_eq!(b.volume("volume5").binding.phase, VolumePhase::Bound);
        b.store.claims[0].meta.gone = Some(SimTime(1_000));
        b.settle(vec![Key::Volume(PvId(0))]);
        let v = b.volume("volume5");
        assert_eq!(v.binding.phase, VolumePhase::Released, "{policy}");
        assert_eq!(!v.meta.exists(), gone, "{policy}");
    }
}

#[test]
fn a_retained_volume_is_not_bound_again_by_a_new_claim_of_the_same_name() {
    let mut b = Binder::new(&(pv("volume5", "10Gi", RWO, "") + &pvc("1Gi", RWO, "")));
    b.store.claims[0].meta.gone = Some(SimTime(1_000));
    let again = b.store.claims[0].clone();
    let meta = b
        .store
        .new_meta("claim01", "myns", Labels::new(), SimTime(2_000));
    let fresh = b.store.add_claim(Claim {
        meta,
        phase: ClaimPhase::Pending,
        volume: None,
        volume_name: None,
        capacity_bytes: None,
        ..again
    });
    b.settle(vec![Key::Volume(PvId(0)), Key::Claim(fresh)]);
    assert_eq!(b.volume("volume5").binding.phase, VolumePhase::Released);
    assert_eq!(b.store.claims[fresh.index()].phase, ClaimPhase::Pending);
}

const WFFC_CLASS: &str = "---\napiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata: {name: local}\nprovisioner: kubernetes.io/no-provisioner\nvolumeBindingMode: WaitForFirstConsumer\n";

#[test]
fn a_wait_for_first_consumer_claim_is_left_to_the_scheduler() {
    let class = "  storageClassName: local\n";
    let b = Binder::new(
        &(WFFC_CLASS.to_string() + &pv("local-1", "10Gi", RWO, class) + &pvc("1Gi", RWO, class)),
    );
    assert_eq!(b.claim().phase, ClaimPhase::Pending);
    assert_eq!(b.reasons(), ["WaitForFirstConsumer"]);
    assert_eq!(
        b.events[0].message,
        "waiting for first consumer to be created before binding"
    );
}

#[test]
fn the_scheduler_reserving_a_volume_lets_the_controller_complete_the_binding() {
    let class = "  storageClassName: local\n";
    let yaml =
        WFFC_CLASS.to_string() + &pv("local-1", "10Gi", RWO, class) + &pvc("1Gi", RWO, class);
    let mut b = Binder::new(&yaml);
    let volume = volume_named(&b.store, "local-1");
    let reserve = VolumeWrite::Reserve {
        volume,
        claim: PvcId(0),
    };
    b.store.apply(Write::Volume(reserve), SimTime::ZERO);
    let changed = vec![Key::Volume(volume)];
    b.store.take_changes();
    b.settle(changed);
    assert_eq!(b.claim().phase, ClaimPhase::Bound);
    assert_eq!(b.volume("local-1").binding.phase, VolumePhase::Bound);
}

#[test]
fn a_claim_whose_class_is_missing_or_provisions_nothing_stays_pending() {
    let b = Binder::new(&pvc("1Gi", RWO, "  storageClassName: gold\n"));
    assert_eq!(b.reasons(), ["ProvisioningFailed"]);
    assert_eq!(
        b.events[0].message,
        "storageclass.storage.k8s.io \"gold\" not found"
    );
    let no_wait = WFFC_CLASS.replace("volumeBindingMode: WaitForFirstConsumer\n", "");
    let b = Binder::new(&(no_wait + &pvc("1Gi", RWO, "  storageClassName: local\n")));
    assert_eq!(
        b.events[0].message,
        "no volume plugin matched name: kubernetes.io/no-provisioner"
    );
}

#[test]
fn a_provisioned_volume_takes_the_class_reclaim_policy_and_the_selected_nodes_zone() {
    let class = "---\napiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata: {name: csi}\nprovisioner: example.com/csi\nreclaimPolicy: Retain\nvolumeBindingMode: WaitForFirstConsumer\n";
    let mut b = Binder::new(&(class.to_string() + &pvc("1Gi", RWO, "  storageClassName: csi\n")));
    let labels = [(ZONE_LABEL.to_string(), "zone-b".to_string())].into();
    let meta = b.store.new_meta("node-b", "", labels, SimTime::ZERO);
    b.store.add_node(crate::api::Node {
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
    let selected = VolumeWrite::AnnotateClaim {
        claim: PvcId(0),
        key: ann::SELECTED_NODE.into(),
        value: "node-b".into(),
    };
    b.store.apply(Write::Volume(selected), SimTime::ZERO);
    b.settle(vec![Key::Claim(PvcId(0))]);
    assert_eq!(
        b.reasons(),
        [
            "WaitForFirstConsumer",
            "Provisioning",
            "ProvisioningSucceeded"
        ]
    );
    let v = &b.store.volumes[0];
    assert_eq!(v.binding.reclaim_policy, ReclaimPolicy::Retain);
    assert_eq!(
        v.meta.labels.get(ZONE_LABEL).map(String::as_str),
        Some("zone-b")
    );
    assert_eq!(
        v.binding.node_affinity,
        Some(NodeSelector::single(ZONE_LABEL, "zone-b"))
    );
    assert_eq!(
        (b.claim().phase, v.binding.phase),
        (ClaimPhase::Bound, VolumePhase::Bound)
    );
}

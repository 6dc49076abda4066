//! `syncDeployment` over a store: the ReplicaSets, annotations, Events and status it writes.

use super::*;
use crate::api::{Store, Write};
use crate::controllers::deployment::{progress, util};
use crate::engine::{SimTime, Streams};
use crate::manifest::{convert, parse_str, Object};

const WEB: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  replicas: 4\n  progressDeadlineSeconds: 60\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec: {containers: [{name: web, image: nginx:1}]}\n";

/// A store holding the Deployment of `yaml`.
fn store_with(yaml: &str) -> Store {
    let mut store = Store::new(Streams::new(1, 0).stream("api-names"));
    let loaded = parse_str(yaml, "web.yaml").expect("valid manifest");
    let Object::Deployment(d) = &loaded[0].object else {
        panic!("a Deployment")
    };
    let meta = convert::meta(&mut store, &d.metadata, SimTime(0));
    store.add_deployment(convert::deployment(d, meta));
    store
}

/// Runs one sync and applies its writes, returning the Events it recorded.
fn sync_once(store: &mut Store, now: SimTime) -> Vec<String> {
    let fx = sync(store, DeployId(0), now);
    for w in fx.writes {
        store.apply(w, now);
    }
    fx.events.into_iter().map(|e| e.message).collect()
}

#[test]
fn the_first_sync_creates_revision_one_at_full_size_with_the_replicas_annotations() {
    let mut store = store_with(WEB);
    let events = sync_once(&mut store, SimTime(10));
    let rs = &store.replica_sets[0];
    assert!(rs.meta.name.starts_with("web-"));
    let a = &rs.meta.annotations;
    assert_eq!(
        a.get(util::REVISION_ANNOTATION).map(String::as_str),
        Some("1")
    );
    assert_eq!(
        a.get(util::DESIRED_REPLICAS_ANNOTATION).map(String::as_str),
        Some("4")
    );
    assert_eq!(
        a.get(util::MAX_REPLICAS_ANNOTATION).map(String::as_str),
        Some("5")
    );
    assert_eq!(rs.replicas, 4);
    assert_eq!(
        events,
        [format!(
            "Scaled up replica set {} from 0 to 4",
            rs.meta.name
        )]
    );
    let d = &store.deployments[0];
    assert_eq!(
        d.meta
            .annotations
            .get(util::REVISION_ANNOTATION)
            .map(String::as_str),
        Some("1")
    );
    let progressing = d.status.progressing.expect("a progress deadline is set");
    assert_eq!(progressing.reason, progress::NEW_REPLICA_SET_REASON);
}

#[test]
fn a_template_change_creates_revision_two_within_the_surge_and_scales_the_old_set_down() {
    let mut store = store_with(WEB);
    sync_once(&mut store, SimTime(10));
    let old = crate::api::RsId(0);
    store.apply(
        Write::SetReplicaSetStatus {
            rs: old,
            status: crate::api::ReplicaStatus {
                replicas: 4,
                ready: 4,
                available: 4,
                observed_generation: 1,
            },
        },
        SimTime(20),
    );
    let mut d = store.deployments[0].clone();
    d.template.spec.containers[0].image = "nginx:2".into();
    store.apply(
        Write::UpdateDeployment {
            deployment: DeployId(0),
            object: Box::new(d),
        },
        SimTime(30),
    );
    sync_once(&mut store, SimTime(40));
    let new = &store.replica_sets[1];
    assert_eq!(
        new.meta
            .annotations
            .get(util::REVISION_ANNOTATION)
            .map(String::as_str),
        Some("2")
    );
    // 25 % of 4: surge 1 (rounded up), unavailable 1 (rounded down): new at 1, old down to 3.
    assert_eq!((store.replica_sets[0].replicas, new.replicas), (3, 1));
}

#[test]
fn a_deployment_whose_status_does_not_change_is_requeued_at_its_progress_deadline() {
    let mut store = store_with(WEB);
    sync_once(&mut store, SimTime(10));
    let fx = sync(&store, DeployId(0), SimTime(1_000));
    assert!(fx.writes.is_empty(), "{:?}", fx.writes);
    // lastUpdateTime 10 ms + 60 s deadline - now 1 s = 59.01 s, requeued 1 s later.
    assert_eq!(fx.timers, vec![(SimTime(61_010), Requeue(DeployId(0)))]);
}

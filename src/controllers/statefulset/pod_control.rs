//! `StatefulPodControl` (kk:pkg/controller/statefulset/stateful_pod_control.go): the pods and claims of a
//! StatefulSet as API writes, and the claims' owner references of the retention policy.

use super::utils::{claim_name, pod_name, POD_INDEX_LABEL, POD_NAME_LABEL, REVISION_LABEL};
use super::Requeue;
use crate::api::{
    Claim, Effects, Event, Owner, PodId, PodTemplate, PvcId, Retention, StatefulSet, Store, StsId,
    Write,
};
use crate::engine::SimTime;

/// `newStatefulSetPod` + `setPodRevision`: the template of `revision` with the pod's identity
/// (`initIdentity`: name and index labels, hostname = pod name, subdomain = serviceName), its
/// claims (`updateStorage`) and the revision label.
pub fn new_pod(
    set: &StatefulSet,
    template: &PodTemplate,
    revision: &str,
    ordinal: u32,
) -> (String, PodTemplate) {
    let name = pod_name(&set.meta.name, ordinal);
    let mut t = template.clone();
    t.labels.insert(POD_NAME_LABEL.into(), name.clone());
    t.labels.insert(POD_INDEX_LABEL.into(), ordinal.to_string());
    t.labels.insert(REVISION_LABEL.into(), revision.to_string());
    t.spec.hostname = Some(name.clone());
    t.spec.subdomain = Some(set.service_name.clone());
    let mut claims: Vec<String> = set
        .claim_templates
        .iter()
        .map(|c| claim_name(&c.meta.name, &set.meta.name, ordinal))
        .collect();
    let others: Vec<String> = t
        .spec
        .claims
        .iter()
        .filter(|c| !claims.contains(c))
        .cloned()
        .collect();
    claims.extend(others);
    t.spec.claims = claims;
    (name, t)
}

/// `getPersistentVolumeClaims`: one claim per template, named `<template>-<set>-<ordinal>`, in the
/// set's namespace, labelled with the template's labels and the selector's `matchLabels`.
pub fn claims_for(set: &StatefulSet, ordinal: u32) -> Vec<Claim> {
    set.claim_templates
        .iter()
        .map(|t| {
            let mut c = t.clone();
            c.meta.name = claim_name(&t.meta.name, &set.meta.name, ordinal);
            c.meta.namespace = set.meta.namespace.clone();
            c.meta.labels.extend(set.selector.clone());
            c
        })
        .collect()
}

/// `updateClaimOwnerRefForSetAndPod`: the owner reference a claim should have under the retention
/// policy (whenScaled / whenDeleted): Retain/Retain none; Retain/Delete the set; Delete/Retain the
/// pod once it is condemned; Delete/Delete the set in range, the pod once condemned.
pub fn desired_claim_owner(
    set: &StatefulSet,
    id: StsId,
    pod: PodId,
    condemned: bool,
) -> Option<Owner> {
    let p = set.retention;
    match (p.when_scaled, p.when_deleted, condemned) {
        (Retention::Delete, _, true) => Some(Owner::Pod(pod)),
        (_, Retention::Delete, _) => Some(Owner::StatefulSet(id)),
        _ => None,
    }
}

/// The stored claims of `ordinal`, by name (missing ones are skipped).
fn stored_claims<'a>(
    store: &'a Store,
    set: &'a StatefulSet,
    ordinal: u32,
) -> impl Iterator<Item = PvcId> + 'a {
    set.claim_templates.iter().filter_map(move |t| {
        let name = claim_name(&t.meta.name, &set.meta.name, ordinal);
        store.claim_by_name(&set.meta.namespace, &name)
    })
}

/// `hasStaleOwnerRef`: the claim names a pod of that name but another incarnation (uid).
fn stale_owner(store: &Store, claim: PvcId, pod_name: &str, pod: Option<PodId>) -> bool {
    match store.claims[claim.index()].meta.owner {
        Some(Owner::Pod(p)) => store.pods[p.index()].meta.name == pod_name && Some(p) != pod,
        _ => false,
    }
}

/// `PodClaimIsStale`: with whenScaled Delete, a claim of this ordinal still owned by an earlier
/// incarnation of the pod blocks its creation until the garbage collector has deleted it.
pub fn claims_stale(store: &Store, set: &StatefulSet, ordinal: u32, pod: Option<PodId>) -> bool {
    if set.retention.when_scaled == Retention::Retain {
        return false;
    }
    let name = pod_name(&set.meta.name, ordinal);
    stored_claims(store, set, ordinal).any(|c| stale_owner(store, c, &name, pod))
}

/// `ClaimsMatchRetentionPolicy`: every stored claim of the pod has the owner the policy wants
/// (claims with a stale owner are left alone, as upstream leaves a conflicting owner).
pub fn claims_match(store: &Store, id: StsId, pod: PodId, ordinal: u32, condemned: bool) -> bool {
    let set = &store.stateful_sets[id.index()];
    let want = desired_claim_owner(set, id, pod, condemned);
    let name = pod_name(&set.meta.name, ordinal);
    stored_claims(store, set, ordinal).all(|c| {
        stale_owner(store, c, &name, Some(pod)) || store.claims[c.index()].meta.owner == want
    })
}

/// `UpdatePodClaimForRetentionPolicy`: set the owner of each claim of the pod that differs.
pub fn fix_claims(
    store: &Store,
    id: StsId,
    pod: PodId,
    condemned: bool,
    fx: &mut Effects<Requeue>,
) {
    let set = &store.stateful_sets[id.index()];
    let Some((_, ordinal)) = super::utils::parent_and_ordinal(&store.pods[pod.index()].meta.name)
    else {
        return;
    };
    let want = desired_claim_owner(set, id, pod, condemned);
    let name = pod_name(&set.meta.name, ordinal);
    for c in stored_claims(store, set, ordinal) {
        if !stale_owner(store, c, &name, Some(pod)) && store.claims[c.index()].meta.owner != want {
            fx.write(Write::SetClaimOwner {
                claim: c,
                owner: want,
            });
        }
    }
}

/// `createPersistentVolumeClaims`: POST each claim of `ordinal` that does not exist yet, with the
/// owner the retention policy gives a claim of a pod in range, and record `SuccessfulCreate`.
pub fn create_missing_claims(
    store: &Store,
    id: StsId,
    ordinal: u32,
    now: SimTime,
    fx: &mut Effects<Requeue>,
) {
    let set = &store.stateful_sets[id.index()];
    let pod = pod_name(&set.meta.name, ordinal);
    let owner = (set.retention.when_deleted == Retention::Delete).then_some(Owner::StatefulSet(id));
    for mut claim in claims_for(set, ordinal) {
        if store
            .claim_by_name(&claim.meta.namespace, &claim.meta.name)
            .is_some()
        {
            continue;
        }
        let message = format!(
            "create Claim {} Pod {pod} in StatefulSet {} success",
            claim.meta.name, set.meta.name
        );
        claim.meta.owner = owner;
        fx.write(Write::CreateClaim {
            claim: Box::new(claim),
        });
        fx.event(set_event(set, now, "SuccessfulCreate", message));
    }
}

/// `CreateStatefulPod`: the claims first, then the pod (`SuccessfulCreate`).
pub fn create_pod(
    store: &Store,
    id: StsId,
    template: &PodTemplate,
    revision: &str,
    ordinal: u32,
    now: SimTime,
    fx: &mut Effects<Requeue>,
) {
    let set = &store.stateful_sets[id.index()];
    create_missing_claims(store, id, ordinal, now, fx);
    let (name, template) = new_pod(set, template, revision, ordinal);
    let message = format!(
        "create Pod {name} in StatefulSet {} successful",
        set.meta.name
    );
    fx.write(Write::CreateNamedPod {
        namespace: set.meta.namespace.clone(),
        name,
        owner: Owner::StatefulSet(id),
        template,
    });
    fx.event(set_event(set, now, "SuccessfulCreate", message));
}

/// `DeleteStatefulPod`: a graceful delete (`SuccessfulDelete`).
pub fn delete_pod(store: &Store, id: StsId, pod: PodId, now: SimTime, fx: &mut Effects<Requeue>) {
    let set = &store.stateful_sets[id.index()];
    let name = &store.pods[pod.index()].meta.name;
    let message = format!(
        "delete Pod {name} in StatefulSet {} successful",
        set.meta.name
    );
    fx.write(Write::DeletePod {
        pod,
        grace_period_ms: None,
    });
    fx.event(set_event(set, now, "SuccessfulDelete", message));
}

/// An Event about the StatefulSet (`recordPodEvent` / `recordClaimEvent`).
fn set_event(set: &StatefulSet, now: SimTime, reason: &str, message: String) -> Event {
    Event::new(
        now,
        "StatefulSet",
        &set.meta.namespace,
        &set.meta.name,
        reason,
        message,
    )
}

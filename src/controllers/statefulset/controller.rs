//! `StatefulSetController.sync` and `UpdateStatefulSet` over the store (kk:pkg/controller/statefulset/
//! stateful_set.go, stateful_set_control.go): reads the set, its pods and revisions into views, runs
//! the pure decisions, and returns the writes, Events and the minReadySeconds requeue.

use super::control::{update_stateful_set, Action, Condemned, Decision, SetView, Slot};
use super::history::{self, RevView, RevisionWrite};
use super::utils::{self, in_ordinal_range, parent_and_ordinal, PodView, REVISION_LABEL};
use super::{pod_control, status, Requeue};
use crate::api::{
    ControllerRevision, Effects, Owner, PodId, RevId, StatefulSet, Store, StsId, StsUpdateStrategy,
    Write,
};
use crate::engine::SimTime;
use std::collections::BTreeMap;

/// `sync`: one reconcile of StatefulSet `id` at `now`; `max_unavailable_gate` is the
/// MaxUnavailableStatefulSet feature gate (off by default through 1.33); `early_scale_down` switches
/// on the mutant of kubernetes/kubernetes#44229 (testing the checker only; false in every real run).
pub fn sync(
    store: &Store,
    id: StsId,
    now: SimTime,
    max_unavailable_gate: bool,
    early_scale_down: bool,
) -> Effects<Requeue> {
    let mut fx = Effects::default();
    let set = &store.stateful_sets[id.index()];
    if !set.meta.exists() {
        return fx;
    }
    let pods = pod_views(store, id, now);
    let revisions = revisions_of(store, id);
    let (current, update) = revisions_for(store, id, &revisions, &mut fx);
    let mut view = set_view(set, &current, &update, max_unavailable_gate);
    view.early_scale_down = early_scale_down;
    let (slots, condemned) = partition(store, id, &view, &pods);
    let decision = update_stateful_set(&view, &slots, &condemned);
    apply(store, id, &current, &update, &decision, now, &mut fx);
    let mut st = status_of(set, &slots, &condemned, &view, decision.deleted_for_update);
    let rolling = matches!(set.update_strategy, StsUpdateStrategy::RollingUpdate { .. });
    status::complete_rolling_update(rolling, &mut st);
    if status::inconsistent(&set.status, &st) {
        fx.write(Write::SetStatefulSetStatus {
            set: id,
            status: st.clone(),
        });
    }
    truncate_history(set, &pods, &revisions, &current, &update, &mut fx);
    // stateful_set.go `sync`: requeue after minReadySeconds while some pods are not yet available.
    if set.min_ready_ms > 0 && st.available != set.replicas {
        fx.timer(now.plus_ms(set.min_ready_ms), Requeue(id));
    }
    fx
}

/// `getPodsForStatefulSet`: the live pods the set controls whose name makes them its members.
pub fn pod_views(store: &Store, id: StsId, now: SimTime) -> Vec<PodView> {
    let set = &store.stateful_sets[id.index()];
    store
        .pods_of_sts(id)
        .filter_map(|p| {
            let pod = &store.pods[p.index()];
            let (parent, ordinal) = parent_and_ordinal(&pod.meta.name)?;
            (parent == set.meta.name).then(|| PodView {
                key: p.0,
                ordinal,
                revision: pod
                    .meta
                    .labels
                    .get(REVISION_LABEL)
                    .cloned()
                    .unwrap_or_default(),
                phase: pod.phase,
                ready: pod.ready,
                available: pod.is_available(set.min_ready_ms, now),
                terminating: pod.meta.deletion.is_some(),
            })
        })
        .collect()
}

/// `ListRevisions`, sorted (`SortControllerRevisions`).
fn revisions_of(store: &Store, id: StsId) -> Vec<RevView> {
    let mut revs: Vec<RevView> = (0..store.revisions.len() as u32)
        .map(RevId)
        .filter(|r| {
            let rev = &store.revisions[r.index()];
            rev.meta.exists() && rev.meta.owner == Some(Owner::StatefulSet(id))
        })
        .map(|r| {
            let rev = &store.revisions[r.index()];
            RevView {
                key: Some(r.0),
                name: rev.meta.name.clone(),
                revision: rev.revision,
                created_ms: rev.meta.created.as_ms(),
                template: rev.template.clone(),
            }
        })
        .collect();
    history::sort(&mut revs);
    revs
}

/// `getStatefulSetRevisions`: the current and update revisions, creating or renumbering as needed.
fn revisions_for(
    store: &Store,
    id: StsId,
    revisions: &[RevView],
    fx: &mut Effects<Requeue>,
) -> (RevView, RevView) {
    let set = &store.stateful_sets[id.index()];
    let data = set.template.hash_text();
    let candidate = RevView {
        key: None,
        name: utils::revision_name(&set.meta.name, &utils::revision_hash(data.as_bytes())),
        revision: history::next_revision(revisions),
        created_ms: 0,
        template: set.template.clone(),
    };
    let (current, update, write) =
        history::stateful_set_revisions(revisions, candidate, &set.status.current_revision);
    match write {
        RevisionWrite::None => {}
        RevisionWrite::Create => fx.write(Write::CreateRevision {
            revision: Box::new(new_revision(set, id, &update)),
        }),
        RevisionWrite::Renumber { key, revision } => fx.write(Write::SetRevisionNumber {
            revision: RevId(key),
            number: revision,
        }),
    }
    (current, update)
}

/// `history.NewControllerRevision`: owned by the set, labelled with its selector.
fn new_revision(set: &StatefulSet, id: StsId, rev: &RevView) -> ControllerRevision {
    let mut meta = crate::manifest::convert::unstored_meta(&Default::default());
    meta.name = rev.name.clone();
    meta.namespace = set.meta.namespace.clone();
    meta.labels = set.selector.clone();
    meta.owner = Some(Owner::StatefulSet(id));
    ControllerRevision {
        meta,
        revision: rev.revision,
        template: rev.template.clone(),
    }
}

fn set_view(set: &StatefulSet, current: &RevView, update: &RevView, gate: bool) -> SetView {
    let (partition, max_unavailable) = match &set.update_strategy {
        StsUpdateStrategy::OnDelete => (None, None),
        StsUpdateStrategy::RollingUpdate {
            partition,
            max_unavailable,
        } => {
            let max = gate
                .then(|| utils::max_unavailable(max_unavailable.as_deref(), set.replicas))
                .flatten();
            (Some(*partition), max)
        }
    };
    SetView {
        replicas: set.replicas,
        start: set.start_ordinal,
        monotonic: set.pod_management == crate::api::PodManagement::OrderedReady,
        partition,
        max_unavailable,
        current_revision: current.name.clone(),
        update_revision: update.name.clone(),
        deleting: set.meta.deletion.is_some(),
        early_scale_down: false,
    }
}

/// Pods in `[start, start + replicas)` by ordinal (missing ones as empty slots) and the condemned
/// ones, highest ordinal first, each with what its claims say.
fn partition(
    store: &Store,
    id: StsId,
    view: &SetView,
    pods: &[PodView],
) -> (Vec<Slot>, Vec<Condemned>) {
    let set = &store.stateful_sets[id.index()];
    let in_range = |o: u32| in_ordinal_range(o, view.start, view.replicas);
    let by_ordinal: BTreeMap<u32, &PodView> = pods.iter().map(|p| (p.ordinal, p)).collect();
    let slots = (0..view.replicas)
        .map(|i| view.start + i)
        .map(|ordinal| {
            let pod = by_ordinal.get(&ordinal).map(|p| (*p).clone());
            let pid = pod.as_ref().map(|p| PodId(p.key));
            Slot {
                ordinal,
                claims_stale: pod_control::claims_stale(store, set, ordinal, pid),
                claims_match: pid
                    .is_none_or(|p| pod_control::claims_match(store, id, p, ordinal, false)),
                pod,
            }
        })
        .collect();
    let mut condemned: Vec<Condemned> = pods
        .iter()
        .filter(|p| !in_range(p.ordinal))
        .map(|p| Condemned {
            claims_match: pod_control::claims_match(store, id, PodId(p.key), p.ordinal, true),
            pod: p.clone(),
        })
        .collect();
    condemned.sort_by_key(|c| std::cmp::Reverse(c.pod.ordinal));
    (slots, condemned)
}

/// The pod control's writes for each action of the decision.
fn apply(
    store: &Store,
    id: StsId,
    current: &RevView,
    update: &RevView,
    d: &Decision,
    now: SimTime,
    fx: &mut Effects<Requeue>,
) {
    for action in &d.actions {
        match *action {
            Action::Create {
                ordinal,
                at_current,
            } => {
                let rev = if at_current { current } else { update };
                pod_control::create_pod(store, id, &rev.template, &rev.name, ordinal, now, fx);
            }
            Action::CreateMissingClaims { ordinal, .. } => {
                pod_control::create_missing_claims(store, id, ordinal, now, fx)
            }
            Action::FixClaims { pod, condemned } => {
                pod_control::fix_claims(store, id, PodId(pod), condemned, fx)
            }
            Action::DeleteFinished { pod }
            | Action::DeleteCondemned { pod }
            | Action::DeleteForUpdate { pod } => {
                pod_control::delete_pod(store, id, PodId(pod), now, fx)
            }
        }
    }
}

/// `updateStatus` over the replicas and condemned pods, less the pods the rolling update deleted.
fn status_of(
    set: &StatefulSet,
    slots: &[Slot],
    condemned: &[Condemned],
    view: &SetView,
    deleted_for_update: u32,
) -> crate::api::StatefulSetStatus {
    let pods: Vec<&PodView> = slots
        .iter()
        .filter_map(|s| s.pod.as_ref())
        .chain(condemned.iter().map(|c| &c.pod))
        .collect();
    let mut st = status::compute(
        &pods,
        &view.current_revision,
        &view.update_revision,
        set.meta.generation,
    );
    st.current = st.current.saturating_sub(deleted_for_update);
    st.collision_count = set.status.collision_count;
    st
}

/// `truncateHistory`: delete the oldest revisions beyond revisionHistoryLimit that no pod runs.
fn truncate_history(
    set: &StatefulSet,
    pods: &[PodView],
    revisions: &[RevView],
    current: &RevView,
    update: &RevView,
    fx: &mut Effects<Requeue>,
) {
    let mut live: Vec<&str> = vec![current.name.as_str(), update.name.as_str()];
    live.extend(pods.iter().map(|p| p.revision.as_str()));
    for key in history::truncate_history(revisions, &live, set.revision_history_limit) {
        fx.write(Write::DeleteRevision {
            revision: RevId(key),
        });
    }
}

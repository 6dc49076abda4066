//! The DaemonSet controller's decisions over one DaemonSet's nodes, as pure functions:
//! `podsShouldBeOnNode` / `manage` (kk:pkg/controller/daemon/daemon_controller.go) and
//! `rollingUpdate` (kk:pkg/controller/daemon/update.go).

use crate::api::{NodeId, PodPhase};
use crate::engine::SimTime;

/// What the controller reads of one of its pods.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PodView {
    pub key: u32,
    pub name: String,
    pub created: SimTime,
    /// Bound to a node (`spec.nodeName` set).
    pub scheduled: bool,
    /// Its hash label is the current template's (`IsPodUpdated`).
    pub updated: bool,
    pub ready: bool,
    /// Ready for minReadySeconds (`IsPodAvailable`).
    pub available: bool,
    pub terminating: bool,
    pub phase: PodPhase,
}

/// One node with the DaemonSet's pods meant for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slot {
    pub node: NodeId,
    pub should_run: bool,
    pub should_continue: bool,
    /// The pods whose target is this node, oldest first (`podByCreationTimestampAndPhase`).
    pub pods: Vec<PodView>,
}

/// Pods to create (on these nodes) and delete.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Actions {
    pub create_on: Vec<NodeId>,
    pub delete: Vec<u32>,
    /// Failed or succeeded pods found (the `FailedDaemonPod` / `SucceededDaemonPod` Events).
    pub finished: Vec<(u32, PodPhase)>,
}

impl Actions {
    pub fn is_empty(&self) -> bool {
        self.create_on.is_empty() && self.delete.is_empty()
    }
}

/// `podByCreationTimestampAndPhase`: scheduled pods first, then oldest, then by name.
pub fn sort_pods(pods: &mut [PodView]) {
    pods.sort_by(|a, b| {
        (!a.scheduled, a.created, &a.name).cmp(&(!b.scheduled, b.created, &b.name))
    });
}

/// `manage`: per node, `podsShouldBeOnNode`; `surge` is `AllowsSurge` (maxSurge > 0).
pub fn manage(slots: &[Slot], surge: bool) -> Actions {
    let mut a = Actions::default();
    for slot in slots {
        pods_should_be_on_node(slot, surge, &mut a);
    }
    a
}

fn pods_should_be_on_node(slot: &Slot, surge: bool, a: &mut Actions) {
    let exists = !slot.pods.is_empty();
    if slot.should_run && !exists {
        return a.create_on.push(slot.node);
    }
    if !slot.should_continue {
        let live = slot.pods.iter().filter(|p| !p.terminating);
        return a.delete.extend(live.map(|p| p.key));
    }
    let mut running = Vec::new();
    for p in slot.pods.iter().filter(|p| !p.terminating) {
        match p.phase {
            PodPhase::Failed | PodPhase::Succeeded => {
                a.finished.push((p.key, p.phase));
                a.delete.push(p.key);
            }
            _ => running.push(p),
        }
    }
    if !surge {
        // More than one running pod on a node: delete all but the oldest.
        a.delete.extend(running.iter().skip(1).map(|p| p.key));
        return;
    }
    if running.len() <= 1 {
        if running.is_empty() && slot.should_run {
            a.create_on.push(slot.node);
        }
        return;
    }
    surge_pods(&running, a);
}

/// With surge, a node keeps the oldest new pod and the oldest old pod until the new one is available
/// (or the old one stops being ready); every other pod goes.
fn surge_pods(running: &[&PodView], a: &mut Actions) {
    let (mut oldest_new, mut oldest_old) = (None, None);
    for p in running {
        let slot = if p.updated {
            &mut oldest_new
        } else {
            &mut oldest_old
        };
        if slot.is_none() {
            *slot = Some(*p);
        } else {
            a.delete.push(p.key);
        }
    }
    if let (Some(new), Some(old)) = (oldest_new, oldest_old) {
        if !old.ready || new.available {
            a.delete.push(old.key);
        }
    }
}

/// `findUpdatedPodsOnNode`: the node's one new and one old pod (terminating ones ignored); None when
/// it has more than one of either.
fn updated_pods(slot: &Slot) -> Option<(Option<&PodView>, Option<&PodView>)> {
    let (mut new, mut old) = (None, None);
    for p in slot.pods.iter().filter(|p| !p.terminating) {
        let which = if p.updated { &mut new } else { &mut old };
        if which.is_some() {
            return None;
        }
        *which = Some(p);
    }
    Some((new, old))
}

/// `rollingUpdate` with maxSurge 0: delete old pods while no more than maxUnavailable nodes are
/// without an available new pod; unavailable old pods are replaced regardless.
pub fn rolling_update(slots: &[Slot], max_unavailable: u32, max_surge: u32) -> Actions {
    if max_surge > 0 {
        return rolling_update_surge(slots, max_surge);
    }
    let mut unavailable = 0u32;
    let (mut replace, mut candidates) = (Vec::new(), Vec::new());
    for slot in slots.iter().filter(|s| s.should_run || !s.pods.is_empty()) {
        match updated_pods(slot) {
            None | Some((None, None)) | Some((Some(_), Some(_))) => unavailable += 1,
            Some((Some(new), None)) => unavailable += u32::from(!new.available),
            Some((None, Some(old))) if !old.available => replace.push(old.key),
            Some((None, Some(_))) if unavailable >= max_unavailable => {}
            Some((None, Some(old))) => candidates.push(old.key),
        }
    }
    let remaining = max_unavailable.saturating_sub(unavailable) as usize;
    replace.extend(candidates.into_iter().take(remaining));
    Actions {
        delete: replace,
        ..Default::default()
    }
}

/// `rollingUpdate` with maxSurge > 0: a new pod beside each old one (at most maxSurge not yet
/// available at a time, at once where the old one is unavailable), the old one deleted once the new
/// one is available.
fn rolling_update_surge(slots: &[Slot], max_surge: u32) -> Actions {
    let mut a = Actions::default();
    let mut surge = 0u32;
    let (mut allowed, mut candidates) = (Vec::new(), Vec::new());
    for slot in slots.iter().filter(|s| s.should_run || !s.pods.is_empty()) {
        let Some((new, old)) = updated_pods(slot) else {
            surge += 1;
            continue;
        };
        match (new, old) {
            (_, None) => {}
            (None, Some(old)) if !old.available && !slot.should_run => a.delete.push(old.key),
            (None, Some(old)) if !old.available => allowed.push(slot.node),
            (None, Some(old)) if !slot.should_run => a.delete.push(old.key),
            (None, Some(_)) if surge >= max_surge => {}
            (None, Some(_)) => candidates.push(slot.node),
            (Some(new), Some(_)) if !new.available => surge += 1,
            (Some(_), Some(old)) => a.delete.push(old.key),
        }
    }
    let remaining = max_surge.saturating_sub(surge) as usize;
    allowed.extend(candidates.into_iter().take(remaining));
    a.create_on = allowed;
    a
}

/// `GetScaledValueFromIntOrPercent(value, total, roundUp=true)` for maxUnavailable and maxSurge.
pub fn scaled(value: &str, total: u32) -> u32 {
    match value.strip_suffix('%') {
        Some(p) => {
            let pct: u64 = p.parse().unwrap_or(0);
            (pct * u64::from(total)).div_ceil(100) as u32
        }
        None => value.parse().unwrap_or(0),
    }
}

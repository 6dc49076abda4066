//! `kubectl drain` (kk:staging/src/k8s.io/kubectl/pkg/drain/drain.go and cordon.go,
//! kk:staging/src/k8s.io/kubectl/pkg/cmd/drain/drain.go): cordon the node, evict each of its pods
//! through the Eviction API (retrying a 429 every 5 s), wait until they are gone, then the next node
//! of the chain. What kubectl prints becomes Events of the node or pod it is about.

use crate::api::eviction::{evict, EvictionError};
use crate::api::{Effects, Event, NodeId, Pod, PodId, Store, Write};
use crate::engine::SimTime;
use crate::scenario::DrainSpec;
use std::collections::BTreeMap;

/// `evictPods`: a refused (429) eviction is tried again after `time.Sleep(5 * time.Second)`.
pub const EVICTION_RETRY_MS: u64 = 5_000;
/// `waitForDelete`'s `interval: 1 * time.Second` (`wait.PollImmediate`).
pub const DELETE_POLL_MS: u64 = 1_000;
/// `kubernetes.io/config.mirror`: a static pod's mirror, which drain leaves alone (`mirrorPodFilter`).
const MIRROR_ANNOTATION: &str = "kubernetes.io/config.mirror";

/// A drain's timers; `run` is the index of the drain among those started.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Timer {
    /// A goroutine of `evictPods` (re)tries to evict `pod`.
    Evict { run: usize, pod: PodId },
    /// `waitForDelete` looks whether `pod` is gone.
    Poll { run: usize, pod: PodId },
    /// `--timeout` of the drain of the run's `step`th node.
    Deadline { run: usize, step: usize },
    /// `kubectl uncordon` of the run's `step`th node after its maintenance.
    Uncordon { run: usize, step: usize },
}

/// Where one pod of the node being drained is.
#[derive(Debug, Clone, PartialEq, Eq)]
enum PodState {
    /// Not evicted yet (a refused eviction is retried).
    Evicting,
    /// Evicted; kubectl waits for the object to be gone.
    Deleting,
    Done,
    /// kubectl gave up on it, with its error line.
    Failed(String),
}

/// One `drain` of the scenario: its nodes in order and how far it got.
#[derive(Debug)]
struct Run {
    spec: DrainSpec,
    nodes: Vec<NodeId>,
    /// The node being drained (or uncordoned).
    step: usize,
    pods: BTreeMap<PodId, PodState>,
    /// A drain failed: the chain stops (`kubectl drain a && kubectl drain b`).
    stopped: bool,
}

/// Every drain the scenario started.
#[derive(Debug, Default)]
pub struct Drainer {
    runs: Vec<Run>,
}

impl Drainer {
    /// Starts a drain of `spec.nodes` (the cluster's nodes, validated when the scenario was read).
    pub fn start(&mut self, spec: &DrainSpec, store: &Store, now: SimTime) -> Effects<Timer> {
        let nodes = spec
            .nodes
            .iter()
            .filter_map(|name| store.nodes.iter().position(|n| n.meta.name == *name))
            .map(|i| NodeId(i as u32))
            .collect();
        self.runs.push(Run {
            spec: spec.clone(),
            nodes,
            step: 0,
            pods: BTreeMap::new(),
            stopped: false,
        });
        self.start_node(self.runs.len() - 1, store, now)
    }

    /// A timer fired.
    pub fn on_timer(&mut self, timer: Timer, store: &Store, now: SimTime) -> Effects<Timer> {
        match timer {
            Timer::Evict { run, pod } => self.on_evict(run, pod, store, now),
            Timer::Poll { run, pod } => self.on_poll(run, pod, store, now),
            Timer::Deadline { run, step } => self.on_deadline(run, step, store, now),
            Timer::Uncordon { run, step } => self.on_uncordon(run, step, store, now),
        }
    }

    /// `kubectl drain NODE`: cordon, list the pods to evict, and evict each (one goroutine per pod).
    fn start_node(&mut self, run: usize, store: &Store, now: SimTime) -> Effects<Timer> {
        let mut fx = Effects::default();
        let r = &mut self.runs[run];
        let Some(&node) = r.nodes.get(r.step) else {
            return fx;
        };
        cordon(store, node, true, now, &mut fx);
        r.pods = pods_for_deletion(store, node)
            .map(|p| (p, PodState::Evicting))
            .collect();
        for &pod in r.pods.keys() {
            fx.timer(now, Timer::Evict { run, pod });
        }
        if let Some(timeout) = r.spec.timeout_ms {
            let step = r.step;
            fx.timer(now.plus_ms(timeout), Timer::Deadline { run, step });
        }
        self.after_pod(run, store, now, fx)
    }

    /// One attempt of `evictPods`' loop: evicted (then `waitForDelete`), gone already, refused
    /// with 429 (retried in 5 s), or another error (the pod fails the drain).
    fn on_evict(&mut self, run: usize, pod: PodId, store: &Store, now: SimTime) -> Effects<Timer> {
        let mut fx = Effects::default();
        if self.runs[run].pods.get(&pod) != Some(&PodState::Evicting) {
            return fx;
        }
        let p = &store.pods[pod.index()];
        fx.event(Event::pod(
            now,
            &p.meta,
            "Evicting",
            format!("evicting pod {}", p.meta.key()),
        ));
        let grace = self.runs[run].spec.grace_period_ms;
        let (ns, name) = (&p.meta.namespace, &p.meta.name);
        let next = match evict(store, pod, grace, now) {
            Ok(writes) => {
                fx.writes.extend(writes);
                fx.timer(now, Timer::Poll { run, pod });
                PodState::Deleting
            }
            Err(EvictionError::NotFound(_)) => PodState::Done,
            Err(e @ EvictionError::TooManyRequests { .. }) => {
                let line = format!(
                    "error when evicting pods/{name:?} -n {ns:?} (will retry after 5s): {e}"
                );
                fx.event(Event::pod(now, &p.meta, "TooManyRequests", line));
                fx.timer(now.plus_ms(EVICTION_RETRY_MS), Timer::Evict { run, pod });
                PodState::Evicting
            }
            Err(e) => PodState::Failed(format!("error when evicting pods/{name:?} -n {ns:?}: {e}")),
        };
        self.runs[run].pods.insert(pod, next);
        self.after_pod(run, store, now, fx)
    }

    /// `waitForDelete`: the pod is gone (a new incarnation of the name is another pod), or look
    /// again in a second. The first look is at the eviction itself (`PollImmediate`).
    fn on_poll(&mut self, run: usize, pod: PodId, store: &Store, now: SimTime) -> Effects<Timer> {
        let mut fx = Effects::default();
        if self.runs[run].pods.get(&pod) != Some(&PodState::Deleting) {
            return fx;
        }
        let p = &store.pods[pod.index()];
        if p.meta.exists() {
            fx.timer(now.plus_ms(DELETE_POLL_MS), Timer::Poll { run, pod });
            return fx;
        }
        let line = format!("pod/{} evicted", p.meta.name);
        fx.event(Event::pod(now, &p.meta, "Evicted", line));
        self.runs[run].pods.insert(pod, PodState::Done);
        self.after_pod(run, store, now, fx)
    }

    /// `--timeout` passed: every pod not done yet fails ("global timeout reached").
    fn on_deadline(
        &mut self,
        run: usize,
        step: usize,
        store: &Store,
        now: SimTime,
    ) -> Effects<Timer> {
        let r = &mut self.runs[run];
        if r.step != step || r.stopped {
            return Effects::default();
        }
        let timeout = go_duration(r.spec.timeout_ms.unwrap_or_default());
        for (pod, state) in r.pods.iter_mut() {
            if matches!(state, PodState::Evicting | PodState::Deleting) {
                let meta = &store.pods[pod.index()].meta;
                let (name, ns) = (&meta.name, &meta.namespace);
                let line =
                    format!("error when evicting pods/{name:?} -n {ns:?}: global timeout reached: {timeout}");
                *state = PodState::Failed(line);
            }
        }
        self.after_pod(run, store, now, Effects::default())
    }

    /// `kubectl uncordon`, then the next node's drain.
    fn on_uncordon(
        &mut self,
        run: usize,
        step: usize,
        store: &Store,
        now: SimTime,
    ) -> Effects<Timer> {
        let mut fx = Effects::default();
        let r = &mut self.runs[run];
        cordon(store, r.nodes[step], false, now, &mut fx);
        r.step = step + 1;
        let next = self.start_node(run, store, now);
        merge(fx, next)
    }

    /// When no pod of the node is left to evict or wait for: `node/NAME drained`, or the errors and
    /// the end of the chain; then the uncordon or the next node.
    fn after_pod(
        &mut self,
        run: usize,
        store: &Store,
        now: SimTime,
        mut fx: Effects<Timer>,
    ) -> Effects<Timer> {
        let r = &mut self.runs[run];
        let pending = |s: &PodState| matches!(s, PodState::Evicting | PodState::Deleting);
        if r.stopped || r.pods.values().any(pending) {
            return fx;
        }
        let Some(&node) = r.nodes.get(r.step) else {
            return fx;
        };
        let name = &store.nodes[node.index()].meta.name;
        let errors: Vec<&str> = r
            .pods
            .values()
            .filter_map(|s| match s {
                PodState::Failed(line) => Some(line.as_str()),
                _ => None,
            })
            .collect();
        if !errors.is_empty() {
            let line = format!(
                "There are pending pods in node {name:?} when an error occurred: {}",
                errors.join(", ")
            );
            fx.event(node_event(now, name, "DrainFailed", line));
            r.stopped = true;
            return fx;
        }
        fx.event(node_event(
            now,
            name,
            "Drained",
            format!("node/{name} drained"),
        ));
        r.pods.clear();
        let step = r.step;
        match r.spec.uncordon_after_ms {
            Some(after) => fx.timer(now.plus_ms(after), Timer::Uncordon { run, step }),
            None => {
                r.step += 1;
                let next = self.start_node(run, store, now);
                return merge(fx, next);
            }
        }
        fx
    }
}

/// The pods drain deletes (`GetPodsForDeletion`): the node's pods but those a DaemonSet manages
/// (`--ignore-daemonsets`) and mirror pods.
fn pods_for_deletion(store: &Store, node: NodeId) -> impl Iterator<Item = PodId> + '_ {
    store.pods_on_node(node).filter(|p| {
        let pod = &store.pods[p.index()];
        !daemon_set_managed(pod) && !pod.meta.annotations.contains_key(MIRROR_ANNOTATION)
    })
}

/// `daemonSetFilter`: the pod's controller is a DaemonSet.
fn daemon_set_managed(pod: &Pod) -> bool {
    pod.meta.owner.is_some_and(|o| o.kind() == "DaemonSet")
}

/// `kubectl cordon` (`unschedulable`) or `uncordon`: the write, unless the node is so already, and
/// kubectl's line.
pub fn cordon(
    store: &Store,
    node: NodeId,
    unschedulable: bool,
    now: SimTime,
    fx: &mut Effects<Timer>,
) {
    let n = &store.nodes[node.index()];
    let verb = if unschedulable {
        "cordoned"
    } else {
        "uncordoned"
    };
    let (reason, line) = if n.unschedulable == unschedulable {
        ("Unchanged", format!("node/{} already {verb}", n.meta.name))
    } else {
        fx.write(Write::SetNodeUnschedulable {
            node,
            unschedulable,
        });
        let reason = if unschedulable { "Cordon" } else { "Uncordon" };
        (reason, format!("node/{} {verb}", n.meta.name))
    };
    fx.event(node_event(now, &n.meta.name, reason, line));
}

fn node_event(now: SimTime, node: &str, reason: &str, line: String) -> Event {
    Event::new(now, "Node", "", node, reason, line)
}

/// Both effects, in order.
fn merge(mut a: Effects<Timer>, b: Effects<Timer>) -> Effects<Timer> {
    a.writes.extend(b.writes);
    a.events.extend(b.events);
    a.timers.extend(b.timers);
    a
}

/// Go's `time.Duration.String` for whole milliseconds (`5m0s`, `1m30s`, `45s`, `1.5s`).
fn go_duration(ms: u64) -> String {
    let (h, m, s, frac) = (ms / 3_600_000, ms / 60_000 % 60, ms / 1000 % 60, ms % 1000);
    let secs = match frac {
        0 => format!("{s}s"),
        f => format!("{s}.{}s", format!("{f:03}").trim_end_matches('0')),
    };
    match (h, m) {
        (0, 0) => secs,
        (0, m) => format!("{m}m{secs}"),
        (h, m) => format!("{h}h{m}m{secs}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeouts_print_as_go_durations() {
        assert_eq!(go_duration(300_000), "5m0s");
        assert_eq!(go_duration(90_000), "1m30s");
        assert_eq!(go_duration(1_500), "1.5s");
        assert_eq!(go_duration(3_600_000), "1h0m0s");
    }
}

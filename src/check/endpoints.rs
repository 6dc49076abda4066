//! Ready endpoints only for Ready, non-terminating pods, unless the Service publishes not-ready
//! addresses (kk:pkg/controller/endpointslice, staging/src/k8s.io/endpointslice/utils.go
//! `podToEndpoint`: `ready = service.Spec.PublishNotReadyAddresses || (podReady && !terminating)`).

use super::persist::Persisting;
use super::{Checker, Delta, Findings, Invariant};
use crate::api::{PodId, Service, Store, SvcId};
use crate::engine::SimTime;
use crate::sim::WorldView;
use std::collections::{BTreeMap, BTreeSet};

/// Checks every Service's endpoints after every event. The EndpointSlice controller reacts at the
/// instant a pod changes (`endpointUpdatesBatchPeriod` 0), so a wrong endpoint is a violation once
/// it outlasts that instant.
/// Only the endpoints of Services and pods the event changed are judged again.
#[derive(Debug)]
pub struct EndpointsChecker {
    bad: Persisting<(SvcId, PodId)>,
    /// The ready endpoints of every live Service, as last read.
    listed: BTreeMap<SvcId, Vec<PodId>>,
    /// The Services listing each pod as a ready endpoint.
    by_pod: BTreeMap<PodId, BTreeSet<SvcId>>,
    /// The ready endpoints that are wrong now.
    wrong: BTreeSet<(SvcId, PodId)>,
}

impl EndpointsChecker {
    /// Tolerates a wrong endpoint for `lag_ms` (the scenario's faults of the controller) beyond
    /// the instant it appeared in.
    pub fn new(lag_ms: u64) -> Self {
        EndpointsChecker {
            bad: Persisting::after_ms(lag_ms),
            listed: BTreeMap::new(),
            by_pod: BTreeMap::new(),
            wrong: BTreeSet::new(),
        }
    }
}

/// What the rule reads of a ready endpoint's pod.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EndpointPod {
    /// The Service has `publishNotReadyAddresses`.
    pub publish_not_ready: bool,
    pub exists: bool,
    pub terminating: bool,
    pub ready: bool,
}

/// Why an endpoint listed as ready should not be, if it should not.
pub fn wrong_ready_endpoint(p: EndpointPod) -> Option<&'static str> {
    if p.publish_not_ready {
        None
    } else if !p.exists {
        Some("the pod no longer exists")
    } else if p.terminating {
        Some("the pod is terminating")
    } else if !p.ready {
        Some("the pod is not Ready")
    } else {
        None
    }
}

fn facts(store: &Store, svc: &Service, pod: PodId) -> EndpointPod {
    let p = &store.pods[pod.index()];
    EndpointPod {
        publish_not_ready: svc.publish_not_ready,
        exists: p.meta.exists(),
        terminating: p.meta.deletion.is_some(),
        ready: p.ready,
    }
}

impl Checker for EndpointsChecker {
    fn observe(
        &mut self,
        view: &WorldView<'_>,
        delta: &Delta,
        now: SimTime,
        findings: &mut Findings,
    ) {
        let store = view.store;
        let mut judged = 0;
        for svc in delta.services.iter().copied() {
            judged += self.relist(store, svc);
        }
        for pod in delta.pods.iter().copied() {
            let svcs = self.by_pod.get(&pod).into_iter().flatten().copied();
            let svcs: Vec<SvcId> = svcs.collect();
            judged += svcs.len() as u64;
            for svc in svcs {
                self.judge(store, svc, pod);
            }
        }
        findings.judged(Invariant::EndpointsReady, judged);
        for (svc_id, pod) in self.bad.update(self.wrong.iter().copied(), now) {
            let svc = &store.services[svc_id.index()];
            let why = wrong_ready_endpoint(facts(store, svc, pod)).unwrap_or("");
            let p = &store.pods[pod.index()].meta;
            let object = format!("Service {}/{}", svc.meta.namespace, svc.meta.name);
            let detail = format!("pod {} is a ready endpoint although {why}", p.name);
            findings.violate(now, Invariant::EndpointsReady, object, detail);
        }
    }
}

impl EndpointsChecker {
    /// Reads `svc`'s ready endpoints anew and judges each; returns how many it judged.
    fn relist(&mut self, store: &Store, svc: SvcId) -> u64 {
        for pod in self.listed.remove(&svc).unwrap_or_default() {
            self.wrong.remove(&(svc, pod));
            if let Some(s) = self.by_pod.get_mut(&pod) {
                s.remove(&svc);
                if s.is_empty() {
                    self.by_pod.remove(&pod);
                }
            }
        }
        let s = &store.services[svc.index()];
        if !s.meta.exists() {
            return 0;
        }
        let pods: Vec<PodId> = (s.endpoints.iter().filter(|e| e.ready))
            .map(|e| e.pod)
            .collect();
        for pod in pods.iter().copied() {
            self.by_pod.entry(pod).or_default().insert(svc);
            self.judge(store, svc, pod);
        }
        let judged = pods.len() as u64;
        self.listed.insert(svc, pods);
        judged
    }

    fn judge(&mut self, store: &Store, svc: SvcId, pod: PodId) {
        let s = &store.services[svc.index()];
        if wrong_ready_endpoint(facts(store, s, pod)).is_some() {
            self.wrong.insert((svc, pod));
        } else {
            self.wrong.remove(&(svc, pod));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: EndpointPod = EndpointPod {
        publish_not_ready: false,
        exists: true,
        terminating: false,
        ready: true,
    };

    #[test]
    fn a_ready_endpoint_of_a_ready_live_pod_is_right() {
        assert_eq!(wrong_ready_endpoint(GOOD), None);
    }

    #[test]
    fn a_ready_endpoint_of_a_terminating_or_unready_pod_is_wrong() {
        let terminating = EndpointPod {
            terminating: true,
            ..GOOD
        };
        assert_eq!(
            wrong_ready_endpoint(terminating),
            Some("the pod is terminating")
        );
        let unready = EndpointPod {
            ready: false,
            ..GOOD
        };
        assert_eq!(wrong_ready_endpoint(unready), Some("the pod is not Ready"));
        let gone = EndpointPod {
            exists: false,
            ..GOOD
        };
        assert!(wrong_ready_endpoint(gone).is_some());
    }

    #[test]
    fn publish_not_ready_addresses_makes_every_endpoint_ready() {
        let p = EndpointPod {
            publish_not_ready: true,
            terminating: true,
            ready: false,
            ..GOOD
        };
        assert_eq!(wrong_ready_endpoint(p), None);
    }
}

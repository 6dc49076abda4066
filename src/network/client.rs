//! Clients: requests sent to a Service through the programmed rules, answered (or not) by real processes.
//!
//! A connection to a Service with no usable endpoint is refused (kube-proxy's REJECT rule); to a pod whose
//! program is not listening, refused (RST); to a listening program, it waits until the program serves,
//! or until the client's timeout. Usable endpoints are the ready ones, else the serving-and-terminating
//! ones (kk:pkg/proxy/topology.go `CategorizeEndpoints`, ProxyTerminatingEndpoints).

use super::proxy::Proxy;
use crate::api::{Endpoint, PodId, Runtime, Store, SvcId};
use crate::engine::SimTime;
use crate::metrics::{Outcome, RequestRecord};
use crate::scenario::{AppSpec, ClientSpec, Dist};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

/// A client timer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientTimer {
    /// Send the next request of client `0`.
    Send(usize),
    /// A waiting request is due to be answered by `pod`'s run `run`.
    Answer { client: usize, sent: SimTime, pod: PodId, run: u32 },
}

/// How a request sent now resolves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolution {
    /// Settled now: refused or (the answer is known to be too late) a timeout at `at`.
    Done(RequestRecord, SimTime),
    /// Waits for the program: check at `at` that the same run still answers.
    Wait(SimTime, PodId, u32),
}

/// The clients of a scenario and the Services they target.
pub struct Clients {
    pub specs: Vec<ClientSpec>,
    pub services: Vec<SvcId>,
}

impl Clients {
    /// Resolves a request from `client` sent at `now`.
    pub fn send(&self, client: usize, store: &Store, proxy: &Proxy, runtime: &Runtime, apps: &[AppSpec], rng: &mut ChaCha8Rng, now: SimTime) -> Resolution {
        let spec = &self.specs[client];
        let record = |outcome, latency_ms, pod: Option<String>| RequestRecord { time: now, service: spec.service.clone(), outcome, latency_ms, pod };
        let usable = usable(proxy.endpoints(self.services[client]));
        if usable.is_empty() {
            return Resolution::Done(record(Outcome::Refused, 0, None), now);
        }
        let ep = usable[rng.random_range(0..usable.len())];
        let name = store.pods[ep.pod.index()].meta.name.clone();
        match runtime.process(ep.pod).filter(|p| p.accepts(now)) {
            None => Resolution::Done(record(Outcome::Refused, 0, Some(name)), now),
            Some(p) => {
                let latency = app_latency(store, ep.pod, apps).sample(rng);
                let answer = p.serve_at.max(now).plus_ms(latency);
                if answer.since_ms(now) > spec.timeout_ms {
                    let at = now.plus_ms(spec.timeout_ms);
                    return Resolution::Done(record(Outcome::Timeout, spec.timeout_ms, Some(name)), at);
                }
                Resolution::Wait(answer, ep.pod, p.run)
            }
        }
    }

    /// The answer is due: it arrives if the same run of the program is still alive and listening,
    /// else the connection was reset (counted as refused).
    pub fn answer(&self, client: usize, sent: SimTime, pod: PodId, run: u32, store: &Store, runtime: &Runtime, now: SimTime) -> RequestRecord {
        let spec = &self.specs[client];
        let alive = runtime.process(pod).is_some_and(|p| p.run == run && p.died.is_none() && !p.closed);
        let outcome = if alive { Outcome::Ok } else { Outcome::Refused };
        RequestRecord { time: sent, service: spec.service.clone(), outcome, latency_ms: now.since_ms(sent), pod: Some(store.pods[pod.index()].meta.name.clone()) }
    }

    /// When client `client` sends next, after a request sent at `sent` settled at `settled`.
    pub fn next_send(&self, client: usize, sent: SimTime, settled: SimTime) -> SimTime {
        let spec = &self.specs[client];
        if spec.closed_loop {
            settled.plus_ms(spec.every_ms)
        } else {
            sent.plus_ms(spec.every_ms)
        }
    }
}

/// Ready endpoints, or if there are none the serving and terminating ones.
fn usable(endpoints: &[Endpoint]) -> Vec<&Endpoint> {
    let ready: Vec<&Endpoint> = endpoints.iter().filter(|e| e.ready).collect();
    if !ready.is_empty() {
        return ready;
    }
    endpoints.iter().filter(|e| e.serving && e.terminating).collect()
}

fn app_latency(store: &Store, pod: PodId, apps: &[AppSpec]) -> Dist {
    let labels = &store.pods[pod.index()].meta.labels;
    apps.iter().find(|a| crate::api::selector_matches(&a.match_labels, labels)).map_or(Dist::Const(5), |a| a.latency.clone())
}

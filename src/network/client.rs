//! Clients: requests sent to a Service through the programmed rules, answered (or not) by real processes.
//!
//! A connection to a Service with no usable endpoint meets kube-proxy's REJECT rule: an in-cluster client
//! gets the ICMP port-unreachable and is refused; through a cloud load balancer (type LoadBalancer), which
//! forwards to the nodes' NodePorts with its own address, the ICMP error never reaches the client, so its
//! SYN goes unanswered and TCP retransmits it (after 1, 2, 4, ... s: Linux `TCP_TIMEOUT_INIT`, doubling,
//! `tcp_syn_retries` 6). A connection to a pod whose program is not listening is reset (refused); to a
//! listening program, it waits until the program serves, or until the client's timeout. A headless
//! Service is reached through DNS instead: its ready endpoints, with no kube-proxy in between. Usable endpoints are the ready ones, else the serving-and-terminating
//! ones (kk:pkg/proxy/topology.go `CategorizeEndpoints`, ProxyTerminatingEndpoints).

use super::proxy::Proxy;
use crate::api::{Endpoint, PodId, Runtime, ServiceType, Store, SvcId};
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
    /// A waiting request is due to be answered.
    Answer(Waiting),
    /// TCP retransmits the SYN of a request sent at `sent` (attempt 1 is the first retransmission).
    Syn {
        client: usize,
        sent: SimTime,
        attempt: u32,
    },
}

/// A request connected to run `run` of `pod`'s program, waiting for its answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Waiting {
    pub client: usize,
    pub sent: SimTime,
    pub pod: PodId,
    pub run: u32,
}

/// SYN retransmissions before the connect fails (Linux `net.ipv4.tcp_syn_retries`).
pub const TCP_SYN_RETRIES: u32 = 6;
/// The first SYN retransmission timeout (Linux `TCP_TIMEOUT_INIT`), doubled after each.
pub const TCP_TIMEOUT_INIT_MS: u64 = 1_000;

/// When the SYN of a connect started at `sent` is sent for the `attempt`-th time after the first:
/// 1, 3, 7, 15, ... s after it.
pub fn syn_time(sent: SimTime, attempt: u32) -> SimTime {
    sent.plus_ms(TCP_TIMEOUT_INIT_MS * ((1u64 << attempt) - 1))
}

/// How a request sent now resolves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolution {
    /// Settled now: refused or (the answer is known to be too late) a timeout at `at`.
    Done(RequestRecord, SimTime),
    /// Waits for the program: check at `at` that the same run still answers.
    Wait(SimTime, PodId, u32),
    /// The SYN was dropped: retransmit it at `at` (attempt number given).
    Retransmit(SimTime, u32),
}

/// The clients of a scenario and the Services they target.
pub struct Clients {
    pub specs: Vec<ClientSpec>,
    pub services: Vec<SvcId>,
}

impl Clients {
    /// Resolves the `attempt`-th SYN (0: the first) of a request from `client` sent at `sent`, now.
    #[allow(clippy::too_many_arguments)]
    pub fn send(
        &self,
        client: usize,
        sent: SimTime,
        attempt: u32,
        store: &Store,
        proxy: &Proxy,
        runtime: &Runtime,
        apps: &[AppSpec],
        rng: &mut ChaCha8Rng,
        now: SimTime,
    ) -> Resolution {
        let spec = &self.specs[client];
        let elapsed = now.since_ms(sent);
        let record = |outcome, latency_ms, pod: Option<String>| RequestRecord {
            time: sent,
            service: spec.service.clone(),
            outcome,
            latency_ms,
            pod,
        };
        let svc = self.services[client];
        // A headless Service has no rules: clients resolve its DNS name to the ready endpoints' IPs
        // (CoreDNS serves them from the EndpointSlices it watches) and connect to a pod directly.
        let service = &store.services[svc.index()];
        let endpoints = if service.headless {
            &service.endpoints[..]
        } else {
            proxy.endpoints(svc)
        };
        let usable = if service.headless {
            endpoints.iter().filter(|e| e.ready).collect()
        } else {
            usable(endpoints)
        };
        if usable.is_empty() {
            return self.no_endpoint(
                client,
                sent,
                attempt,
                store.services[svc.index()].kind,
                elapsed,
            );
        }
        let ep = usable[rng.random_range(0..usable.len())];
        let name = store.pods[ep.pod.index()].meta.name.clone();
        match runtime.process(ep.pod).filter(|p| p.accepts(now)) {
            None => Resolution::Done(record(Outcome::Refused, elapsed, Some(name)), now),
            Some(p) => {
                let latency = app_latency(store, ep.pod, apps).sample(rng);
                let answer = p.serve_at.max(now).plus_ms(latency);
                if answer.since_ms(sent) > spec.timeout_ms {
                    let at = sent.plus_ms(spec.timeout_ms);
                    return Resolution::Done(
                        record(Outcome::Timeout, spec.timeout_ms, Some(name)),
                        at,
                    );
                }
                Resolution::Wait(answer, ep.pod, p.run())
            }
        }
    }

    /// No endpoint: refused in the cluster; through a load balancer the SYN is lost and retransmitted,
    /// until the retries or the client's timeout run out.
    fn no_endpoint(
        &self,
        client: usize,
        sent: SimTime,
        attempt: u32,
        kind: ServiceType,
        elapsed: u64,
    ) -> Resolution {
        let spec = &self.specs[client];
        let record = |outcome, latency_ms| RequestRecord {
            time: sent,
            service: spec.service.clone(),
            outcome,
            latency_ms,
            pod: None,
        };
        if kind != ServiceType::LoadBalancer {
            return Resolution::Done(record(Outcome::Refused, elapsed), sent.plus_ms(elapsed));
        }
        let next = syn_time(sent, attempt + 1);
        if attempt >= TCP_SYN_RETRIES || next.since_ms(sent) >= spec.timeout_ms {
            let give_up = spec
                .timeout_ms
                .min(syn_time(sent, TCP_SYN_RETRIES + 1).since_ms(sent));
            return Resolution::Done(record(Outcome::Timeout, give_up), sent.plus_ms(give_up));
        }
        Resolution::Retransmit(next, attempt + 1)
    }

    /// The answer is due: it arrives if the same run of the program is still alive and listening,
    /// else the connection was reset (counted as refused).
    pub fn answer(
        &self,
        w: Waiting,
        store: &Store,
        runtime: &Runtime,
        now: SimTime,
    ) -> RequestRecord {
        let Waiting {
            client,
            sent,
            pod,
            run,
        } = w;
        let spec = &self.specs[client];
        let alive = runtime
            .process(pod)
            .is_some_and(|p| p.run() == run && p.died.is_none() && !p.closed);
        let outcome = if alive { Outcome::Ok } else { Outcome::Refused };
        RequestRecord {
            time: sent,
            service: spec.service.clone(),
            outcome,
            latency_ms: now.since_ms(sent),
            pod: Some(store.pods[pod.index()].meta.name.clone()),
        }
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
    endpoints
        .iter()
        .filter(|e| e.serving && e.terminating)
        .collect()
}

/// The per-request latency of the program in `pod`'s (first) container, as its `apps` entry says.
fn app_latency(store: &Store, pod: PodId, apps: &[AppSpec]) -> Dist {
    let p = &store.pods[pod.index()];
    let image = p.spec.containers.first().map_or("", |c| c.image.as_str());
    crate::scenario::app_for(apps, &p.meta.labels, image)
        .map_or(Dist::Const(5), |a| a.latency.clone())
}

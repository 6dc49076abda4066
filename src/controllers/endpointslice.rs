//! The EndpointSlice controller (kk:pkg/controller/endpointslice): a Service's endpoints from its pods.

use crate::api::{Effects, Endpoint, PodId, PodPhase, Store, SvcId, Write};
use crate::engine::SimTime;

/// The EndpointSlice controller has no timers (`endpointUpdatesBatchPeriod` defaults to 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NoTimer;

/// `syncService`: one endpoint per selected pod that has an IP and is not terminal
/// (kk:staging/src/k8s.io/endpointslice/utils.go `podToEndpoint`, util `ShouldPodBeInEndpoints`).
/// The pods come from the store's label index, in id order, as the pod lister's selector lookup.
pub fn sync(store: &Store, id: SvcId, now: SimTime) -> Effects<NoTimer> {
    sync_with(store, id, now, false)
}

/// [`sync`]; `ignore_deletion` switches on the mutant of kubernetes/kubernetes#54723 (testing the
/// checker only): a terminating pod is listed as if it were not being deleted.
pub fn sync_with(
    store: &Store,
    id: SvcId,
    _now: SimTime,
    ignore_deletion: bool,
) -> Effects<NoTimer> {
    let mut fx = Effects::default();
    let svc = &store.services[id.index()];
    let Some(selector) = svc.selector.as_ref().filter(|_| svc.meta.exists()) else {
        return fx;
    };
    let endpoints: Vec<Endpoint> = store
        .pods_maybe_labelled(&svc.meta.namespace, selector)
        .into_iter()
        .map(|p| (p, &store.pods[p.index()]))
        .filter(|(_, p)| p.meta.namespace == svc.meta.namespace)
        .filter(|(_, p)| crate::api::selector_matches(selector, &p.meta.labels))
        .filter(|(_, p)| !matches!(p.phase, PodPhase::Succeeded | PodPhase::Failed))
        .filter_map(|(id, p)| endpoint(id, p, svc.publish_not_ready, ignore_deletion))
        .collect();
    if endpoints != svc.endpoints {
        fx.write(Write::SetEndpoints {
            service: id,
            endpoints,
        });
    }
    fx
}

fn endpoint(
    id: PodId,
    pod: &crate::api::Pod,
    publish_not_ready: bool,
    ignore_deletion: bool,
) -> Option<Endpoint> {
    let ip = pod.ip?;
    let serving = pod.ready;
    let terminating = pod.meta.deletion.is_some() && !ignore_deletion;
    Some(Endpoint {
        pod: id,
        ip,
        node: pod.node,
        ready: publish_not_ready || (serving && !terminating),
        serving,
        terminating,
    })
}

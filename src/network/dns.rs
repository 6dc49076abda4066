//! Cluster DNS for StatefulSet pods: `<hostname>.<subdomain>.<namespace>.svc.cluster.local` records of headless Services.
//
// The EndpointSlice controller copies a pod's `spec.hostname` into its endpoint when the pod's
// `spec.subdomain` names the Service (kk:staging/src/k8s.io/endpointslice/utils.go `podToEndpoint`),
// and CoreDNS's kubernetes plugin serves an A record for each such endpoint of a headless Service
// (ready ones, or all with publishNotReadyAddresses). The name stays while pods come and go; the
// address is the IP of whichever incarnation holds it.

use crate::api::{selector_matches, Pod, Store};

/// The cluster domain (kubelet `--cluster-domain`, `cluster.local` by convention).
pub const CLUSTER_DOMAIN: &str = "cluster.local";

/// The pod's DNS name: its hostname under the headless Service its subdomain names, when that
/// Service exists in the pod's namespace and selects the pod; None otherwise.
pub fn pod_dns_name(store: &Store, pod: &Pod) -> Option<String> {
    let hostname = pod.spec.hostname.as_deref().filter(|h| !h.is_empty())?;
    let subdomain = pod.spec.subdomain.as_deref().filter(|s| !s.is_empty())?;
    let ns = &pod.meta.namespace;
    let mut in_namespace = store.services_in(ns).map(|s| &store.services[s.index()]);
    let governs = in_namespace.any(|s| {
        s.meta.exists()
            && s.headless
            && s.meta.name == subdomain
            && &s.meta.namespace == ns
            && s.selector
                .as_ref()
                .is_some_and(|sel| selector_matches(sel, &pod.meta.labels))
    });
    governs.then(|| format!("{hostname}.{subdomain}.{ns}.svc.{CLUSTER_DOMAIN}"))
}

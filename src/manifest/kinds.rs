//! The kinds kubesim simulates, the apiVersion serving each, and the apiVersions Kubernetes removed.

/// A kind kubesim simulates.
#[derive(Debug)]
pub(crate) struct Kind {
    pub kind: &'static str,
    pub api_version: &'static str,
    pub namespaced: bool,
}

const fn kind(kind: &'static str, api_version: &'static str, namespaced: bool) -> Kind {
    Kind {
        kind,
        api_version,
        namespaced,
    }
}

/// Every kind of `Object`, with the apiVersion Kubernetes 1.32 serves it in.
pub(crate) const KINDS: &[Kind] = &[
    kind("Deployment", "apps/v1", true),
    kind("ReplicaSet", "apps/v1", true),
    kind("StatefulSet", "apps/v1", true),
    kind("DaemonSet", "apps/v1", true),
    kind("Job", "batch/v1", true),
    kind("Pod", "v1", true),
    kind("Service", "v1", true),
    kind("PersistentVolumeClaim", "v1", true),
    kind("PersistentVolume", "v1", false),
    kind("StorageClass", "storage.k8s.io/v1", false),
    kind("Node", "v1", false),
    kind("ConfigMap", "v1", true),
    kind("Secret", "v1", true),
    kind("PodDisruptionBudget", "policy/v1", true),
];

/// An apiVersion that no longer serves some kinds.
#[derive(Debug)]
pub(crate) struct Removed {
    pub api_version: &'static str,
    pub kinds: &'static [&'static str],
    pub replacement: &'static str,
    pub removed_in: &'static str,
}

const APPS_WORKLOADS: &[&str] = &["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet"];

/// From https://kubernetes.io/docs/reference/using-api/deprecation-guide/.
const REMOVED: &[Removed] = &[
    removed("apps/v1beta1", APPS_WORKLOADS, "apps/v1", "1.16"),
    removed("apps/v1beta2", APPS_WORKLOADS, "apps/v1", "1.16"),
    removed(
        "extensions/v1beta1",
        &["Deployment", "DaemonSet", "ReplicaSet"],
        "apps/v1",
        "1.16",
    ),
    removed(
        "extensions/v1beta1",
        &["NetworkPolicy"],
        "networking.k8s.io/v1",
        "1.16",
    ),
    removed(
        "extensions/v1beta1",
        &["Ingress"],
        "networking.k8s.io/v1",
        "1.22",
    ),
    removed(
        "networking.k8s.io/v1beta1",
        &["Ingress", "IngressClass"],
        "networking.k8s.io/v1",
        "1.22",
    ),
    removed(
        "storage.k8s.io/v1beta1",
        &["StorageClass", "CSIDriver", "CSINode", "VolumeAttachment"],
        "storage.k8s.io/v1",
        "1.22",
    ),
    removed(
        "scheduling.k8s.io/v1beta1",
        &["PriorityClass"],
        "scheduling.k8s.io/v1",
        "1.22",
    ),
    removed(
        "policy/v1beta1",
        &["PodDisruptionBudget"],
        "policy/v1",
        "1.25",
    ),
    removed("batch/v1beta1", &["CronJob"], "batch/v1", "1.25"),
    removed(
        "discovery.k8s.io/v1beta1",
        &["EndpointSlice"],
        "discovery.k8s.io/v1",
        "1.25",
    ),
    removed(
        "autoscaling/v2beta1",
        &["HorizontalPodAutoscaler"],
        "autoscaling/v2",
        "1.25",
    ),
    removed(
        "autoscaling/v2beta2",
        &["HorizontalPodAutoscaler"],
        "autoscaling/v2",
        "1.26",
    ),
];

const fn removed(
    api_version: &'static str,
    kinds: &'static [&'static str],
    replacement: &'static str,
    removed_in: &'static str,
) -> Removed {
    Removed {
        api_version,
        kinds,
        replacement,
        removed_in,
    }
}

/// Why an (apiVersion, kind) pair is not served.
#[derive(Debug)]
pub(crate) enum Unresolved {
    /// Kubernetes removed it; the replacement is named.
    Removed(&'static Removed),
    /// Not a kind kubesim simulates in that version; the hint says what is.
    Unknown(String),
}

/// The kind served at (api_version, kind), or why there is none.
pub(crate) fn resolve(api_version: &str, kind: &str) -> Result<&'static Kind, Unresolved> {
    if let Some(k) = KINDS
        .iter()
        .find(|k| k.kind == kind && k.api_version == api_version)
    {
        return Ok(k);
    }
    let gone = REMOVED
        .iter()
        .find(|r| r.api_version == api_version && r.kinds.contains(&kind));
    if let Some(r) = gone {
        return Err(Unresolved::Removed(r));
    }
    Err(Unresolved::Unknown(unknown_hint(kind)))
}

fn unknown_hint(kind: &str) -> String {
    if let Some(k) = KINDS.iter().find(|k| k.kind == kind) {
        return format!("{kind} is served as apiVersion: {}", k.api_version);
    }
    let known: Vec<String> = KINDS
        .iter()
        .map(|k| format!("{} ({})", k.kind, k.api_version))
        .collect();
    format!(
        "kubesim does not simulate kind \"{kind}\"; it knows {}",
        known.join(", ")
    )
}

/// Whether objects of `kind` live in a namespace.
pub(crate) fn is_namespaced(kind: &str) -> bool {
    KINDS.iter().any(|k| k.kind == kind && k.namespaced)
}

/// How kubectl names an object: `Deployment.apps "web"`, `Service "web"`.
pub(crate) fn describe(kind: &str, api_version: &str, name: &str) -> String {
    match api_version.split_once('/') {
        Some((group, _)) => format!("{kind}.{group} {name:?}"),
        None => format!("{kind} {name:?}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn removed_versions_name_their_replacement() {
        let Err(Unresolved::Removed(r)) = resolve("policy/v1beta1", "PodDisruptionBudget") else {
            panic!("policy/v1beta1 should be removed");
        };
        assert_eq!((r.replacement, r.removed_in), ("policy/v1", "1.25"));
        let Err(Unresolved::Removed(r)) = resolve("extensions/v1beta1", "Ingress") else {
            panic!("extensions/v1beta1 Ingress should be removed");
        };
        assert_eq!(r.replacement, "networking.k8s.io/v1");
    }

    #[test]
    fn a_known_kind_in_an_unknown_version_names_the_served_version() {
        let Err(Unresolved::Unknown(hint)) = resolve("apps/v2", "Deployment") else {
            panic!("apps/v2 is not served");
        };
        assert_eq!(hint, "Deployment is served as apiVersion: apps/v1");
    }

    #[test]
    fn objects_are_described_with_their_group() {
        assert_eq!(
            describe("Deployment", "apps/v1", "mariadb"),
            "Deployment.apps \"mariadb\""
        );
        assert_eq!(describe("Service", "v1", "mariadb"), "Service \"mariadb\"");
    }
}

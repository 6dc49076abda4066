//! Pod defaults: the pod spec, its containers, ports and probes (kk:pkg/apis/core/v1/defaults.go).

use super::defaults::{set_if_none, set_if_zero, set_str};
use k8s_openapi::api::core::v1::{Container, Pod, PodSpec, PodTemplateSpec, Probe};

/// A bare Pod: kk:pkg/apis/core/v1/defaults.go `SetDefaults_Pod` (requests default to limits,
/// enableServiceLinks true), then the spec's defaults. Controllers should run this on the pods they
/// create from a template, as the API server does when those pods are created.
pub fn pod(p: &mut Pod) {
    let Some(spec) = p.spec.as_mut() else { return };
    for c in all_containers(spec) {
        requests_from_limits(c);
    }
    set_if_none(&mut spec.enable_service_links, true);
    pod_spec(spec);
}

/// A workload's pod template: `SetDefaults_PodSpec` and the container defaults (but not
/// `SetDefaults_Pod`, which applies to pods, not templates).
pub fn pod_template(t: &mut PodTemplateSpec) {
    if let Some(spec) = t.spec.as_mut() {
        pod_spec(spec);
    }
}

/// kk:pkg/apis/core/v1/defaults.go `SetDefaults_PodSpec` and, for each container,
/// `SetDefaults_Container`, `SetDefaults_ContainerPort`, `SetDefaults_Probe`.
pub(crate) fn pod_spec(spec: &mut PodSpec) {
    set_str(&mut spec.dns_policy, "ClusterFirst");
    set_str(&mut spec.restart_policy, "Always");
    set_if_none(&mut spec.security_context, Default::default());
    // v1.DefaultTerminationGracePeriodSeconds
    set_if_none(&mut spec.termination_grace_period_seconds, 30);
    set_str(&mut spec.scheduler_name, "default-scheduler");
    let host_network = spec.host_network == Some(true);
    for c in all_containers(spec) {
        container(c, host_network);
    }
}

fn all_containers(spec: &mut PodSpec) -> impl Iterator<Item = &mut Container> {
    spec.containers
        .iter_mut()
        .chain(spec.init_containers.iter_mut().flatten())
}

/// `SetDefaults_Container`, `SetDefaults_ContainerPort` (and `defaultHostNetworkPorts`), probes.
fn container(c: &mut Container, host_network: bool) {
    if c.image_pull_policy
        .as_deref()
        .unwrap_or_default()
        .is_empty()
    {
        let latest = image_tag_is_latest(c.image.as_deref().unwrap_or_default());
        c.image_pull_policy = Some(if latest { "Always" } else { "IfNotPresent" }.into());
    }
    set_str(&mut c.termination_message_path, "/dev/termination-log");
    set_str(&mut c.termination_message_policy, "File");
    for port in c.ports.iter_mut().flatten() {
        set_str(&mut port.protocol, "TCP");
        if host_network {
            set_if_zero(&mut port.host_port, port.container_port);
        }
    }
    let probes = [
        &mut c.liveness_probe,
        &mut c.readiness_probe,
        &mut c.startup_probe,
    ];
    probes.into_iter().flatten().for_each(probe);
}

/// `SetDefaults_Probe` (these are plain ints in Go, so 0 means unset) and `SetDefaults_HTTPGetAction`.
fn probe(p: &mut Probe) {
    set_if_zero(&mut p.timeout_seconds, 1);
    set_if_zero(&mut p.period_seconds, 10);
    set_if_zero(&mut p.success_threshold, 1);
    set_if_zero(&mut p.failure_threshold, 3);
    if let Some(http) = p.http_get.as_mut() {
        set_str(&mut http.path, "/");
        set_str(&mut http.scheme, "HTTP");
    }
}

/// kk:pkg/util/parsers/parsers.go `ParseImageName`: the tag is `latest` when written so, or when
/// the image has neither a tag nor a digest. An unparseable (empty) image has no tag.
pub(crate) fn image_tag_is_latest(image: &str) -> bool {
    if image.is_empty() {
        return false;
    }
    let (name, digest) = match image.split_once('@') {
        Some((name, _)) => (name, true),
        None => (image, false),
    };
    let last = name.rsplit('/').next().unwrap_or(name);
    match last.rsplit_once(':') {
        Some((_, tag)) => tag == "latest",
        None => !digest,
    }
}

/// `SetDefaults_Pod`: a resource with a limit but no request is requested at its limit.
fn requests_from_limits(c: &mut Container) {
    let Some(resources) = c.resources.as_mut() else {
        return;
    };
    let Some(limits) = resources.limits.as_ref() else {
        return;
    };
    let requests = resources.requests.get_or_insert_with(Default::default);
    for (name, value) in limits {
        requests
            .entry(name.clone())
            .or_insert_with(|| value.clone());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn images_without_a_tag_or_tagged_latest_are_always_pulled() {
        assert!(image_tag_is_latest("centos/mariadb"));
        assert!(image_tag_is_latest("nginx:latest"));
        assert!(image_tag_is_latest("localhost:5000/app"));
        assert!(!image_tag_is_latest("gcr.io/google_samples/k8szk:v1"));
        assert!(!image_tag_is_latest("localhost:5000/app:1.2"));
        assert!(!image_tag_is_latest("nginx@sha256:abcd"));
        assert!(image_tag_is_latest("nginx:latest@sha256:abcd"));
    }

    #[test]
    fn a_probe_given_zero_thresholds_gets_the_defaults_as_go_does() {
        let mut p = Probe {
            timeout_seconds: Some(0),
            period_seconds: Some(5),
            ..Default::default()
        };
        probe(&mut p);
        assert_eq!(
            (
                p.timeout_seconds,
                p.period_seconds,
                p.success_threshold,
                p.failure_threshold
            ),
            (Some(1), Some(5), Some(1), Some(3))
        );
        assert_eq!(p.initial_delay_seconds, None);
    }

    #[test]
    fn a_bare_pod_requests_what_it_limits() {
        let text = "spec:\n  containers:\n  - name: c\n    image: x:1\n    resources:\n      limits: {cpu: 500m, memory: 1Gi}\n      requests: {cpu: 100m}\n";
        let mut p: Pod = serde_yaml_ng::from_str(text).unwrap();
        pod(&mut p);
        let spec = p.spec.unwrap();
        let requests = spec.containers[0]
            .resources
            .as_ref()
            .unwrap()
            .requests
            .clone()
            .unwrap();
        assert_eq!(requests["cpu"].0, "100m");
        assert_eq!(requests["memory"].0, "1Gi");
        assert_eq!(spec.enable_service_links, Some(true));
    }
}

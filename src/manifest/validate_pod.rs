//! Validation of a pod spec: containers, images, ports, resources, probes and volumes.
//!
//! After kk:pkg/apis/core/validation/validation.go `ValidatePodSpec` and the functions it calls.

use super::error::{quote, FieldError};
use super::names;
use super::quantity::parse_milli_wide;
use super::validate::{invalid_all, nonnegative, one_of, port_number, quantity_detail};
use k8s_openapi::api::core::v1::{Container, PodSpec, Probe, ResourceRequirements};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use std::collections::{BTreeMap, BTreeSet};

/// Validates `spec` at `path` (e.g. `spec.template.spec`); `claim_volumes` are volume names a
/// StatefulSet's volumeClaimTemplates provide.
pub(crate) fn pod_spec(spec: &PodSpec, path: &str, claims: &[String], errs: &mut Vec<FieldError>) {
    let mut volumes = volumes(spec, path, errs);
    volumes.extend(claims.iter().cloned());
    if spec.containers.is_empty() {
        errs.push(FieldError::required(format!("{path}.containers"), ""));
    }
    containers(spec, path, &volumes, errs);
    let restart = (
        spec.restart_policy.as_deref(),
        format!("{path}.restartPolicy"),
    );
    one_of(
        restart.0,
        &["Always", "OnFailure", "Never"],
        &restart.1,
        errs,
    );
    let dns = (spec.dns_policy.as_deref(), format!("{path}.dnsPolicy"));
    let policies = ["ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"];
    one_of(dns.0, &policies, &dns.1, errs);
    let grace = format!("{path}.terminationGracePeriodSeconds");
    nonnegative(spec.termination_grace_period_seconds, &grace, errs);
}

/// Init containers then containers, with names unique across both.
fn containers(spec: &PodSpec, path: &str, volumes: &BTreeSet<String>, errs: &mut Vec<FieldError>) {
    let inits = spec
        .init_containers
        .iter()
        .flatten()
        .map(|c| ("initContainers", c));
    let regular = spec.containers.iter().map(|c| ("containers", c));
    let mut index = BTreeMap::new();
    let mut seen = BTreeSet::new();
    for (field, c) in inits.chain(regular) {
        let i = index.entry(field).or_insert(0usize);
        let at = format!("{path}.{field}[{i}]");
        *i += 1;
        container(c, &at, volumes, errs);
        if !c.name.is_empty() && !seen.insert(c.name.as_str()) {
            errs.push(FieldError::duplicate(format!("{at}.name"), &c.name));
        }
    }
}

/// `ValidateVolumes`: names are DNS labels and unique. Returns the names.
fn volumes(spec: &PodSpec, path: &str, errs: &mut Vec<FieldError>) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    for (i, v) in spec.volumes.iter().flatten().enumerate() {
        let at = format!("{path}.volumes[{i}].name");
        if v.name.is_empty() {
            errs.push(FieldError::required(at, ""));
            continue;
        }
        invalid_all(&at, &v.name, names::dns1123_label(&v.name), errs);
        if !names.insert(v.name.clone()) {
            errs.push(FieldError::duplicate(at, &v.name));
        }
    }
    names
}

/// One container at `path` (e.g. `spec.containers[0]`).
fn container(c: &Container, path: &str, volumes: &BTreeSet<String>, errs: &mut Vec<FieldError>) {
    let name = format!("{path}.name");
    if c.name.is_empty() {
        errs.push(FieldError::required(name, ""));
    } else {
        invalid_all(&name, &c.name, names::dns1123_label(&c.name), errs);
    }
    if c.image.as_deref().is_none_or(|i| i.trim().is_empty()) {
        errs.push(FieldError::required(format!("{path}.image"), ""));
    }
    let pull = format!("{path}.imagePullPolicy");
    let policies = ["Always", "IfNotPresent", "Never"];
    one_of(c.image_pull_policy.as_deref(), &policies, &pull, errs);
    ports(c, path, errs);
    if let Some(r) = c.resources.as_ref() {
        resources(r, &format!("{path}.resources"), errs);
    }
    probes(c, path, errs);
    mounts(c, path, volumes, errs);
}

/// Liveness and startup probes must succeed once; readiness probes may ask for more.
fn probes(c: &Container, path: &str, errs: &mut Vec<FieldError>) {
    let all = [
        ("livenessProbe", &c.liveness_probe, true),
        ("readinessProbe", &c.readiness_probe, false),
        ("startupProbe", &c.startup_probe, true),
    ];
    for (field, p, succeed_once) in all {
        if let Some(p) = p {
            probe(p, &format!("{path}.{field}"), succeed_once, errs);
        }
    }
}

/// Each volume mount names a volume of the pod and a mount path.
fn mounts(c: &Container, path: &str, volumes: &BTreeSet<String>, errs: &mut Vec<FieldError>) {
    for (i, m) in c.volume_mounts.iter().flatten().enumerate() {
        let at = format!("{path}.volumeMounts[{i}]");
        if !volumes.contains(&m.name) {
            errs.push(FieldError::not_found(format!("{at}.name"), &m.name));
        }
        if m.mount_path.is_empty() {
            errs.push(FieldError::required(format!("{at}.mountPath"), ""));
        }
    }
}

/// `validateContainerPorts`.
fn ports(c: &Container, path: &str, errs: &mut Vec<FieldError>) {
    for (i, p) in c.ports.iter().flatten().enumerate() {
        let at = format!("{path}.ports[{i}]");
        port_number(p.container_port, &format!("{at}.containerPort"), errs);
        if let Some(host) = p.host_port.filter(|h| *h != 0) {
            port_number(host, &format!("{at}.hostPort"), errs);
        }
        if let Some(name) = p.name.as_deref().filter(|n| !n.is_empty()) {
            invalid_all(&format!("{at}.name"), name, names::port_name(name), errs);
        }
        let protocol = format!("{at}.protocol");
        one_of(
            p.protocol.as_deref(),
            &["SCTP", "TCP", "UDP"],
            &protocol,
            errs,
        );
    }
}

/// `ValidateResourceRequirements`: every quantity parses, and no request exceeds its limit.
fn resources(r: &ResourceRequirements, path: &str, errs: &mut Vec<FieldError>) {
    let lists = [("limits", &r.limits), ("requests", &r.requests)];
    for (field, list) in lists {
        for (name, q) in list.iter().flatten() {
            if let Err(e) = parse_milli_wide(q) {
                let at = format!("{path}.{field}[{name}]");
                errs.push(FieldError::invalid(at, quote(&q.0), quantity_detail(&e)));
            }
        }
    }
    if let (Some(requests), Some(limits)) = (&r.requests, &r.limits) {
        requests_within_limits(requests, limits, path, errs);
    }
}

fn requests_within_limits(
    requests: &BTreeMap<String, Quantity>,
    limits: &BTreeMap<String, Quantity>,
    path: &str,
    errs: &mut Vec<FieldError>,
) {
    for (name, request) in requests {
        let Some(limit) = limits.get(name) else {
            continue;
        };
        let (Ok(req), Ok(lim)) = (parse_milli_wide(request), parse_milli_wide(limit)) else {
            continue;
        };
        if req > lim {
            let msg = format!("must be less than or equal to {name} limit of {}", limit.0);
            let at = format!("{path}.requests[{name}]");
            errs.push(FieldError::invalid(at, quote(&request.0), &msg));
        }
    }
}

/// `validateProbe`: one handler, non-negative timings; liveness and startup probes must succeed once.
fn probe(p: &Probe, path: &str, succeed_once: bool, errs: &mut Vec<FieldError>) {
    let handlers = [
        p.exec.is_some(),
        p.http_get.is_some(),
        p.tcp_socket.is_some(),
        p.grpc.is_some(),
    ];
    match handlers.iter().filter(|h| **h).count() {
        0 => errs.push(FieldError::required(path, "must specify a handler type")),
        1 => {}
        _ => errs.push(FieldError::forbidden(
            path,
            "may not specify more than 1 handler type",
        )),
    }
    let timings = [
        ("initialDelaySeconds", p.initial_delay_seconds),
        ("timeoutSeconds", p.timeout_seconds),
        ("periodSeconds", p.period_seconds),
        ("successThreshold", p.success_threshold),
        ("failureThreshold", p.failure_threshold),
    ];
    for (field, value) in timings {
        nonnegative(value, &format!("{path}.{field}"), errs);
    }
    if let Some(n) = p.success_threshold.filter(|n| succeed_once && *n != 1) {
        let at = format!("{path}.successThreshold");
        errs.push(FieldError::invalid(at, n, "must be 1"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errors(yaml: &str) -> Vec<String> {
        let mut spec: PodSpec = serde_yaml_ng::from_str(yaml).unwrap();
        super::super::defaults_pod::pod_spec(&mut spec);
        let mut errs = Vec::new();
        pod_spec(&spec, "spec", &[], &mut errs);
        errs.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn a_container_needs_an_image_and_mounts_need_a_volume() {
        let errs =
            errors("containers:\n- name: web\n  volumeMounts: [{name: data, mountPath: /data}]\n");
        assert_eq!(
            errs,
            [
                "spec.containers[0].image: Required value",
                "spec.containers[0].volumeMounts[0].name: Not found: \"data\""
            ]
        );
    }

    #[test]
    fn an_unparseable_quantity_is_reported_with_its_resource_name() {
        let errs = errors(
            "containers:\n- name: web\n  image: nginx\n  resources: {requests: {cpu: lots}}\n",
        );
        assert_eq!(errs.len(), 1);
        assert!(errs[0].starts_with("spec.containers[0].resources.requests[cpu]: Invalid value: \"lots\": quantities must match"), "{errs:?}");
    }

    #[test]
    fn a_request_above_its_limit_is_rejected() {
        let errs = errors("containers:\n- name: web\n  image: nginx\n  resources: {requests: {memory: 2Gi}, limits: {memory: 1Gi}}\n");
        assert_eq!(errs, ["spec.containers[0].resources.requests[memory]: Invalid value: \"2Gi\": must be less than or equal to memory limit of 1Gi"]);
    }

    #[test]
    fn duplicate_container_names_and_bad_ports_are_rejected() {
        let errs = errors("containers:\n- {name: a, image: x, ports: [{containerPort: 70000}]}\n- {name: a, image: y}\n");
        assert_eq!(errs, [
            "spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive",
            "spec.containers[1].name: Duplicate value: \"a\"",
        ]);
    }

    #[test]
    fn a_liveness_probe_must_succeed_once_and_have_a_handler() {
        let errs =
            errors("containers:\n- name: a\n  image: x\n  livenessProbe: {successThreshold: 2}\n");
        assert_eq!(
            errs,
            [
                "spec.containers[0].livenessProbe: Required value: must specify a handler type",
                "spec.containers[0].livenessProbe.successThreshold: Invalid value: 2: must be 1",
            ]
        );
    }
}

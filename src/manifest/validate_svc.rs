//! Validation of Services: type, ports and target ports, headless rules.
//!
//! After kk:pkg/apis/core/validation/validation.go `ValidateService`.

use super::error::{quote, FieldError};
use super::names;
use super::validate::{invalid_all, one_of, port_number};
use k8s_openapi::api::core::v1::{Service, ServicePort};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use std::collections::BTreeSet;

const TYPES: &[&str] = &["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"];

/// `ValidateService`, the parts a simulator relies on.
pub(crate) fn service(s: &Service, errs: &mut Vec<FieldError>) {
    let Some(spec) = s.spec.as_ref() else {
        return errs.push(FieldError::required("spec.ports", ""));
    };
    let ty = spec.type_.as_deref().unwrap_or_default();
    one_of(Some(ty), TYPES, "spec.type", errs);
    let headless = spec.cluster_ip.as_deref() == Some("None");
    let ports = spec.ports.as_deref().unwrap_or_default();
    if ports.is_empty() && !headless && ty != "ExternalName" {
        errs.push(FieldError::required("spec.ports", ""));
    }
    if ty == "ExternalName" && spec.external_name.as_deref().unwrap_or_default().is_empty() {
        errs.push(FieldError::required("spec.externalName", ""));
    }
    if headless && matches!(ty, "LoadBalancer" | "NodePort") {
        let msg = format!("may not be set to 'None' for {ty} services");
        errs.push(FieldError::invalid(
            "spec.clusterIPs[0]",
            quote("None"),
            &msg,
        ));
    }
    let mut seen = BTreeSet::new();
    for (i, port) in ports.iter().enumerate() {
        service_port(port, &format!("spec.ports[{i}]"), ports.len() > 1, errs);
        let name = port.name.as_deref().unwrap_or_default();
        if !name.is_empty() && !seen.insert(name) {
            errs.push(FieldError::duplicate(format!("spec.ports[{i}].name"), name));
        }
    }
    one_of(
        spec.session_affinity.as_deref(),
        &["ClientIP", "None"],
        "spec.sessionAffinity",
        errs,
    );
}

/// `validateServicePort`: names are required when there are several ports.
fn service_port(p: &ServicePort, path: &str, several: bool, errs: &mut Vec<FieldError>) {
    let name = p.name.as_deref().unwrap_or_default();
    if name.is_empty() && several {
        errs.push(FieldError::required(format!("{path}.name"), ""));
    } else if !name.is_empty() {
        invalid_all(
            &format!("{path}.name"),
            name,
            names::dns1123_label(name),
            errs,
        );
    }
    port_number(p.port, &format!("{path}.port"), errs);
    one_of(
        p.protocol.as_deref(),
        &["SCTP", "TCP", "UDP"],
        &format!("{path}.protocol"),
        errs,
    );
    match p.target_port.as_ref() {
        Some(IntOrString::Int(n)) => port_number(*n, &format!("{path}.targetPort"), errs),
        Some(IntOrString::String(s)) => {
            invalid_all(&format!("{path}.targetPort"), s, names::port_name(s), errs)
        }
        None => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errors(yaml: &str) -> Vec<String> {
        let mut s: Service = serde_yaml_ng::from_str(yaml).unwrap();
        super::super::defaults::service(&mut s);
        let mut errs = Vec::new();
        service(&s, &mut errs);
        errs.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn a_headless_service_needs_no_ports_but_a_clusterip_one_does() {
        assert!(errors("spec: {clusterIP: None, selector: {app: zk}}").is_empty());
        assert_eq!(
            errors("spec: {selector: {app: zk}}"),
            ["spec.ports: Required value"]
        );
    }

    #[test]
    fn several_ports_need_distinct_names() {
        let errs =
            errors("spec:\n  ports: [{port: 2888}, {port: 3888, name: a}, {port: 1, name: a}]\n");
        assert_eq!(
            errs,
            [
                "spec.ports[0].name: Required value",
                "spec.ports[2].name: Duplicate value: \"a\""
            ]
        );
    }

    #[test]
    fn a_headless_load_balancer_is_rejected() {
        let errs = errors("spec: {type: LoadBalancer, clusterIP: None, ports: [{port: 80}]}");
        assert_eq!(errs, ["spec.clusterIPs[0]: Invalid value: \"None\": may not be set to 'None' for LoadBalancer services"]);
    }
}

//! Loader tests on the MariaDB manifests of article 001: defaults, and each kind of rejection.

use super::tests_fixtures::*;
use super::*;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

#[test]
fn the_mariadb_manifests_load_in_order_with_document_indices() {
    let loaded = mariadb();
    let seen: Vec<(&str, &str, &str)> = loaded
        .iter()
        .map(|l| (l.source.as_str(), l.object.kind(), l.object.name()))
        .collect();
    assert_eq!(
        seen,
        [
            ("mariadb.yaml#1", "PersistentVolumeClaim", "cbs-pvc1"),
            ("mariadb.yaml#2", "Deployment", "mariadb"),
            ("mariadb.yaml#3", "Service", "mariadb"),
        ]
    );
    assert!(loaded
        .iter()
        .all(|l| l.object.namespace() == Some("default")));
}

#[test]
fn a_single_document_file_has_no_index() {
    let loaded = parse_str(&format!("---\n{CBS_PVC}---\n"), "cbs-pvc.yaml").unwrap();
    assert_eq!(loaded[0].source, "cbs-pvc.yaml");
}

#[test]
fn deployment_defaults_match_upstream() {
    let Object::Deployment(d) = &mariadb()[1].object else {
        panic!("a Deployment")
    };
    let spec = d.spec.as_ref().unwrap();
    assert_eq!(
        (
            spec.replicas,
            spec.revision_history_limit,
            spec.progress_deadline_seconds
        ),
        (Some(1), Some(10), Some(600))
    );
    assert_eq!(spec.min_ready_seconds, None);
    let strategy = spec.strategy.as_ref().unwrap();
    assert_eq!(strategy.type_.as_deref(), Some("RollingUpdate"));
    let rolling = strategy.rolling_update.as_ref().unwrap();
    let quarter = Some(IntOrString::String("25%".into()));
    assert_eq!(
        (&rolling.max_surge, &rolling.max_unavailable),
        (&quarter, &quarter)
    );
    let pod = spec.template.spec.as_ref().unwrap();
    assert_eq!(pod.restart_policy.as_deref(), Some("Always"));
    assert_eq!(pod.termination_grace_period_seconds, Some(30));
    assert_eq!(pod.dns_policy.as_deref(), Some("ClusterFirst"));
    assert_eq!(pod.scheduler_name.as_deref(), Some("default-scheduler"));
    // centos/mariadb has no tag, so it is `latest` and always pulled.
    assert_eq!(
        pod.containers[0].image_pull_policy.as_deref(),
        Some("Always")
    );
}

#[test]
fn service_and_claim_defaults_match_upstream() {
    let loaded = mariadb();
    let Object::Service(s) = &loaded[2].object else {
        panic!("a Service")
    };
    let spec = s.spec.as_ref().unwrap();
    assert_eq!(
        (spec.type_.as_deref(), spec.session_affinity.as_deref()),
        (Some("LoadBalancer"), Some("None"))
    );
    assert_eq!(spec.external_traffic_policy.as_deref(), Some("Cluster"));
    let port = &spec.ports.as_ref().unwrap()[0];
    assert_eq!(
        (port.protocol.as_deref(), &port.target_port),
        (Some("TCP"), &Some(IntOrString::Int(3306)))
    );
    let Object::PersistentVolumeClaim(c) = &loaded[0].object else {
        panic!("a PVC")
    };
    assert_eq!(
        c.spec.as_ref().unwrap().volume_mode.as_deref(),
        Some("Filesystem")
    );
}

#[test]
fn an_unknown_field_is_reported_with_its_full_path() {
    let text = MARIADB_DEPLOYMENT
        .replace("  replicas: 1", "  replikas: 1")
        .replace("protocol: TCP", "protocol: TCP\n          hostPortt: 1");
    assert_eq!(
        err(&text, "mariadb.yaml"),
        "error parsing mariadb.yaml: Deployment.apps \"mariadb\": strict decoding error: unknown field \"spec.replikas\", \
         unknown field \"spec.template.spec.containers[0].ports[0].hostPortt\""
    );
}

#[test]
fn a_selector_that_does_not_match_the_template_is_rejected() {
    let text = MARIADB_DEPLOYMENT.replace(
        "        app: mariadb\n    spec:",
        "        app: maria\n    spec:",
    );
    assert_eq!(
        err(&text, "mariadb.yaml"),
        "error when creating \"mariadb.yaml\": Deployment.apps \"mariadb\" is invalid: spec.template.metadata.labels: \
         Invalid value: map[string]string{\"app\":\"maria\"}: `selector` does not match template `labels`"
    );
}

#[test]
fn a_deployment_template_must_restart_always() {
    let text = MARIADB_DEPLOYMENT.replace(
        "      securityContext:",
        "      restartPolicy: Never\n      securityContext:",
    );
    let e = err(&text, "m.yaml");
    assert!(e.ends_with("spec.template.spec.restartPolicy: Unsupported value: \"Never\": supported values: \"Always\""), "{e}");
}

#[test]
fn negative_replicas_and_bad_names_are_rejected() {
    let text = MARIADB_DEPLOYMENT
        .replace("replicas: 1", "replicas: -1")
        .replace("name: mariadb\n", "name: MariaDB\n");
    let e = err(&text, "m.yaml");
    assert!(
        e.contains("[metadata.name: Invalid value: \"MariaDB\": a lowercase RFC 1123 subdomain"),
        "{e}"
    );
    assert!(
        e.contains("spec.replicas: Invalid value: -1: must be greater than or equal to 0"),
        "{e}"
    );
}

#[test]
fn a_claim_without_storage_is_rejected() {
    let text = CBS_PVC.replace("    requests:\n      storage: 10Gi\n", "    requests: {}\n");
    assert_eq!(
        err(&text, "cbs-pvc.yaml"),
        "error when creating \"cbs-pvc.yaml\": PersistentVolumeClaim \"cbs-pvc1\" is invalid: spec.resources[storage]: Required value"
    );
}

#[test]
fn duplicate_objects_are_rejected_naming_both_documents() {
    let text = format!("{MARIADB_SERVICE}---\n{CBS_PVC}---\n{MARIADB_SERVICE}");
    assert_eq!(
        err(&text, "m.yaml"),
        "error when creating \"m.yaml#3\": Service \"mariadb\" already exists in namespace \"default\" (first defined in m.yaml#1)"
    );
    let other_ns = MARIADB_SERVICE.replace("name: mariadb\n", "name: mariadb\n  namespace: db\n");
    assert_eq!(
        parse_str(&format!("{MARIADB_SERVICE}---\n{other_ns}"), "m.yaml")
            .unwrap()
            .len(),
        2
    );
}

#[test]
fn an_unknown_kind_names_the_kind_and_the_file() {
    let text = "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: web}\n";
    let e = err(text, "ingress.yaml");
    assert!(e.starts_with("resource mapping not found for name: \"web\" namespace: \"\" from \"ingress.yaml\": no matches for kind \"Ingress\""), "{e}");
    assert!(
        e.contains("kubesim does not simulate kind \"Ingress\""),
        "{e}"
    );
}

#[test]
fn a_document_without_kind_is_rejected() {
    let e = err("apiVersion: v1\nmetadata: {name: x}\n", "x.yaml");
    assert_eq!(
        e,
        "error validating \"x.yaml\": error validating data: [kind not set]"
    );
}

#[test]
fn a_yaml_syntax_error_names_the_file_and_line() {
    let e = err("apiVersion: v1\nkind: [Pod\nmetadata: {}\n", "x.yaml");
    assert!(
        e.starts_with("error parsing x.yaml: error converting YAML to JSON:"),
        "{e}"
    );
    assert!(e.contains("line"), "{e}");
}

#[test]
fn unquoted_numbers_are_accepted_as_quantities() {
    let text = MARIADB_DEPLOYMENT.replace(
        "        ports:",
        "        resources: {requests: {cpu: 1, memory: 512}}\n        ports:",
    );
    let loaded = parse_str(&text, "m.yaml").unwrap();
    let Object::Deployment(d) = &loaded[0].object else {
        panic!("a Deployment")
    };
    let c = &d
        .spec
        .as_ref()
        .unwrap()
        .template
        .spec
        .as_ref()
        .unwrap()
        .containers[0];
    let requests = c.resources.as_ref().unwrap().requests.as_ref().unwrap();
    assert_eq!(quantity::parse_cpu_milli(&requests["cpu"]), Ok(1000));
}

#[test]
fn a_list_is_expanded_into_its_items() {
    let item = |t: &str| {
        t.lines()
            .map(|l| format!("    {l}\n"))
            .collect::<String>()
            .replacen("    ", "  - ", 1)
    };
    let text = format!(
        "apiVersion: v1\nkind: List\nitems:\n{}{}",
        item(CBS_PVC),
        item(MARIADB_SERVICE)
    );
    let loaded = parse_str(&text, "list.yaml").unwrap();
    let kinds: Vec<&str> = loaded.iter().map(|l| l.object.kind()).collect();
    assert_eq!(kinds, ["PersistentVolumeClaim", "Service"]);
    let bad = text.replace("storageClassName", "storageClassNam");
    assert!(err(&bad, "list.yaml").ends_with("unknown field \"spec.storageClassNam\""));
}

//! PodTopologySpread against the cases of kk:pkg/scheduler/framework/plugins/podtopologyspread/filtering_test.go
//! (TestSingleConstraint) and scoring_test.go (TestPodTopologySpreadScore), and the system defaults.

use super::fit_error::Rejection;
use super::test_support::{expr, labels, pod, spread, Cluster};
use super::topology_spread::{default_selector, ERR_CONSTRAINTS, ERR_MISSING_LABEL, HOSTNAME};
use crate::api::WhenUnsatisfiable::{DoNotSchedule, ScheduleAnyway};
use crate::api::{NodeId, Operator, Pod, Service, ServiceType, SpreadConstraint};

fn skew() -> Option<Rejection> {
    Some(Rejection::unschedulable(ERR_CONSTRAINTS))
}

fn foo_pod(name: &str) -> Pod {
    pod(name, &[("foo", "")])
}

fn constrained(constraints: Vec<SpreadConstraint>) -> Pod {
    let mut p = foo_pod("p");
    p.spec.topology_spread = constraints;
    p
}

fn foo_exists() -> Option<crate::api::LabelSelector> {
    Some(expr("foo", Operator::Exists, &[]))
}

/// Nodes node-a, node-b in zone1 and node-x, node-y in zone2 (labels `zone` and `node`), with `pods`
/// (name, node) carrying `foo`.
fn four_nodes(pods: &[(&str, &str)]) -> Cluster {
    let mut c = Cluster::new();
    for (n, zone) in [
        ("node-a", "zone1"),
        ("node-b", "zone1"),
        ("node-x", "zone2"),
        ("node-y", "zone2"),
    ] {
        c.node(n, &[("zone", zone), ("node", n)]);
    }
    for (p, n) in pods {
        c.bind(foo_pod(p), n);
    }
    c
}

#[test]
fn pods_spread_across_zones_as_3_3_all_nodes_fit() {
    let mut c = four_nodes(&[
        ("p-a1", "node-a"),
        ("p-a2", "node-a"),
        ("p-b1", "node-b"),
        ("p-y1", "node-y"),
        ("p-y2", "node-y"),
        ("p-y3", "node-y"),
    ]);
    let id = c.add(constrained(vec![spread(
        1,
        "zone",
        DoNotSchedule,
        foo_exists(),
    )]));
    assert_eq!(c.spread_filter(id), vec![None, None, None, None]);
}

#[test]
fn pods_of_other_namespaces_do_not_count() {
    let mut c = four_nodes(&[("p-x1", "node-x"), ("p-y1", "node-y")]);
    for (name, ns) in [("p-a1", "ns1"), ("p-b1", "ns2")] {
        let mut p = foo_pod(name);
        p.meta.namespace = ns.into();
        c.bind(p, "node-a");
    }
    let id = c.add(constrained(vec![spread(
        1,
        "zone",
        DoNotSchedule,
        foo_exists(),
    )]));
    assert_eq!(c.spread_filter(id), vec![None, None, skew(), skew()]);
}

#[test]
fn pods_spread_across_nodes_as_2_1_0_3_only_node_x_fits() {
    let pods = [
        ("p-a1", "node-a"),
        ("p-a2", "node-a"),
        ("p-b1", "node-b"),
        ("p-y1", "node-y"),
        ("p-y2", "node-y"),
        ("p-y3", "node-y"),
    ];
    let mut c = four_nodes(&pods);
    let id = c.add(constrained(vec![spread(
        1,
        "node",
        DoNotSchedule,
        foo_exists(),
    )]));
    assert_eq!(c.spread_filter(id), vec![skew(), skew(), None, skew()]);
}

#[test]
fn a_node_without_the_topology_key_is_rejected_as_unresolvable() {
    let mut c = four_nodes(&[]);
    c.node("node-z", &[("node", "node-z")]);
    let id = c.add(constrained(vec![spread(
        1,
        "zone",
        DoNotSchedule,
        foo_exists(),
    )]));
    let missing = Some(Rejection::unresolvable(ERR_MISSING_LABEL));
    assert_eq!(c.spread_filter(id)[4], missing);
}

#[test]
fn fewer_domains_than_min_domains_make_the_global_minimum_zero() {
    let pods = [("p-a1", "node-a"), ("p-a2", "node-a"), ("p-x1", "node-x")];
    let mut c = four_nodes(&pods);
    let id = c.add(constrained(vec![spread(
        1,
        "zone",
        DoNotSchedule,
        foo_exists(),
    )]));
    assert_eq!(c.spread_filter(id), vec![skew(), skew(), None, None]);
    let mut three = spread(1, "zone", DoNotSchedule, foo_exists());
    three.min_domains = 3;
    let id = c.add(constrained(vec![three]));
    assert_eq!(c.spread_filter(id), vec![skew(), skew(), skew(), skew()]);
}

#[test]
fn schedule_anyway_constraints_do_not_filter() {
    let mut c = four_nodes(&[("p-a1", "node-a"), ("p-a2", "node-a")]);
    let id = c.add(constrained(vec![spread(
        1,
        "zone",
        ScheduleAnyway,
        foo_exists(),
    )]));
    assert_eq!(c.spread_filter(id), vec![None, None, None, None]);
}

/// Nodes named by `names` with only a hostname label, and `foo` pods `per_node[i]` on node i.
fn hostnames(names: &[&str], per_node: &[usize]) -> Cluster {
    let mut c = Cluster::new();
    for (n, count) in names.iter().zip(per_node) {
        c.node(n, &[(HOSTNAME, n)]);
        for i in 0..*count {
            c.bind(foo_pod(&format!("p-{n}-{i}")), n);
        }
    }
    c
}

fn soft_on(key: &str, max_skew: u32) -> Pod {
    constrained(vec![spread(max_skew, key, ScheduleAnyway, foo_exists())])
}

#[test]
fn one_constraint_on_node_scores_by_matching_pods_and_max_skew() {
    let mut c = hostnames(&["node-a", "node-b", "node-c", "node-d"], &[2, 1, 0, 3]);
    let all = c.nodes();
    let id = c.add(soft_on(HOSTNAME, 1));
    assert_eq!(c.spread_scores(id, &all), Some(vec![20, 60, 100, 0]));
    let id = c.add(soft_on(HOSTNAME, 2));
    assert_eq!(c.spread_scores(id, &all), Some(vec![33, 66, 100, 16]));
    let mut c = hostnames(&["node-a", "node-b", "node-c", "node-d"], &[4, 3, 2, 1]);
    let id = c.add(soft_on(HOSTNAME, 3));
    assert_eq!(c.spread_scores(id, &all), Some(vec![44, 66, 77, 100]));
}

#[test]
fn nodes_that_are_not_candidates_still_count_but_are_not_scored() {
    let mut c = hostnames(&["node-a", "node-b", "node-x", "node-y"], &[4, 2, 1, 3]);
    let id = c.add(soft_on(HOSTNAME, 1));
    let feasible = [NodeId(0), NodeId(1), NodeId(2)];
    assert_eq!(c.spread_scores(id, &feasible), Some(vec![33, 83, 100]));
}

#[test]
fn a_candidate_without_the_topology_key_scores_0() {
    let mut c = Cluster::new();
    c.node("node-a", &[(HOSTNAME, "node-a")]);
    c.node("node-b", &[("n", "node-b")]);
    c.node("node-x", &[(HOSTNAME, "node-x")]);
    c.node("node-y", &[(HOSTNAME, "node-y")]);
    for (n, count) in [("node-a", 4), ("node-b", 2), ("node-x", 1), ("node-y", 3)] {
        (0..count).for_each(|i| {
            c.bind(foo_pod(&format!("p-{n}-{i}")), n);
        });
    }
    let id = c.add(soft_on(HOSTNAME, 1));
    let feasible = [NodeId(0), NodeId(1), NodeId(2)];
    assert_eq!(c.spread_scores(id, &feasible), Some(vec![16, 0, 100]));
}

#[test]
fn topology_spread_prefers_the_emptier_zone() {
    // "one constraint on zone, 3 out of 4 nodes are candidates": zone1 holds 6 matching pods, zone2 4.
    let pods: Vec<(String, &str)> = [("node-a", 4), ("node-b", 2), ("node-x", 1), ("node-y", 3)]
        .iter()
        .flat_map(|(n, k)| (0..*k).map(move |i| (format!("p-{n}-{i}"), *n)))
        .collect();
    let refs: Vec<(&str, &str)> = pods.iter().map(|(p, n)| (p.as_str(), *n)).collect();
    let mut c = four_nodes(&refs);
    let id = c.add(soft_on("zone", 1));
    let feasible = [NodeId(0), NodeId(1), NodeId(2)];
    assert_eq!(c.spread_scores(id, &feasible), Some(vec![75, 75, 100]));
}

#[test]
fn two_constraints_with_different_selectors_add_up() {
    // zone by foo spreads 2/2/1/1 over zones, hostname by bar 0/1/0/1 over nodes.
    let mut c = four_nodes(&[]);
    for (name, l, n) in [
        ("p-a1", &[("foo", "")][..], "node-a"),
        ("p-b1", &[("foo", ""), ("bar", "")][..], "node-b"),
        ("p-y1", &[("foo", "")][..], "node-y"),
        ("p-y2", &[("bar", "")][..], "node-y"),
    ] {
        c.bind(pod(name, l), n);
    }
    for (i, n) in ["node-a", "node-b", "node-x", "node-y"].iter().enumerate() {
        c.store.nodes[i]
            .meta
            .labels
            .insert(HOSTNAME.into(), n.to_string());
    }
    let mut p = pod("p", &[("foo", ""), ("bar", "")]);
    p.spec.topology_spread = vec![
        spread(1, "zone", ScheduleAnyway, foo_exists()),
        spread(
            1,
            HOSTNAME,
            ScheduleAnyway,
            Some(expr("bar", Operator::Exists, &[])),
        ),
    ];
    let id = c.add(p);
    let all = c.nodes();
    assert_eq!(c.spread_scores(id, &all), Some(vec![60, 20, 100, 60]));
}

fn service(c: &mut Cluster, selector: &[(&str, &str)]) {
    let meta = c.store.new_meta(
        "svc",
        "default",
        Default::default(),
        crate::engine::SimTime(0),
    );
    c.store.add_service(Service {
        meta,
        kind: ServiceType::ClusterIp,
        headless: false,
        selector: Some(labels(selector)),
        publish_not_ready: false,
        cluster_ip: None,
        endpoints: Vec::new(),
    });
}

#[test]
fn system_default_spreading_applies_to_pods_a_service_selects_even_without_zones() {
    // "system defaulting, nodes don't have zone, pods match service": as hostname with maxSkew 3.
    let mut c = hostnames(&["node-a", "node-b", "node-c", "node-d"], &[4, 3, 2, 1]);
    let all = c.nodes();
    let id = c.add(foo_pod("p"));
    assert_eq!(
        c.spread_scores(id, &all),
        None,
        "no Service or controller: no default constraints"
    );
    service(&mut c, &[("foo", "")]);
    let id = c.add(foo_pod("p2"));
    assert_eq!(c.spread_scores(id, &all), Some(vec![44, 66, 77, 100]));
}

#[test]
fn the_default_selector_merges_selecting_services_and_the_owner() {
    let mut c = Cluster::new();
    service(&mut c, &[("app", "web")]);
    service(&mut c, &[("app", "db")]);
    let p = pod("p", &[("app", "web"), ("pod-template-hash", "abc")]);
    assert_eq!(
        default_selector(&c.store, &p).match_labels,
        labels(&[("app", "web")])
    );
}

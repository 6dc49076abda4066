//! InterPodAffinity against the cases of kk:pkg/scheduler/framework/plugins/interpodaffinity/filtering_test.go
//! (TestRequiredAffinitySingleNode, TestRequiredAffinityMultipleNodes) and scoring_test.go (TestPreferredAffinity).

use super::fit_error::Rejection;
use super::interpod_affinity::{ERR_AFFINITY, ERR_ANTI_AFFINITY, ERR_EXISTING_ANTI_AFFINITY};
use super::test_support::{expr, pod, term, weighted, Cluster};
use crate::api::affinity::WeightedTerm;
use crate::api::{Operator, Pod, PodAffinityTerm};

fn affinity() -> Option<Rejection> {
    Some(Rejection::unresolvable(ERR_AFFINITY))
}
fn anti() -> Option<Rejection> {
    Some(Rejection::unschedulable(ERR_ANTI_AFFINITY))
}
fn existing_anti() -> Option<Rejection> {
    Some(Rejection::unschedulable(ERR_EXISTING_ANTI_AFFINITY))
}

fn with(mut p: Pod, required: Vec<PodAffinityTerm>, anti: Vec<PodAffinityTerm>) -> Pod {
    p.spec.affinity.pod.required = required;
    p.spec.affinity.anti.required = anti;
    p
}

fn in_(key: &str, values: &[&str], topology: &str) -> PodAffinityTerm {
    term(expr(key, Operator::In, values), topology)
}

fn exists(key: &str, topology: &str) -> PodAffinityTerm {
    term(expr(key, Operator::Exists, &[]), topology)
}

/// TestRequiredAffinitySingleNode: node1 {region: r1, zone: z11} with a pod {service: securityscan}
/// unless `existing` replaces it; the incoming pod's filter status.
fn single_node(incoming: Pod, existing: Option<Pod>) -> Option<Rejection> {
    let mut c = Cluster::new();
    c.node("node1", &[("region", "r1"), ("zone", "z11")]);
    c.bind(
        existing.unwrap_or_else(|| pod("p0", &[("service", "securityscan")])),
        "node1",
    );
    let id = c.add(incoming);
    c.affinity_filter(id).remove(0)
}

#[test]
fn required_affinity_in_and_not_in_match_the_existing_pod() {
    let s1 = || pod("p", &[("security", "S1")]);
    let req = in_("service", &["securityscan", "value2"], "region");
    assert_eq!(single_node(with(s1(), vec![req], vec![]), None), None);
    let not_in = term(
        expr("service", Operator::NotIn, &["securityscan3", "value3"]),
        "region",
    );
    assert_eq!(single_node(with(s1(), vec![not_in], vec![]), None), None);
    let other = in_("service", &["antivirusscan", "value2"], "");
    assert_eq!(
        single_node(with(s1(), vec![other], vec![]), None),
        affinity()
    );
}

#[test]
fn required_affinity_does_not_match_a_pod_of_another_namespace() {
    let mut t = in_("service", &["securityscan", "value2"], "");
    t.namespaces = vec!["DiffNameSpace".into()];
    let mut existing = pod("p0", &[("service", "securityscan")]);
    existing.meta.namespace = "ns".into();
    let incoming = with(pod("p", &[("security", "S1")]), vec![t], vec![]);
    assert_eq!(single_node(incoming, Some(existing)), affinity());
}

#[test]
fn match_expressions_are_anded_and_terms_are_anded() {
    let both = |value: &str| {
        let mut a = expr("service", Operator::Exists, &[]);
        a.match_expressions
            .extend(expr("wrongkey", Operator::DoesNotExist, &[]).match_expressions);
        let mut b = expr("service", Operator::In, &[value]);
        b.match_expressions
            .extend(expr("service", Operator::NotIn, &["WrongValue"]).match_expressions);
        vec![term(a, "region"), term(b, "region")]
    };
    let s1 = || pod("p", &[("security", "S1")]);
    assert_eq!(
        single_node(with(s1(), both("securityscan"), vec![]), None),
        None
    );
    assert_eq!(
        single_node(with(s1(), both("securityscan2"), vec![]), None),
        affinity()
    );
}

#[test]
fn required_anti_affinity_of_the_incoming_pod_rejects_the_domain_of_a_matching_pod() {
    let aff = || in_("service", &["securityscan", "value2"], "region");
    let s1 = || pod("p", &[("security", "S1")]);
    let elsewhere = in_("service", &["antivirusscan", "value2"], "node");
    assert_eq!(
        single_node(with(s1(), vec![aff()], vec![elsewhere]), None),
        None
    );
    let same_zone = in_("service", &["securityscan", "value2"], "zone");
    assert_eq!(
        single_node(with(s1(), vec![aff()], vec![same_zone]), None),
        anti()
    );
}

#[test]
fn existing_pods_anti_affinity_is_respected_even_without_terms_of_the_incoming_pod() {
    let scan = || pod("p", &[("service", "securityscan")]);
    let existing = |t: PodAffinityTerm| {
        Some(with(
            pod("p0", &[("service", "securityscan")]),
            vec![],
            vec![t],
        ))
    };
    let zone_in = in_("service", &["securityscan", "value2"], "zone");
    assert_eq!(single_node(scan(), existing(zone_in)), existing_anti());
    let zone_not_in = term(
        expr("service", Operator::NotIn, &["securityscan", "value2"]),
        "zone",
    );
    assert_eq!(single_node(scan(), existing(zone_not_in)), None);
}

#[test]
fn anti_affinity_symmetry_checks_a1_a2_b1_b2() {
    let s1 = || [("security", "S1")];
    let scan = || [("service", "securityscan")];
    // a1: the incoming pod's own terms reject first.
    let incoming = with(
        pod("p", &scan()),
        vec![],
        vec![exists("service", "zone"), exists("security", "zone")],
    );
    let existing = with(pod("p0", &s1()), vec![], vec![exists("security", "zone")]);
    assert_eq!(single_node(incoming, Some(existing)), anti());
    // a2: only the existing pod's terms match the incoming pod.
    let incoming = with(pod("p", &s1()), vec![], vec![exists("security", "zone")]);
    let existing = with(
        pod("p0", &scan()),
        vec![],
        vec![exists("service", "zone"), exists("security", "zone")],
    );
    assert_eq!(single_node(incoming, Some(existing)), existing_anti());
    // b1 and b2: both match each other.
    let terms = || vec![exists("abc", "zone"), exists("def", "zone")];
    let b = |mine: &str, theirs: &str| {
        let incoming = with(pod("p", &[(mine, ""), ("xyz", "")]), vec![], terms());
        let existing = with(pod("p0", &[(theirs, ""), ("xyz", "")]), vec![], terms());
        single_node(incoming, Some(existing))
    };
    assert_eq!(b("abc", "def"), anti());
    assert_eq!(b("def", "abc"), anti());
}

#[test]
fn an_empty_namespace_selector_makes_anti_affinity_cover_every_namespace() {
    let mut t = in_("service", &["securityscan", "value2"], "zone");
    t.namespace_selector = Some(Default::default());
    let mut incoming = with(pod("p", &[("security", "S1")]), vec![], vec![t]);
    incoming.meta.namespace = "subteam1.team1".into();
    let mut existing = pod("p0", &[("service", "securityscan")]);
    existing.meta.namespace = "subteam2.team1".into();
    assert_eq!(single_node(incoming, Some(existing)), anti());
}

/// TestRequiredAffinityMultipleNodes: nodes with `labels`, `existing` pods on them, the incoming pod's
/// status on each node.
fn multiple_nodes(
    nodes: &[(&str, &[(&str, &str)])],
    existing: Vec<(Pod, &str)>,
    incoming: Pod,
) -> Vec<Option<Rejection>> {
    let mut c = Cluster::new();
    nodes.iter().for_each(|(n, l)| {
        c.node(n, l);
    });
    existing.into_iter().for_each(|(p, n)| {
        c.bind(p, n);
    });
    let id = c.add(incoming);
    c.affinity_filter(id)
}

const CHINA: &[(&str, &str)] = &[("region", "China")];
const CHINA_AZ1: &[(&str, &str)] = &[("region", "China"), ("az", "az1")];
const INDIA: &[(&str, &str)] = &[("region", "India")];

#[test]
fn affinity_admits_every_node_in_the_domain_of_a_matching_pod() {
    let incoming = with(pod("p", &[]), vec![in_("foo", &["bar"], "region")], vec![]);
    let nodes = [("node1", CHINA), ("node2", CHINA_AZ1), ("node3", INDIA)];
    let got = multiple_nodes(
        &nodes,
        vec![(pod("p1", &[("foo", "bar")]), "node1")],
        incoming,
    );
    assert_eq!(got, vec![None, None, affinity()]);
}

#[test]
fn the_first_pod_of_a_group_with_affinity_to_itself_may_go_to_any_node_with_the_keys() {
    let terms = || {
        vec![
            in_("foo", &["bar"], "zone"),
            in_("service", &["securityscan"], "zone"),
        ]
    };
    let incoming = || {
        with(
            pod("p", &[("foo", "bar"), ("service", "securityscan")]),
            terms(),
            vec![],
        )
    };
    let existing = || vec![(pod("p1", &[("foo", "bar")]), "nodeA")];
    let zoned = [
        ("nodeA", &[("zone", "az1"), ("hostname", "h1")][..]),
        ("nodeB", &[("zone", "az2"), ("hostname", "h2")][..]),
    ];
    assert_eq!(
        multiple_nodes(&zoned, existing(), incoming()),
        vec![None, None]
    );
    let unzoned = [
        ("nodeA", &[("zoneLabel", "az1")][..]),
        ("nodeB", &[("zoneLabel", "az2")][..]),
    ];
    assert_eq!(
        multiple_nodes(&unzoned, existing(), incoming()),
        vec![affinity(), affinity()]
    );
}

#[test]
fn anti_affinity_rejects_the_whole_domain_and_only_pods_of_the_terms_namespaces() {
    let nodes = [("nodeA", CHINA), ("nodeB", CHINA_AZ1), ("nodeC", INDIA)];
    let incoming = with(pod("p", &[]), vec![], vec![in_("foo", &["abc"], "region")]);
    let got = multiple_nodes(
        &nodes,
        vec![(pod("p1", &[("foo", "abc")]), "nodeA")],
        incoming,
    );
    assert_eq!(got, vec![anti(), anti(), None]);
    // The pod in NS2 on nodeC has anti-affinity to the incoming pod's labels, but only within NS2.
    let mut incoming = with(
        pod("p", &[("foo", "123")]),
        vec![],
        vec![in_("foo", &["bar"], "region")],
    );
    incoming.meta.namespace = "NS1".into();
    let mut a = pod("p1", &[("foo", "bar")]);
    a.meta.namespace = "NS1".into();
    let mut c = with(pod("p2", &[]), vec![], vec![in_("foo", &["123"], "region")]);
    c.meta.namespace = "NS2".into();
    let got = multiple_nodes(&nodes, vec![(a, "nodeA"), (c, "nodeC")], incoming);
    assert_eq!(got, vec![anti(), anti(), None]);
}

#[test]
fn a_term_whose_topology_key_no_node_has_rejects_nothing() {
    let nodes = [
        ("nodeA", &[("region", "r1"), ("zone", "z1")][..]),
        ("nodeB", &[("region", "r1"), ("zone", "z1")][..]),
    ];
    let existing = with(
        pod("p1", &[]),
        vec![],
        vec![exists("foo", "invalid-node-label")],
    );
    let got = multiple_nodes(&nodes, vec![(existing, "nodeA")], pod("p", &[("foo", "")]));
    assert_eq!(got, vec![None, None]);
    let incoming = with(
        pod("p", &[]),
        vec![],
        vec![exists("foo", "invalid-node-label")],
    );
    let got = multiple_nodes(&nodes, vec![(pod("p1", &[("foo", "")]), "nodeA")], incoming);
    assert_eq!(got, vec![None, None]);
}

/// TestPreferredAffinity: nodes, existing pods, and the incoming pod's normalized scores.
fn preferred(
    nodes: &[(&str, &[(&str, &str)])],
    existing: Vec<(Pod, &str)>,
    incoming: Pod,
) -> Vec<i64> {
    let mut c = Cluster::new();
    nodes.iter().for_each(|(n, l)| {
        c.node(n, l);
    });
    existing.into_iter().for_each(|(p, n)| {
        c.bind(p, n);
    });
    let id = c.add(incoming);
    c.affinity_scores(id)
}

const AZ1: &[(&str, &str)] = &[("az", "az1")];
const AZ2: &[(&str, &str)] = &[("az", "az2")];

fn security(level: &str) -> Pod {
    pod(&format!("p-{level}"), &[("security", level)])
}

fn stay_with(level: &str, weight: i64) -> WeightedTerm {
    weighted(weight, in_("security", &[level], "region"))
}

fn away_from(level: &str) -> WeightedTerm {
    weighted(5, in_("security", &[level], "az"))
}

fn prefers(mut p: Pod, affinity: Vec<WeightedTerm>, anti: Vec<WeightedTerm>) -> Pod {
    p.spec.affinity.pod.preferred = affinity;
    p.spec.affinity.anti.preferred = anti;
    p
}

#[test]
fn preferred_affinity_scores_the_domains_of_matching_pods() {
    let three = [("node1", CHINA), ("node2", INDIA), ("node3", AZ1)];
    let pods = || {
        vec![
            (security("S1"), "node1"),
            (security("S2"), "node2"),
            (security("S1"), "node3"),
        ]
    };
    assert_eq!(preferred(&three, pods(), security("S1")), vec![0, 0, 0]);
    let incoming = prefers(security("S1"), vec![stay_with("S1", 5)], vec![]);
    assert_eq!(preferred(&three, pods(), incoming), vec![100, 0, 0]);
    let same_region = [("node1", CHINA), ("node2", CHINA_AZ1), ("node3", INDIA)];
    let incoming = prefers(pod("p", &[]), vec![stay_with("S1", 5)], vec![]);
    assert_eq!(
        preferred(&same_region, vec![(security("S1"), "node1")], incoming),
        vec![100, 100, 0]
    );
}

#[test]
fn the_region_with_more_matching_pods_scores_higher() {
    let nodes = [
        ("node1", CHINA),
        ("node2", INDIA),
        ("node3", CHINA),
        ("node4", CHINA),
        ("node5", INDIA),
    ];
    let pods = ["node1", "node1", "node2", "node3", "node4", "node5"].map(|n| (security("S2"), n));
    let incoming = prefers(security("S1"), vec![stay_with("S2", 6)], vec![]);
    assert_eq!(
        preferred(&nodes, pods.to_vec(), incoming),
        vec![100, 0, 100, 100, 0]
    );
}

#[test]
fn different_operators_and_weights_give_20_100_0() {
    let mut not_s1 = expr("security", Operator::NotIn, &["S1"]);
    not_s1
        .match_expressions
        .extend(expr("security", Operator::In, &["S2"]).match_expressions);
    let mut any = expr("security", Operator::Exists, &[]);
    any.match_expressions
        .extend(expr("wrongkey", Operator::DoesNotExist, &[]).match_expressions);
    let affinity3 = vec![
        weighted(8, term(not_s1, "region")),
        weighted(2, term(any, "region")),
    ];
    let nodes = [("node1", CHINA), ("node2", INDIA), ("node3", AZ1)];
    let pods = vec![
        (security("S1"), "node1"),
        (security("S2"), "node2"),
        (security("S1"), "node3"),
    ];
    assert_eq!(
        preferred(&nodes, pods, prefers(security("S1"), affinity3, vec![])),
        vec![20, 100, 0]
    );
}

#[test]
fn existing_pods_preferred_and_required_terms_count_for_the_incoming_pod() {
    let nodes = [("node1", CHINA), ("node2", INDIA), ("node3", AZ1)];
    let pods = vec![
        (
            prefers(security("S1"), vec![stay_with("S1", 5)], vec![]),
            "node1",
        ),
        (
            prefers(security("S2"), vec![stay_with("S2", 6)], vec![]),
            "node2",
        ),
    ];
    assert_eq!(preferred(&nodes, pods, security("S2")), vec![0, 100, 0]);
    let mut any = expr("security", Operator::Exists, &[]);
    any.match_expressions
        .extend(expr("wrongkey", Operator::DoesNotExist, &[]).match_expressions);
    let hard = || {
        vec![
            in_("security", &["S1", "value2"], "region"),
            term(any.clone(), "region"),
        ]
    };
    let pods = vec![
        (with(security("S1"), hard(), vec![]), "node1"),
        (with(security("S2"), hard(), vec![]), "node2"),
    ];
    assert_eq!(preferred(&nodes, pods, security("S1")), vec![100, 100, 0]);
}

#[test]
fn preferred_anti_affinity_and_its_symmetry_score_away_from_matching_pods() {
    let nodes = [("node1", AZ1), ("node2", CHINA)];
    let incoming = || prefers(security("S1"), vec![], vec![away_from("S1")]);
    let pods = vec![(security("S1"), "node1"), (security("S2"), "node2")];
    assert_eq!(preferred(&nodes, pods, incoming()), vec![0, 100]);
    let nodes = [("node1", AZ1), ("node2", AZ2)];
    let pods = vec![
        (
            prefers(security("S1"), vec![], vec![away_from("S2")]),
            "node1",
        ),
        (
            prefers(security("S2"), vec![], vec![away_from("S1")]),
            "node2",
        ),
    ];
    assert_eq!(preferred(&nodes, pods, security("S2")), vec![0, 100]);
}

#[test]
fn affinity_anti_affinity_and_symmetry_together() {
    let both = |p: Pod| prefers(p, vec![stay_with("S1", 8)], vec![away_from("S2")]);
    let nodes = [
        ("node1", CHINA),
        ("node2", AZ1),
        ("node3", INDIA),
        ("node4", AZ2),
    ];
    let pods = vec![
        (security("S1"), "node1"),
        (security("S2"), "node2"),
        (both(pod("p3", &[])), "node3"),
        (
            prefers(pod("p4", &[]), vec![], vec![away_from("S1")]),
            "node4",
        ),
    ];
    assert_eq!(
        preferred(&nodes, pods, both(security("S1"))),
        vec![100, 0, 100, 0]
    );
    // All nodes in one region score the same: 0 after normalization.
    let nodes = [("node1", CHINA), ("node2", CHINA)];
    let pods = vec![(security("S1"), "node1"), (both(pod("p2", &[])), "node2")];
    assert_eq!(preferred(&nodes, pods, security("S1")), vec![0, 0]);
}

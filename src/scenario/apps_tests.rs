//! Tests of the scenario's `apps` entries: matching by image, `never`, `crash-after`, and their messages.

use super::tests::{message, object, with_objects, HEAD};
use super::*;
use crate::manifest::Object;
use crate::scenario::{app_for, Dist};
use serde_json::json;
use std::collections::BTreeMap;

/// A Deployment `web` (pods `app=web`, image `nginx:1.27`) and its Service.
fn web() -> Vec<Loaded> {
    let template = json!({"metadata": {"labels": {"app": "web"}},
        "spec": {"containers": [{"name": "web", "image": "nginx:1.27"}]}});
    vec![
        object(
            Object::Deployment,
            json!({"metadata": {"name": "web"},
            "spec": {"selector": {"matchLabels": {"app": "web"}}, "template": template}}),
        ),
        object(Object::Service, json!({"metadata": {"name": "web"}})),
    ]
}

/// The apps of a scenario whose `apps` entries are `lines`.
fn apps(lines: &[&str]) -> Vec<crate::scenario::AppSpec> {
    let entries: String = lines.iter().map(|l| format!("  - {l}\n")).collect();
    with_objects(&format!("{HEAD}apps:\n{entries}"), web())
        .unwrap()
        .apps
}

/// The message rejecting a scenario whose `apps` entries are `lines`.
fn rejected(lines: &[&str]) -> String {
    let entries: String = lines.iter().map(|l| format!("  - {l}\n")).collect();
    message(with_objects(&format!("{HEAD}apps:\n{entries}"), web()))
}

fn labels(app: &str) -> BTreeMap<String, String> {
    BTreeMap::from([("app".to_string(), app.to_string())])
}

#[test]
fn an_image_entry_listed_first_wins_over_a_general_one_for_that_image_only() {
    let apps = apps(&[
        "{match: {app: web}, image: 'nginx:broken', serve-after: never}",
        "{match: {app: web}, serve-after: 2s}",
    ]);
    assert_eq!(apps[0].image.as_deref(), Some("nginx:broken"));
    let broken = app_for(&apps, &labels("web"), "nginx:broken").unwrap();
    assert_eq!(broken.serve_after, None);
    let good = app_for(&apps, &labels("web"), "nginx:1.27").unwrap();
    assert_eq!(good.serve_after, Some(Dist::Const(2_000)));
    assert!(app_for(&apps, &labels("db"), "nginx:broken").is_none());
}

#[test]
fn an_image_ending_in_a_star_matches_by_prefix_and_needs_no_match() {
    let apps = apps(&["{image: 'nginx:1.*', latency: 1s}"]);
    assert!(apps[0].match_labels.is_empty());
    assert!(app_for(&apps, &labels("any"), "nginx:1.27").is_some());
    assert!(app_for(&apps, &labels("any"), "nginx:2.0").is_none());
    assert!(app_for(&apps, &BTreeMap::new(), "nginx:1.").is_some());
}

#[test]
fn a_misplaced_star_an_empty_image_or_no_match_and_no_image_is_rejected() {
    let err = rejected(&["{image: 'nginx:*-alpine'}"]);
    assert_eq!(
        err,
        r#"scenarios/x.yaml: apps[0].image: "nginx:*-alpine": `*` may only end an image, as a prefix wildcard like nginx:*"#
    );
    assert!(rejected(&["{image: ''}"]).contains("apps[0].image: \"\" is not an image"));
    assert_eq!(
        rejected(&["{latency: 1s}"]),
        "scenarios/x.yaml: apps[0].match: required field is missing"
    );
}

#[test]
fn a_misspelt_image_key_gets_a_suggestion() {
    let err = rejected(&["{match: {app: web}, imag: 'nginx:broken'}"]);
    assert!(
        err.starts_with("scenarios/x.yaml: apps[0].imag: unknown field; expected one of: match, image, image-pull,"),
        "{err}"
    );
    assert!(err.ends_with("; did you mean image?"), "{err}");
    let err = rejected(&["{match: {app: web}, crash-aftr: 5s}"]);
    assert!(err.ends_with("; did you mean crash-after?"), "{err}");
}

#[test]
fn never_listening_or_never_serving_reads_as_none() {
    let apps = apps(&[
        "{match: {app: web}, listen-after: never}",
        "{match: {app: web}, listen-after: 1s, serve-after: never}",
    ]);
    assert_eq!(
        (&apps[0].listen_after, &apps[0].serve_after),
        (&None, &None)
    );
    assert_eq!(
        (&apps[1].listen_after, &apps[1].serve_after),
        (&Some(Dist::Const(1_000)), &None)
    );
}

#[test]
fn a_program_that_never_listens_cannot_serve_and_a_misspelt_never_is_named() {
    assert_eq!(
        rejected(&["{match: {app: web}, listen-after: never, serve-after: 1s}"]),
        "scenarios/x.yaml: apps[0].serve-after: a program that never listens (listen-after: never) cannot answer; leave serve-after out or make it never"
    );
    assert_eq!(
        rejected(&["{match: {app: web}, serve-after: nevr}"]),
        r#"scenarios/x.yaml: apps[0].serve-after: "nevr" is neither a duration like 1s nor never; did you mean never?"#
    );
}

#[test]
fn crash_after_takes_a_duration_or_a_distribution_and_is_off_by_default() {
    let apps = apps(&[
        "{match: {app: web}, image: 'nginx:crash', crash-after: 5s}",
        "{match: {app: web}, image: 'nginx:flaky', crash-after: {uniform: {min: 1m, max: 2m}}}",
        "{match: {app: web}}",
    ]);
    assert_eq!(apps[0].crash_after, Some(Dist::Const(5_000)));
    assert_eq!(
        apps[1].crash_after,
        Some(Dist::Uniform {
            lo_ms: 60_000,
            hi_ms: 120_000
        })
    );
    assert_eq!(apps[2].crash_after, None);
    assert_eq!(
        rejected(&["{match: {app: web}, crash-after: -5s}"]),
        r#"scenarios/x.yaml: apps[0].crash-after: "-5s" is not a duration (a negative duration is not allowed)"#
    );
}

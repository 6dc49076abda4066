//! Tests of `rollouts.svg`: panels, legend, step lines, fault marks, the empty picture.

use super::*;
use crate::engine::SimTime;
use crate::report::tests::{rollout, sample_output, sample_rollouts};

/// How many `<text>` elements read exactly `text`.
fn texts(svg: &str, text: &str) -> usize {
    svg.matches(&format!(">\n{text}\n</text>")).count()
}

#[test]
fn the_rollout_svg_has_a_legend_entry_per_replica_set() {
    let svg = rollouts_svg(&sample_output()).unwrap();
    for label in ["rev 1 web-5d8f7c", "rev 2 web-7b9c4d", "rev 1 api-6c9d"] {
        assert_eq!(texts(&svg, label), 1, "{label}");
    }
    for key in ["spec replicas", "available", "fault or change"] {
        assert_eq!(texts(&svg, key), 2, "{key}: once per panel");
    }
}

#[test]
fn the_rollout_svg_stacks_one_panel_per_deployment_in_name_order() {
    let out = sample_output();
    let svg = rollouts_svg(&out).unwrap();
    let api = svg.find(">\nDeployment default/api\n</text>").unwrap();
    let web = svg.find(">\nDeployment default/web\n</text>").unwrap();
    assert!(api < web, "default/api is drawn first");
    let height: u32 = panels(&out.rollouts).iter().map(panel_height).sum();
    assert!(svg.contains(&format!("height=\"{height}\"")), "{height}");
}

#[test]
fn each_replica_set_has_a_solid_spec_line_and_a_dashed_available_line_in_its_colour() {
    let svg = rollouts_svg(&sample_output()).unwrap();
    let (blue, orange) = ("stroke=\"#1F77B4\"", "stroke=\"#FF7F0E\"");
    let spec_lines = svg.matches("opacity=\"0.4\" stroke=").count();
    assert_eq!(
        spec_lines,
        3 + 2,
        "one per ReplicaSet plus each panel's key"
    );
    assert!(
        svg.matches(blue).count() > 2,
        "web-5d8f7c's dashes are many lines"
    );
    assert!(
        svg.matches(orange).count() > 2,
        "web-7b9c4d's dashes are many lines"
    );
}

#[test]
fn a_replica_set_step_holds_its_value_until_its_next_record_and_the_end_of_the_run() {
    let changes = [(1_000, 3), (5_000, 1), (5_000, 2)];
    let expected = [(1.0, 3), (5.0, 3), (5.0, 1), (5.0, 1), (5.0, 2), (60.0, 2)];
    assert_eq!(step_points(changes.into_iter(), 60_000), expected);
    assert_eq!(step_points(std::iter::empty(), 60_000), []);
}

#[test]
fn a_replica_set_rolled_back_to_lists_both_its_revisions() {
    let mut records = sample_rollouts();
    records.push(rollout(40_000, "default/web", "web-5d8f7c", 3, 3, 0));
    let web = panels(&records)
        .into_iter()
        .find(|p| p.deployment == "default/web");
    let labels: Vec<String> = legend_items(&web.unwrap())
        .into_iter()
        .map(|(l, _)| l)
        .collect();
    assert_eq!(labels[..2], ["rev 1, 3 web-5d8f7c", "rev 2 web-7b9c4d"]);
}

#[test]
fn every_fault_is_marked_and_named_in_every_panel() {
    let out = sample_output();
    let svg = rollouts_svg(&out).unwrap();
    let panels = 2;
    assert_eq!(texts(&svg, "delete-pod"), panels);
    assert_eq!(texts(&svg, "kill-container"), panels);
    let red = svg.matches("stroke=\"#D01010\"").count();
    assert_eq!(
        red,
        panels * (out.faults.len() + 1),
        "marks plus each legend's"
    );
}

#[test]
fn a_fault_after_the_end_of_the_run_is_not_drawn() {
    let mut out = sample_output();
    out.faults[1].at = SimTime(out.summary.duration_ms + 1);
    let svg = rollouts_svg(&out).unwrap();
    assert_eq!(texts(&svg, "kill-container"), 0);
}

#[test]
fn a_long_legend_wraps_onto_more_rows() {
    let labels: Vec<String> = (0..12).map(|i| format!("rev {i} web-{i:0>20}")).collect();
    let positions = legend_positions(&labels);
    assert_eq!(positions[0], (MARGIN_PX as i32, 0));
    assert!(positions.last().unwrap().1 >= 2, "{positions:?}");
    assert!(positions.iter().all(|&(x, _)| x < WIDTH as i32));
}

#[test]
fn a_run_without_rollouts_draws_an_empty_svg_with_a_note() {
    let mut out = sample_output();
    out.rollouts.clear();
    let svg = rollouts_svg(&out).unwrap();
    assert!(
        svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"),
        "{svg}"
    );
    assert_eq!(texts(&svg, EMPTY_NOTE), 1);
    assert!(!svg.contains("Deployment default/"));
}

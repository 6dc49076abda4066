//! `rollouts.svg`: per Deployment, each ReplicaSet's spec replicas (solid) and available (dashed) over time.
//!
//! Drawn like `timeline.svg` (plotters' SVG backend, built-in font estimate, no system fonts): one
//! panel per Deployment, stacked in name order, faults and changes as vertical marks.

use super::timeline::{secs, Area, Drawn, CHAR_PX, FAULT_COLOUR, FONT, FONT_SIZE};
use crate::metrics::{FaultMark, RolloutRecord, RunOutput};
use plotters::coord::types::{RangedCoordf64, RangedCoordi32};
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use std::collections::BTreeMap;

/// ReplicaSet colours, in the order the ReplicaSets first appear; repeated past the eighth.
const PALETTE: [RGBColor; 8] = [
    RGBColor(0x1f, 0x77, 0xb4),
    RGBColor(0xff, 0x7f, 0x0e),
    RGBColor(0x2c, 0xa0, 0x2c),
    RGBColor(0x94, 0x67, 0xbd),
    RGBColor(0x8c, 0x56, 0x4b),
    RGBColor(0xe3, 0x77, 0xc2),
    RGBColor(0x17, 0xbe, 0xcf),
    RGBColor(0xbc, 0xbd, 0x22),
];
/// The colour of the legend's line-style keys.
const KEY_COLOUR: RGBColor = RGBColor(0x55, 0x55, 0x55);
/// How much of a ReplicaSet's colour its spec line keeps, so the dashed available line shows on it.
const SPEC_OPACITY: f64 = 0.4;

const WIDTH: u32 = 1200;
const CAPTION_PX: u32 = 28;
const LEGEND_ROW_PX: u32 = 22;
const FAULT_LABELS_PX: u32 = 36;
const PLOT_PX: u32 = 200;
const X_AXIS_PX: u32 = 40;
const Y_AXIS_PX: u32 = 56;
const MARGIN_PX: u32 = 10;
/// Room right of the plot for the last x label, which is centred on the plot's edge.
const RIGHT_PX: u32 = 24;
const SWATCH_PX: i32 = 24;
const EMPTY_PX: u32 = 60;
/// The note an SVG without rollout records carries.
pub const EMPTY_NOTE: &str = "no Deployment rollouts in this run";

type Chart<'a, 'b> = ChartContext<'a, SVGBackend<'b>, Cartesian2d<RangedCoordf64, RangedCoordi32>>;

/// One ReplicaSet's history: the revisions it carried and (ms, spec replicas, available) per change.
#[derive(Debug, PartialEq)]
struct RsHistory<'a> {
    name: &'a str,
    revisions: Vec<u64>,
    points: Vec<(u64, u32, u32)>,
}

/// One Deployment's ReplicaSets, in the order they first appear.
#[derive(Debug, PartialEq)]
struct Panel<'a> {
    deployment: &'a str,
    sets: Vec<RsHistory<'a>>,
}

/// How a legend entry's swatch is drawn.
#[derive(Clone, Copy)]
enum Swatch {
    ReplicaSet(RGBColor),
    Spec,
    Available,
    Fault,
}

/// The rollout picture as SVG text.
pub fn rollouts_svg(out: &RunOutput) -> Result<String, String> {
    let panels = panels(&out.rollouts);
    let heights: Vec<u32> = panels.iter().map(panel_height).collect();
    let height = heights.iter().sum::<u32>().max(EMPTY_PX);
    let end_ms = out.summary.duration_ms.max(1);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, height)).into_drawing_area();
        draw(&root, &panels, &heights, &out.faults, end_ms).map_err(|e| e.to_string())?;
        root.present().map_err(|e| e.to_string())?;
    }
    Ok(svg)
}

/// The background, then the panels top to bottom, or the note when there are none.
fn draw(
    root: &Area,
    panels: &[Panel],
    heights: &[u32],
    faults: &[FaultMark],
    end_ms: u64,
) -> Drawn {
    root.fill(&WHITE)?;
    if panels.is_empty() {
        let style = text_style(FONT_SIZE, VPos::Center);
        let at = (MARGIN_PX as i32, EMPTY_PX as i32 / 2);
        return root.draw(&Text::new(EMPTY_NOTE, at, style));
    }
    let mut rest = root.clone();
    for (panel, &h) in panels.iter().zip(heights) {
        let (area, below) = rest.split_vertically(h);
        draw_panel(root, &area, panel, faults, end_ms)?;
        rest = below;
    }
    Ok(())
}

/// The records grouped per Deployment (in name order), then per ReplicaSet (in order of appearance).
fn panels(records: &[RolloutRecord]) -> Vec<Panel<'_>> {
    let mut by_deployment: BTreeMap<&str, Vec<RsHistory>> = BTreeMap::new();
    for r in records {
        let sets = by_deployment.entry(&r.deployment).or_default();
        let i = match sets.iter().position(|s| s.name == r.replicaset) {
            Some(i) => i,
            None => {
                let name = r.replicaset.as_str();
                sets.push(RsHistory {
                    name,
                    revisions: Vec::new(),
                    points: Vec::new(),
                });
                sets.len() - 1
            }
        };
        let set = &mut sets[i];
        if set.revisions.last() != Some(&r.revision) {
            set.revisions.push(r.revision);
        }
        set.points.push((r.time.as_ms(), r.replicas, r.available));
    }
    by_deployment
        .into_iter()
        .map(|(deployment, sets)| Panel { deployment, sets })
        .collect()
}

/// A step line through (ms, value) changes: each value holds until the next, the last until `end_ms`.
fn step_points(changes: impl Iterator<Item = (u64, u32)>, end_ms: u64) -> Vec<(f64, i32)> {
    let mut points: Vec<(f64, i32)> = Vec::new();
    for (ms, value) in changes {
        let t = secs(ms.min(end_ms));
        if let Some(&(_, held)) = points.last() {
            points.push((t, held));
        }
        points.push((t, value as i32));
    }
    if let Some(&(_, last)) = points.last() {
        points.push((secs(end_ms), last));
    }
    points
}

/// The legend: one entry per ReplicaSet (`rev 1 web-5d8f7c`), then the keys of the line styles.
fn legend_items(panel: &Panel) -> Vec<(String, Swatch)> {
    let sets = panel.sets.iter().enumerate().map(|(i, s)| {
        let revisions: Vec<String> = s.revisions.iter().map(u64::to_string).collect();
        let label = format!("rev {} {}", revisions.join(", "), s.name);
        (label, Swatch::ReplicaSet(colour(i)))
    });
    let keys = [
        ("spec replicas", Swatch::Spec),
        ("available", Swatch::Available),
        ("fault or change", Swatch::Fault),
    ];
    sets.chain(keys.map(|(l, s)| (l.to_string(), s))).collect()
}

/// Where each legend entry goes: (x in pixels, row), wrapping before the right edge.
fn legend_positions(labels: &[String]) -> Vec<(i32, u32)> {
    let (mut x, mut row) = (MARGIN_PX as i32, 0);
    let mut positions = Vec::new();
    for label in labels {
        let width = SWATCH_PX + 6 + (label.chars().count() as u32 * CHAR_PX) as i32 + 18;
        if x + width > (WIDTH - MARGIN_PX) as i32 && x > MARGIN_PX as i32 {
            (x, row) = (MARGIN_PX as i32, row + 1);
        }
        positions.push((x, row));
        x += width;
    }
    positions
}

/// A panel's height: caption, legend rows, fault labels, plot and x axis.
fn panel_height(panel: &Panel) -> u32 {
    let labels: Vec<String> = legend_items(panel).into_iter().map(|(l, _)| l).collect();
    let rows = legend_positions(&labels)
        .last()
        .map_or(0, |&(_, row)| row + 1);
    CAPTION_PX + rows * LEGEND_ROW_PX + FAULT_LABELS_PX + PLOT_PX + X_AXIS_PX + MARGIN_PX
}

/// One Deployment: its name and legend, then a chart of its ReplicaSets' step lines with the marks.
fn draw_panel(root: &Area, area: &Area, panel: &Panel, faults: &[FaultMark], end_ms: u64) -> Drawn {
    let caption = format!("Deployment {}", panel.deployment);
    let at = (MARGIN_PX as i32, CAPTION_PX as i32 / 2);
    let style = text_style(FONT_SIZE + 2, VPos::Center);
    area.draw(&Text::new(caption, at, style))?;
    draw_legend(area, &legend_items(panel))?;
    let legend_px = panel_height(panel) - FAULT_LABELS_PX - PLOT_PX - X_AXIS_PX - MARGIN_PX;
    let (_, body) = area.split_vertically(legend_px);
    let mut chart = build_chart(&body, max_replicas(panel) as i32 + 1, end_ms)?;
    for (i, set) in panel.sets.iter().enumerate() {
        draw_set(&mut chart, set, colour(i), end_ms)?;
    }
    draw_faults(root, &mut chart, faults, end_ms)
}

/// The axes and mesh: seconds across, replicas from 0 to `top` up.
fn build_chart<'a, 'b>(
    body: &'a Area<'b>,
    top: i32,
    end_ms: u64,
) -> Result<Chart<'a, 'b>, DrawingAreaErrorKind<std::io::Error>> {
    let mut chart = ChartBuilder::on(body)
        .margin(MARGIN_PX)
        .margin_top(FAULT_LABELS_PX)
        .margin_right(RIGHT_PX)
        .x_label_area_size(X_AXIS_PX)
        .y_label_area_size(Y_AXIS_PX)
        .build_cartesian_2d(0f64..secs(end_ms), 0i32..top)?;
    chart
        .configure_mesh()
        .x_desc("time (s)")
        .y_desc("replicas")
        .label_style((FONT, FONT_SIZE))
        .draw()?;
    Ok(chart)
}

/// The largest spec or available count any of the Deployment's ReplicaSets reached.
fn max_replicas(panel: &Panel) -> u32 {
    let points = panel.sets.iter().flat_map(|s| &s.points);
    points.map(|&(_, r, a)| r.max(a)).max().unwrap_or(0)
}

/// The legend entries below the caption, each a swatch then its label.
fn draw_legend(area: &Area, items: &[(String, Swatch)]) -> Drawn {
    let labels: Vec<String> = items.iter().map(|(l, _)| l.clone()).collect();
    let style = text_style(FONT_SIZE, VPos::Center);
    for ((label, swatch), (x, row)) in items.iter().zip(legend_positions(&labels)) {
        let y = (CAPTION_PX + row * LEGEND_ROW_PX + LEGEND_ROW_PX / 2) as i32;
        draw_swatch(area, *swatch, x, y)?;
        area.draw(&Text::new(
            label.clone(),
            (x + SWATCH_PX + 6, y),
            style.clone(),
        ))?;
    }
    Ok(())
}

/// A legend swatch at (x, y): a colour square, a line-style sample, or the fault mark.
fn draw_swatch(area: &Area, swatch: Swatch, x: i32, y: i32) -> Drawn {
    let line = vec![(x, y), (x + SWATCH_PX, y)];
    match swatch {
        Swatch::ReplicaSet(c) => area.draw(&Rectangle::new(
            [(x + 6, y - 6), (x + 18, y + 6)],
            c.filled(),
        )),
        Swatch::Spec => area.draw(&PathElement::new(line, spec_style(KEY_COLOUR))),
        Swatch::Available => area.draw(&DashedPathElement::new(
            line,
            6,
            4,
            available_style(KEY_COLOUR),
        )),
        Swatch::Fault => {
            let mark = vec![(x + SWATCH_PX / 2, y - 8), (x + SWATCH_PX / 2, y + 8)];
            area.draw(&PathElement::new(mark, FAULT_COLOUR.stroke_width(2)))
        }
    }
}

/// One ReplicaSet's spec replicas (a wide pale line) and available (dashed, on top).
fn draw_set(chart: &mut Chart, set: &RsHistory, colour: RGBColor, end_ms: u64) -> Drawn {
    let spec = step_points(set.points.iter().map(|&(t, r, _)| (t, r)), end_ms);
    let available = step_points(set.points.iter().map(|&(t, _, a)| (t, a)), end_ms);
    chart.draw_series(LineSeries::new(spec, spec_style(colour)))?;
    chart.draw_series(DashedLineSeries::new(
        available,
        6,
        4,
        available_style(colour),
    ))?;
    Ok(())
}

/// A vertical line per fault or change within the run, its action named above the chart.
fn draw_faults(root: &Area, chart: &mut Chart, faults: &[FaultMark], end_ms: u64) -> Drawn {
    let top = chart.y_range().end;
    let label = text_style(FONT_SIZE, VPos::Bottom).color(&FAULT_COLOUR);
    let label = label.pos(Pos::new(HPos::Center, VPos::Bottom));
    let within = faults.iter().filter(|f| f.at.as_ms() <= end_ms);
    for (i, fault) in within.enumerate() {
        let t = secs(fault.at.as_ms());
        let line = PathElement::new(vec![(t, 0), (t, top)], FAULT_COLOUR.stroke_width(2));
        chart.draw_series(std::iter::once(line))?;
        let (x, y) = chart.backend_coord(&(t, top));
        let lift = 4 + (i as i32 % 2) * FAULT_LABELS_PX as i32 / 2;
        root.draw(&Text::new(
            fault.action.clone(),
            (x, y - lift),
            label.clone(),
        ))?;
    }
    Ok(())
}

/// The colour of the `i`th ReplicaSet of a Deployment.
fn colour(i: usize) -> RGBColor {
    PALETTE[i % PALETTE.len()]
}

fn spec_style(c: RGBColor) -> ShapeStyle {
    c.mix(SPEC_OPACITY).stroke_width(4)
}

fn available_style(c: RGBColor) -> ShapeStyle {
    c.stroke_width(2)
}

/// Left-aligned text of `size` in the built-in font.
fn text_style(size: u32, v: VPos) -> TextStyle<'static> {
    TextStyle::from((FONT, size).into_font()).pos(Pos::new(HPos::Left, v))
}

#[cfg(test)]
mod tests;

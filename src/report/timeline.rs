//! `timeline.svg`: pods as rows, phases as coloured bars, endpoint membership as a band under them,
//! faults as vertical marks, x axis in seconds.
//!
//! Drawn with plotters' SVG backend and its built-in font estimate (no system fonts), so the bytes
//! depend only on the run.

use crate::metrics::{FaultMark, PodRecord, RunOutput};
use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// The phases the legend always shows, with their colours.
pub const PHASE_COLOURS: [(&str, RGBColor); 5] = [
    ("Pending", RGBColor(0xf2, 0xc1, 0x4e)),
    ("ContainerCreating", RGBColor(0x8e, 0xc5, 0xfc)),
    ("Running", RGBColor(0x3b, 0x7d, 0xd8)),
    ("Ready", RGBColor(0x2e, 0xa0, 0x43)),
    ("Terminating", RGBColor(0xe3, 0x6c, 0x2f)),
];
/// The colour of any other phase name.
pub const FALLBACK_COLOUR: RGBColor = RGBColor(0x9a, 0x9a, 0x9a);
/// The colour of fault marks.
pub(super) const FAULT_COLOUR: RGBColor = RGBColor(0xd0, 0x10, 0x10);
/// The colour of the band under a pod's bars while it is a ready endpoint of a Service.
pub(super) const ENDPOINT_COLOUR: RGBColor = RGBColor(0x5b, 0x2c, 0x91);

const WIDTH: u32 = 1200;
const ROW_PX: u32 = 22;
const LEGEND_PX: u32 = 30;
const FAULT_LABELS_PX: u32 = 36;
const X_AXIS_PX: u32 = 40;
const MARGIN_PX: u32 = 10;
pub(super) const FONT: &str = "sans-serif";
pub(super) const FONT_SIZE: u32 = 14;
/// An estimate of a character's width at [`FONT_SIZE`], for sizing the label column.
pub(super) const CHAR_PX: u32 = 7;

pub(super) type Area<'a> = DrawingArea<SVGBackend<'a>, Shift>;
type Chart<'a, 'b> = ChartContext<'a, SVGBackend<'b>, Cartesian2d<RangedCoordf64, RangedCoordf64>>;
pub(super) type Drawn = Result<(), DrawingAreaErrorKind<std::io::Error>>;

/// The colour of a phase name.
pub fn phase_colour(phase: &str) -> RGBColor {
    PHASE_COLOURS
        .iter()
        .find(|(name, _)| *name == phase)
        .map_or(FALLBACK_COLOUR, |(_, c)| *c)
}

/// The timeline as SVG text.
pub fn timeline_svg(out: &RunOutput) -> Result<String, String> {
    let rows = out.pods.len().max(1) as u32;
    let height = LEGEND_PX + FAULT_LABELS_PX + rows * ROW_PX + X_AXIS_PX + MARGIN_PX;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, height)).into_drawing_area();
        draw(&root, out).map_err(|e| e.to_string())?;
        root.present().map_err(|e| e.to_string())?;
    }
    Ok(svg)
}

/// Everything on the canvas: background, legend, chart.
fn draw(root: &Area, out: &RunOutput) -> Drawn {
    root.fill(&WHITE)?;
    let (legend, body) = root.split_vertically(LEGEND_PX);
    draw_legend(&legend, &legend_phases(&out.pods))?;
    let end_s = out.summary.duration_ms.max(1) as f64 / 1000.0;
    let rows = out.pods.len().max(1) as f64;
    let label_px = out
        .pods
        .iter()
        .map(|p| p.pod.chars().count() as u32)
        .max()
        .unwrap_or(0)
        * CHAR_PX
        + 16;
    let mut chart = ChartBuilder::on(&body)
        .margin(MARGIN_PX)
        .margin_top(FAULT_LABELS_PX)
        .x_label_area_size(X_AXIS_PX)
        .y_label_area_size(label_px.min(WIDTH / 3))
        .build_cartesian_2d(0f64..end_s, 0f64..rows)?;
    chart
        .configure_mesh()
        .disable_y_mesh()
        .y_labels(0)
        .x_desc("time (s)")
        .label_style((FONT, FONT_SIZE))
        .draw()?;
    draw_pods(root, &mut chart, out)?;
    draw_faults(root, &mut chart, &out.faults)
}

/// The phase names to explain: the standard five, then any other name the pods went through.
fn legend_phases(pods: &[PodRecord]) -> Vec<&'static str> {
    let mut names: Vec<&'static str> = PHASE_COLOURS.iter().map(|(n, _)| *n).collect();
    let mut others: Vec<&'static str> = pods
        .iter()
        .flat_map(|p| p.phases.iter().map(|(_, n)| *n))
        .filter(|n| !names.contains(n))
        .collect();
    others.sort_unstable();
    others.dedup();
    names.extend(others);
    names
}

/// A row of colour swatches with their phase names, then the fault mark.
fn draw_legend(area: &Area, phases: &[&str]) -> Drawn {
    let style =
        TextStyle::from((FONT, FONT_SIZE).into_font()).pos(Pos::new(HPos::Left, VPos::Center));
    let (mut x, y) = (MARGIN_PX as i32, LEGEND_PX as i32 / 2);
    for name in phases {
        area.draw(&Rectangle::new(
            [(x, y - 6), (x + 12, y + 6)],
            phase_colour(name).filled(),
        ))?;
        area.draw(&Text::new(name.to_string(), (x + 16, y), style.clone()))?;
        x += 16 + (name.chars().count() as u32 * CHAR_PX) as i32 + 20;
    }
    area.draw(&Rectangle::new(
        [(x, y + 3), (x + 12, y + 6)],
        ENDPOINT_COLOUR.filled(),
    ))?;
    area.draw(&Text::new(
        "in Service endpoints",
        (x + 16, y),
        style.clone(),
    ))?;
    x += 16 + 20 * CHAR_PX as i32 + 20;
    area.draw(&PathElement::new(
        vec![(x + 6, y - 8), (x + 6, y + 8)],
        FAULT_COLOUR.stroke_width(2),
    ))?;
    area.draw(&Text::new("fault", (x + 16, y), style))
}

/// One labelled row per pod incarnation, top to bottom in creation order, with its phase bars.
fn draw_pods(root: &Area, chart: &mut Chart, out: &RunOutput) -> Drawn {
    let rows = out.pods.len() as f64;
    let end_ms = out.summary.duration_ms;
    let label =
        TextStyle::from((FONT, FONT_SIZE).into_font()).pos(Pos::new(HPos::Right, VPos::Center));
    for (i, pod) in out.pods.iter().enumerate() {
        let top = rows - i as f64;
        let bars = phase_bars(pod, end_ms)
            .into_iter()
            .map(|(from, to, phase)| {
                let corners = [(secs(from), top - 0.15), (secs(to), top - 0.85)];
                Rectangle::new(corners, phase_colour(phase).filled())
            });
        chart.draw_series(bars)?;
        let band = endpoint_bars(pod, end_ms).into_iter().map(|(from, to)| {
            let corners = [(secs(from), top - 0.86), (secs(to), top - 0.97)];
            Rectangle::new(corners, ENDPOINT_COLOUR.filled())
        });
        chart.draw_series(band)?;
        let (x, y) = chart.backend_coord(&(0.0, top - 0.5));
        root.draw(&Text::new(pod.pod.clone(), (x - 6, y), label.clone()))?;
    }
    Ok(())
}

/// A pod's phases as (from ms, to ms, name): each until the next, the last until the pod is gone
/// or the run ends; empty intervals are dropped.
fn phase_bars(pod: &PodRecord, end_ms: u64) -> Vec<(u64, u64, &'static str)> {
    let last = pod.gone.map_or(end_ms, |g| g.as_ms().min(end_ms));
    let ends = pod
        .phases
        .iter()
        .skip(1)
        .map(|(t, _)| t.as_ms())
        .chain(std::iter::once(last));
    pod.phases
        .iter()
        .zip(ends)
        .map(|(&(from, name), to)| (from.as_ms().min(end_ms), to.min(last), name))
        .filter(|(from, to, _)| from < to)
        .collect()
}

/// When a pod was a ready endpoint, as (from ms, to ms): from each join to the next leave, or
/// until the pod is gone or the run ends.
fn endpoint_bars(pod: &PodRecord, end_ms: u64) -> Vec<(u64, u64)> {
    let last = pod.gone.map_or(end_ms, |g| g.as_ms().min(end_ms));
    let mut bars = Vec::new();
    let mut joined: Option<u64> = None;
    for &(at, member) in &pod.endpoints {
        let at = at.as_ms().min(last);
        match (member, joined) {
            (true, None) => joined = Some(at),
            (false, Some(from)) => {
                bars.push((from, at));
                joined = None;
            }
            _ => {}
        }
    }
    bars.extend(joined.map(|from| (from, last)));
    bars.retain(|(from, to)| from < to);
    bars
}

/// A vertical line per fault across all rows, its action named above the chart.
fn draw_faults(root: &Area, chart: &mut Chart, faults: &[FaultMark]) -> Drawn {
    let (y_min, y_max) = (chart.y_range().start, chart.y_range().end);
    let label = TextStyle::from((FONT, FONT_SIZE).into_font())
        .color(&FAULT_COLOUR)
        .pos(Pos::new(HPos::Center, VPos::Bottom));
    for (i, fault) in faults.iter().enumerate() {
        let t = secs(fault.at.as_ms());
        let line = PathElement::new(vec![(t, y_min), (t, y_max)], FAULT_COLOUR.stroke_width(2));
        chart.draw_series(std::iter::once(line))?;
        let (x, y) = chart.backend_coord(&(t, y_max));
        let lift = if i % 2 == 0 {
            4
        } else {
            4 + FAULT_LABELS_PX as i32 / 2
        };
        root.draw(&Text::new(
            fault.action.clone(),
            (x, y - lift),
            label.clone(),
        ))?;
    }
    Ok(())
}

/// Milliseconds as fractional seconds on the x axis.
pub(super) fn secs(ms: u64) -> f64 {
    ms as f64 / 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::SimTime;
    use crate::report::tests::sample_output;

    #[test]
    fn the_svg_has_one_row_label_per_pod_and_a_mark_per_fault() {
        let out = sample_output();
        let svg = timeline_svg(&out).unwrap();
        for pod in &out.pods {
            assert_eq!(
                svg.matches(&format!(">\n{}\n</text>", pod.pod)).count(),
                1,
                "label of {}",
                pod.pod
            );
        }
        let fault_labels = svg.matches(">\ndelete-pod\n</text>").count()
            + svg.matches(">\nkill-container\n</text>").count();
        assert_eq!(fault_labels, out.faults.len());
        assert_eq!(
            svg.matches("stroke=\"#D01010\"").count(),
            out.faults.len() + 1,
            "one line per fault plus the legend's"
        );
    }

    #[test]
    fn a_phase_lasts_until_the_next_and_the_last_until_the_pod_is_gone() {
        let pod = PodRecord {
            phases: vec![
                (SimTime(1_000), "Pending"),
                (SimTime(1_000), "Odd"),
                (SimTime(3_000), "Running"),
                (SimTime(9_000), "Terminating"),
            ],
            gone: Some(SimTime(12_000)),
            ..PodRecord::default()
        };
        assert_eq!(
            phase_bars(&pod, 60_000),
            vec![
                (1_000, 3_000, "Odd"),
                (3_000, 9_000, "Running"),
                (9_000, 12_000, "Terminating")
            ]
        );
        let alive = PodRecord { gone: None, ..pod };
        assert_eq!(
            phase_bars(&alive, 60_000).last(),
            Some(&(9_000, 60_000, "Terminating"))
        );
    }

    #[test]
    fn the_endpoint_band_runs_from_each_join_to_the_next_leave_or_the_end() {
        let at = SimTime::from_ms;
        let pod = PodRecord {
            endpoints: vec![(at(2_000), true), (at(5_000), false), (at(7_000), true)],
            gone: Some(at(9_000)),
            ..Default::default()
        };
        assert_eq!(
            endpoint_bars(&pod, 20_000),
            [(2_000, 5_000), (7_000, 9_000)]
        );
        let never = PodRecord::default();
        assert!(endpoint_bars(&never, 20_000).is_empty());
        let svg = timeline_svg(&sample_output()).unwrap();
        assert!(svg.contains("in Service endpoints"));
    }

    #[test]
    fn unknown_phases_get_the_fallback_colour_and_a_legend_entry() {
        let pod = PodRecord {
            phases: vec![(SimTime(0), "CrashLoopBackOff")],
            ..PodRecord::default()
        };
        assert_eq!(phase_colour("CrashLoopBackOff"), FALLBACK_COLOUR);
        assert_eq!(legend_phases(&[pod]).last(), Some(&"CrashLoopBackOff"));
    }

    #[test]
    fn an_empty_run_still_draws() {
        let mut out = sample_output();
        out.pods.clear();
        out.faults.clear();
        out.summary.duration_ms = 0;
        assert!(timeline_svg(&out).unwrap().starts_with("<svg"));
    }
}

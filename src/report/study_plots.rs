//! Pictures of studies (plotters SVG): a sweep's metric against its parameter with the 95 %
//! confidence band, the CDF of a metric over replications, and availability over time in one run.

use super::timeline::{FONT, FONT_SIZE};
use crate::study::stats::Aggregate;
use crate::study::sweep::PointAggregates;
use plotters::prelude::*;

const SIZE: (u32, u32) = (720, 420);
const LINE: RGBColor = RGBColor(0x3b, 0x7d, 0xd8);
const BAND: RGBColor = RGBColor(0x8e, 0xc5, 0xfc);

/// Draws onto an SVG string of [`SIZE`].
fn svg(
    draw: impl FnOnce(&DrawingArea<SVGBackend, plotters::coord::Shift>) -> Result<(), String>,
) -> Result<String, String> {
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, SIZE).into_drawing_area();
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        draw(&root)?;
        root.present().map_err(|e| e.to_string())?;
    }
    Ok(out)
}

/// `lo..hi` widened so that a flat line or a single value still has a visible range.
fn span(lo: f64, hi: f64) -> std::ops::Range<f64> {
    let pad = ((hi - lo) * 0.08).max(hi.abs().max(1e-6) * 1e-4);
    (lo - pad)..(hi + pad)
}

/// `metric` against the first parameter that varies: the mean as a line with points, the 95 %
/// confidence interval of the mean as a band; one series per value of the other varying parameters. The x axis is
/// the parameter's value when every value is a number, else the values' positions.
pub fn sweep_svg(
    parameters: &[String],
    points: &[PointAggregates],
    metric: &str,
) -> Result<String, String> {
    let varies = |k: usize| points.iter().any(|(v, _)| v[k] != points[0].0[k]);
    let axis = (0..parameters.len()).find(|&k| varies(k)).unwrap_or(0);
    let xs: Vec<f64> = points
        .iter()
        .map(|(v, _)| {
            v.get(axis)
                .and_then(|x| x.parse::<f64>().ok())
                .unwrap_or(f64::NAN)
        })
        .collect();
    let numeric = xs.iter().all(|x| x.is_finite());
    let mut series: Vec<(String, Vec<(f64, Aggregate)>)> = Vec::new();
    for (i, (values, aggs)) in points.iter().enumerate() {
        let x = if numeric { xs[i] } else { i as f64 };
        let key = parameters
            .iter()
            .zip(values)
            .enumerate()
            .filter(|(k, _)| *k != axis && varies(*k))
            .map(|(_, (p, v))| format!("{p}={v}"))
            .collect::<Vec<_>>()
            .join(" ");
        let Some(a) = aggs
            .iter()
            .find(|(n, _)| n == metric)
            .and_then(|(_, a)| a.clone())
        else {
            continue;
        };
        match series.iter_mut().find(|(k, _)| *k == key) {
            Some((_, s)) => s.push((x, a)),
            None => series.push((key, vec![(x, a)])),
        }
    }
    let all = series.iter().flat_map(|(_, s)| s);
    let (x0, x1) = all.clone().fold((f64::MAX, f64::MIN), |(lo, hi), (x, _)| {
        (lo.min(*x), hi.max(*x))
    });
    let (y0, y1) = all.fold((f64::MAX, f64::MIN), |(lo, hi), (_, a)| {
        (lo.min(a.mean - a.ci95), hi.max(a.mean + a.ci95))
    });
    if series.is_empty() {
        return svg(|_| Ok(()));
    }
    svg(|root| {
        let mut chart = ChartBuilder::on(root)
            .caption(format!("{metric} (mean, 95 % CI)"), (FONT, FONT_SIZE + 2))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(80)
            .build_cartesian_2d(span(x0, x1), span(y0, y1))
            .map_err(|e| e.to_string())?;
        chart
            .configure_mesh()
            .x_desc(parameters.get(axis).map_or("grid point", String::as_str))
            .y_desc(metric)
            .label_style((FONT, FONT_SIZE))
            .draw()
            .map_err(|e| e.to_string())?;
        for (k, (key, s)) in series.iter().enumerate() {
            let colour = Palette99::pick(k).to_rgba();
            let band: Vec<(f64, f64)> = s
                .iter()
                .map(|(x, a)| (*x, a.mean + a.ci95))
                .chain(s.iter().rev().map(|(x, a)| (*x, a.mean - a.ci95)))
                .collect();
            let fill = if series.len() == 1 {
                BAND.mix(0.5)
            } else {
                colour.mix(0.2)
            };
            chart
                .draw_series(std::iter::once(Polygon::new(band, fill)))
                .map_err(|e| e.to_string())?;
            let line = if series.len() == 1 {
                LINE.to_rgba()
            } else {
                colour
            };
            let drawn = chart
                .draw_series(LineSeries::new(
                    s.iter().map(|(x, a)| (*x, a.mean)),
                    line.stroke_width(2),
                ))
                .map_err(|e| e.to_string())?;
            if !key.is_empty() {
                drawn
                    .label(key.clone())
                    .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], line));
            }
            chart
                .draw_series(
                    s.iter()
                        .map(|(x, a)| Circle::new((*x, a.mean), 3, line.filled())),
                )
                .map_err(|e| e.to_string())?;
        }
        if series.len() > 1 {
            chart
                .configure_series_labels()
                .background_style(WHITE.mix(0.8))
                .border_style(BLACK)
                .label_font((FONT, FONT_SIZE))
                .draw()
                .map_err(|e| e.to_string())?;
        }
        Ok(())
    })
}

/// The empirical CDF of `values` (any order) as a step line: the share of replications at or below x.
pub fn cdf_svg(title: &str, x_desc: &str, values: &[f64]) -> Result<String, String> {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let (lo, hi) = (
        sorted.first().copied().unwrap_or(0.0),
        sorted.last().copied().unwrap_or(1.0),
    );
    svg(|root| {
        let mut chart = ChartBuilder::on(root)
            .caption(title, (FONT, FONT_SIZE + 2))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(60)
            .build_cartesian_2d(span(lo, hi), 0f64..1.0)
            .map_err(|e| e.to_string())?;
        chart
            .configure_mesh()
            .x_desc(x_desc)
            .y_desc("share of replications")
            .label_style((FONT, FONT_SIZE))
            .draw()
            .map_err(|e| e.to_string())?;
        let n = sorted.len().max(1) as f64;
        let mut steps = vec![(lo, 0.0)];
        for (i, v) in sorted.iter().enumerate() {
            steps.push((*v, i as f64 / n));
            steps.push((*v, (i + 1) as f64 / n));
        }
        chart
            .draw_series(LineSeries::new(steps, LINE.stroke_width(2)))
            .map_err(|e| e.to_string())?;
        Ok(())
    })
}

/// Availability over time: the share of requests answered in each of `buckets` equal slices of
/// `(time_s, ok)` requests over `0..end_s`; slices without requests are left out.
pub fn availability_svg(
    service: &str,
    requests: &[(f64, bool)],
    end_s: f64,
    buckets: usize,
) -> Result<String, String> {
    let width = end_s.max(1e-3) / buckets.max(1) as f64;
    let mut counts = vec![(0u64, 0u64); buckets.max(1)];
    for (t, ok) in requests {
        let b = ((t / width) as usize).min(counts.len() - 1);
        counts[b].0 += u64::from(*ok);
        counts[b].1 += 1;
    }
    let points: Vec<(f64, f64)> = counts
        .iter()
        .enumerate()
        .filter(|(_, (_, n))| *n > 0)
        .map(|(i, (ok, n))| ((i as f64 + 0.5) * width, *ok as f64 / *n as f64))
        .collect();
    svg(|root| {
        let mut chart = ChartBuilder::on(root)
            .caption(
                format!("availability of {service} over time"),
                (FONT, FONT_SIZE + 2),
            )
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(60)
            .build_cartesian_2d(0f64..end_s.max(1e-3), 0f64..1.05)
            .map_err(|e| e.to_string())?;
        chart
            .configure_mesh()
            .x_desc("time (s)")
            .y_desc("requests answered")
            .label_style((FONT, FONT_SIZE))
            .draw()
            .map_err(|e| e.to_string())?;
        chart
            .draw_series(LineSeries::new(points, LINE.stroke_width(2)))
            .map_err(|e| e.to_string())?;
        Ok(())
    })
}

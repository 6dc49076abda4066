//! `kubesim report DIR`: one self-contained `report.html` (pictures inlined as data URLs, no
//! network) with the summary tables and pictures of whatever a run, a study or a sweep wrote in DIR.

use super::CliError;
use crate::study::read_csv;
use serde_json::Value;
use std::fmt::Write as _;
use std::path::Path;

/// Writes DIR/report.html from the files in DIR.
pub fn report(dir: &Path) -> Result<(), CliError> {
    let read = |name: &str| std::fs::read(dir.join(name)).ok();
    let mut body = String::new();
    let mut found = false;
    if let Some(json) = read("summary.json") {
        found = true;
        run_section(&mut body, &json, &read)?;
    }
    if let Some(json) = read("study.json") {
        found = true;
        study_section(
            &mut body,
            &json,
            read("replications.csv").unwrap_or_default(),
        )?;
    }
    if let Some(csv) = read("sweep.csv") {
        found = true;
        sweep_section(&mut body, &csv, dir)?;
    }
    if !found {
        let why = format!(
            "{}: no summary.json, study.json or sweep.csv to report on",
            dir.display()
        );
        return Err(CliError::Usage(why));
    }
    let title = dir
        .file_name()
        .map_or("kubesim".into(), |n| n.to_string_lossy().into_owned());
    let html = page(&title, &body);
    let path = dir.join("report.html");
    std::fs::write(&path, html).map_err(|source| crate::report::ReportError::Io {
        path: path.clone(),
        source,
    })?;
    super::say(&format!("wrote {}\n", path.display()));
    Ok(())
}

fn bad(what: &str, e: impl std::fmt::Display) -> CliError {
    CliError::Usage(format!("{what}: {e}"))
}

/// The run's services and faults, its timeline, rollouts and availability over time.
fn run_section(
    out: &mut String,
    json: &[u8],
    read: &dyn Fn(&str) -> Option<Vec<u8>>,
) -> Result<(), CliError> {
    let s: Value = serde_json::from_slice(json).map_err(|e| bad("summary.json", e))?;
    let _ = write!(
        out,
        "<h2>Run of {} (seed {})</h2>",
        esc(&text(&s["scenario"])),
        text(&s["seed"])
    );
    let mut rows = Vec::new();
    for (name, v) in s["services"].as_object().into_iter().flatten() {
        let cells = [
            "availability",
            "requests",
            "failed",
            "downtime_s",
            "longest_outage_s",
        ]
        .map(|k| text(&v[k]));
        rows.push(std::iter::once(name.clone()).chain(cells).collect());
    }
    table(
        out,
        "services",
        &[
            "service",
            "availability",
            "requests",
            "failed",
            "downtime (s)",
            "longest outage (s)",
        ],
        &rows,
    );
    let faults: Vec<Vec<String>> = s["faults"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|f| {
            ["at_s", "action", "target", "recovery_s"]
                .iter()
                .map(|k| text(&f[*k]))
                .collect()
        })
        .collect();
    table(
        out,
        "faults",
        &["at (s)", "action", "target", "recovery (s)"],
        &faults,
    );
    for name in ["timeline.svg", "rollouts.svg"] {
        if let Some(svg) = read(name) {
            image(out, name, &svg);
        }
    }
    if let Some(csv) = read("requests.csv") {
        let (header, rows) = read_csv(&csv).map_err(|e| bad("requests.csv", e))?;
        let col = |n: &str| header.iter().position(|h| h == n);
        let (Some(t), Some(svc), Some(outcome)) = (col("time_s"), col("service"), col("outcome"))
        else {
            return Ok(());
        };
        let end_s = s["duration_s"].as_f64().unwrap_or(1.0);
        let mut services: Vec<&str> = rows.iter().map(|r| r[svc].as_str()).collect();
        services.sort_unstable();
        services.dedup();
        for name in services {
            let reqs: Vec<(f64, bool)> = rows
                .iter()
                .filter(|r| r[svc] == name)
                .map(|r| (r[t].parse().unwrap_or(0.0), r[outcome] == "ok"))
                .collect();
            let svg = crate::report::availability_svg(name, &reqs, end_s, 120)
                .map_err(|e| bad("availability", e))?;
            image(out, &format!("availability of {name}"), svg.as_bytes());
        }
    }
    Ok(())
}

/// The study's aggregates and the CDF over replications of its availability and recovery metrics.
fn study_section(out: &mut String, json: &[u8], replications: Vec<u8>) -> Result<(), CliError> {
    let s: Value = serde_json::from_slice(json).map_err(|e| bad("study.json", e))?;
    let _ = write!(
        out,
        "<h2>Study of {}: {} replications, seed {}</h2>",
        esc(&text(&s["scenario"])),
        text(&s["replications"]),
        text(&s["seed"])
    );
    let rows: Vec<Vec<String>> = s["metrics"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|m| {
            let ci = m["ci95"].as_array().map_or(String::new(), |c| {
                format!("[{}, {}]", text(&c[0]), text(&c[1]))
            });
            vec![
                text(&m["name"]),
                text(&m["n"]),
                text(&m["mean"]),
                ci,
                text(&m["p50"]),
                text(&m["p90"]),
                text(&m["p99"]),
            ]
        })
        .collect();
    table(
        out,
        "study",
        &[
            "metric",
            "n",
            "mean",
            "95 % CI of the mean",
            "p50",
            "p90",
            "p99",
        ],
        &rows,
    );
    if replications.is_empty() {
        return Ok(());
    }
    let (header, rows) = read_csv(&replications).map_err(|e| bad("replications.csv", e))?;
    for (c, name) in header.iter().enumerate() {
        if !(name.starts_with("availability[") || name.starts_with("recovery_s[")) {
            continue;
        }
        let values: Vec<f64> = rows.iter().filter_map(|r| r.get(c)?.parse().ok()).collect();
        if values.is_empty() {
            continue;
        }
        let title = format!("CDF of {name} over replications");
        let svg = crate::report::cdf_svg(&title, name, &values).map_err(|e| bad("cdf", e))?;
        image(out, &title, svg.as_bytes());
    }
    Ok(())
}

/// The sweep's table (each metric's mean and 95 % CI per grid point) and its pictures.
fn sweep_section(out: &mut String, csv: &[u8], dir: &Path) -> Result<(), CliError> {
    let (header, rows) = read_csv(csv).map_err(|e| bad("sweep.csv", e))?;
    let params = header
        .iter()
        .take_while(|h| !h.ends_with(".n"))
        .count()
        .min(header.len());
    let params = header[..params]
        .iter()
        .filter(|h| !h.contains('.') || !h.ends_with(".mean"))
        .count()
        .min(params);
    out.push_str("<h2>Sweep</h2>");
    let mut head: Vec<String> = header[..params].to_vec();
    let metrics: Vec<(usize, &str)> = header
        .iter()
        .enumerate()
        .filter_map(|(i, h)| Some((i, h.strip_suffix(".mean")?)))
        .collect();
    head.extend(metrics.iter().map(|(_, m)| format!("{m} (mean [95 % CI])")));
    let body: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            let mut row = r[..params].to_vec();
            row.extend(
                metrics
                    .iter()
                    .map(|(i, _)| format!("{} [{}, {}]", r[*i], r[i + 1], r[i + 2])),
            );
            row
        })
        .collect();
    let head: Vec<&str> = head.iter().map(String::as_str).collect();
    table(out, "sweep", &head, &body);
    for k in 0.. {
        let Ok(svg) = std::fs::read(dir.join(format!("sweep-{k}.svg"))) else {
            break;
        };
        image(out, &format!("sweep-{k}.svg"), &svg);
    }
    Ok(())
}

/// A JSON value as table text (`null` as empty).
fn text(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn table(out: &mut String, class: &str, head: &[&str], rows: &[Vec<String>]) {
    let _ = write!(out, "<table class=\"{class}\"><thead><tr>");
    for h in head {
        let _ = write!(out, "<th>{}</th>", esc(h));
    }
    out.push_str("</tr></thead><tbody>");
    for row in rows {
        out.push_str("<tr>");
        for cell in row {
            let _ = write!(out, "<td>{}</td>", esc(cell));
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table>");
}

/// An SVG picture inlined as a data URL.
fn image(out: &mut String, alt: &str, svg: &[u8]) {
    let _ = write!(out, "<figure><img alt=\"{}\" src=\"data:image/svg+xml;base64,{}\"><figcaption>{}</figcaption></figure>", esc(alt), base64(svg), esc(alt));
}

/// `&`, `<`, `>` and `"` escaped for HTML text and attributes.
fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Standard base64 with padding.
fn base64(bytes: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = u32::from(b[0]) << 16 | u32::from(b[1]) << 8 | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(A[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// The page: styles, the body, and a script that, once every picture has loaded, writes into
/// `#render-status` how many tables and pictures rendered (`tables=N images=M broken=K`).
fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>kubesim report: {t}</title>\n<style>\
body{{font-family:sans-serif;margin:2em;color:#222}}table{{border-collapse:collapse;margin:1em 0}}\
th,td{{border:1px solid #ccc;padding:3px 8px;text-align:right}}th{{background:#f0f0f0}}td:first-child{{text-align:left}}\
figure{{margin:1em 0}}img{{max-width:100%;border:1px solid #eee}}</style></head>\n<body><h1>kubesim report: {t}</h1>\n{body}\n\
<p id=\"render-status\">loading</p>\n<script>\nwindow.addEventListener('load', function () {{\n\
  var imgs = Array.prototype.slice.call(document.images);\n\
  var broken = imgs.filter(function (i) {{ return !(i.complete && i.naturalWidth > 0 && i.naturalHeight > 0); }}).length;\n\
  var rows = document.querySelectorAll('table tbody tr').length;\n\
  document.getElementById('render-status').textContent = 'tables=' + document.querySelectorAll('table').length + ' rows=' + rows + ' images=' + imgs.length + ' broken=' + broken;\n\
}});\n</script>\n</body></html>\n",
        t = esc(title)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_the_rfc_4648_examples() {
        for (plain, encoded) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(plain.as_bytes()), encoded);
        }
    }
}

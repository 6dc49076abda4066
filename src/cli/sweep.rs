//! `kubesim sweep STUDY.yaml`: a grid of scenario parameters x replications, its `sweep.csv`, a
//! picture per metric and each point's study files; `--shard I/N`, and `--emit-job` for a
//! Kubernetes Indexed Job that runs the shards.

use super::study::progress_bar;
use super::CliError;
use crate::report::write_rendered;
use crate::scenario::Study;
use crate::study::shard::{Shard, ShardInfo};
use crate::study::{self, sweep, Files};
use std::path::{Path, PathBuf};

/// A validated `sweep` invocation.
#[derive(Debug)]
pub struct SweepConfig {
    pub study: Study,
    pub seed: u64,
    pub out: PathBuf,
    pub jobs: usize,
    pub shard: Option<Shard>,
}

/// Runs the sweep (or one shard of it) and writes its files.
pub fn run_sweep(cfg: &SweepConfig) -> Result<(), CliError> {
    let study = &cfg.study;
    let range = cfg
        .shard
        .map_or(0..study.replications, |s| s.range(study.replications));
    let units = (range.end - range.start) * study.points.len() as u64;
    let bar = progress_bar(units, "runs");
    let done = || bar.inc(1);
    let files = sweep::run_sweep(study, cfg.seed, range, cfg.jobs, &done)?;
    bar.finish_and_clear();
    let points: Vec<Vec<String>> = study.points.iter().map(|p| p.values.clone()).collect();
    let mut written = point_files(&files);
    match cfg.shard {
        Some(shard) => {
            let info = ShardInfo {
                kind: "sweep".into(),
                scenario: study.name.clone(),
                seed: cfg.seed,
                replications: study.replications,
                shard,
                parameters: study.parameters.clone(),
                points,
            };
            written.push(("shard.json".into(), info.to_json().into_bytes()));
        }
        None => {
            let name = &study.name;
            let head = sweep_outputs(
                name,
                cfg.seed,
                study.replications,
                &study.parameters,
                &points,
                &files,
                true,
            )?;
            written.splice(0..0, head);
        }
    }
    write_named(&cfg.out, written)
}

/// Each point's `p<k>-replications.csv` and `p<k>-faults.csv`.
pub(super) fn point_files(files: &[Files]) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for (k, f) in files.iter().enumerate() {
        out.push((format!("p{k}-replications.csv"), f.replications.clone()));
        out.push((format!("p{k}-faults.csv"), f.faults.clone()));
    }
    out
}

/// `sweep.csv`, a picture per metric, and each point's `p<k>-study.json`; prints the table when `print`.
pub(super) fn sweep_outputs(
    name: &str,
    seed: u64,
    count: u64,
    parameters: &[String],
    points: &[Vec<String>],
    files: &[Files],
    print: bool,
) -> Result<Vec<(String, Vec<u8>)>, CliError> {
    let aggs =
        sweep::point_aggregates(points, files).map_err(|e| CliError::Usage(e.to_string()))?;
    let csv = sweep::sweep_csv(parameters, &aggs);
    if print {
        super::say(&sweep_text(parameters, &aggs));
    }
    let mut out = vec![("sweep.csv".to_string(), csv)];
    for (k, metric) in sweep::metric_names(&aggs).iter().enumerate() {
        let svg = crate::report::sweep_svg(parameters, &aggs, metric).map_err(|message| {
            crate::report::ReportError::Svg {
                path: PathBuf::from(format!("sweep-{k}.svg")),
                message,
            }
        })?;
        out.push((format!("sweep-{k}.svg"), svg.into_bytes()));
    }
    for (k, ((_, a), values)) in aggs.iter().zip(points).enumerate() {
        let title = format!("{name} {}", values.join(" "));
        let json = study::study_json(&title, seed, count, a);
        out.push((format!("p{k}-study.json"), json.into_bytes()));
    }
    Ok(out)
}

/// The terminal table: per point, each availability metric's mean ± 95 % CI.
fn sweep_text(parameters: &[String], aggs: &[sweep::PointAggregates]) -> String {
    let mut out = String::new();
    for (values, metrics) in aggs {
        let at: Vec<String> = parameters
            .iter()
            .zip(values)
            .map(|(p, v)| format!("{p}={v}"))
            .collect();
        out.push_str(&at.join(" "));
        for (name, a) in metrics
            .iter()
            .filter(|(n, _)| n.starts_with("availability"))
        {
            if let Some(a) = a {
                out.push_str(&format!("  {name} {:.6} ± {:.6}", a.mean, a.ci95));
            }
        }
        out.push('\n');
    }
    out
}

/// Writes (name, bytes) files into `dir`, replacing it, and says so.
pub(super) fn write_named(dir: &Path, files: Vec<(String, Vec<u8>)>) -> Result<(), CliError> {
    let refs: Vec<(&str, Vec<u8>)> = files.iter().map(|(n, b)| (n.as_str(), b.clone())).collect();
    write_rendered(dir, &refs)?;
    super::say(&format!("wrote {}\n", dir.display()));
    Ok(())
}

/// A Kubernetes Indexed Job running the sweep in `shards` shards, each pod the shard of its
/// completion index (`JOB_COMPLETION_INDEX`), writing into a shared claim for `kubesim merge`.
pub fn job_manifest(
    study_file: &Path,
    name: &str,
    shards: u64,
    image: &str,
    claim: &str,
) -> String {
    let name = format!("kubesim-sweep-{}", dns_label(name));
    let file = study_file.display();
    format!(
        "# Runs `kubesim sweep {file}` in {shards} shards; then merge them:\n\
         #   kubesim merge /results/{name}/shard-* --out /results/{name}/merged\n\
         apiVersion: batch/v1\n\
         kind: Job\n\
         metadata:\n  name: {name}\n\
         spec:\n  completionMode: Indexed\n  completions: {shards}\n  parallelism: {shards}\n  backoffLimitPerIndex: 2\n\
         \x20 template:\n    spec:\n      restartPolicy: Never\n      containers:\n\
         \x20     - name: kubesim\n        image: {image}\n\
         \x20       command: [\"sh\", \"-c\"]\n\
         \x20       args:\n\
         \x20       - exec kubesim sweep {file} --shard \"$JOB_COMPLETION_INDEX/{shards}\" --out \"/results/{name}/shard-$JOB_COMPLETION_INDEX\"\n\
         \x20       volumeMounts:\n        - {{name: results, mountPath: /results}}\n\
         \x20     volumes:\n      - name: results\n        persistentVolumeClaim: {{claimName: {claim}}}\n"
    )
}

/// `name` as a DNS label: lower case, `-` for anything else, at most 40 characters.
fn dns_label(name: &str) -> String {
    let s: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .take(40)
        .collect();
    s.trim_matches('-').to_string()
}

//! `kubesim merge DIR...`: the shards of a `run --replications` or a `sweep` combined into exactly
//! the files the unsharded command writes.

use super::sweep::{point_files, sweep_outputs, write_named};
use super::CliError;
use crate::study::shard::{check_complete, merge_files, MergeError, ShardInfo};
use crate::study::Files;
use std::path::{Path, PathBuf};

/// Reads every shard directory, checks they are one study's shards, writes the merged files to `out`
/// (default `output/<name>/`).
pub fn merge(dirs: &[PathBuf], out: Option<PathBuf>) -> Result<(), CliError> {
    let mut shards = Vec::new();
    for dir in dirs {
        let info: ShardInfo =
            serde_json::from_slice(&read(&dir.join("shard.json"))?).map_err(|e| {
                CliError::Usage(format!(
                    "{}: not a shard.json: {e}",
                    dir.join("shard.json").display()
                ))
            })?;
        let points = if info.kind == "sweep" {
            info.points.len()
        } else {
            1
        };
        let mut files = Vec::new();
        for k in 0..points {
            let prefix = if info.kind == "sweep" {
                format!("p{k}-")
            } else {
                String::new()
            };
            files.push(Files {
                replications: read(&dir.join(format!("{prefix}replications.csv")))?,
                faults: read(&dir.join(format!("{prefix}faults.csv")))?,
            });
        }
        shards.push((info, files));
    }
    let shards = check_complete(shards).map_err(usage)?;
    let info = shards[0].0.clone();
    let points = if info.kind == "sweep" {
        info.points.len()
    } else {
        1
    };
    let mut merged = Vec::new();
    for k in 0..points {
        let of_point: Vec<(ShardInfo, Files)> = shards
            .iter()
            .map(|(i, f)| (i.clone(), f[k].clone()))
            .collect();
        merged.push(merge_files(&of_point).map_err(usage)?);
    }
    let out = out.unwrap_or_else(|| PathBuf::from("output").join(&info.scenario));
    let (name, seed, count) = (&info.scenario, info.seed, info.replications);
    let written = if info.kind == "sweep" {
        let mut w = sweep_outputs(
            name,
            seed,
            count,
            &info.parameters,
            &info.points,
            &merged,
            false,
        )?;
        w.extend(point_files(&merged));
        w
    } else {
        let files = merged.remove(0);
        let json = super::study::study_outputs(name, seed, count, &files, false)?;
        vec![
            ("replications.csv".into(), files.replications),
            ("faults.csv".into(), files.faults),
            ("study.json".into(), json),
        ]
    };
    write_named(&out, written)
}

fn usage(e: MergeError) -> CliError {
    CliError::Usage(e.to_string())
}

fn read(path: &Path) -> Result<Vec<u8>, CliError> {
    std::fs::read(path).map_err(|e| CliError::Usage(format!("cannot read {}: {e}", path.display())))
}

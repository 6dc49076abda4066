//! Shards of a study (`--shard I/N`): which replications shard I runs, what it records about
//! itself (`shard.json`), and merging the shards' files into what one unsharded run writes.

use super::table::{read_csv, Files, TableError};
use serde::{Deserialize, Serialize};
use std::ops::Range;

/// Shard `index` of `count` (0-based, as Kubernetes' `JOB_COMPLETION_INDEX`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shard {
    pub index: u64,
    pub count: u64,
}

impl Shard {
    /// Parses `I/N` with `I < N`; the error says why not.
    pub fn parse(text: &str) -> Result<Shard, String> {
        let bad =
            || format!("--shard {text:?} is not I/N (shard I of N, counted from 0, like 0/4)");
        let (i, n) = text.split_once('/').ok_or_else(bad)?;
        let (index, count) = (
            i.trim().parse::<u64>().map_err(|_| bad())?,
            n.trim().parse::<u64>().map_err(|_| bad())?,
        );
        if count == 0 || index >= count {
            return Err(format!(
                "--shard {text}: I must be below N (shards 0/{n} to {}/{n})",
                count.saturating_sub(1)
            ));
        }
        Ok(Shard { index, count })
    }

    /// The replications of `total` this shard runs: a contiguous block, the blocks of all shards
    /// covering `0..total` once.
    pub fn range(self, total: u64) -> Range<u64> {
        let at = |i: u64| (u128::from(total) * u128::from(i) / u128::from(self.count)) as u64;
        at(self.index)..at(self.index + 1)
    }
}

/// `shard.json`: what a shard ran, so `kubesim merge` can check the shards belong together.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShardInfo {
    /// `run` (a scenario's replications) or `sweep` (a grid of them).
    pub kind: String,
    pub scenario: String,
    pub seed: u64,
    /// Replications of the whole study (per grid point for a sweep).
    pub replications: u64,
    pub shard: Shard,
    /// A sweep's parameter paths (empty for `run`).
    #[serde(default)]
    pub parameters: Vec<String>,
    /// A sweep's grid points: each parameter's value, as written in the study file.
    #[serde(default)]
    pub points: Vec<Vec<String>>,
}

impl ShardInfo {
    /// The text of `shard.json`.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("plain data serializes") + "\n"
    }
}

/// Why shards cannot be merged.
#[derive(Debug, thiserror::Error)]
pub enum MergeError {
    /// No shard directories were given.
    #[error("no shards to merge")]
    Nothing,
    /// Two shards come from different studies.
    #[error("shard {a} and shard {b} are not of the same study (scenario, seed, replications, grid and shard count must agree)")]
    Mismatch { a: String, b: String },
    /// A shard is missing or given twice.
    #[error("shards {found:?} of {count} given; every shard 0..{count} is needed once")]
    Incomplete { found: Vec<u64>, count: u64 },
    /// A shard's files do not hold what it says it ran.
    #[error("shard {shard}: {file} has replications {found:?}, expected {expected:?}")]
    Rows {
        shard: u64,
        file: &'static str,
        found: Vec<u64>,
        expected: Range<u64>,
    },
    /// A shard's files cannot be read.
    #[error("shard {shard}: {file}: {source}")]
    Table {
        shard: u64,
        file: &'static str,
        #[source]
        source: TableError,
    },
}

/// Checks that `shards` (any order) are every shard of one study exactly once; returns them in
/// shard order.
pub fn check_complete<T>(
    mut shards: Vec<(ShardInfo, T)>,
) -> Result<Vec<(ShardInfo, T)>, MergeError> {
    let first = shards.first().ok_or(MergeError::Nothing)?.0.clone();
    for (info, _) in &shards {
        let same = |i: &ShardInfo| ShardInfo {
            shard: first.shard,
            ..i.clone()
        };
        if same(info) != first || info.shard.count != first.shard.count {
            let show =
                |i: &ShardInfo| format!("{}/{} of {}", i.shard.index, i.shard.count, i.scenario);
            return Err(MergeError::Mismatch {
                a: show(&first),
                b: show(info),
            });
        }
    }
    shards.sort_by_key(|(i, _)| i.shard.index);
    let found: Vec<u64> = shards.iter().map(|(i, _)| i.shard.index).collect();
    if found != (0..first.shard.count).collect::<Vec<_>>() {
        return Err(MergeError::Incomplete {
            found,
            count: first.shard.count,
        });
    }
    Ok(shards)
}

/// Concatenates the files of complete shards (in shard order) into the unsharded study's files.
pub fn merge_files(shards: &[(ShardInfo, Files)]) -> Result<Files, MergeError> {
    let mut replications: Option<(Vec<String>, Vec<Vec<String>>)> = None;
    let mut faults: Option<(Vec<String>, Vec<Vec<String>>)> = None;
    for (info, files) in shards {
        let shard = info.shard.index;
        let expected = info.shard.range(info.replications);
        for (file, bytes, acc, whole) in [
            (
                "replications.csv",
                &files.replications,
                &mut replications,
                true,
            ),
            ("faults.csv", &files.faults, &mut faults, false),
        ] {
            let table = |source| MergeError::Table {
                shard,
                file,
                source,
            };
            let (header, rows) = read_csv(bytes).map_err(table)?;
            let found: Vec<u64> = rows
                .iter()
                .map(|r| r.first().and_then(|c| c.parse().ok()).unwrap_or(u64::MAX))
                .collect();
            let fits = if whole {
                found.iter().copied().eq(expected.clone())
            } else {
                found.windows(2).all(|w| w[0] <= w[1]) && found.iter().all(|r| expected.contains(r))
            };
            if !fits {
                return Err(MergeError::Rows {
                    shard,
                    file,
                    found,
                    expected,
                });
            }
            acc.get_or_insert_with(|| (header, Vec::new()))
                .1
                .extend(rows);
        }
    }
    let text = |t: Option<(Vec<String>, Vec<Vec<String>>)>| {
        let (header, rows) = t.unwrap_or_default();
        let mut w = csv::Writer::from_writer(Vec::new());
        for record in std::iter::once(header).chain(rows) {
            w.write_record(&record).expect("writes to memory");
        }
        w.into_inner().expect("writes to memory")
    };
    Ok(Files {
        replications: text(replications),
        faults: text(faults),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_cover_every_replication_once_in_blocks() {
        for (total, count) in [(10, 3), (2, 4), (1000, 7)] {
            let all: Vec<u64> = (0..count)
                .flat_map(|index| Shard { index, count }.range(total))
                .collect();
            assert_eq!(all, (0..total).collect::<Vec<_>>());
        }
    }

    #[test]
    fn a_shard_is_written_i_slash_n_counted_from_0() {
        assert_eq!(Shard::parse("1/4"), Ok(Shard { index: 1, count: 4 }));
        for bad in ["4/4", "1", "a/b", "0/0", "-1/3"] {
            assert!(Shard::parse(bad).is_err(), "{bad}");
        }
    }
}

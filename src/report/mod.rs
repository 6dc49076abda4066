//! Output of a run: the files of DESIGN.md ("What `kubesim run` writes") and the terminal text.
//!
//! Everything here is a pure function of a [`RunOutput`] except [`write_all`], which swaps a freshly
//! written directory in place of the old one so a reader never sees a half-written run.

mod csv_files;
mod json;
mod rollout_text;
mod rollouts;
mod study_plots;
mod text;
mod timeline;

pub use csv_files::{events_csv, pods_csv, requests_csv, rollouts_csv};
pub use json::summary_json;
pub use rollout_text::rollout_log;
pub use rollouts::rollouts_svg;
pub use study_plots::{availability_svg, cdf_svg, sweep_svg};
pub use text::{summary_text, watch_log};
pub use timeline::timeline_svg;

use crate::metrics::RunOutput;
use std::ffi::OsString;
use std::fs;
use std::path::{Path, PathBuf};

/// Why the output directory could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// A file-system operation on `path` failed.
    #[error("cannot write {}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A CSV file could not be encoded.
    #[error("cannot write {}: {source}", path.display())]
    Csv {
        path: PathBuf,
        #[source]
        source: csv::Error,
    },
    /// The timeline or the rollout picture could not be drawn.
    #[error("cannot draw {}: {message}", path.display())]
    Svg { path: PathBuf, message: String },
    /// The output path has no final component to name a sibling temp dir after (`.`, `..`, `/`).
    #[error("output directory {} must end in a directory name", path.display())]
    NoDirName { path: PathBuf },
    /// The existing directory holds subdirectories, so it is not a previous run's output; it is kept.
    #[error("refusing to replace {}: it contains subdirectories, so it is not a kubesim output directory", path.display())]
    NotAnOutputDir { path: PathBuf },
}

/// The names of the files a run writes, in the order they are written.
pub const FILES: [&str; 7] = [
    "events.csv",
    "pods.csv",
    "requests.csv",
    "summary.json",
    "timeline.svg",
    "rollouts.csv",
    "rollouts.svg",
];

/// Writes every output file into `dir`, replacing what a previous run left there.
///
/// The files go into a sibling `<dir>.tmp-kubesim` first; only when all are written is the old
/// directory removed and the temp one renamed into its place.
pub fn write_all(dir: &Path, out: &RunOutput) -> Result<(), ReportError> {
    let files = render_all(out).map_err(|e| with_dir(dir, e))?;
    write_rendered(dir, &files)
}

/// Writes `files` (name, bytes) into `dir` the same way: into a sibling temp directory first, then
/// swapped in place of the old directory, so a reader never sees a half-written one.
pub fn write_rendered(dir: &Path, files: &[(&str, Vec<u8>)]) -> Result<(), ReportError> {
    let tmp = temp_dir_for(dir)?;
    if let Some(parent) = dir.parent().filter(|p| !p.as_os_str().is_empty()) {
        fs::create_dir_all(parent).map_err(io_err(parent))?;
    }
    check_replaceable(dir)?;
    remove_if_present(&tmp)?;
    fs::create_dir(&tmp).map_err(io_err(&tmp))?;
    if let Err(e) = write_files(&tmp, files) {
        let _ = fs::remove_dir_all(&tmp);
        return Err(e);
    }
    remove_if_present(dir)?;
    fs::rename(&tmp, dir).map_err(io_err(dir))
}

/// Renders every file into memory: (file name, bytes), in [`FILES`] order.
pub fn render_all(out: &RunOutput) -> Result<Vec<(&'static str, Vec<u8>)>, ReportError> {
    let csv_err = |name: &str| {
        let path = PathBuf::from(name);
        move |source| ReportError::Csv { path, source }
    };
    let svg_err = |name: &str| {
        let path = PathBuf::from(name);
        move |message| ReportError::Svg { path, message }
    };
    let svg = timeline_svg(out).map_err(svg_err(FILES[4]))?;
    let rollouts = rollouts_svg(out).map_err(svg_err(FILES[6]))?;
    Ok(vec![
        (
            FILES[0],
            events_csv(&out.events).map_err(csv_err(FILES[0]))?,
        ),
        (FILES[1], pods_csv(&out.pods).map_err(csv_err(FILES[1]))?),
        (
            FILES[2],
            requests_csv(&out.requests).map_err(csv_err(FILES[2]))?,
        ),
        (FILES[3], summary_json(&out.summary).into_bytes()),
        (FILES[4], svg.into_bytes()),
        (
            FILES[5],
            rollouts_csv(&out.rollouts).map_err(csv_err(FILES[5]))?,
        ),
        (FILES[6], rollouts.into_bytes()),
    ])
}

/// Writes the rendered files into `dir`, naming the full path in any error.
fn write_files(dir: &Path, files: &[(&str, Vec<u8>)]) -> Result<(), ReportError> {
    for (name, bytes) in files {
        let path = dir.join(name);
        fs::write(&path, bytes).map_err(io_err(&path))?;
    }
    Ok(())
}

/// Prefixes the file name an in-memory rendering error names with the directory it was bound for.
fn with_dir(dir: &Path, e: ReportError) -> ReportError {
    match e {
        ReportError::Csv { path, source } => ReportError::Csv {
            path: dir.join(path),
            source,
        },
        ReportError::Svg { path, message } => ReportError::Svg {
            path: dir.join(path),
            message,
        },
        other => other,
    }
}

/// `<dir>.tmp-kubesim`, beside `dir`.
fn temp_dir_for(dir: &Path) -> Result<PathBuf, ReportError> {
    let name = dir.file_name().ok_or_else(|| ReportError::NoDirName {
        path: dir.to_path_buf(),
    })?;
    let mut tmp_name = OsString::from(name);
    tmp_name.push(".tmp-kubesim");
    Ok(dir.with_file_name(tmp_name))
}

/// Refuses to replace a directory that holds subdirectories: a run never leaves any, so such a
/// directory is something else (a project root, a home directory) given as `--out` by mistake.
fn check_replaceable(dir: &Path) -> Result<(), ReportError> {
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(io_err(dir)(e)),
    };
    for entry in entries {
        let entry = entry.map_err(io_err(dir))?;
        if entry.file_type().map_err(io_err(&entry.path()))?.is_dir() {
            return Err(ReportError::NotAnOutputDir {
                path: dir.to_path_buf(),
            });
        }
    }
    Ok(())
}

/// Removes a directory tree if it exists.
fn remove_if_present(path: &Path) -> Result<(), ReportError> {
    match fs::remove_dir_all(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(io_err(path)(e)),
        _ => Ok(()),
    }
}

/// Wraps an I/O error with the path it concerns.
fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> ReportError {
    let path = path.to_path_buf();
    move |source| ReportError::Io { path, source }
}

#[cfg(test)]
mod tests;

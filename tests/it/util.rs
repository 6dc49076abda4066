//! Helpers shared by the integration tests: running the binary and the library, temp dirs.

use std::path::{Path, PathBuf};
use std::process::Output;

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A fresh, empty temporary directory named after `name`, removed when dropped.
pub fn temp_dir(name: &str) -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix(&format!("kubesim-it-{name}-"))
        .tempdir()
        .expect("create temp dir")
}

/// Runs the `kubesim` binary with `args` in the repository root.
pub fn kubesim(args: &[&str]) -> Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_kubesim"))
        .args(args)
        .current_dir(root())
        .output()
        .expect("run kubesim")
}

/// Every file of a directory, by name, with its bytes.
pub fn read_dir_files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .expect("read output dir")
        .map(|e| e.expect("entry"))
        .map(|e| {
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).expect("read file"),
            )
        })
        .collect();
    files.sort();
    files
}

/// Runs `kubesim run` on the example with `extra` arguments into `dir`, and asserts it succeeded.
pub fn run_example(dir: &Path, extra: &[&str]) {
    let mut args = vec![
        "run",
        "scenarios/mariadb-failover.yaml",
        "--quiet",
        "--out",
        dir.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let out = kubesim(&args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

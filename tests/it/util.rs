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

/// The name under which [`check_golden`] keeps what `kubesim run` prints: the watch log, the
/// rollouts view and the summary text (without the last line, which names the output directory).
pub const WATCH: &str = "watch.txt";

/// Runs `scenarios/<name>.yaml` and compares `files` (output files, or [`WATCH`] for the printed
/// watch log and summary) with the golden files in tests/golden/<name>/;
/// `KUBESIM_UPDATE_GOLDEN=1 cargo test` rewrites them after a deliberate change of behaviour.
pub fn check_golden(name: &str, files: &[&str]) {
    let dir = temp_dir(name);
    let scenario = format!("scenarios/{name}.yaml");
    let out = kubesim(&["run", &scenario, "--out", dir.path().to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let golden = root().join("tests/golden").join(name);
    for file in files {
        let actual = match *file {
            WATCH => printed_without_output_dir(&out.stdout),
            _ => std::fs::read_to_string(dir.path().join(file)).unwrap(),
        };
        if std::env::var_os("KUBESIM_UPDATE_GOLDEN").is_some() {
            std::fs::create_dir_all(&golden).unwrap();
            std::fs::write(golden.join(file), &actual).unwrap();
            continue;
        }
        let expected = std::fs::read_to_string(golden.join(file))
            .expect("golden file (KUBESIM_UPDATE_GOLDEN=1 writes it)");
        assert!(
            actual == expected,
            "{file} differs from tests/golden/{name}/{file}"
        );
    }
}

/// What `kubesim run` printed, less its last line (`wrote <dir>`, a temporary path).
fn printed_without_output_dir(stdout: &[u8]) -> String {
    let text = String::from_utf8(stdout.to_vec()).expect("utf-8 output");
    let lines: Vec<&str> = text.lines().filter(|l| !l.starts_with("wrote ")).collect();
    assert!(!lines.is_empty(), "kubesim run printed nothing");
    lines.join("\n") + "\n"
}

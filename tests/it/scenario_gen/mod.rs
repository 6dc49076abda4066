//! Generated whole scenarios for property tests: a structured value proptest can shrink (`strategy`),
//! rendered to a scenario YAML and manifest files (`render`) that the normal loader reads, so a
//! failing case is a directory that `kubesim run` replays exactly.

pub mod profiles;
pub mod render;
pub mod strategy;

pub use profiles::scenario;
pub use render::write_case;
pub use strategy::GenScenario;

/// How many cases each generated-scenario property test runs (`KUBESIM_PROPTEST_CASES`, default
/// `default`).
pub fn cases(default: u32) -> u32 {
    let cases = std::env::var("KUBESIM_PROPTEST_CASES").ok();
    cases.and_then(|c| c.parse().ok()).unwrap_or(default)
}

/// The proptest runner of a generated-scenario test: `cases` cases from a fixed seed (so CI sees the
/// same cases every time), or from `KUBESIM_PROPTEST_SEED` for a different hunt.
pub fn runner(cases: u32) -> proptest::test_runner::TestRunner {
    use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
    let seed: u64 = std::env::var("KUBESIM_PROPTEST_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let mut bytes = [0u8; 32];
    bytes[..8].copy_from_slice(&seed.to_le_bytes());
    let config = Config {
        cases,
        failure_persistence: None,
        max_shrink_iters: 2_000,
        ..Config::default()
    };
    TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, &bytes))
}

/// Where a test's shrunk counterexample is written: `target/counterexamples/<test>/`.
pub fn counterexample_dir(test: &str) -> std::path::PathBuf {
    super::util::root()
        .join("target")
        .join("counterexamples")
        .join(test)
}

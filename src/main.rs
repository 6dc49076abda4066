//! The `kubesim` command: parse arguments, run, map errors to an exit status.
fn main() {}

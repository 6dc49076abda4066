//! The `kubesim` command: parse arguments, run, map errors to an exit status.

use clap::Parser;

fn main() {
    let args = kubesim::cli::Args::parse();
    std::process::exit(kubesim::cli::main_with(args));
}

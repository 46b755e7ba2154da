//! `leadscore`: the command line. Argument parsing and glue only; the work is done
//! by the library crates under `crates/`.

mod cli;
mod commands;
mod output;
mod progress;

use std::process::ExitCode;

use clap::Parser;

use crate::cli::{Cli, Command};

/// mimalloc: many small, short-lived allocations per request and per row
/// (BENCHMARKS.md, "The scoring service").
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    output::init_tracing(cli.log_format, matches!(cli.command, Command::Serve(_)));
    let json = cli.command.json();
    progress::set_quiet(json);
    let result = match cli.command {
        Command::Generate(args) => commands::generate::run(args),
        Command::Import(args) => commands::import::run(args),
        Command::Serve(args) => commands::serve::run(args),
        Command::Keys(args) => commands::serve::keys(args),
        Command::Users(args) => commands::users::run(args),
        Command::Config(command) => commands::config::run(command),
        Command::Export(args) => commands::export::run(args),
        Command::Rules(command) => commands::rules::run(command),
        Command::Map(command) => commands::map::run(command),
        Command::Train(args) => commands::train::run(args),
        Command::Evaluate(args) => commands::evaluate::run(args),
        Command::Score(args) => commands::score::run(args),
        Command::Review(args) => commands::review::run(args),
        Command::Retrain(args) => commands::retrain::run(args),
        Command::Backup(args) => commands::backup::backup(args),
        Command::Restore(args) => commands::backup::restore(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            output::report_error(&err, json);
            ExitCode::FAILURE
        }
    }
}

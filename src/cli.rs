//! The command line contract (`CLI.md`), as clap definitions.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Lead scoring: hand-written rule models and a trained conversion model over one
/// data model (accounts, contacts, leads, interactions).
#[derive(Debug, Parser)]
#[command(name = "leadscore", version, about, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Write a synthetic, realistic B2B lead history in the DATA.md layout.
    Generate(GenerateArgs),
    /// Load a DATA.md folder into the store, all or nothing.
    Import(ImportArgs),
    /// Write everything in the store out as a DATA.md folder.
    Export(ExportArgs),
}

impl Command {
    /// Whether the command was asked for JSON output.
    pub fn json(&self) -> bool {
        match self {
            Self::Generate(a) => a.json,
            Self::Import(a) => a.json,
            Self::Export(a) => a.json,
        }
    }
}

#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// The folder to write (created if missing; must not already hold lead data).
    #[arg(long)]
    pub out: PathBuf,
    /// How many leads.
    #[arg(long, default_value_t = 5_000)]
    pub leads: u64,
    /// The random seed: the same seed gives byte-identical files.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// The end of the generated history (RFC 3339 or a date; `now` for the current
    /// time). Fixed by default so that the output does not depend on the day.
    #[arg(long, default_value = leadscore_generate::DEFAULT_AS_OF)]
    pub as_of: String,
    /// Print the summary as one JSON object.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct DatabaseArg {
    /// The store: a SQLite file path or `sqlite://PATH` (the embedded default), or
    /// `postgres://USER@HOST/DB` for a shared store.
    #[arg(long, env = "DATABASE_URL", default_value = leadscore_store::DEFAULT_SQLITE_FILE)]
    pub database: String,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The DATA.md folder to load.
    pub dir: PathBuf,
    #[command(flatten)]
    pub database: DatabaseArg,
    /// Import the good rows and report each bad one, instead of importing nothing.
    #[arg(long)]
    pub skip_bad_rows: bool,
    /// Print the summary as one JSON object.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum FileFormat {
    Csv,
    Parquet,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The folder to write (created if missing; must not already hold lead data).
    #[arg(long)]
    pub out: PathBuf,
    #[command(flatten)]
    pub database: DatabaseArg,
    /// The file format.
    #[arg(long, value_enum, default_value = "csv")]
    pub format: FileFormat,
    /// Print the summary as one JSON object.
    #[arg(long)]
    pub json: bool,
}

//! The command line contract (`CLI.md`), as clap definitions.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Lead scoring: hand-written rule models and a trained conversion model over one
/// data model (accounts, contacts, leads, interactions).
#[derive(Debug, Parser)]
#[command(name = "leadscore", version, about, propagate_version = true)]
pub struct Cli {
    /// How log lines are written on stderr: `text` (for people; colours only
    /// on a terminal) or `json` (one object a line, for log collectors).
    #[arg(
        long,
        global = true,
        value_enum,
        env = "LEADSCORE_LOG_FORMAT",
        default_value = "text"
    )]
    pub log_format: LogFormat,
    #[command(subcommand)]
    pub command: Command,
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// Text for people.
    Text,
    /// One JSON object a line.
    Json,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Write a synthetic, realistic B2B lead history in the DATA.md layout.
    Generate(GenerateArgs),
    /// Load a DATA.md folder into the store, all or nothing.
    Import(ImportArgs),
    /// The scoring service (API.md): ingest, live scores, sales-ready hand-off,
    /// routing and export.
    Serve(ServeArgs),
    /// API keys for the service: create (printed once), list, rotate, revoke.
    Keys(KeysArgs),
    /// People who sign in to the web console: create, list, disable.
    Users(UsersArgs),
    /// The service's settings: the reference of every key, or a check of
    /// what a file and the environment give.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Write everything in the store out as a DATA.md folder.
    Export(ExportArgs),
    /// Rule models (RULES.md): check, render, score a folder, backtest.
    #[command(subcommand)]
    Rules(RulesCommand),
    /// Mappings of CRM exports onto DATA.md: the shipped ones, and one
    /// proposed from an export's header (docs/MAPPING.md).
    #[command(subcommand)]
    Map(MapCommand),
    /// Fit the conversion model on closed leads (a DATA.md folder) or a flat
    /// table, and write the artifact folder.
    Train(TrainArgs),
    /// Measure a trained model on other data: AUC, precision, recall, losses.
    Evaluate(EvaluateArgs),
    /// Score leads with a trained model, with explanations.
    Score(ScoreArgs),
    /// The quarterly feature review: one self-contained HTML page (and JSON).
    Review(ReviewArgs),
    /// Retrain the conversion model on the store's closed leads; publish it
    /// when the auto-publish policy allows, else keep it as a challenger
    /// scored in shadow (for cron, Kubernetes CronJobs, Airflow).
    Retrain(RetrainArgs),
    /// Back up a SQLite store while the service runs (a consistent copy,
    /// checked); for PostgreSQL, print the pg_dump command and exit 2.
    Backup(BackupArgs),
    /// Restore a SQLite backup into a store, with the service stopped (then
    /// run the pending migrations); for PostgreSQL, print the pg_restore
    /// command and exit 2.
    Restore(RestoreArgs),
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Print the reference of every setting (Markdown: key, environment
    /// variable, type, default, meaning), as docs/CONFIG.md holds it.
    Reference,
    /// Load the settings as `serve` would (defaults, the file, the
    /// environment) and print them, or every mistake; exit 1 on a mistake.
    Check {
        /// A TOML settings file.
        #[arg(long)]
        config: Option<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
pub enum MapCommand {
    /// Proposes a mapping from an export's header (known CRM names and near
    /// misses), for a person to check; prints it, or writes it to --out.
    Init(MapInitArgs),
    /// Lists the shipped mappings.
    List,
    /// Prints a shipped mapping (to copy and change).
    Show {
        /// salesforce, hubspot, dynamics365 or flat.
        name: String,
    },
}

#[derive(Debug, Args)]
pub struct MapInitArgs {
    /// The export file (CSV) whose header to read.
    pub export: PathBuf,
    /// Write the mapping to this new file (an existing file is refused).
    #[arg(long)]
    pub out: Option<PathBuf>,
}

/// `--map`, for the commands that read a DATA.md folder.
#[derive(Debug, Args)]
pub struct MapArg {
    /// Read the data as a CRM export through this mapping: a mapping file, or
    /// a shipped mapping's name (salesforce, hubspot, dynamics365, flat); the
    /// data is then the export's folder or file (docs/MAPPING.md).
    #[arg(long, value_name = "FILE|NAME")]
    pub map: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum RulesCommand {
    /// Validate models; exit 0 when all are valid, 1 with every error located.
    Check(RulesCheckArgs),
    /// Print a model's text view, one line per rule.
    Text(RulesTextArgs),
    /// Score every lead of a DATA.md folder under each model, as of a time.
    Score(RulesScoreArgs),
    /// How well each model ranks the folder's closed leads: AUC, conversion by grade.
    Backtest(RulesBacktestArgs),
}

#[derive(Debug, Args)]
pub struct RulesCheckArgs {
    /// Model files (YAML, or JSON when the name ends in .json).
    #[arg(required = true)]
    pub models: Vec<PathBuf>,
    /// Also check every field and custom entity the models read against the
    /// records of this DATA.md folder (an error when no record has it), and
    /// every text a filter compares a field with (a warning when no record
    /// holds it).
    #[arg(long)]
    pub data: Option<PathBuf>,
    /// Check as --data does, against the records of this store: a SQLite
    /// file path or `sqlite://PATH`, or `postgres://USER@HOST/DB`. The store
    /// is only read; a SQLite file that does not exist is refused.
    #[arg(long, conflicts_with = "data")]
    pub database: Option<String>,
    #[command(flatten)]
    pub settings: SettingsArg,
    /// Print the result as one JSON object.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct RulesTextArgs {
    /// The model file.
    pub model: PathBuf,
}

#[derive(Debug, Args)]
pub struct RulesScoreArgs {
    /// Model files (YAML, or JSON when the name ends in .json).
    #[arg(required = true)]
    pub models: Vec<PathBuf>,
    /// The DATA.md folder whose leads to score.
    #[arg(long)]
    pub data: PathBuf,
    #[command(flatten)]
    pub map: MapArg,
    /// The evaluation time (RFC 3339 or a date); only interactions at or before it
    /// count. Default: now.
    #[arg(long)]
    pub at: Option<String>,
    #[command(flatten)]
    pub settings: SettingsArg,
    /// The CSV file to write: lead_id,model,score,grade,sales_ready,reason.
    #[arg(long)]
    pub out: PathBuf,
    /// Also write each score's explanation, one JSON object per line.
    #[arg(long)]
    pub explain: Option<PathBuf>,
    /// A folder whose leads file holds more leads than this is read a part at
    /// a time (whole neighbourhoods of accounts, contacts, leads and the
    /// interactions of their contacts, at least a third of this many leads
    /// each, three held at once: two read ahead while one is scored); memory
    /// grows with it, never with the folder.
    #[arg(long, default_value_t = crate::commands::RULE_LEADS_PER_PART, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..))]
    pub leads_per_part: usize,
    /// Print the summary as one JSON object.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct RulesBacktestArgs {
    /// Model files (YAML, or JSON when the name ends in .json).
    #[arg(required = true)]
    pub models: Vec<PathBuf>,
    /// The DATA.md folder whose closed leads to score.
    #[arg(long)]
    pub data: PathBuf,
    #[command(flatten)]
    pub map: MapArg,
    #[command(flatten)]
    pub settings: SettingsArg,
    /// Score every lead as of this time instead of as of its close time.
    #[arg(long)]
    pub at: Option<String>,
    /// Print the result as one JSON object.
    #[arg(long)]
    pub json: bool,
}

impl Command {
    /// Whether the command was asked for JSON output.
    pub fn json(&self) -> bool {
        match self {
            Self::Generate(a) => a.json,
            Self::Import(a) => a.json,
            Self::Serve(_) => false,
            Self::Keys(a) => a.json(),
            Self::Users(a) => a.json(),
            Self::Config(_) => false,
            Self::Export(a) => a.json,
            Self::Rules(RulesCommand::Check(a)) => a.json,
            Self::Rules(RulesCommand::Text(_)) => false,
            Self::Map(_) => false,
            Self::Rules(RulesCommand::Score(a)) => a.json,
            Self::Rules(RulesCommand::Backtest(a)) => a.json,
            Self::Train(a) => a.json,
            Self::Evaluate(a) => a.json,
            Self::Score(a) => a.json,
            Self::Review(a) => a.json,
            Self::Retrain(a) => a.json,
            Self::Backup(a) => a.json,
            Self::Restore(a) => a.json,
        }
    }
}

#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// The folder to write (created if missing; an existing one must be empty:
    /// generate never writes over files).
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
pub struct RetrainArgs {
    /// The store (as for `serve`; default the config's `database`, else
    /// `leadscore.db` in the working directory). A SQLite file that does not
    /// exist is refused, not created.
    #[arg(long, env = "DATABASE_URL")]
    pub database: Option<String>,
    /// The service's TOML settings file: its `[retraining]` section sets the
    /// window and the policy (`LEADSCORE_RETRAINING__*` variables override it).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Train on the leads closed in the last this many days (default 730).
    #[arg(long)]
    pub window_days: Option<u32>,
    /// Publish when the new model's held-out AUC is at least this share of the
    /// live model's on the same leads (default 0.95).
    #[arg(long)]
    pub min_auc_share: Option<f64>,
    /// ...or when the live model is older than this many days (default 180;
    /// 0: never for age alone).
    #[arg(long)]
    pub max_champion_age_days: Option<u32>,
    /// Retrain as of this time (RFC 3339 or a date) instead of now: the window
    /// ends here (for replays and tests).
    #[arg(long)]
    pub at: Option<String>,
    /// Print the outcome as one JSON object.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The store: a SQLite file path or `sqlite://PATH`, or
    /// `postgres://USER@HOST/DB` for several instances (default: the config's
    /// `database`, else `leadscore.db` in the working directory).
    #[arg(long, env = "DATABASE_URL")]
    pub database: Option<String>,
    /// The address to listen on (default 127.0.0.1:8080, or the config's
    /// `listen`).
    #[arg(long)]
    pub listen: Option<String>,
    /// A TOML settings file; `LEADSCORE_*` environment variables override it
    /// (e.g. `LEADSCORE_LIMITS__MAX_BATCH=500`).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// On an empty store, load the shipped sample data, rule models and
    /// conversion model first. On a store that holds leads, load no sample
    /// data (and say so), but put in the shipped rule models when it has none
    /// and the shipped conversion model when none is live.
    #[arg(long)]
    pub load_sample: bool,
    /// The sample folder --load-sample loads.
    #[arg(
        long,
        env = "LEADSCORE_SAMPLE_DIR",
        default_value = "training-data/sample"
    )]
    pub sample: PathBuf,
    /// The models folder --load-sample loads (`rules/*.yaml`,
    /// `conversion/model.json`).
    #[arg(long, env = "LEADSCORE_MODELS_DIR", default_value = "models")]
    pub models: PathBuf,
}

#[derive(Debug, Args)]
pub struct KeysArgs {
    #[command(subcommand)]
    pub command: KeysCommand,
    /// The store (as for `serve`; default `leadscore.db`). Only `create`
    /// makes a SQLite file that does not exist; the others refuse it.
    #[arg(long, env = "DATABASE_URL", global = true)]
    pub database: Option<String>,
}

impl KeysArgs {
    fn json(&self) -> bool {
        match &self.command {
            KeysCommand::Create { json, .. }
            | KeysCommand::Rotate { json, .. }
            | KeysCommand::List { json } => *json,
            KeysCommand::Revoke { .. } => false,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Makes a key and prints it once (only its hash is stored).
    Create {
        /// read, ingest or admin.
        #[arg(long)]
        role: String,
        /// A label for people (`hubspot-sync`).
        #[arg(long)]
        label: Option<String>,
        /// The key stops working this many days from now (1 to 3650);
        /// without it, it works until revoked.
        #[arg(long)]
        expires_in_days: Option<u32>,
        /// Print the key as one JSON object.
        #[arg(long)]
        json: bool,
    },
    /// Replaces a key by a new one with the same role and label, printed
    /// once; the old key keeps working for the overlap, then expires.
    Rotate {
        /// The old key's public id (`lsk_...`).
        key_id: String,
        /// How long the old key keeps working beside the new one, in hours
        /// (0 to 720).
        #[arg(long, default_value_t = 24)]
        overlap_hours: u32,
        /// The new key stops working this many days from now (1 to 3650);
        /// without it, it works until revoked.
        #[arg(long)]
        expires_in_days: Option<u32>,
        /// Print the new key as one JSON object.
        #[arg(long)]
        json: bool,
    },
    /// Lists the keys (never their text).
    List {
        /// Print as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Revokes a key by its public id (`lsk_...`).
    Revoke {
        /// The key's public id.
        key_id: String,
    },
}

#[derive(Debug, Args)]
pub struct UsersArgs {
    #[command(subcommand)]
    pub command: UsersCommand,
    /// The store (as for `serve`; default `leadscore.db`). Only `create`
    /// makes a SQLite file that does not exist; the others refuse it.
    #[arg(long, env = "DATABASE_URL", global = true)]
    pub database: Option<String>,
}

impl UsersArgs {
    fn json(&self) -> bool {
        match &self.command {
            UsersCommand::Create { json, .. } | UsersCommand::List { json } => *json,
            UsersCommand::Disable { .. } => false,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum UsersCommand {
    /// Makes a user who signs in to the console with their email and a
    /// password (asked for on a terminal, else read from stdin; never an
    /// argument).
    Create {
        /// The user's email (unique, whatever its case).
        #[arg(long)]
        email: String,
        /// read, ingest or admin.
        #[arg(long)]
        role: String,
        /// Read the password from stdin (its first line) even on a terminal.
        #[arg(long, conflicts_with = "invite")]
        password_stdin: bool,
        /// Set no password: print a one-time link (24 hours) with which the
        /// person sets it.
        #[arg(long)]
        invite: bool,
        /// Print the user as one JSON object.
        #[arg(long)]
        json: bool,
    },
    /// Lists the users (never their passwords).
    List {
        /// Print as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Disables a user and ends their console sessions at once.
    Disable {
        /// The user's email.
        email: String,
    },
}

/// `--config`, for the commands that read a DATA.md folder.
#[derive(Debug, Args)]
pub struct SettingsArg {
    /// The service's TOML settings file (as for `serve`): its
    /// `records.future_tolerance_days` sets how far in the future a record's
    /// time may lie (`LEADSCORE_RECORDS__FUTURE_TOLERANCE_DAYS` overrides it;
    /// default 1 day), `records.custom_fields` and `records.custom_kinds`
    /// declare custom columns and interaction kinds close to standard ones.
    #[arg(long)]
    pub config: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The DATA.md folder to load (with --map, the CRM export's folder or file).
    pub dir: PathBuf,
    #[command(flatten)]
    pub database: DatabaseArg,
    #[command(flatten)]
    pub map: MapArg,
    /// Show the first rows as they would be stored and every problem, and
    /// write nothing (exit 1 when there is a problem).
    #[arg(long)]
    pub dry_run: bool,
    /// Import the good rows and report each bad one, instead of importing nothing.
    #[arg(long)]
    pub skip_bad_rows: bool,
    #[command(flatten)]
    pub settings: SettingsArg,
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

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum SplitArg {
    /// A random share (--test-fraction) of each class.
    Stratified,
    /// The newest leads (by creation time; DATA.md folders only).
    Time,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum SolverArg {
    /// Loss and gradient in one pass over the rows, on every core.
    Fused,
    /// linfa-logistic's LogisticRegression.
    LinfaLogistic,
}

#[derive(Debug, Args)]
pub struct TrainArgs {
    /// A DATA.md folder (one row per closed lead, as of its close) or a flat
    /// CSV/Parquet table with an outcome column.
    #[arg(long)]
    pub data: PathBuf,
    #[command(flatten)]
    pub map: MapArg,
    /// The outcome column of a flat table.
    #[arg(long)]
    pub target: Option<String>,
    /// The value of the outcome column meaning converted. Default: one of 1,
    /// yes, true, converted, qualified, won (any case).
    #[arg(long)]
    pub positive: Option<String>,
    /// Columns to leave out (ids, leaky or noisy fields), comma separated.
    #[arg(long, value_delimiter = ',')]
    pub exclude: Vec<String>,
    /// Measure on this data (same shape as --data) and fit on all of --data.
    #[arg(long)]
    pub test_data: Option<PathBuf>,
    #[command(flatten)]
    pub settings: SettingsArg,
    /// The seed of every random choice (split, folds).
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Which leads are held out for testing.
    #[arg(long, value_enum, default_value = "stratified")]
    pub split: SplitArg,
    /// The share of leads held out for testing.
    #[arg(long, default_value_t = 0.2)]
    pub test_fraction: f64,
    /// The lowest scores of grades A, B and C.
    #[arg(long, default_value = "75,50,25")]
    pub grades: String,
    /// Below this held-out AUC the model is low-confidence.
    #[arg(long, default_value_t = 0.70)]
    pub min_auc: f64,
    /// Refuse to train with fewer converted or fewer lost leads than this.
    #[arg(long, default_value_t = 40)]
    pub min_per_class: usize,
    /// Solver iterations before training fails.
    #[arg(long, default_value_t = 1_000)]
    pub max_iterations: u64,
    /// The fit's implementation: the fused solver, or linfa-logistic itself (the
    /// reference; same objective, much slower on large data).
    #[arg(long, value_enum, default_value = "fused")]
    pub solver: SolverArg,
    /// Weigh converted and lost leads equally in the fit (the calibration then
    /// maps the scores back to the true conversion rates).
    #[arg(long)]
    pub balance: bool,
    /// The folder to write: model.json, metrics.json, errors.csv, quality.json.
    #[arg(long)]
    pub out: PathBuf,
    /// For a DATA.md folder: the leads read at once (whole neighbourhoods of
    /// accounts, contacts and leads, in parts of at least this many, copied
    /// beside --out); reading memory grows with it, never with the folder.
    #[arg(long, default_value_t = leadscore_files::LEADS_PER_PART, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..))]
    pub leads_per_part: usize,
    /// Print the summary as one JSON object.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct EvaluateArgs {
    /// The artifact folder written by `train` (or its model.json).
    #[arg(long)]
    pub model: PathBuf,
    /// A DATA.md folder (its closed leads, each as of its close) or a flat table
    /// with the model's outcome column.
    #[arg(long)]
    pub data: PathBuf,
    #[command(flatten)]
    pub settings: SettingsArg,
    /// Also write the false positives and false negatives, with the features
    /// that drove each, as CSV.
    #[arg(long)]
    pub errors: Option<PathBuf>,
    /// Print the metrics as one JSON object.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ScoreArgs {
    /// The artifact folder written by `train` (or its model.json).
    #[arg(long)]
    pub model: PathBuf,
    /// A DATA.md folder (every lead, as of --at) or a flat table.
    #[arg(long)]
    pub data: PathBuf,
    #[command(flatten)]
    pub map: MapArg,
    /// The id column of a flat table; without it the row number is the id.
    #[arg(long)]
    pub id: Option<String>,
    /// For a DATA.md folder: the scoring time (RFC 3339 or a date). Default: now.
    #[arg(long)]
    pub at: Option<String>,
    #[command(flatten)]
    pub settings: SettingsArg,
    /// Grade bands to use instead of the model's (lowest scores of A, B, C).
    #[arg(long)]
    pub grades: Option<String>,
    /// The CSV file to write:
    /// lead_id,score,grade,probability,top_positive,top_negative,low_confidence.
    #[arg(long)]
    pub out: PathBuf,
    /// For a DATA.md folder: the leads read at once (whole neighbourhoods of
    /// accounts, contacts and leads, in parts of at least this many); memory
    /// grows with it, never with the folder.
    #[arg(long, default_value_t = leadscore_files::LEADS_PER_PART, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..))]
    pub leads_per_part: usize,
    /// Print the summary as one JSON object.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ReviewArgs {
    /// The artifact folder written by `train` (or its model.json).
    #[arg(long)]
    pub model: PathBuf,
    /// A DATA.md folder: its closed leads give the curves, grades, lift and
    /// backtests; its leads created in the last `--recent-days` give the drift.
    /// Without it the page holds what the artifact records.
    #[arg(long)]
    pub data: Option<PathBuf>,
    /// The previous version's artifact, to show how the features changed.
    #[arg(long)]
    pub previous: Option<PathBuf>,
    /// Rule models to backtest beside the conversion model (files, or folders
    /// of .yaml/.yml/.json files).
    #[arg(long)]
    pub rules: Vec<PathBuf>,
    /// The review's time (RFC 3339 or a date); default: the newest lead's
    /// creation in `--data`.
    #[arg(long)]
    pub at: Option<String>,
    #[command(flatten)]
    pub settings: SettingsArg,
    /// How many days before `--at` count as recent, for drift (1 to 3650).
    #[arg(long, default_value_t = 90, value_parser = clap::value_parser!(u32).range(1..=i64::from(leadscore_report::MAX_RECENT_DAYS)))]
    pub recent_days: u32,
    /// The HTML page to write.
    #[arg(long)]
    pub out: PathBuf,
    /// Also write the review as JSON to this file (for notebooks and other
    /// tools).
    #[arg(long)]
    pub out_json: Option<PathBuf>,
    /// Print the summary as one JSON object.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct BackupArgs {
    #[command(flatten)]
    pub database: DatabaseArg,
    /// The backup file to write (a SQLite database). It must not exist: a
    /// backup is never written over a file.
    #[arg(long)]
    pub out: PathBuf,
    /// Print the summary as one JSON object.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct RestoreArgs {
    /// The backup file (written by `leadscore backup`).
    #[arg(long)]
    pub from: PathBuf,
    #[command(flatten)]
    pub database: DatabaseArg,
    /// Replace an existing database: it is moved aside to
    /// `<name>.before-restore-<time>`, never deleted.
    #[arg(long)]
    pub force: bool,
    /// Print the summary as one JSON object.
    #[arg(long)]
    pub json: bool,
}

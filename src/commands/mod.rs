//! One module per subcommand.

mod ahead;
pub mod backup;
pub mod config;
pub mod evaluate;
pub mod export;
pub mod generate;
pub mod import;
pub mod map;
pub mod mapped;
mod model_data;
pub mod retrain;
pub mod review;
pub mod rules;
mod rules_score;

pub use rules_score::RULE_LEADS_PER_PART;
pub mod score;
pub mod serve;
pub mod train;
pub mod users;

use std::path::Path;

use anyhow::Context;
use leadscore_domain::{Declared, FutureTolerance, Timestamp};
use leadscore_engine::Settings;
use leadscore_store::{DatabaseUrl, SqlStore, StoreError};

/// A tokio runtime for the commands that talk to the store.
pub fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}

/// Opens the store named by `--database` / `DATABASE_URL`.
pub async fn open_store(url: &str) -> anyhow::Result<(DatabaseUrl, SqlStore)> {
    let url = DatabaseUrl::parse(url)?;
    let store = SqlStore::open(&url).await?;
    Ok((url, store))
}

/// Opens the store named by `--database` / `DATABASE_URL` for `command`, a
/// command that only reads the store or changes what it already holds: a
/// SQLite file that does not exist is refused (and not created), with how to
/// make one.
pub async fn open_existing_store(
    url: &str,
    command: &str,
) -> anyhow::Result<(DatabaseUrl, SqlStore)> {
    let url = DatabaseUrl::parse(url)?;
    match SqlStore::open_existing(&url).await {
        Ok(store) => Ok((url, store)),
        Err(StoreError::NoDatabase { path }) => Err(no_store(command, &path)),
        Err(e) => Err(e.into()),
    }
}

/// The refusal of a SQLite store that does not exist, for `command`.
pub fn no_store(command: &str, path: &Path) -> anyhow::Error {
    anyhow::anyhow!(
        "there is no leadscore database at {path:?}: `leadscore {command}` only uses an \
         existing one and does not create it; check --database (or DATABASE_URL), or make \
         the store with `leadscore import DIR --database {shown}` or \
         `leadscore serve --database {shown}`",
        shown = path.display()
    )
}

/// `--at`: RFC 3339, a date, or `now` (the default).
/// The folder scratch files go in, beside an output file (its folder, or the
/// working folder for a bare file name), so that they are on its disk.
pub(crate) fn scratch_beside(out: &Path) -> &Path {
    match out.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    }
}

pub fn parse_at(at: Option<&str>) -> anyhow::Result<Timestamp> {
    match at {
        None | Some("now") => Ok(Timestamp::now()),
        Some(text) => Timestamp::parse(text).context("--at"),
    }
}

/// How far in the future a record's time may lie, for the commands that read a
/// DATA.md folder: `records.future_tolerance_days` of the settings loaded as
/// `serve` loads them (defaults, then `--config`, then the `LEADSCORE_*`
/// environment, e.g. `LEADSCORE_RECORDS__FUTURE_TOLERANCE_DAYS`).
pub fn future_tolerance(config: Option<&Path>) -> anyhow::Result<FutureTolerance> {
    let settings = Settings::load(config)?;
    Ok(FutureTolerance::days(
        settings.records.future_tolerance_days,
    ))
}

/// The custom fields and interaction kinds declared, for the commands that
/// read a DATA.md folder: `records.custom_fields` and `records.custom_kinds`
/// of the settings loaded as [`future_tolerance`] loads them (e.g.
/// `LEADSCORE_RECORDS__CUSTOM_FIELDS='["Lead Status"]'`). A column or kind
/// close to a standard one is refused unless declared (DATA.md).
pub fn declared(config: Option<&Path>) -> anyhow::Result<Declared> {
    Ok(Settings::load(config)?.declared())
}

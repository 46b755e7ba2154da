//! One module per subcommand.

pub mod backup;
pub mod config;
pub mod evaluate;
pub mod export;
pub mod generate;
pub mod import;
mod model_data;
pub mod retrain;
pub mod review;
pub mod rules;
pub mod score;
pub mod serve;
pub mod train;
pub mod users;

use anyhow::Context;
use leadscore_domain::Timestamp;
use leadscore_store::{DatabaseUrl, SqlStore};

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

/// `--at`: RFC 3339, a date, or `now` (the default).
pub fn parse_at(at: Option<&str>) -> anyhow::Result<Timestamp> {
    match at {
        None | Some("now") => Ok(Timestamp::now()),
        Some(text) => Timestamp::parse(text).context("--at"),
    }
}

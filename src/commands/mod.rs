//! One module per subcommand.

pub mod export;
pub mod generate;
pub mod import;
pub mod rules;

use anyhow::Context;
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

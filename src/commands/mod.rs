//! One module per subcommand.

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

use std::path::Path;

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

/// A temporary file beside `path`, renamed over it by [`publish`] once complete,
/// so that a failed run never leaves a half-written file.
pub fn staged(path: &Path) -> anyhow::Result<tempfile::NamedTempFile> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    tempfile::NamedTempFile::new_in(dir)
        .with_context(|| format!("cannot create {}", path.display()))
}

/// Makes a [`staged`] file an ordinary file at `path`, replacing what was there.
pub fn publish(file: tempfile::NamedTempFile, path: &Path) -> anyhow::Result<()> {
    // A temporary file is private (0600); the result is an ordinary file.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        file.as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o644))
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    file.as_file()
        .sync_all()
        .with_context(|| format!("cannot write {}", path.display()))?;
    file.persist(path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

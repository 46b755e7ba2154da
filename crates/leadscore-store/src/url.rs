//! Database locations: parsed and validated once, redacted for messages.

use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use crate::{Backend, StoreError};

/// The SQLite file used when no database location is given.
pub const DEFAULT_SQLITE_FILE: &str = "leadscore.db";

/// Parsed database location, validated on construction.
///
/// `Debug` and `Display` show the [redacted](DatabaseUrl::redacted) form, so a
/// location can be logged safely.
#[derive(Clone, PartialEq, Eq)]
pub struct DatabaseUrl {
    location: Location,
}

#[derive(Clone, PartialEq, Eq)]
enum Location {
    Sqlite(PathBuf),
    Postgres(String),
}

impl DatabaseUrl {
    /// Accepts `sqlite://path`, `sqlite:path`, `postgres://…`, `postgresql://…`, or a
    /// bare file path (SQLite).
    ///
    /// SQLite locations take no query parameters and cannot be in-memory databases;
    /// PostgreSQL URLs are checked by the driver's own parser.
    pub fn parse(s: &str) -> Result<Self, StoreError> {
        let text = s.trim();
        let bad = |reason: &str| StoreError::BadUrl {
            url: redact(text),
            reason: reason.to_owned(),
        };
        if text.is_empty() {
            return Err(bad("the location is empty"));
        }
        let location = match scheme(text) {
            Some("sqlite") => {
                let rest = &text["sqlite:".len()..];
                let rest = rest.strip_prefix("//").unwrap_or(rest);
                Location::Sqlite(sqlite_path(rest).map_err(bad)?)
            }
            Some("postgres" | "postgresql") => {
                if !text.contains("://") {
                    return Err(bad(
                        "a PostgreSQL URL looks like postgres://user@host:5432/database",
                    ));
                }
                sqlx::postgres::PgConnectOptions::from_str(text)
                    .map_err(|e| bad(&e.to_string()))?;
                Location::Postgres(text.to_owned())
            }
            Some(other) => {
                return Err(bad(&format!(
                    "unsupported scheme {other:?}: use sqlite://, postgres:// or a file path"
                )));
            }
            None => Location::Sqlite(sqlite_path(text).map_err(bad)?),
        };
        Ok(Self { location })
    }

    /// A SQLite database file, given as a path (no URL parsing).
    pub fn sqlite_file(path: impl Into<PathBuf>) -> Self {
        Self {
            location: Location::Sqlite(path.into()),
        }
    }

    /// The default location: [`DEFAULT_SQLITE_FILE`] in the working directory.
    pub fn default_sqlite() -> Self {
        Self {
            location: Location::Sqlite(PathBuf::from(DEFAULT_SQLITE_FILE)),
        }
    }

    /// Which database this location names.
    pub fn backend(&self) -> Backend {
        match self.location {
            Location::Sqlite(_) => Backend::Sqlite,
            Location::Postgres(_) => Backend::Postgres,
        }
    }

    /// The SQLite database file, for a SQLite location.
    pub fn sqlite_path(&self) -> Option<&Path> {
        match &self.location {
            Location::Sqlite(path) => Some(path),
            Location::Postgres(_) => None,
        }
    }

    /// The URL with any password replaced by `***`, for messages and logs.
    pub fn redacted(&self) -> String {
        match &self.location {
            Location::Sqlite(path) => format!("sqlite://{}", path.display()),
            Location::Postgres(url) => redact(url),
        }
    }

    /// The URL handed to sqlx's `Any` driver. Contains the password: never log it.
    ///
    /// For SQLite it is `sqlite:<percent-encoded path>?mode=rwc` (create the file on
    /// first use). The opaque `sqlite:` form is used because sqlx parses the URL with
    /// a URL parser first, which would lower-case a relative path given as
    /// `sqlite://Name.db` (it reads `Name.db` as a host name).
    pub fn connect_url(&self) -> String {
        match &self.location {
            Location::Sqlite(path) => {
                let text = path.to_string_lossy();
                let mut text: &str = &text;
                while text.starts_with("//") {
                    text = &text[1..];
                }
                format!("sqlite:{}?mode=rwc", percent_encode_path(text))
            }
            Location::Postgres(url) => url.clone(),
        }
    }

    /// The same PostgreSQL server and credentials with another database name.
    #[cfg(feature = "testing")]
    pub(crate) fn with_database(&self, database: &str) -> Result<Self, StoreError> {
        let Location::Postgres(url) = &self.location else {
            return Err(StoreError::BadUrl {
                url: self.redacted(),
                reason: "not a PostgreSQL URL".to_owned(),
            });
        };
        let authority_start = url.find("://").map_or(0, |i| i + 3);
        let path_start = url[authority_start..]
            .find(['/', '?', '#'])
            .map_or(url.len(), |i| authority_start + i);
        let path_end = url[path_start..]
            .find(['?', '#'])
            .map_or(url.len(), |i| path_start + i);
        let new = format!("{}/{database}{}", &url[..path_start], &url[path_end..]);
        Self::parse(&new)
    }
}

impl FromStr for DatabaseUrl {
    type Err = StoreError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted())
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("DatabaseUrl")
            .field(&self.redacted())
            .finish()
    }
}

/// The URL scheme, lower-cased, if the text starts with one. A single letter
/// before `:` is not taken for a scheme (it may be a drive letter).
fn scheme(text: &str) -> Option<&str> {
    let colon = text.find(':')?;
    let candidate = &text[..colon];
    let mut chars = candidate.chars();
    let valid = candidate.len() >= 2
        && chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    if !valid {
        return None;
    }
    Some(match candidate.to_ascii_lowercase().as_str() {
        "sqlite" => "sqlite",
        "postgres" => "postgres",
        "postgresql" => "postgresql",
        _ => candidate,
    })
}

fn sqlite_path(text: &str) -> Result<PathBuf, &'static str> {
    if text.is_empty() {
        return Err("the SQLite file path is empty");
    }
    if text == ":memory:" || text.starts_with(":memory:?") || text.contains("mode=memory") {
        return Err("in-memory SQLite databases are not supported: give a file path");
    }
    if text.contains('?') {
        return Err("SQLite locations take no query parameters: give a plain file path");
    }
    Ok(PathBuf::from(text))
}

/// Escapes what would end or alter the path part of a `sqlite:` URL; sqlx
/// percent-decodes the path again.
fn percent_encode_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for c in path.chars() {
        match c {
            '%' | '?' | '#' | ' ' | '"' | '<' | '>' | '`' | '{' | '}' => {
                let mut buf = [0u8; 4];
                for b in c.encode_utf8(&mut buf).bytes() {
                    out.push_str(&format!("%{b:02X}"));
                }
            }
            c if c.is_control() => {
                let mut buf = [0u8; 4];
                for b in c.encode_utf8(&mut buf).bytes() {
                    out.push_str(&format!("%{b:02X}"));
                }
            }
            c => out.push(c),
        }
    }
    out
}

/// Replaces the password of a URL (in the user info, or a `password=` query
/// parameter) with `***`. Text that is not a URL is returned unchanged.
pub(crate) fn redact(url: &str) -> String {
    rewrite_password(url, Some("***"))
}

/// The URL with the password of its user info and any `password=` query
/// parameter removed (for a command to print: the tool asks for it, or reads
/// `PGPASSWORD`). Text that is not a URL is returned unchanged.
pub(crate) fn without_password(url: &str) -> String {
    rewrite_password(url, None)
}

/// The URL with its password (in the user info, or a `password=` query
/// parameter) replaced by `replacement`, or removed when it is `None`.
fn rewrite_password(url: &str, replacement: Option<&str>) -> String {
    let Some(scheme_end) = url.find("://") else {
        return url.to_owned();
    };
    let authority_start = scheme_end + 3;
    let authority_end = url[authority_start..]
        .find(['/', '?', '#'])
        .map_or(url.len(), |i| authority_start + i);
    let authority = &url[authority_start..authority_end];
    let mut out = String::with_capacity(url.len());
    out.push_str(&url[..authority_start]);
    match authority.rfind('@') {
        Some(at) => {
            let userinfo = &authority[..at];
            match (userinfo.split_once(':'), replacement) {
                (Some((user, _)), Some(with)) => {
                    out.push_str(user);
                    out.push(':');
                    out.push_str(with);
                }
                (Some((user, _)), None) => out.push_str(user),
                (None, _) => out.push_str(userinfo),
            }
            out.push_str(&authority[at..]);
        }
        None => out.push_str(authority),
    }
    let rest = &url[authority_end..];
    let Some(q) = rest.find('?') else {
        out.push_str(rest);
        return out;
    };
    let (query, fragment) = match rest[q + 1..].find('#') {
        Some(h) => (&rest[q + 1..q + 1 + h], &rest[q + 1 + h..]),
        None => (&rest[q + 1..], ""),
    };
    let pairs: Vec<String> = query
        .split('&')
        .filter_map(|pair| match pair.split_once('=') {
            Some((key, _)) if key.eq_ignore_ascii_case("password") => {
                replacement.map(|with| format!("{key}={with}"))
            }
            _ => Some(pair.to_owned()),
        })
        .collect();
    out.push_str(&rest[..q]);
    if !pairs.is_empty() {
        out.push('?');
        out.push_str(&pairs.join("&"));
    }
    out.push_str(fragment);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_user_info_and_query_passwords() {
        assert_eq!(
            redact("postgres://bob:s3cr@t@db:5432/leads?sslmode=require&password=x"),
            "postgres://bob:***@db:5432/leads?sslmode=require&password=***"
        );
        assert_eq!(redact("postgres://bob@db/leads"), "postgres://bob@db/leads");
        assert_eq!(redact("leadscore.db"), "leadscore.db");
    }

    #[test]
    fn sqlite_connect_urls_escape_the_path() -> Result<(), StoreError> {
        let url = DatabaseUrl::parse("/tmp/My Data/100%#.db")?;
        assert_eq!(
            url.connect_url(),
            "sqlite:/tmp/My%20Data/100%25%23.db?mode=rwc"
        );
        Ok(())
    }

    #[test]
    fn swaps_the_database_name() -> Result<(), StoreError> {
        let url = DatabaseUrl::parse("postgres://u:p@h:5432/postgres?sslmode=disable")?;
        assert_eq!(
            url.with_database("other")?.connect_url(),
            "postgres://u:p@h:5432/other?sslmode=disable"
        );
        let bare = DatabaseUrl::parse("postgres://h")?;
        assert_eq!(bare.with_database("x")?.connect_url(), "postgres://h/x");
        Ok(())
    }
}

//! People who sign in to the web console: `users`, their `sessions`,
//! one-time `sign_in_links` and `sign_in_failures`. Only hashes of session
//! and link tokens are kept; passwords are kept as Argon2id hashes made by
//! the engine. Emails are matched by their lowercase form (`email_key`).

use leadscore_domain::{Role, Timestamp};
use sqlx::AssertSqlSafe;
use sqlx::any::AnyRow;

use crate::sql::{Cells, count, placeholders};
use crate::{SqlStore, StoreError};

/// A stored user (never the password hash: see [`Users::credentials`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRow {
    /// The user's id.
    pub user_id: String,
    /// The email as given.
    pub email: String,
    /// What the user may do.
    pub role: Role,
    /// When the user was made.
    pub created_at: Timestamp,
    /// When the user was disabled, if they were.
    pub disabled_at: Option<Timestamp>,
    /// Whether a password is set (an invited user has none until they
    /// use their link).
    pub has_password: bool,
}

/// A user to store.
#[derive(Debug, Clone, Copy)]
pub struct NewUserRow<'a> {
    /// The new user's id.
    pub user_id: &'a str,
    /// The email as given.
    pub email: &'a str,
    /// Its lowercase form, unique.
    pub email_key: &'a str,
    /// The password's hash (PHC string), if one is set.
    pub password_hash: Option<&'a str>,
    /// What the user may do.
    pub role: Role,
}

/// A session to store.
#[derive(Debug, Clone, Copy)]
pub struct NewSessionRow<'a> {
    /// The SHA-256 of the session's token, hex.
    pub session_hash: &'a str,
    /// Whose session it is.
    pub user_id: &'a str,
    /// The session's CSRF token.
    pub csrf_token: &'a str,
    /// When it ends unless used again.
    pub expires_at: Timestamp,
}

/// A live session and its user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRow {
    /// Whose session it is (not disabled).
    pub user: UserRow,
    /// The session's CSRF token.
    pub csrf_token: String,
    /// When it was made.
    pub created_at: Timestamp,
    /// When it was last used (as recorded: updated now and then).
    pub last_seen_at: Timestamp,
    /// When it ends unless used again.
    pub expires_at: Timestamp,
}

/// A usable one-time link: for a user, or (`None`) for the first admin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkRow {
    /// The user it signs in; `None` for the first admin's link.
    pub user: Option<UserRow>,
    /// When it stops working.
    pub expires_at: Timestamp,
}

const USER_COLUMNS: &str = "u.user_id, u.email, u.role, u.created_at, u.disabled_at, \
     CASE WHEN u.password_hash IS NULL THEN 0 ELSE 1 END AS has_password";

fn user_of(row: &AnyRow) -> Result<UserRow, StoreError> {
    let c = Cells::new(row, "users", &["user_id"]);
    Ok(UserRow {
        user_id: c.required_string("user_id")?,
        email: c.required_string("email")?,
        role: c.parse("role", Role::parse)?,
        created_at: c.timestamp("created_at")?,
        disabled_at: c.timestamp_opt("disabled_at")?,
        has_password: c.required_int("has_password")? != 0,
    })
}

/// The console's users, sessions, links and failed sign-ins (see the
/// [module documentation](self)).
#[derive(Debug, Clone, Copy)]
pub struct Users<'a> {
    pub(crate) store: &'a SqlStore,
}

impl Users<'_> {
    fn sql(&self, sql: &str) -> AssertSqlSafe<String> {
        AssertSqlSafe(placeholders(self.store.backend(), sql))
    }

    /// The user with this (lowercase) email as `conn` sees them.
    async fn user_by_key(
        &self,
        conn: &mut sqlx::AnyConnection,
        email_key: &str,
        op: &'static str,
    ) -> Result<Option<UserRow>, StoreError> {
        let row = sqlx::query(self.sql(&format!(
            "SELECT {USER_COLUMNS} FROM users u WHERE u.email_key = ?"
        )))
        .bind(email_key)
        .fetch_optional(&mut *conn)
        .await
        .map_err(StoreError::query(op))?;
        row.as_ref().map(user_of).transpose()
    }

    /// Within a write transaction: revokes every live session of the user
    /// `user_id` but `keep` (a session's hash), and marks their unused
    /// links used, at `now` (microseconds).
    async fn end_sessions_and_links(
        &self,
        conn: &mut sqlx::AnyConnection,
        user_id: &str,
        keep: Option<&str>,
        now: i64,
        op: &'static str,
    ) -> Result<(), StoreError> {
        let sessions =
            "UPDATE sessions SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL";
        let query = match keep {
            Some(keep) => sqlx::query(self.sql(&format!("{sessions} AND session_hash <> ?")))
                .bind(now)
                .bind(user_id)
                .bind(keep),
            None => sqlx::query(self.sql(sessions)).bind(now).bind(user_id),
        };
        query
            .execute(&mut *conn)
            .await
            .map_err(StoreError::query(op))?;
        sqlx::query(
            self.sql("UPDATE sign_in_links SET used_at = ? WHERE user_id = ? AND used_at IS NULL"),
        )
        .bind(now)
        .bind(user_id)
        .execute(&mut *conn)
        .await
        .map_err(StoreError::query(op))?;
        Ok(())
    }

    /// Stores a new user; false (and nothing stored) when a user already
    /// has this email (in any case).
    pub async fn insert(&self, user: &NewUserRow<'_>) -> Result<bool, StoreError> {
        let op = "store a user";
        let now = Timestamp::now();
        write_tx!(self.store, op, |tx| {
            let done = sqlx::query(self.sql(
                "INSERT INTO users (user_id, email, email_key, password_hash, role, created_at) \
                 VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            ))
            .bind(user.user_id)
            .bind(user.email)
            .bind(user.email_key)
            .bind(user.password_hash)
            .bind(user.role.as_str())
            .bind(now.as_micros())
            .execute(&mut **tx)
            .await
            .map_err(StoreError::query(op))?
            .rows_affected();
            Ok(done == 1)
        })
    }

    /// How many users there are (disabled ones included).
    pub async fn count(&self) -> Result<u64, StoreError> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM users")
            .fetch_one(self.store.pool())
            .await
            .map_err(StoreError::query("count users"))?;
        Ok(count(Cells::new(&row, "users", &[]).required_int("n")?))
    }

    /// Every user, oldest first.
    pub async fn list(&self) -> Result<Vec<UserRow>, StoreError> {
        let rows = sqlx::query(AssertSqlSafe(format!(
            "SELECT {USER_COLUMNS} FROM users u ORDER BY u.created_at, u.user_id"
        )))
        .fetch_all(self.store.pool())
        .await
        .map_err(StoreError::query("list users"))?;
        rows.iter().map(user_of).collect()
    }

    /// The user with this (lowercase) email and their password hash.
    pub async fn credentials(
        &self,
        email_key: &str,
    ) -> Result<Option<(UserRow, Option<String>)>, StoreError> {
        let row = sqlx::query(self.sql(&format!(
            "SELECT {USER_COLUMNS}, u.password_hash FROM users u WHERE u.email_key = ?"
        )))
        .bind(email_key)
        .fetch_optional(self.store.pool())
        .await
        .map_err(StoreError::query("read a user"))?;
        row.map(|row| {
            let hash = Cells::new(&row, "users", &["user_id"]).string("password_hash")?;
            Ok((user_of(&row)?, hash))
        })
        .transpose()
    }

    /// Disables the user with this (lowercase) email and revokes all their
    /// sessions and unused links, in one transaction. The user as they now
    /// stand; `None` when there is no such user.
    pub async fn disable(&self, email_key: &str) -> Result<Option<UserRow>, StoreError> {
        let op = "disable a user";
        let now = Timestamp::now().as_micros();
        write_tx!(self.store, op, |tx| {
            sqlx::query(self.sql(
                "UPDATE users SET disabled_at = ? WHERE email_key = ? AND disabled_at IS NULL",
            ))
            .bind(now)
            .bind(email_key)
            .execute(&mut **tx)
            .await
            .map_err(StoreError::query(op))?;
            sqlx::query(self.sql(
                "UPDATE sessions SET revoked_at = ? WHERE revoked_at IS NULL AND user_id IN \
                 (SELECT user_id FROM users WHERE email_key = ?)",
            ))
            .bind(now)
            .bind(email_key)
            .execute(&mut **tx)
            .await
            .map_err(StoreError::query(op))?;
            sqlx::query(self.sql(
                "UPDATE sign_in_links SET used_at = ? WHERE used_at IS NULL AND user_id IN \
                 (SELECT user_id FROM users WHERE email_key = ?)",
            ))
            .bind(now)
            .bind(email_key)
            .execute(&mut **tx)
            .await
            .map_err(StoreError::query(op))?;
            self.user_by_key(tx, email_key, op).await
        })
    }

    /// Enables the user with this (lowercase) email again: they sign in
    /// with their password as before, while the sessions and links that
    /// disabling ended stay ended. The user as they now stand; `None` when
    /// there is no such user.
    pub async fn enable(&self, email_key: &str) -> Result<Option<UserRow>, StoreError> {
        let op = "enable a user";
        write_tx!(self.store, op, |tx| {
            sqlx::query(self.sql("UPDATE users SET disabled_at = NULL WHERE email_key = ?"))
                .bind(email_key)
                .execute(&mut **tx)
                .await
                .map_err(StoreError::query(op))?;
            self.user_by_key(tx, email_key, op).await
        })
    }

    /// Ends every live session and unused link of the user `user_id`, in
    /// one transaction, when that user exists and is not disabled; false
    /// (nothing changed) otherwise.
    pub async fn end_access(&self, user_id: &str) -> Result<bool, StoreError> {
        let op = "end a user's sessions and links";
        let now = Timestamp::now().as_micros();
        write_tx!(self.store, op, |tx| {
            let live = sqlx::query(
                self.sql("SELECT user_id FROM users WHERE user_id = ? AND disabled_at IS NULL"),
            )
            .bind(user_id)
            .fetch_optional(&mut **tx)
            .await
            .map_err(StoreError::query(op))?;
            if live.is_none() {
                return Ok(false);
            }
            self.end_sessions_and_links(tx, user_id, None, now, op)
                .await?;
            Ok(true)
        })
    }

    /// Replaces the password hash of the user `user_id` with `new_hash`, in
    /// one transaction, only while it is still `current_hash` and the user
    /// is not disabled; then ends every other live session of the user (all
    /// but `keep_session_hash`) and their unused links. False (nothing
    /// changed) when the hash was changed meanwhile or the user is disabled.
    pub async fn change_password(
        &self,
        user_id: &str,
        current_hash: &str,
        new_hash: &str,
        keep_session_hash: &str,
    ) -> Result<bool, StoreError> {
        let op = "change a password";
        let now = Timestamp::now().as_micros();
        write_tx!(self.store, op, |tx| {
            let done = sqlx::query(self.sql(
                "UPDATE users SET password_hash = ? \
                 WHERE user_id = ? AND password_hash = ? AND disabled_at IS NULL",
            ))
            .bind(new_hash)
            .bind(user_id)
            .bind(current_hash)
            .execute(&mut **tx)
            .await
            .map_err(StoreError::query(op))?
            .rows_affected();
            if done != 1 {
                return Ok(false);
            }
            self.end_sessions_and_links(tx, user_id, Some(keep_session_hash), now, op)
                .await?;
            Ok(true)
        })
    }

    /// Stores a session.
    pub async fn insert_session(&self, session: &NewSessionRow<'_>) -> Result<(), StoreError> {
        let op = "store a session";
        let now = Timestamp::now().as_micros();
        write_tx!(self.store, op, |tx| {
            sqlx::query(self.sql(
                "INSERT INTO sessions (session_hash, user_id, csrf_token, created_at, \
                 last_seen_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)",
            ))
            .bind(session.session_hash)
            .bind(session.user_id)
            .bind(session.csrf_token)
            .bind(now)
            .bind(now)
            .bind(session.expires_at.as_micros())
            .execute(&mut **tx)
            .await
            .map_err(StoreError::query(op))?;
            Ok(())
        })
    }

    /// The session with this hash when it is live at `now`: not revoked,
    /// not expired, and its user not disabled.
    pub async fn session(
        &self,
        session_hash: &str,
        now: Timestamp,
    ) -> Result<Option<SessionRow>, StoreError> {
        let row = sqlx::query(self.sql(&format!(
            "SELECT {USER_COLUMNS}, s.csrf_token, s.created_at AS session_created_at, \
             s.last_seen_at, s.expires_at FROM sessions s JOIN users u ON u.user_id = s.user_id \
             WHERE s.session_hash = ? AND s.revoked_at IS NULL AND s.expires_at > ? \
             AND u.disabled_at IS NULL"
        )))
        .bind(session_hash)
        .bind(now.as_micros())
        .fetch_optional(self.store.pool())
        .await
        .map_err(StoreError::query("read a session"))?;
        row.map(|row| {
            let c = Cells::new(&row, "sessions", &["user_id"]);
            Ok(SessionRow {
                csrf_token: c.required_string("csrf_token")?,
                created_at: c.timestamp("session_created_at")?,
                last_seen_at: c.timestamp("last_seen_at")?,
                expires_at: c.timestamp("expires_at")?,
                user: user_of(&row)?,
            })
        })
        .transpose()
    }

    /// Records a session's use at `now`, extending it to `expires_at`.
    pub async fn touch_session(
        &self,
        session_hash: &str,
        now: Timestamp,
        expires_at: Timestamp,
    ) -> Result<(), StoreError> {
        let op = "extend a session";
        write_tx!(self.store, op, |tx| {
            sqlx::query(self.sql(
                "UPDATE sessions SET last_seen_at = ?, expires_at = ? \
                 WHERE session_hash = ? AND revoked_at IS NULL",
            ))
            .bind(now.as_micros())
            .bind(expires_at.as_micros())
            .bind(session_hash)
            .execute(&mut **tx)
            .await
            .map_err(StoreError::query(op))?;
            Ok(())
        })
    }

    /// Revokes a session; false when it was not live.
    pub async fn revoke_session(&self, session_hash: &str) -> Result<bool, StoreError> {
        let op = "end a session";
        let now = Timestamp::now().as_micros();
        write_tx!(self.store, op, |tx| {
            let done = sqlx::query(self.sql(
                "UPDATE sessions SET revoked_at = ? WHERE session_hash = ? AND revoked_at IS NULL",
            ))
            .bind(now)
            .bind(session_hash)
            .execute(&mut **tx)
            .await
            .map_err(StoreError::query(op))?
            .rows_affected();
            Ok(done == 1)
        })
    }

    /// Records a failed sign-in for this (lowercase) email at `now`, and
    /// forgets failures older than `forget_before`.
    pub async fn record_failure(
        &self,
        email_key: &str,
        now: Timestamp,
        forget_before: Timestamp,
    ) -> Result<(), StoreError> {
        let op = "record a failed sign-in";
        write_tx!(self.store, op, |tx| {
            sqlx::query(self.sql("DELETE FROM sign_in_failures WHERE failed_at < ?"))
                .bind(forget_before.as_micros())
                .execute(&mut **tx)
                .await
                .map_err(StoreError::query(op))?;
            sqlx::query(
                self.sql("INSERT INTO sign_in_failures (email_key, failed_at) VALUES (?, ?)"),
            )
            .bind(email_key)
            .bind(now.as_micros())
            .execute(&mut **tx)
            .await
            .map_err(StoreError::query(op))?;
            Ok(())
        })
    }

    /// The failed sign-ins for this (lowercase) email since `since`: how
    /// many, and the time of each, oldest first.
    pub async fn failures_since(
        &self,
        email_key: &str,
        since: Timestamp,
    ) -> Result<Vec<Timestamp>, StoreError> {
        let rows = sqlx::query(self.sql(
            "SELECT failed_at FROM sign_in_failures WHERE email_key = ? AND failed_at >= ? \
             ORDER BY failed_at",
        ))
        .bind(email_key)
        .bind(since.as_micros())
        .fetch_all(self.store.pool())
        .await
        .map_err(StoreError::query("count failed sign-ins"))?;
        rows.iter()
            .map(|row| Cells::new(row, "sign_in_failures", &["email_key"]).timestamp("failed_at"))
            .collect()
    }

    /// Forgets the failed sign-ins of this (lowercase) email (after a
    /// successful one).
    pub async fn clear_failures(&self, email_key: &str) -> Result<(), StoreError> {
        let op = "forget failed sign-ins";
        write_tx!(self.store, op, |tx| {
            sqlx::query(self.sql("DELETE FROM sign_in_failures WHERE email_key = ?"))
                .bind(email_key)
                .execute(&mut **tx)
                .await
                .map_err(StoreError::query(op))?;
            Ok(())
        })
    }

    /// Stores a one-time link (for `user_id`, or the first admin's when
    /// `None`).
    pub async fn insert_link(
        &self,
        token_hash: &str,
        user_id: Option<&str>,
        expires_at: Timestamp,
    ) -> Result<(), StoreError> {
        let op = "store a sign-in link";
        let now = Timestamp::now().as_micros();
        write_tx!(self.store, op, |tx| {
            sqlx::query(self.sql(
                "INSERT INTO sign_in_links (token_hash, user_id, created_at, expires_at) \
                 VALUES (?, ?, ?, ?)",
            ))
            .bind(token_hash)
            .bind(user_id)
            .bind(now)
            .bind(expires_at.as_micros())
            .execute(&mut **tx)
            .await
            .map_err(StoreError::query(op))?;
            Ok(())
        })
    }

    /// The link with this hash when it can be used at `now` (unused,
    /// unexpired, its user not disabled), without using it.
    pub async fn link(
        &self,
        token_hash: &str,
        now: Timestamp,
    ) -> Result<Option<LinkRow>, StoreError> {
        let row = sqlx::query(self.sql(
            "SELECT user_id, expires_at FROM sign_in_links \
             WHERE token_hash = ? AND used_at IS NULL AND expires_at > ?",
        ))
        .bind(token_hash)
        .bind(now.as_micros())
        .fetch_optional(self.store.pool())
        .await
        .map_err(StoreError::query("read a sign-in link"))?;
        let Some(row) = row else {
            return Ok(None);
        };
        let c = Cells::new(&row, "sign_in_links", &["user_id"]);
        let expires_at = c.timestamp("expires_at")?;
        let Some(user_id) = c.string("user_id")? else {
            return Ok(Some(LinkRow {
                user: None,
                expires_at,
            }));
        };
        let user = sqlx::query(self.sql(&format!(
            "SELECT {USER_COLUMNS} FROM users u WHERE u.user_id = ? AND u.disabled_at IS NULL"
        )))
        .bind(user_id)
        .fetch_optional(self.store.pool())
        .await
        .map_err(StoreError::query("read a sign-in link"))?;
        Ok(user.as_ref().map(user_of).transpose()?.map(|user| LinkRow {
            user: Some(user),
            expires_at,
        }))
    }

    /// Uses a link, in one transaction: marks it used (only if it is still
    /// usable at `now`); then, for the first admin's link, stores `user`
    /// (refused, nothing changed, when its email is taken), or for a user's
    /// link sets that user's password to `user.password_hash` (the rest of
    /// `user` is not used), ending the user's live sessions and their other
    /// unused links; and stores `session` for the user. The user signed in;
    /// `None` when the link was not usable (used, expired, unknown, or its
    /// user disabled) and nothing changed.
    pub async fn redeem_link(
        &self,
        token_hash: &str,
        now: Timestamp,
        user: &NewUserRow<'_>,
        session: &NewSessionRow<'_>,
    ) -> Result<Option<UserRow>, StoreError> {
        let op = "use a sign-in link";
        let micros = now.as_micros();
        write_tx!(self.store, op, |tx| {
            let row = sqlx::query(self.sql(
                "UPDATE sign_in_links SET used_at = ? \
                 WHERE token_hash = ? AND used_at IS NULL AND expires_at > ? RETURNING user_id",
            ))
            .bind(micros)
            .bind(token_hash)
            .bind(micros)
            .fetch_optional(&mut **tx)
            .await
            .map_err(StoreError::query(op))?;
            let Some(row) = row else {
                return Ok(None);
            };
            let user_id = match Cells::new(&row, "sign_in_links", &[]).string("user_id")? {
                Some(user_id) => {
                    let done = sqlx::query(self.sql(
                        "UPDATE users SET password_hash = ? \
                         WHERE user_id = ? AND disabled_at IS NULL",
                    ))
                    .bind(user.password_hash)
                    .bind(&user_id)
                    .execute(&mut **tx)
                    .await
                    .map_err(StoreError::query(op))?
                    .rows_affected();
                    if done != 1 {
                        return Err(StoreError::Refused {
                            operation: op,
                            reason: "the link's user is disabled",
                        });
                    }
                    user_id
                }
                None => {
                    let done = sqlx::query(self.sql(
                        "INSERT INTO users (user_id, email, email_key, password_hash, role, \
                         created_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                    ))
                    .bind(user.user_id)
                    .bind(user.email)
                    .bind(user.email_key)
                    .bind(user.password_hash)
                    .bind(user.role.as_str())
                    .bind(micros)
                    .execute(&mut **tx)
                    .await
                    .map_err(StoreError::query(op))?
                    .rows_affected();
                    if done != 1 {
                        return Err(StoreError::Refused {
                            operation: op,
                            reason: "a user already has this email",
                        });
                    }
                    user.user_id.to_owned()
                }
            };
            // A new password ends the user's other sessions and links (a
            // password-reset link's user may have signed in since).
            self.end_sessions_and_links(tx, &user_id, None, micros, op)
                .await?;
            sqlx::query(self.sql(
                "INSERT INTO sessions (session_hash, user_id, csrf_token, created_at, \
                 last_seen_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)",
            ))
            .bind(session.session_hash)
            .bind(&user_id)
            .bind(session.csrf_token)
            .bind(micros)
            .bind(micros)
            .bind(session.expires_at.as_micros())
            .execute(&mut **tx)
            .await
            .map_err(StoreError::query(op))?;
            let user = sqlx::query(self.sql(&format!(
                "SELECT {USER_COLUMNS} FROM users u WHERE u.user_id = ?"
            )))
            .bind(&user_id)
            .fetch_one(&mut **tx)
            .await
            .map_err(StoreError::query(op))?;
            Ok(Some(user_of(&user)?))
        })
    }
}

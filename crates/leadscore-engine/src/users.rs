//! People who sign in to the web console: users with a role, passwords
//! hashed with Argon2id, server-side sessions (only the SHA-256 of a
//! session's token is stored) with a CSRF token each, a limit on failed
//! sign-ins counted in the store (so every instance shares it), and
//! one-time sign-in links (the first admin's, and invitations) that let a
//! person set their password.

use std::time::Duration;

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use leadscore_domain::{Role, Timestamp};
use leadscore_store::{NewSessionRow, NewUserRow, SqlStore, UserRow, new_id};
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::{EngineError, ErrorCode, Refusal};

/// The fewest characters a password may have.
pub const MIN_PASSWORD_CHARS: usize = 12;
/// The most characters a password may have (hashing is costly).
pub const MAX_PASSWORD_CHARS: usize = 256;
/// Failed sign-ins allowed per email within [`FAILURE_WINDOW`]; past them,
/// sign-in with that email is refused until the oldest one leaves the window.
pub const MAX_FAILURES: usize = 5;
/// The window failed sign-ins are counted over.
pub const FAILURE_WINDOW: Duration = Duration::from_secs(15 * 60);
/// A session ends after this long unused.
pub const SESSION_IDLE: Duration = Duration::from_secs(12 * 3600);
/// A session ends this long after sign-in, used or not.
pub const SESSION_MAX: Duration = Duration::from_secs(7 * 86_400);
/// How long a one-time sign-in link works.
pub const LINK_LIFETIME: Duration = Duration::from_secs(24 * 3600);
/// How often a session's use is recorded (extending it).
const TOUCH_EVERY: Duration = Duration::from_secs(60);

/// A user as shown (never the password hash).
pub type User = UserRow;

/// Why a user operation did not happen: the caller's input, or the engine.
#[derive(Debug, thiserror::Error)]
pub enum UserError {
    /// The input was refused (a bad email, a short password, a taken email).
    #[error(transparent)]
    Refused(#[from] Refusal),
    /// The engine failed.
    #[error(transparent)]
    Engine(#[from] EngineError),
}

impl From<leadscore_store::StoreError> for UserError {
    fn from(e: leadscore_store::StoreError) -> Self {
        Self::Engine(e.into())
    }
}

/// An email's form for matching: trimmed, lowercase.
pub fn email_key(email: &str) -> String {
    email.trim().to_lowercase()
}

/// A checked email (trimmed): one `@` with text on each side, a dot in the
/// domain, no spaces or control characters, at most 254 bytes.
pub fn check_email(email: &str) -> Result<String, Refusal> {
    let email = email.trim();
    let refuse = |why: &str| {
        Refusal::new(
            ErrorCode::InvalidValue,
            format!("{email:?} is not an email address: {why}"),
        )
        .field("email")
    };
    if email.is_empty() {
        return Err(
            Refusal::new(ErrorCode::InvalidValue, "an email address is needed").field("email"),
        );
    }
    if email.len() > 254 {
        return Err(refuse("it is longer than 254 bytes"));
    }
    if email.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(refuse("it holds a space or a control character"));
    }
    let Some((local, domain)) = email.split_once('@') else {
        return Err(refuse("it has no @"));
    };
    if local.is_empty() || domain.is_empty() || domain.contains('@') {
        return Err(refuse("it needs one @ with text on each side"));
    }
    if !domain.contains('.') || domain.starts_with('.') || domain.ends_with('.') {
        return Err(refuse("its domain needs a dot, like example.com"));
    }
    Ok(email.to_owned())
}

/// A password meets the rules: [`MIN_PASSWORD_CHARS`] to
/// [`MAX_PASSWORD_CHARS`] characters.
pub fn check_password(password: &str) -> Result<(), Refusal> {
    let n = password.chars().count();
    if n < MIN_PASSWORD_CHARS {
        return Err(Refusal::new(
            ErrorCode::InvalidValue,
            format!("a password needs at least {MIN_PASSWORD_CHARS} characters (this has {n})"),
        )
        .field("password"));
    }
    if n > MAX_PASSWORD_CHARS {
        return Err(Refusal::new(
            ErrorCode::InvalidValue,
            format!("a password has at most {MAX_PASSWORD_CHARS} characters"),
        )
        .field("password"));
    }
    Ok(())
}

fn internal(reason: impl ToString) -> EngineError {
    EngineError::Password {
        reason: reason.to_string(),
    }
}

/// The Argon2id hash of a password (PHC string), made off the async
/// threads (it takes tens of milliseconds and ~19 MiB by design).
pub async fn hash_password(password: &str) -> Result<String, EngineError> {
    let password = password.to_owned();
    tokio::task::spawn_blocking(move || {
        let mut salt = [0u8; 16];
        rand::rng().fill_bytes(&mut salt);
        let salt = SaltString::encode_b64(&salt).map_err(internal)?;
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(internal)
    })
    .await
    .map_err(internal)?
}

/// Whether `password` matches the stored hash (false for a hash that does
/// not read).
async fn verify_password(password: &str, stored: &str) -> Result<bool, EngineError> {
    let password = password.to_owned();
    let stored = stored.to_owned();
    tokio::task::spawn_blocking(move || {
        PasswordHash::new(&stored).is_ok_and(|hash| {
            Argon2::default()
                .verify_password(password.as_bytes(), &hash)
                .is_ok()
        })
    })
    .await
    .map_err(internal)
}

/// A hash of a random password, made once: verified when no account's
/// hash is, so that every failed sign-in costs one Argon2 verification.
static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();

async fn decoy_hash() -> Result<String, EngineError> {
    if let Some(hash) = DECOY.get() {
        return Ok(hash.clone());
    }
    let hash = hash_password(&random_token()).await?;
    Ok(DECOY.get_or_init(|| hash).clone())
}

/// 32 random bytes, hex.
fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// The SHA-256 of a token, hex: what the store keeps.
fn digest(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Makes a user with a role and, if given, a password (checked); a user
/// without one sets it through a link ([`invite`]). Refused when the email
/// does not read or another user has it.
pub async fn create_user(
    store: &SqlStore,
    email: &str,
    role: Role,
    password: Option<&str>,
) -> Result<User, UserError> {
    let email = check_email(email)?;
    let hash = match password {
        Some(p) => {
            check_password(p)?;
            Some(hash_password(p).await?)
        }
        None => None,
    };
    let key = email_key(&email);
    let user_id = format!("u_{}", new_id());
    let row = NewUserRow {
        user_id: &user_id,
        email: &email,
        email_key: &key,
        password_hash: hash.as_deref(),
        role,
    };
    if !store.users().insert(&row).await? {
        return Err(taken(&email).into());
    }
    Ok(User {
        user_id,
        email,
        role,
        created_at: Timestamp::now(),
        disabled_at: None,
        has_password: hash.is_some(),
    })
}

fn taken(email: &str) -> Refusal {
    Refusal::new(
        ErrorCode::InvalidValue,
        format!("a user with the email {email} exists already"),
    )
    .field("email")
}

/// Every user, oldest first.
pub async fn list_users(store: &SqlStore) -> Result<Vec<User>, EngineError> {
    Ok(store.users().list().await?)
}

/// Whether any user exists.
pub async fn any_user(store: &SqlStore) -> Result<bool, EngineError> {
    Ok(store.users().count().await? > 0)
}

/// Disables a user and ends all their sessions and unused links at once;
/// `None` when there is no user with this email.
pub async fn disable_user(store: &SqlStore, email: &str) -> Result<Option<User>, EngineError> {
    Ok(store.users().disable(&email_key(email)).await?)
}

/// The user with this email (in any case), with their password hash;
/// refused (`email`) when no user has it.
async fn find_user(store: &SqlStore, email: &str) -> Result<(User, Option<String>), UserError> {
    store
        .users()
        .credentials(&email_key(email))
        .await?
        .ok_or_else(|| {
            Refusal::new(
                ErrorCode::NotFound,
                format!("no user has the email {}", email.trim()),
            )
            .field("email")
            .into()
        })
}

/// Enables a disabled user again: they sign in with their password as
/// before (an invited user who had set none yet needs a new link:
/// [`reset_link`]); the sessions and links that disabling ended stay
/// ended. Refused when no user has this email or the user is not disabled.
pub async fn enable_user(store: &SqlStore, email: &str) -> Result<User, UserError> {
    let (user, _) = find_user(store, email).await?;
    if user.disabled_at.is_none() {
        return Err(Refusal::new(
            ErrorCode::InvalidValue,
            format!("the user {} is not disabled", user.email),
        )
        .field("email")
        .into());
    }
    let enabled = store.users().enable(&email_key(&user.email)).await?;
    Ok(enabled.unwrap_or(user))
}

/// A new one-time link with which a user (active, or invited and without
/// a password yet) sets a new password, as an invitation's link does
/// ([`redeem_link`]). Issuing it ends the user's sessions and their earlier
/// unused links at once; their password works until the link is used.
/// Refused when no user has this email or the user is disabled.
pub async fn reset_link(store: &SqlStore, email: &str) -> Result<(User, NewLink), UserError> {
    let (user, _) = find_user(store, email).await?;
    let disabled = || {
        Refusal::new(
            ErrorCode::InvalidValue,
            format!(
                "the user {} is disabled: enable them before giving them a new sign-in link",
                user.email
            ),
        )
        .field("email")
    };
    if user.disabled_at.is_some() || !store.users().end_access(&user.user_id).await? {
        return Err(disabled().into());
    }
    let link = new_link(store, Some(&user.user_id)).await?;
    Ok((user, link))
}

/// Changes the password of the user whose session `session_token` is:
/// `current` must be their password (a wrong one counts as a failed
/// sign-in, and past [`MAX_FAILURES`] the change is refused as sign-in
/// is), and `new` must meet [`check_password`]. Then every other session
/// of the user ends (this one stays) and their unused links with them.
/// Refused, with nothing changed, with the field to blame:
/// `current_password` or `new_password`.
pub async fn change_password(
    store: &SqlStore,
    session_token: &str,
    current: &str,
    new: &str,
) -> Result<User, UserError> {
    let session_hash = digest(session_token);
    let now = Timestamp::now();
    let Some(session) = store.users().session(&session_hash, now).await? else {
        return Err(Refusal::new(
            ErrorCode::Unauthorized,
            "your session has ended: sign in again",
        )
        .into());
    };
    let key = email_key(&session.user.email);
    check_password(new).map_err(|r| r.field("new_password"))?;
    let (since, wait) = failures_window(store, &key, now).await?;
    if let Some(wait) = wait {
        let minutes = wait.as_secs().div_ceil(60).max(1);
        return Err(Refusal::new(
            ErrorCode::RateLimited,
            format!(
                "too many wrong passwords for this email lately: try again in {minutes} \
                 minute{}",
                if minutes == 1 { "" } else { "s" }
            ),
        )
        .field("current_password")
        .into());
    }
    let stored = store
        .users()
        .credentials(&key)
        .await?
        .filter(|(user, _)| user.user_id == session.user.user_id)
        .and_then(|(_, hash)| hash);
    let verified = match &stored {
        Some(hash) => verify_password(current, hash).await?,
        None => false,
    };
    let Some(stored) = stored.filter(|_| verified) else {
        store.users().record_failure(&key, now, since).await?;
        return Err(
            Refusal::new(ErrorCode::InvalidValue, "the current password is wrong")
                .field("current_password")
                .into(),
        );
    };
    let hash = hash_password(new).await?;
    let changed = store
        .users()
        .change_password(&session.user.user_id, &stored, &hash, &session_hash)
        .await?;
    if !changed {
        return Err(Refusal::new(
            ErrorCode::InvalidValue,
            "the password was changed meanwhile, or the user disabled: nothing changed",
        )
        .field("current_password")
        .into());
    }
    store.users().clear_failures(&key).await?;
    Ok(session.user)
}

/// A session just made: the cookie's token (the only time it exists
/// outside the browser), its CSRF token, and whose it is.
#[derive(Debug, Clone)]
pub struct NewSession {
    /// The session's token, for the cookie.
    pub token: String,
    /// The session's CSRF token, for the forms.
    pub csrf: String,
    /// Whose session it is.
    pub user: User,
}

/// A sign-in's outcome.
#[derive(Debug, Clone)]
pub enum SignIn {
    /// Signed in.
    Session(NewSession),
    /// The email or the password is wrong (which one is not said), or the
    /// user is disabled or has no password yet.
    Wrong,
    /// Too many failed sign-ins with this email lately: refused without
    /// checking the password, for `wait` more.
    Limited {
        /// How long until a sign-in is tried again.
        wait: Duration,
    },
}

/// Signs a person in with their email and password. Failures are counted
/// per email in the store; past [`MAX_FAILURES`] within [`FAILURE_WINDOW`],
/// the sign-in is refused even with the right password until the oldest
/// failure leaves the window. A success forgets the failures.
pub async fn sign_in(store: &SqlStore, email: &str, password: &str) -> Result<SignIn, EngineError> {
    let key = email_key(email);
    let now = Timestamp::now();
    let (since, wait) = failures_window(store, &key, now).await?;
    if let Some(wait) = wait {
        return Ok(SignIn::Limited { wait });
    }
    let found = store.users().credentials(&key).await?;
    let usable = found.as_ref().and_then(|(user, hash)| {
        (user.disabled_at.is_none())
            .then_some(hash.as_deref())
            .flatten()
    });
    let verified = match usable {
        Some(hash) => verify_password(password, hash).await?,
        None => {
            // As long as a wrong password takes: an unknown or disabled
            // email must not answer faster (that would tell who has an
            // account).
            verify_password(password, &decoy_hash().await?).await?;
            false
        }
    };
    let Some((user, _)) = found.filter(|_| verified) else {
        store.users().record_failure(&key, now, since).await?;
        return Ok(SignIn::Wrong);
    };
    store.users().clear_failures(&key).await?;
    Ok(SignIn::Session(start_session(store, user).await?))
}

/// The start of the failed sign-ins' window as of `now`, and how long the
/// email `key` must wait when it has had [`MAX_FAILURES`] in it (at least
/// a second).
async fn failures_window(
    store: &SqlStore,
    key: &str,
    now: Timestamp,
) -> Result<(Timestamp, Option<Duration>), EngineError> {
    let since =
        Timestamp::from_micros(now.as_micros().saturating_sub(window_micros())).unwrap_or(now);
    let failures = store.users().failures_since(key, since).await?;
    if failures.len() < MAX_FAILURES {
        return Ok((since, None));
    }
    let oldest = failures.first().copied().unwrap_or(now);
    let until = oldest.as_micros().saturating_add(window_micros());
    let wait = u64::try_from(until.saturating_sub(now.as_micros())).unwrap_or(0);
    Ok((
        since,
        Some(Duration::from_micros(wait).max(Duration::from_secs(1))),
    ))
}

fn window_micros() -> i64 {
    i64::try_from(FAILURE_WINDOW.as_micros()).unwrap_or(i64::MAX)
}

async fn start_session(store: &SqlStore, user: User) -> Result<NewSession, EngineError> {
    let token = random_token();
    let csrf = token_csrf();
    store
        .users()
        .insert_session(&NewSessionRow {
            session_hash: &digest(&token),
            user_id: &user.user_id,
            csrf_token: &csrf,
            expires_at: Timestamp::now().plus(SESSION_IDLE),
        })
        .await?;
    Ok(NewSession { token, csrf, user })
}

fn token_csrf() -> String {
    random_token()
}

/// A live session, as a request finds it.
#[derive(Debug, Clone)]
pub struct Session {
    /// Whose session it is.
    pub user: User,
    /// Its CSRF token, to put in forms and check on every change.
    pub csrf: String,
}

impl Session {
    /// Whether `given` (a form's CSRF field) is this session's CSRF token,
    /// compared in constant time.
    pub fn csrf_matches(&self, given: &str) -> bool {
        let (a, b) = (self.csrf.as_bytes(), given.as_bytes());
        a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
    }
}

/// The live session of a cookie's token: `None` when unknown, expired,
/// revoked or its user is disabled. A use extends the session by
/// [`SESSION_IDLE`] (up to [`SESSION_MAX`] after sign-in).
pub async fn session(store: &SqlStore, token: &str) -> Result<Option<Session>, EngineError> {
    let hash = digest(token);
    let now = Timestamp::now();
    let Some(row) = store.users().session(&hash, now).await? else {
        return Ok(None);
    };
    if row.last_seen_at.plus(TOUCH_EVERY) <= now {
        let latest = row.created_at.plus(SESSION_MAX);
        let expires_at = now.plus(SESSION_IDLE).min(latest);
        store.users().touch_session(&hash, now, expires_at).await?;
    }
    Ok(Some(Session {
        user: row.user,
        csrf: row.csrf_token,
    }))
}

/// Ends the session of a cookie's token (nothing when it is not live).
pub async fn sign_out(store: &SqlStore, token: &str) -> Result<(), EngineError> {
    store.users().revoke_session(&digest(token)).await?;
    Ok(())
}

/// A one-time link's token and when it stops working.
#[derive(Debug, Clone)]
pub struct NewLink {
    /// The link's token (shown once: only its hash is stored).
    pub token: String,
    /// When it stops working.
    pub expires_at: Timestamp,
}

/// A one-time sign-in link for the first admin, when there is no user yet
/// (`None` otherwise). Using it ([`redeem_link`]) makes the admin with the
/// email and password given then.
pub async fn first_admin_link(store: &SqlStore) -> Result<Option<NewLink>, EngineError> {
    if any_user(store).await? {
        return Ok(None);
    }
    Ok(Some(new_link(store, None).await?))
}

async fn new_link(store: &SqlStore, user_id: Option<&str>) -> Result<NewLink, EngineError> {
    let token = random_token();
    let expires_at = Timestamp::now().plus(LINK_LIFETIME);
    store
        .users()
        .insert_link(&digest(&token), user_id, expires_at)
        .await?;
    Ok(NewLink { token, expires_at })
}

/// Invites a person: makes a user without a password and a one-time link
/// with which they set it.
pub async fn invite(
    store: &SqlStore,
    email: &str,
    role: Role,
) -> Result<(User, NewLink), UserError> {
    let user = create_user(store, email, role, None).await?;
    let link = new_link(store, Some(&user.user_id)).await?;
    Ok((user, link))
}

/// What a one-time link is, checked without using it.
#[derive(Debug, Clone)]
pub enum LinkCheck {
    /// The first admin's link: using it makes the admin.
    FirstAdmin,
    /// A user's link: using it sets their password.
    User(User),
    /// Unknown, used, expired, or its user disabled.
    Unusable,
}

/// What a link's token is, without using it.
pub async fn check_link(store: &SqlStore, token: &str) -> Result<LinkCheck, EngineError> {
    Ok(
        match store.users().link(&digest(token), Timestamp::now()).await? {
            None => LinkCheck::Unusable,
            Some(link) => link.user.map_or(LinkCheck::FirstAdmin, LinkCheck::User),
        },
    )
}

/// Uses a one-time link: sets the password (and, for the first admin's
/// link, makes the admin with `email`) and signs the person in. `None` when
/// the link is not usable (used, expired, unknown); refused when the
/// password (or the first admin's email) does not meet the rules, and the
/// link stays usable.
pub async fn redeem_link(
    store: &SqlStore,
    token: &str,
    email: Option<&str>,
    password: &str,
) -> Result<Option<NewSession>, UserError> {
    let check = check_link(store, token).await?;
    let email = match (&check, email) {
        (LinkCheck::Unusable, _) => return Ok(None),
        (LinkCheck::FirstAdmin, Some(email)) => {
            let email = check_email(email)?;
            if store
                .users()
                .credentials(&email_key(&email))
                .await?
                .is_some()
            {
                return Err(taken(&email).into());
            }
            email
        }
        (LinkCheck::FirstAdmin, None) => {
            return Err(
                Refusal::new(ErrorCode::InvalidValue, "an email address is needed")
                    .field("email")
                    .into(),
            );
        }
        (LinkCheck::User(user), _) => user.email.clone(),
    };
    check_password(password)?;
    let hash = hash_password(password).await?;
    let key = email_key(&email);
    let user_id = format!("u_{}", new_id());
    let session_token = random_token();
    let csrf = token_csrf();
    let user = store
        .users()
        .redeem_link(
            &digest(token),
            Timestamp::now(),
            &NewUserRow {
                user_id: &user_id,
                email: &email,
                email_key: &key,
                password_hash: Some(&hash),
                role: Role::Admin,
            },
            &NewSessionRow {
                session_hash: &digest(&session_token),
                user_id: &user_id,
                csrf_token: &csrf,
                expires_at: Timestamp::now().plus(SESSION_IDLE),
            },
        )
        .await?;
    Ok(user.map(|user| NewSession {
        token: session_token,
        csrf,
        user,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_and_passwords_are_checked() {
        assert!(check_email("Ann@Example.com").is_ok());
        for bad in [
            "",
            "ann",
            "ann@",
            "@example.com",
            "ann@example",
            "a n@x.io",
            "a@b@c.io",
        ] {
            assert!(check_email(bad).is_err(), "{bad:?}");
        }
        assert_eq!(email_key(" Ann@Example.COM "), "ann@example.com");
        assert!(check_password("short").is_err());
        assert!(check_password("twelve chars").is_ok());
    }

    #[test]
    fn csrf_tokens_compare_exactly() {
        let session = Session {
            user: User {
                user_id: "u".into(),
                email: "a@b.io".into(),
                role: Role::Read,
                created_at: Timestamp::now(),
                disabled_at: None,
                has_password: true,
            },
            csrf: "abc".into(),
        };
        assert!(session.csrf_matches("abc"));
        assert!(!session.csrf_matches("abd"));
        assert!(!session.csrf_matches(""));
    }
}

//! `leadscore users`: the people who sign in to the web console.

use std::io::{BufRead, IsTerminal, Write};
use std::process::{Command, Stdio};

use anyhow::Context;
use leadscore_engine::Role;
use leadscore_engine::users::{self, UserError};
use leadscore_store::DEFAULT_SQLITE_FILE;
use serde::Serialize;

use crate::cli::{UsersArgs, UsersCommand};
use crate::commands::{open_existing_store, open_store, runtime};
use crate::output::print_summary;

#[derive(Serialize)]
struct UserOut {
    user_id: String,
    email: String,
    role: String,
    state: &'static str,
    created_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    disabled_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sign_in_link: Option<String>,
}

impl UserOut {
    fn of(user: &users::User) -> Self {
        Self {
            user_id: user.user_id.clone(),
            email: user.email.clone(),
            role: user.role.to_string(),
            state: match (user.disabled_at, user.has_password) {
                (Some(_), _) => "disabled",
                (None, false) => "invited",
                (None, true) => "active",
            },
            created_at: user.created_at.to_string(),
            disabled_at: user.disabled_at.map(|t| t.to_string()),
            sign_in_link: None,
        }
    }
}

/// A user operation's error as the command's.
fn user_error(e: UserError) -> anyhow::Error {
    match e {
        UserError::Refused(r) => anyhow::anyhow!(
            "{}{}",
            r.field.map(|f| format!("--{f}: ")).unwrap_or_default(),
            r.message
        ),
        UserError::Engine(e) => e.into(),
    }
}

/// Turns the terminal's echo off (`false`) or on; best effort (`stty`).
fn echo(on: bool) {
    let _ = Command::new("stty")
        .arg(if on { "echo" } else { "-echo" })
        .stdin(Stdio::inherit())
        .status();
}

/// The password: asked for twice without echo on a terminal, else the
/// first line of stdin.
fn read_password(from_stdin: bool) -> anyhow::Result<String> {
    let stdin = std::io::stdin();
    let line = |prompt: Option<&str>| -> anyhow::Result<String> {
        if let Some(prompt) = prompt {
            eprint!("{prompt}");
            std::io::stderr().flush().ok();
        }
        let mut text = String::new();
        stdin
            .lock()
            .read_line(&mut text)
            .context("cannot read the password from stdin")?;
        Ok(text.trim_end_matches(['\n', '\r']).to_owned())
    };
    if from_stdin || !stdin.is_terminal() {
        return line(None);
    }
    echo(false);
    let first = line(Some("password: "));
    eprintln!();
    let second = line(Some("the password again: "));
    eprintln!();
    echo(true);
    let (first, second) = (first?, second?);
    if first != second {
        anyhow::bail!("the two passwords differ");
    }
    Ok(first)
}

pub fn run(args: UsersArgs) -> anyhow::Result<()> {
    runtime()?.block_on(async {
        let database = args
            .database
            .clone()
            .unwrap_or_else(|| DEFAULT_SQLITE_FILE.to_owned());
        match args.command {
            UsersCommand::Create {
                email,
                role,
                password_stdin,
                invite,
                json,
            } => {
                let role: Role = role.parse()?;
                // Checked before the password is asked for.
                users::check_email(&email)
                    .map_err(|r| anyhow::anyhow!("--email: {}", r.message))?;
                let password = if invite {
                    None
                } else {
                    let password = read_password(password_stdin)?;
                    users::check_password(&password)
                        .map_err(|r| anyhow::anyhow!("the password: {}", r.message))?;
                    Some(password)
                };
                let (_, store) = open_store(&database).await?;
                let out = match password {
                    Some(password) => {
                        let user = users::create_user(&store, &email, role, Some(&password))
                            .await
                            .map_err(user_error)?;
                        UserOut::of(&user)
                    }
                    None => {
                        let (user, link) = users::invite(&store, &email, role)
                            .await
                            .map_err(user_error)?;
                        UserOut {
                            sign_in_link: Some(format!(
                                "/console/first-admin?token={}",
                                link.token
                            )),
                            ..UserOut::of(&user)
                        }
                    }
                };
                print_summary(json, &out, || match &out.sign_in_link {
                    Some(link) => format!(
                        "made {} ({}); their one-time link (24 hours, shown once), after the \
                         service's address:\n  {link}",
                        out.email, out.role
                    ),
                    None => format!("made {} ({})", out.email, out.role),
                });
            }
            UsersCommand::List { json } => {
                let (_, store) = open_existing_store(&database, "users list").await?;
                let list: Vec<UserOut> = users::list_users(&store)
                    .await?
                    .iter()
                    .map(UserOut::of)
                    .collect();
                print_summary(json, &list, || {
                    list.iter()
                        .map(|u| {
                            format!("{} {} {} made {}", u.email, u.role, u.state, u.created_at)
                        })
                        .collect::<Vec<_>>()
                        .join("\n")
                });
            }
            UsersCommand::Disable { email } => {
                let (_, store) = open_existing_store(&database, "users disable").await?;
                if users::disable_user(&store, &email).await?.is_none() {
                    anyhow::bail!("no user has the email {email:?}");
                }
                eprintln!("disabled {email}; their console sessions ended");
            }
        }
        Ok(())
    })
}

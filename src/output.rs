//! Printing summaries and errors: one line of cause on stderr, or JSON.

use leadscore_files::{FilesError, RowProblem};
use serde::Serialize;

use crate::cli::LogFormat;

/// Logs go to stderr, filtered by `RUST_LOG` (default: [`default_log_filter`]):
/// as text, coloured only when stderr is a terminal, or as JSON lines.
pub fn init_tracing(format: LogFormat, serving: bool) {
    use std::io::IsTerminal;
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default_log_filter(serving)));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Text => builder
            .with_ansi(std::io::stderr().is_terminal())
            .try_init(),
        LogFormat::Json => builder.json().with_current_span(false).try_init(),
    };
}

/// Warnings, without `RUST_LOG`. A batch command (an import, an export, a
/// retraining) leaves out the store driver's slow-statement warnings: its
/// long statements (building an index over millions of rows) are its work,
/// which its progress shows, not a fault. The service keeps them: there a
/// slow statement is worth an operator's look.
pub fn default_log_filter(serving: bool) -> &'static str {
    if serving {
        "warn"
    } else {
        "warn,sqlx::query=error"
    }
}

/// A row problem as JSON.
#[derive(Debug, Serialize)]
pub struct ProblemJson {
    pub file: String,
    pub line: Option<u64>,
    pub row: u64,
    pub column: Option<String>,
    pub message: String,
}

impl From<&RowProblem> for ProblemJson {
    fn from(p: &RowProblem) -> Self {
        Self {
            file: p.location.file.display().to_string(),
            line: p.location.line,
            row: p.location.row,
            column: p.location.column.clone(),
            message: p.message.clone(),
        }
    }
}

/// How many further problems are listed under the one-line cause.
const LISTED: usize = 20;

/// Prints a failure: the one-line cause first (`error: ...`), then, for bad rows,
/// the further problems one per line. With `json`, one JSON object on stdout too.
pub fn report_error(err: &anyhow::Error, json: bool) {
    let problems = err
        .chain()
        .find_map(|e| match e.downcast_ref::<FilesError>() {
            Some(FilesError::BadRows { problems, total }) => Some((problems, *total)),
            _ => None,
        });
    let cause = one_line(err);
    eprintln!("error: {cause}");
    if let Some((problems, total)) = problems {
        for p in problems.iter().skip(1).take(LISTED) {
            eprintln!("  also: {p}");
        }
        let listed = problems.len().min(LISTED + 1);
        if total > listed {
            eprintln!(
                "  ... and {} more (all of them with --json)",
                total - listed
            );
        }
    }
    if json {
        let body = serde_json::json!({
            "ok": false,
            "error": cause,
            "problems": problems
                .map(|(p, _)| p.iter().map(ProblemJson::from).collect::<Vec<_>>())
                .unwrap_or_default(),
        });
        println!("{body}");
    }
}

/// The error and its causes on one line, each cause once: library errors often
/// quote their source in their own message already.
fn one_line(err: &anyhow::Error) -> String {
    let mut line = String::new();
    for cause in err.chain() {
        let text = cause.to_string();
        if !line.contains(&text) {
            if !line.is_empty() {
                line.push_str(": ");
            }
            line.push_str(&text);
        }
    }
    line.replace('\n', " ")
}

/// Prints a summary: JSON on stdout, or the human lines.
pub fn print_summary<T: Serialize>(json: bool, value: &T, human: impl FnOnce() -> String) {
    if json {
        match serde_json::to_string(value) {
            Ok(s) => println!("{s}"),
            Err(e) => eprintln!("error: cannot print the summary as JSON: {e}"),
        }
    } else {
        println!("{}", human());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn causes_already_quoted_are_not_repeated() {
        let inner = std::io::Error::other("pool timed out");
        let err = anyhow::Error::new(inner)
            .context("cannot connect to x: pool timed out")
            .context("import");
        assert_eq!(
            one_line(&err),
            "import: cannot connect to x: pool timed out"
        );
    }

    /// Regression: importing a million leads printed three "slow statement"
    /// warnings (its index builds) on a person's terminal.
    #[test]
    fn batch_commands_leave_out_slow_statement_warnings() {
        assert_eq!(default_log_filter(true), "warn");
        let batch = default_log_filter(false);
        assert!(batch.contains("sqlx::query=error"), "{batch}");
        assert!(batch.starts_with("warn"), "{batch}");
        assert!(tracing_subscriber::EnvFilter::try_new(batch).is_ok());
    }
}

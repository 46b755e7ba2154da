//! Progress bars on stderr (drawn only when stderr is a terminal).

use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};

/// A bar over `total` items of `unit`.
pub fn bar(total: u64, message: &str, unit: &str) -> ProgressBar {
    let pb = ProgressBar::new(total);
    let template = format!(
        "{{spinner}} {{msg}} [{{bar:30}}] {{human_pos}}/{{human_len}} {unit} ({{per_sec}}, {{eta}} left)"
    );
    if let Ok(style) = ProgressStyle::with_template(&template) {
        pb.set_style(style.progress_chars("=> "));
    }
    pb.set_message(message.to_owned());
    pb.enable_steady_tick(Duration::from_millis(200));
    pb
}

/// A spinner for work of unknown length.
pub fn spinner(message: &str) -> ProgressBar {
    let pb = ProgressBar::new_spinner();
    if let Ok(style) = ProgressStyle::with_template("{spinner} {msg} ({elapsed})") {
        pb.set_style(style);
    }
    pb.set_message(message.to_owned());
    pb.enable_steady_tick(Duration::from_millis(200));
    pb
}

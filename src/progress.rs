//! Progress on stderr: drawn only when stderr is a terminal, and never for a
//! command asked for `--json` (its output is for programs).

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use indicatif::{HumanCount, ProgressBar, ProgressState, ProgressStyle};
use leadscore_domain::{
    Account, Contact, CustomRecord, EntityName, InteractionRow, Lead, ReadProgress, RecordSink,
    RecordType, UnknownReference,
};
use leadscore_engine::retrain::RetrainStage;
use leadscore_files::PartStep;
use leadscore_model::TrainStage;

/// Set for a command asked for `--json`: no progress is drawn.
static QUIET: AtomicBool = AtomicBool::new(false);

/// Draws no progress from now on when `quiet`.
pub fn set_quiet(quiet: bool) {
    QUIET.store(quiet, Ordering::Relaxed);
}

/// A hidden bar when progress is not drawn, else `make()`'s, ticking.
fn drawn(make: impl FnOnce() -> ProgressBar) -> ProgressBar {
    if QUIET.load(Ordering::Relaxed) {
        return ProgressBar::hidden();
    }
    let pb = make();
    pb.enable_steady_tick(Duration::from_millis(200));
    pb
}

/// A bar over `total` items of `unit`.
pub fn bar(total: u64, message: &str, unit: &str) -> ProgressBar {
    drawn(|| {
        let pb = ProgressBar::new(total);
        let template = format!(
            "{{spinner}} {{msg}} [{{wide_bar}}] {{human_pos}}/{{human_len}} {unit} ({{rate}}, {{eta}} left)"
        );
        if let Ok(style) = ProgressStyle::with_template(&template) {
            pb.set_style(style.progress_chars("=> ").with_key("rate", rate));
        }
        pb.set_message(message.to_owned());
        pb
    })
}

/// A spinner for work of unknown length.
pub fn spinner(message: &str) -> ProgressBar {
    drawn(|| {
        let pb = ProgressBar::new_spinner();
        if let Ok(style) = ProgressStyle::with_template("{spinner} {msg} ({elapsed})") {
            pb.set_style(style);
        }
        pb.set_message(message.to_owned());
        pb
    })
}

/// A bar over the bytes of the files a folder reader reads (see
/// [`Counted`]), with the records read so far and their rate, and the time
/// left.
pub fn records(message: &str) -> ProgressBar {
    drawn(|| {
        let pb = ProgressBar::new(0);
        let template = "{spinner} {prefix} [{wide_bar}] {percent}% {msg} ({eta} left)";
        if let Ok(style) = ProgressStyle::with_template(template) {
            pb.set_style(style.progress_chars("=> "));
        }
        pb.set_prefix(message.to_owned());
        pb
    })
}

/// Reading `shown`: a [`records`] bar over the passes of a `folder`, or a
/// spinner for a flat table (read in one go). Either has the reading as its
/// prefix, so that [`records_read`] turns it into the next step's spinner.
pub fn reading(folder: bool, shown: &std::path::Path) -> ProgressBar {
    let message = format!("reading {}", shown.display());
    if folder {
        return records(&message);
    }
    drawn(|| {
        let pb = ProgressBar::new_spinner();
        if let Ok(style) = ProgressStyle::with_template("{spinner} {prefix} ({elapsed})") {
            pb.set_style(style);
        }
        pb.set_prefix(message);
        pb
    })
}

/// Shows on a [`records`] bar how far the passes of splitting a folder into
/// parts are (checking, then copying into the parts).
pub fn parts_passes(bar: &ProgressBar) -> impl FnMut(PartStep, ReadProgress) + '_ {
    |step, read| {
        bar.set_message(match step {
            PartStep::Checking => "checking",
            PartStep::Splitting => "splitting into parts",
            PartStep::Reading => "reading the parts",
        });
        bar.set_length(read.total);
        bar.set_position(read.done);
    }
}

/// Turns a [`records`] bar, once everything was read, into a spinner of
/// what is left to do (`message`), with the time it has taken so far.
pub fn records_read(bar: &ProgressBar, message: &str) {
    if let Ok(style) = ProgressStyle::with_template("{spinner} {prefix}: {msg} ({elapsed})") {
        bar.set_style(style);
    }
    bar.set_message(message.to_owned());
}

/// Training's stages on a terminal: a spinner naming each, and a bar with
/// the time left over the cross-validation fits (all equal in number, most
/// of the time).
pub struct Training {
    spinner: ProgressBar,
    fits: Option<ProgressBar>,
    /// A retraining's bar over its copy of the store, then over the passes
    /// that build the rows from it.
    pass: Option<(RetrainPass, ProgressBar)>,
}

/// Which bar a retraining shows before it trains.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RetrainPass {
    Copying,
    BuildingRows,
}

impl Training {
    /// Continues on `spinner` (the reading's).
    pub fn new(spinner: ProgressBar) -> Self {
        Self {
            spinner,
            fits: None,
            pass: None,
        }
    }

    /// Shows `stage`.
    pub fn stage(&mut self, stage: TrainStage) {
        match stage {
            TrainStage::Encoding => self.spinner.set_message("encoding the training rows"),
            TrainStage::CrossValidating { done, of } => {
                let bar = self.fits.get_or_insert_with(|| {
                    self.spinner.finish_and_clear();
                    bar(of as u64, "cross-validating the penalty", "fits")
                });
                bar.set_position(done as u64);
            }
            TrainStage::FinalFit { rows } => {
                self.finish_fits();
                self.spinner = spinner(&format!(
                    "fitting the final model on {} rows",
                    HumanCount(rows as u64)
                ));
            }
            TrainStage::Measuring => self
                .spinner
                .set_message("calibrating and measuring on the held-out rows"),
        }
    }

    fn finish_fits(&mut self) {
        if let Some(fits) = self.fits.take() {
            fits.finish_and_clear();
        }
    }

    /// Shows a retraining run's `stage`.
    pub fn retrain_stage(&mut self, stage: RetrainStage) {
        match stage {
            RetrainStage::Reading(read) => {
                let shown = self.pass_bar(RetrainPass::Copying, || {
                    bar(read.total, "copying the store's records", "records")
                });
                shown.set_position(read.done);
            }
            RetrainStage::BuildingRows(step, read) => {
                let shown = self.pass_bar(RetrainPass::BuildingRows, || {
                    records("building the closed leads' rows, each as of its close")
                });
                parts_passes(shown)(step, read);
            }
            RetrainStage::Training(stage) => {
                self.finish_pass();
                self.stage(stage);
            }
            RetrainStage::Recording => self
                .spinner
                .set_message("measuring the live model on the held-out leads"),
        }
    }

    /// The bar of a retraining's `pass`, made by `make` when it is new (the
    /// bar before it cleared).
    fn pass_bar(&mut self, pass: RetrainPass, make: impl FnOnce() -> ProgressBar) -> &ProgressBar {
        if self.pass.as_ref().is_some_and(|(shown, _)| *shown != pass) {
            self.finish_pass();
        }
        &self.pass.get_or_insert_with(|| (pass, make())).1
    }

    fn finish_pass(&mut self) {
        if let Some((_, shown)) = self.pass.take() {
            shown.finish_and_clear();
        }
    }

    /// Clears whatever is shown.
    pub fn finish(&mut self) {
        self.finish_fits();
        self.finish_pass();
        self.spinner.finish_and_clear();
    }
}

/// Items a second, for people: whole and grouped from 10 a second up
/// (`12,345/s`), with one decimal below (`0.4/s`).
fn rate(state: &ProgressState, w: &mut dyn std::fmt::Write) {
    let _ = w.write_str(&rate_text(state.per_sec()));
}

fn rate_text(per_sec: f64) -> String {
    if per_sec >= 10.0 {
        format!("{}/s", HumanCount(per_sec as u64))
    } else {
        format!("{per_sec:.1}/s")
    }
}

/// Passes every record on to `inner`, counting them on `bar` (see
/// [`records`]), and moves the bar as the reader goes through the files.
pub struct Counted<'a, S> {
    inner: &'a mut S,
    bar: &'a ProgressBar,
    seen: u64,
}

impl<'a, S: RecordSink> Counted<'a, S> {
    /// Counts what `inner` is handed on `bar` (see [`records`]).
    pub fn new(inner: &'a mut S, bar: &'a ProgressBar) -> Self {
        Self {
            inner,
            bar,
            seen: 0,
        }
    }

    fn tick(&mut self) {
        self.seen += 1;
        if self.seen.is_multiple_of(4096) {
            self.bar
                .set_message(records_text(self.seen, self.bar.elapsed().as_secs_f64()));
        }
    }
}

/// `1,234,567 records (456,789/s)`.
fn records_text(records: u64, seconds: f64) -> String {
    let rate = if seconds > 0.0 {
        records as f64 / seconds
    } else {
        0.0
    };
    format!("{} records ({})", HumanCount(records), rate_text(rate))
}

impl<S: RecordSink> RecordSink for Counted<'_, S> {
    fn account(&mut self, account: Account) -> Result<(), UnknownReference> {
        self.tick();
        self.inner.account(account)
    }
    fn contact(&mut self, contact: Contact) -> Result<(), UnknownReference> {
        self.tick();
        self.inner.contact(contact)
    }
    fn lead(&mut self, lead: Lead) -> Result<(), UnknownReference> {
        self.tick();
        self.inner.lead(lead)
    }
    fn custom(
        &mut self,
        entity: &EntityName,
        record: CustomRecord,
    ) -> Result<(), UnknownReference> {
        self.tick();
        self.inner.custom(entity, record)
    }
    fn interaction(&mut self, row: InteractionRow<'_>) -> Result<(), UnknownReference> {
        self.tick();
        self.inner.interaction(row)
    }
    fn wants_property(&self, name: &str) -> bool {
        self.inner.wants_property(name)
    }
    fn wants_records(&self, record: &RecordType) -> bool {
        self.inner.wants_records(record)
    }
    fn read_progress(&mut self, progress: ReadProgress) {
        self.bar.set_length(progress.total);
        self.bar.set_position(progress.done);
        self.inner.read_progress(progress);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_read_as_people_write_them() {
        assert_eq!(
            records_text(1_234_567, 2.0),
            "1,234,567 records (617,283/s)"
        );
        assert_eq!(records_text(0, 0.0), "0 records (0.0/s)");
        assert_eq!(rate_text(14.9678), "14/s");
        assert_eq!(rate_text(123_456.7), "123,456/s");
        assert_eq!(rate_text(0.4321), "0.4/s");
        assert_eq!(rate_text(0.0), "0.0/s");
    }

    /// A command asked for `--json` draws no progress, whatever stderr is.
    #[test]
    fn json_output_draws_no_progress() {
        set_quiet(true);
        assert!(bar(10, "scoring", "leads").is_hidden());
        assert!(spinner("reading").is_hidden());
        assert!(records("reading").is_hidden());
        set_quiet(false);
    }
}

//! A real browser for the console's tests: Debian's headless Chromium,
//! driven over WebDriver by Debian's chromedriver (`fantoccini` is the
//! client), one browser per test with its own profile and download folder.
//!
//! The helpers act as a person does: they find fields by their label's text
//! and buttons by their text, type with the keyboard, and wait (polling,
//! bounded) for what should appear instead of sleeping. Each one fails the
//! test with what the page showed when something is not there.
//!
//! Chromium and chromedriver are outside the workspace: when either is
//! missing a test says SKIPPED and passes, unless `LEADSCORE_REQUIRE_CHROMIUM`
//! is set (CI sets it), in which case it fails. With
//! `LEADSCORE_SCREENSHOTS=DIR`, [`Browser::screenshot`] saves PNGs into DIR
//! (`scripts/screenshots.sh` makes the README's).

use std::io::{BufRead as _, BufReader, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::key::Key;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};

use crate::support::App;

pub const CHROMIUM: &str = "/usr/bin/chromium";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// The window of every page's screenshot: a laptop screen.
pub const DESKTOP: (u32, u32) = (1280, 800);
/// A tablet held upright.
pub const TABLET: (u32, u32) = (820, 1180);

/// How long a wait for something on a page lasts before the test fails
/// (pages answer in milliseconds; the margin is for slow CI machines).
const WAIT: Duration = Duration::from_secs(20);
const POLL: Duration = Duration::from_millis(50);

/// Writes a line to the real stderr, past the test harness's capture, so that
/// a skip or a screenshot path shows in CI's log.
pub fn say(line: &str) {
    let _ = writeln!(std::io::stderr(), "{line}");
}

/// Whether a missing browser must fail the test instead of skipping it.
fn required() -> bool {
    std::env::var_os("LEADSCORE_REQUIRE_CHROMIUM").is_some_and(|v| !v.is_empty())
}

/// Whether the browser tests can run here; when they cannot, panics if they
/// are required, else says SKIPPED for `test` and answers false.
pub fn available(test: &str) -> bool {
    let missing: Vec<&str> = [CHROMIUM, CHROMEDRIVER]
        .into_iter()
        .filter(|p| !Path::new(p).exists())
        .collect();
    if missing.is_empty() {
        return true;
    }
    let install = "`apt-get install chromium chromium-driver fonts-liberation`";
    assert!(
        !required(),
        "{} missing and LEADSCORE_REQUIRE_CHROMIUM is set: {install}",
        missing.join(" and ")
    );
    say(&format!(
        "SKIPPED {test}: {} missing ({install}; set LEADSCORE_REQUIRE_CHROMIUM=1 to fail instead)",
        missing.join(" and ")
    ));
    false
}

/// A chromedriver process with the Chromium it starts, all in one process
/// group, ended with the group when dropped (also when a test fails). A
/// shell leads the group and ends it when its standard input closes, so
/// that a test process that is killed (a timeout) leaves no browser behind.
struct Driver {
    child: Child,
    port: u16,
}

impl Driver {
    fn start() -> Driver {
        use std::os::unix::process::CommandExt as _;
        let mut args = vec![CHROMEDRIVER.to_owned(), "--port=0".to_owned()];
        // For a failing scenario: chromedriver's own log, with every command.
        if let Some(log) = std::env::var_os("LEADSCORE_CHROMEDRIVER_LOG") {
            args.push(format!("--log-path={}", log.to_string_lossy()));
            args.extend(["--verbose".to_owned(), "--append-log".to_owned()]);
        }
        let mut child = Command::new("/bin/sh")
            .arg("-c")
            .arg("\"$0\" \"$@\" & read -r _; kill -KILL 0")
            .args(&args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .unwrap_or_else(|e| panic!("{CHROMEDRIVER} does not start: {e}"));
        let stdout = child.stdout.take().unwrap();
        let mut driver = Driver { child, port: 0 };
        let mut said = String::new();
        // chromedriver says which port it took on its first lines, then stops
        // writing unless asked to log.
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            said.push_str(&line);
            said.push('\n');
            if let Some(rest) = line.split("started successfully on port ").nth(1) {
                driver.port = rest.trim_end_matches('.').trim().parse().unwrap_or(0);
                break;
            }
        }
        if driver.port == 0 {
            driver.end();
            panic!("{CHROMEDRIVER} did not say its port:\n{said}");
        }
        driver
    }

    fn end(&mut self) {
        // The whole group: chromedriver and the Chromium processes it started.
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill")
            .args(["-KILL", "--", &group])
            .stderr(Stdio::null())
            .status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        self.end();
    }
}

/// Quotes `text` as an XPath string literal.
fn xpath_literal(text: &str) -> String {
    if !text.contains('\'') {
        format!("'{text}'")
    } else if !text.contains('"') {
        format!("\"{text}\"")
    } else {
        let parts: Vec<String> = text.split('\'').map(|p| format!("'{p}'")).collect();
        format!("concat({})", parts.join(", \"'\", "))
    }
}

/// A headless Chromium showing the console of one running service.
pub struct Browser {
    client: Option<Client>,
    base: String,
    downloads: tempfile::TempDir,
    _profile: tempfile::TempDir,
    shots: Option<PathBuf>,
    driver: Driver,
}

impl Browser {
    /// A new browser (a fresh profile: no cookies) for `app`'s console, at a
    /// [`DESKTOP`] window. `screenshots` says whether this run saves the
    /// screenshots asked for by `LEADSCORE_SCREENSHOTS` (one run of a
    /// scenario does, so that the SQLite and PostgreSQL runs do not both
    /// write the same files).
    pub async fn open(app: &App, screenshots: bool) -> Browser {
        let driver = Driver::start();
        let profile = tempfile::tempdir().unwrap();
        let downloads = tempfile::tempdir().unwrap();
        let mut caps = serde_json::Map::new();
        caps.insert("browserName".into(), json!("chrome"));
        caps.insert(
            "goog:chromeOptions".into(),
            json!({
                "binary": CHROMIUM,
                "args": [
                    "--headless=new",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-dev-shm-usage",
                    "--hide-scrollbars",
                    "--no-first-run",
                    "--no-default-browser-check",
                    "--disable-extensions",
                    "--disable-background-networking",
                    "--disable-sync",
                    "--password-store=basic",
                    "--lang=en-US",
                    format!("--window-size={},{}", DESKTOP.0, DESKTOP.1),
                    format!("--user-data-dir={}", profile.path().display()),
                ],
                // Downloads land in this browser's own folder, without asking.
                "prefs": {
                    "download.default_directory": downloads.path().to_str().unwrap(),
                    "download.prompt_for_download": false,
                    "download.directory_upgrade": true,
                    "safebrowsing.enabled": false,
                    "credentials_enable_service": false,
                    "profile.password_manager_enabled": false,
                },
            }),
        );
        // A dialog (the console's "are you sure?") waits for the test.
        caps.insert("unhandledPromptBehavior".into(), json!("ignore"));
        let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{}", driver.port))
            .await
            .unwrap_or_else(|e| panic!("chromedriver did not start {CHROMIUM}: {e}"));
        let shots = std::env::var_os("LEADSCORE_SCREENSHOTS")
            .filter(|d| screenshots && !d.is_empty())
            .map(PathBuf::from);
        if let Some(dir) = &shots {
            std::fs::create_dir_all(dir).unwrap();
        }
        let browser = Browser {
            client: Some(client),
            base: app.base.clone(),
            downloads,
            _profile: profile,
            shots,
            driver,
        };
        // The window's size is the page's: headless Chromium's window counts
        // a browser's bars that it does not draw.
        browser.resize(DESKTOP).await;
        browser
    }

    fn client(&self) -> &Client {
        self.client.as_ref().unwrap()
    }

    /// Ends the WebDriver session, then chromedriver and Chromium.
    pub async fn close(mut self) {
        if let Some(client) = self.client.take() {
            let _ = client.close().await;
        }
        self.driver.end();
    }

    /// Opens a path of the service (`/console/leads?grade=Hot`) or a whole
    /// URL, and waits until the new page has loaded.
    pub async fn goto(&self, path: &str) {
        let url = if path.starts_with("http") {
            path.to_owned()
        } else {
            format!("{}{path}", self.base)
        };
        self.client()
            .goto(&url)
            .await
            .unwrap_or_else(|e| panic!("opening {url}: {e}"));
        self.wait_loaded().await;
    }

    /// The path and query of the page shown (`/console/sign-in?next=...`).
    pub async fn path(&self) -> String {
        let url = self.client().current_url().await.unwrap();
        match url.query() {
            Some(q) => format!("{}?{q}", url.path()),
            None => url.path().to_owned(),
        }
    }

    /// Waits until the page shown is at `path` (with this query when `path`
    /// has one; with any query when not).
    pub async fn wait_for_path(&self, path: &str) {
        let deadline = Deadline::new();
        loop {
            let at = self.path().await;
            if at == path || (!path.contains('?') && at.split('?').next() == Some(path)) {
                return;
            }
            if !deadline.wait().await {
                panic!(
                    "{}",
                    self.report(&format!("the page is not at {path}")).await
                );
            }
        }
    }

    /// Runs a script in the page (WebDriver's, which the console's
    /// Content-Security-Policy does not apply to) and gives its answer.
    pub async fn script(&self, js: &str, args: Vec<Value>) -> Value {
        self.client()
            .execute(js, args)
            .await
            .unwrap_or_else(|e| panic!("script {js:?}: {e}"))
    }

    /// Waits until the script's answer is `true`.
    pub async fn wait_until(&self, js: &str, what: &str) {
        let deadline = Deadline::new();
        loop {
            if let Ok(Value::Bool(true)) = self.client().execute(js, vec![]).await {
                return;
            }
            if !deadline.wait().await {
                panic!("{}", self.report(what).await);
            }
        }
    }

    async fn wait_loaded(&self) {
        self.wait_until(
            "return document.readyState === 'complete'",
            "the page did not finish loading",
        )
        .await;
    }

    /// What a failing test says: `what`, where the browser is and what the
    /// page shows.
    pub async fn report(&self, what: &str) -> String {
        let url = match self.client().current_url().await {
            Ok(u) => u.to_string(),
            Err(e) => format!("(no URL: {e})"),
        };
        let text = self
            .client()
            .execute(
                "return document.body ? document.body.innerText : ''",
                vec![],
            )
            .await
            .map(|v| v.as_str().unwrap_or_default().to_owned())
            .unwrap_or_default();
        let text: String = text.chars().take(3000).collect();
        format!("{what}\n  at {url}\n  the page shows:\n{text}")
    }

    /// The displayed elements matching `locator`.
    async fn displayed(&self, locator: Locator<'_>) -> Vec<Element> {
        let mut shown = Vec::new();
        for e in self.client().find_all(locator).await.unwrap_or_default() {
            if e.is_displayed().await.unwrap_or(false) {
                shown.push(e);
            }
        }
        shown
    }

    /// Waits for a displayed element matching a CSS selector.
    pub async fn wait_for(&self, css: &str) -> Element {
        let deadline = Deadline::new();
        loop {
            if let Some(e) = self.displayed(Locator::Css(css)).await.into_iter().next() {
                return e;
            }
            if !deadline.wait().await {
                panic!(
                    "{}",
                    self.report(&format!("nothing shown matches {css}")).await
                );
            }
        }
    }

    /// Whether an element matching a CSS selector is shown now (no waiting).
    pub async fn has(&self, css: &str) -> bool {
        !self.displayed(Locator::Css(css)).await.is_empty()
    }

    /// The text of the first displayed element matching a CSS selector
    /// (waiting for it), as shown.
    pub async fn text_of(&self, css: &str) -> String {
        self.wait_for(css).await.text().await.unwrap()
    }

    /// The texts of every displayed element matching a CSS selector (none
    /// when none is there: no waiting).
    pub async fn texts_of(&self, css: &str) -> Vec<String> {
        let mut texts = Vec::new();
        for e in self.displayed(Locator::Css(css)).await {
            texts.push(e.text().await.unwrap());
        }
        texts
    }

    /// Waits until an element matching `css` shows `needle`; gives its
    /// whole text.
    pub async fn wait_for_text(&self, css: &str, needle: &str) -> String {
        let deadline = Deadline::new();
        loop {
            for text in self.texts_of(css).await {
                if text.contains(needle) {
                    return text;
                }
            }
            if !deadline.wait().await {
                let what = format!("no {css} shows {needle:?}");
                panic!("{}", self.report(&what).await);
            }
        }
    }

    /// The whole table matching `css` as text: its header cells, then one
    /// row of cells per body row.
    pub async fn table(&self, css: &str) -> (Vec<String>, Vec<Vec<String>>) {
        self.wait_for(css).await;
        let got = self
            .script(
                "const t = document.querySelector(arguments[0]);\
                 const cells = (r) => Array.from(r.cells).map((c) => c.innerText.trim());\
                 const head = t.tHead && t.tHead.rows.length ? cells(t.tHead.rows[0]) : [];\
                 const body = Array.from(t.tBodies).flatMap((b) => Array.from(b.rows)).map(cells);\
                 return [head, body];",
                vec![json!(css)],
            )
            .await;
        let strings = |v: &Value| -> Vec<String> {
            v.as_array()
                .unwrap()
                .iter()
                .map(|c| c.as_str().unwrap().to_owned())
                .collect()
        };
        let head = strings(&got[0]);
        let rows = got[1].as_array().unwrap().iter().map(strings).collect();
        (head, rows)
    }

    /// Opens `path` again and again until the table matching `css` satisfies
    /// `ok` (for what the service does in the background, such as routing
    /// every lead again); gives the table.
    pub async fn reload_until_table(
        &self,
        path: &str,
        css: &str,
        ok: impl Fn(&[String], &[Vec<String>]) -> bool,
    ) -> (Vec<String>, Vec<Vec<String>>) {
        let deadline = Deadline::new();
        loop {
            self.goto(path).await;
            let (head, rows) = self.table(css).await;
            if ok(&head, &rows) {
                return (head, rows);
            }
            if !deadline.wait().await {
                let what = format!("the table {css} never became as expected: {rows:?}");
                panic!("{}", self.report(&what).await);
            }
        }
    }

    /// The first displayed element matching `css` (the page's whole
    /// document for `None`), now; `None` when nothing matching is shown.
    async fn scope(&self, css: Option<&str>) -> Option<Option<Element>> {
        match css {
            None => Some(None),
            Some(css) => self
                .displayed(Locator::Css(css))
                .await
                .into_iter()
                .next()
                .map(Some),
        }
    }

    /// The displayed elements matching a relative XPath (`.//label`) within
    /// `scope` (the document for `None`).
    async fn displayed_within(&self, scope: Option<&Element>, xpath: &str) -> Vec<Element> {
        let found = match scope {
            Some(e) => e.find_all(Locator::XPath(xpath)).await,
            None => self.client().find_all(Locator::XPath(xpath)).await,
        };
        let mut shown = Vec::new();
        for e in found.unwrap_or_default() {
            if e.is_displayed().await.unwrap_or(false) {
                shown.push(e);
            }
        }
        shown
    }

    /// The one field labelled `label` within the element matching `scope`
    /// (the whole page for `None`) now, if there is one.
    async fn labelled(&self, scope: Option<&str>, label: &str) -> Option<Element> {
        let root = self.scope(scope).await?;
        let lit = xpath_literal(label);
        let exact = format!(".//label[normalize-space()={lit}]");
        let mut labels = self.displayed_within(root.as_ref(), &exact).await;
        if labels.is_empty() {
            let prefix = format!(".//label[starts-with(normalize-space(), {lit})]");
            labels = self.displayed_within(root.as_ref(), &prefix).await;
        }
        if labels.len() != 1 {
            return None;
        }
        let label = labels.pop()?;
        match label.attr("for").await.ok()? {
            Some(id) => {
                let id = xpath_literal(&id);
                let xpath = format!("//*[@id={id}]");
                self.client().find(Locator::XPath(&xpath)).await.ok()
            }
            None => label
                .find(Locator::Css("input, select, textarea"))
                .await
                .ok(),
        }
    }

    /// The form field labelled `label` (the label's whole text, or its start
    /// when only one label starts so): by the label's `for`, else the field
    /// inside the label. Waits for it.
    pub async fn field(&self, label: &str) -> Element {
        self.field_within(None, label).await
    }

    /// As [`Self::field`], among the fields inside the element matching the
    /// CSS selector `scope` (for a page that repeats a label, such as each
    /// grade's "From score").
    pub async fn field_in(&self, scope: &str, label: &str) -> Element {
        self.field_within(Some(scope), label).await
    }

    async fn field_within(&self, scope: Option<&str>, label: &str) -> Element {
        let deadline = Deadline::new();
        loop {
            if let Some(field) = self.labelled(scope, label).await {
                return field;
            }
            if !deadline.wait().await {
                let within = scope.map(|s| format!(" in {s}")).unwrap_or_default();
                let what = format!("no one field is labelled {label:?}{within}");
                panic!("{}", self.report(&what).await);
            }
        }
    }

    /// The shown message describing `field` when it is marked invalid
    /// (`aria-invalid="true"`, `aria-describedby` naming shown messages);
    /// `None` otherwise.
    async fn mistake_of(&self, field: &Element) -> Option<String> {
        if field.attr("aria-invalid").await.ok()?.as_deref() != Some("true") {
            return None;
        }
        let ids = field.attr("aria-describedby").await.ok()??;
        let mut said = Vec::new();
        for id in ids.split_whitespace() {
            let xpath = format!("//*[@id={}]", xpath_literal(id));
            for e in self.displayed(Locator::XPath(&xpath)).await {
                said.push(e.text().await.ok()?);
            }
        }
        let said = said.join(" ");
        (!said.trim().is_empty()).then_some(said)
    }

    /// Waits until the field labelled `label` inside the element matching
    /// `scope` is marked invalid and described by a shown message holding
    /// `needle` (the rule designer's script checks a moment after typing
    /// stops); gives the message.
    pub async fn wait_for_mistake_in(&self, scope: &str, label: &str, needle: &str) -> String {
        let deadline = Deadline::new();
        loop {
            // The script replaces the messages at each check: the field is
            // looked up again each time.
            if let Some(field) = self.labelled(Some(scope), label).await
                && let Some(said) = self.mistake_of(&field).await
                && said.contains(needle)
            {
                return said;
            }
            if !deadline.wait().await {
                let what = format!("the field {label:?} in {scope} never showed {needle:?}");
                panic!("{}", self.report(&what).await);
            }
        }
    }

    /// Waits until the field labelled `label` inside the element matching
    /// `scope` is no longer marked invalid.
    pub async fn wait_for_no_mistake_in(&self, scope: &str, label: &str) {
        let deadline = Deadline::new();
        loop {
            if let Some(field) = self.labelled(Some(scope), label).await
                && field.attr("aria-invalid").await.ok().flatten().as_deref() != Some("true")
            {
                return;
            }
            if !deadline.wait().await {
                let what = format!("the field {label:?} in {scope} stays marked invalid");
                panic!("{}", self.report(&what).await);
            }
        }
    }

    /// The mistake shown at the field labelled `label`: the field is marked
    /// invalid (`aria-invalid="true"`) and described by the message
    /// (`aria-describedby`), which is shown; gives the message.
    pub async fn mistake_at(&self, label: &str) -> String {
        let field = self.field(label).await;
        match self.mistake_of(&field).await {
            Some(said) => said,
            None => {
                let what = format!("the field {label:?} shows no mistake described by it");
                panic!("{}", self.report(&what).await);
            }
        }
    }

    /// Types `value` into the field labelled `label` with the keyboard, after
    /// clicking it and clearing what it held.
    pub async fn fill(&self, label: &str, value: &str) {
        Self::type_into(self.field(label).await, value).await;
    }

    /// As [`Self::fill`], for the field labelled `label` inside the element
    /// matching `scope`.
    pub async fn fill_in(&self, scope: &str, label: &str, value: &str) {
        Self::type_into(self.field_in(scope, label).await, value).await;
    }

    async fn type_into(field: Element, value: &str) {
        field.click().await.unwrap();
        field.clear().await.unwrap();
        field.send_keys(value).await.unwrap();
    }

    /// Chooses the option shown as `option` in the list labelled `label`.
    pub async fn choose(&self, label: &str, option: &str) {
        Self::choose_option(self.field(label).await, label, option).await;
    }

    /// As [`Self::choose`], for the list labelled `label` inside the element
    /// matching `scope`.
    pub async fn choose_in(&self, scope: &str, label: &str, option: &str) {
        Self::choose_option(self.field_in(scope, label).await, label, option).await;
    }

    async fn choose_option(field: Element, label: &str, option: &str) {
        field
            .select_by_label(option)
            .await
            .unwrap_or_else(|e| panic!("{label:?} has no option {option:?}: {e}"));
    }

    /// Types on the keyboard into whatever has the focus.
    pub async fn keys(&self, text: &str) {
        self.client()
            .active_element()
            .await
            .unwrap()
            .send_keys(text)
            .await
            .unwrap();
    }

    /// Presses Tab.
    pub async fn tab(&self) {
        self.keys(&Key::Tab.to_string()).await;
    }

    /// Presses Enter, and waits for the page it leads to.
    pub async fn enter(&self) {
        self.mark_page().await;
        self.keys(&Key::Enter.to_string()).await;
        self.wait_new_page().await;
    }

    /// The `id` (or else `name`, or tag) of the element that has the focus.
    pub async fn focused(&self) -> String {
        let got = self
            .script(
                "const e = document.activeElement; return e ? (e.id || e.name || e.tagName) : ''",
                vec![],
            )
            .await;
        got.as_str().unwrap_or_default().to_owned()
    }

    /// The one displayed button or link whose text (or `aria-label`) is
    /// `text`, waiting for it.
    pub async fn control(&self, text: &str) -> Element {
        self.control_within(None, text).await
    }

    /// The one displayed button or link whose text (or `aria-label`) is
    /// `text` inside the element matching `scope`, waiting for it.
    async fn control_within(&self, scope: Option<&str>, text: &str) -> Element {
        let lit = xpath_literal(text);
        let xpath = format!(
            ".//button[normalize-space()={lit} or @aria-label={lit}] \
             | .//a[normalize-space()={lit} or @aria-label={lit}] \
             | .//input[(@type='submit' or @type='button') and (@value={lit} or @aria-label={lit})]"
        );
        let deadline = Deadline::new();
        loop {
            let mut all = match self.scope(scope).await {
                Some(root) => self.displayed_within(root.as_ref(), &xpath).await,
                None => Vec::new(),
            };
            if all.len() == 1 {
                return all.remove(0);
            }
            if !deadline.wait().await {
                let within = scope.map(|s| format!(" in {s}")).unwrap_or_default();
                let what = format!(
                    "{} buttons or links read {text:?}{within}; a click needs exactly one",
                    all.len()
                );
                panic!("{}", self.report(&what).await);
            }
        }
    }

    /// Clicks the button or link `text` inside the element matching `scope`
    /// (a page with one "Add a filter" per condition, say) and waits for the
    /// page it leads to.
    pub async fn click_in(&self, scope: &str, text: &str) {
        let control = self.control_within(Some(scope), text).await;
        self.mark_page().await;
        control
            .click()
            .await
            .unwrap_or_else(|e| panic!("clicking {text:?} in {scope}: {e}"));
        self.wait_new_page().await;
    }

    /// Whether a button or link reading `text` (or so labelled) is shown
    /// now (no waiting).
    pub async fn has_control(&self, text: &str) -> bool {
        let lit = xpath_literal(text);
        let xpath = format!(
            "//button[normalize-space()={lit} or @aria-label={lit}] \
             | //a[normalize-space()={lit} or @aria-label={lit}]"
        );
        !self.displayed(Locator::XPath(&xpath)).await.is_empty()
    }

    /// The HTTP status of a request the page itself makes to `path` with
    /// the browser's session cookie (`GET`, or `POST` of `form`: the
    /// fields of the page's form matching the CSS selector `form`, plus
    /// `extra` as `name=value` pairs). For what a page cannot show, such as
    /// a refusal's status.
    pub async fn status_of(&self, path: &str, post: Option<(&str, &[(&str, &str)])>) -> u16 {
        let (form, extra) = match post {
            Some((css, extra)) => (
                json!(css),
                json!(extra.iter().map(|(n, v)| [n, v]).collect::<Vec<_>>()),
            ),
            None => (Value::Null, json!([])),
        };
        let got = self
            .client()
            .execute_async(
                "const [path, form, extra, done] = arguments;\
                 let init = {credentials: 'same-origin', redirect: 'manual'};\
                 if (form !== null) {\
                   const body = new URLSearchParams(new FormData(document.querySelector(form)));\
                   for (const [n, v] of extra) body.append(n, v);\
                   init = {...init, method: 'POST', body};\
                 }\
                 fetch(path, init).then((r) => done(r.status), (e) => done(String(e)));",
                vec![json!(path), form, extra],
            )
            .await
            .unwrap_or_else(|e| panic!("fetching {path}: {e}"));
        got.as_u64()
            .and_then(|s| u16::try_from(s).ok())
            .unwrap_or_else(|| panic!("fetching {path} failed: {got}"))
    }

    /// The page's whole HTML as the browser holds it now.
    pub async fn source(&self) -> String {
        self.client().source().await.unwrap()
    }

    /// Clicks the button or link `text` and waits for the page it leads to.
    pub async fn click(&self, text: &str) {
        let control = self.control(text).await;
        self.mark_page().await;
        control
            .click()
            .await
            .unwrap_or_else(|e| panic!("clicking {text:?}: {e}"));
        self.wait_new_page().await;
    }

    /// Clicks the button or link `text` without waiting for a new page (a
    /// download link, say).
    pub async fn press(&self, text: &str) {
        let control = self.control(text).await;
        control
            .click()
            .await
            .unwrap_or_else(|e| panic!("clicking {text:?}: {e}"));
    }

    /// Ticks (or unticks) the checkbox labelled `label` and waits for
    /// nothing: a form's box takes effect when the form is sent.
    pub async fn tick(&self, label: &str, on: bool) {
        let field = self.field(label).await;
        let checked = field.prop("checked").await.unwrap().as_deref() == Some("true");
        if checked != on {
            field.click().await.unwrap();
        }
    }

    /// Orders a table by the column whose sortable header reads `column`
    /// (an arrow after it showing the order), clicking the header's link;
    /// gives the header's `aria-sort` after.
    pub async fn sort_by(&self, column: &str) -> String {
        let lit = xpath_literal(column);
        let xpath = format!("//th/a[starts-with(normalize-space(), {lit})]");
        let deadline = Deadline::new();
        let link = loop {
            let mut all = self.displayed(Locator::XPath(&xpath)).await;
            if all.len() == 1 {
                break all.remove(0);
            }
            if !deadline.wait().await {
                let what = format!("{} sortable headers read {column:?}", all.len());
                panic!("{}", self.report(&what).await);
            }
        };
        self.mark_page().await;
        link.click().await.unwrap();
        self.wait_new_page().await;
        let th = format!("//th[a[starts-with(normalize-space(), {lit})]]");
        let header = self.client().find(Locator::XPath(&th)).await.unwrap();
        header.attr("aria-sort").await.unwrap().unwrap_or_default()
    }

    /// Clicks the button `text`, accepts the "are you sure?" dialog it
    /// opens (checking that it asks `question`) and waits for the page it
    /// leads to.
    pub async fn click_and_confirm(&self, text: &str, question: &str) {
        let control = self.control(text).await;
        self.mark_page().await;
        // The click's own answer may already tell of the open dialog.
        let _ = control.click().await;
        let deadline = Deadline::new();
        let asked = loop {
            if let Ok(asked) = self.client().get_alert_text().await {
                break asked;
            }
            if !deadline.wait().await {
                panic!(
                    "{}",
                    self.report(&format!("clicking {text:?} asked nothing"))
                        .await
                );
            }
        };
        assert!(
            asked.contains(question),
            "clicking {text:?} asked {asked:?}"
        );
        self.client().accept_alert().await.unwrap();
        self.wait_new_page().await;
    }

    /// Marks the document shown, so that [`Self::wait_new_page`] can tell
    /// when another has replaced it.
    async fn mark_page(&self) {
        self.script("window.__leadscoreOld = true; return true", vec![])
            .await;
    }

    /// Waits until the marked document is replaced and the new one loaded.
    async fn wait_new_page(&self) {
        self.wait_until(
            "return !window.__leadscoreOld && document.readyState === 'complete'",
            "no new page came",
        )
        .await;
    }

    /// Signs in on the sign-in page shown, as a person does with the
    /// keyboard: the email (the field has the focus), Tab, the password,
    /// Enter. Does not wait for where it leads.
    pub async fn sign_in(&self, email: &str, password: &str) {
        self.wait_for("form[action='/console/sign-in']").await;
        // Chromium moves the focus to an `autofocus` field at its next
        // rendering, a moment after the form is there.
        self.wait_until(
            "const e = document.activeElement; return !!e && e.id === 'email'",
            "the email field never had the focus",
        )
        .await;
        self.keys(email).await;
        self.tab().await;
        assert_eq!(self.focused().await, "password", "Tab goes to the password");
        self.keys(password).await;
        self.enter().await;
    }

    /// Signs out with the header's button; lands on the sign-in page.
    pub async fn sign_out(&self) {
        self.click("Sign out").await;
        self.wait_for_path("/console/sign-in").await;
    }

    /// Scrolls the page so that the first element matching `css` is at the
    /// top of the window (for a screenshot of what lies below the fold).
    pub async fn scroll_to(&self, css: &str) {
        self.wait_for(css).await;
        self.script(
            "document.querySelector(arguments[0]).scrollIntoView({block: 'start'}); return true",
            vec![json!(css)],
        )
        .await;
    }

    /// The `<h1>` of the page shown.
    pub async fn heading(&self) -> String {
        self.text_of("main h1").await
    }

    /// Checks what every console page must have: a title naming the
    /// console, one `<h1>`, its style sheets loaded and applied, and a label
    /// (or `aria-label`) for every visible form field.
    pub async fn check_page(&self) {
        let title = self.client().title().await.unwrap();
        assert!(
            title.ends_with("· leadscore"),
            "the page's title is {title:?}"
        );
        assert_eq!(self.texts_of("h1").await.len(), 1, "one <h1> on {title}");
        let styled = self
            .script(
                "const links = Array.from(document.querySelectorAll('link[rel=stylesheet]'));\
                 return links.every((l) => l.sheet && l.sheet.cssRules.length > 0) && \
                   Array.from(document.styleSheets).some((s) => s.cssRules.length > 0)",
                vec![],
            )
            .await;
        assert_eq!(styled, true, "the style sheet is not applied on {title}");
        let unlabelled = self
            .script(
                "return Array.from(document.querySelectorAll('input, select, textarea'))\
                 .filter((f) => f.type !== 'hidden' && f.offsetParent !== null)\
                 .filter((f) => !(f.labels && f.labels.length) && !f.getAttribute('aria-label') \
                   && !f.getAttribute('aria-labelledby'))\
                 .map((f) => f.outerHTML)",
                vec![],
            )
            .await;
        assert_eq!(unlabelled, json!([]), "fields without a label on {title}");
    }

    /// Checks the page (see [`Self::check_page`]) and, when screenshots are
    /// asked for, saves the window as `DIR/{name}.png`.
    pub async fn screenshot(&self, name: &str) {
        self.check_page().await;
        let Some(dir) = &self.shots else {
            return;
        };
        let png = self.client().screenshot().await.unwrap();
        assert!(png.starts_with(b"\x89PNG"), "the screenshot is not a PNG");
        let path = dir.join(format!("{name}.png"));
        std::fs::write(&path, png).unwrap();
        say(&format!("screenshot {}", path.display()));
    }

    /// As [`Self::screenshot`], at a `(width, height)` window; the window is
    /// set back to [`DESKTOP`] after.
    pub async fn screenshot_at(&self, name: &str, size: (u32, u32)) {
        self.resize(size).await;
        self.screenshot(name).await;
        self.resize(DESKTOP).await;
    }

    /// Sets the viewport (the page's part of the window) to `(width,
    /// height)`.
    pub async fn resize(&self, size: (u32, u32)) {
        self.client().set_window_size(size.0, size.1).await.unwrap();
        // The window holds the viewport: grow it by their difference.
        let inner = self
            .script("return [window.innerWidth, window.innerHeight]", vec![])
            .await;
        let (w, h) = (
            inner[0].as_u64().unwrap() as u32,
            inner[1].as_u64().unwrap() as u32,
        );
        if (w, h) != size {
            self.client()
                .set_window_size(2 * size.0 - w, 2 * size.1 - h)
                .await
                .unwrap();
        }
    }

    /// Waits for a file downloaded by this browser (whole: not a partial
    /// `.crdownload`) whose name ends with `suffix`; gives its path.
    pub async fn downloaded(&self, suffix: &str) -> PathBuf {
        let dir = self.downloads.path();
        let deadline = Deadline::new();
        loop {
            let files: Vec<PathBuf> = std::fs::read_dir(dir)
                .unwrap()
                .filter_map(|e| e.ok().map(|e| e.path()))
                .collect();
            let partial = files
                .iter()
                .any(|f| f.extension().is_some_and(|x| x == "crdownload"));
            let mut whole: Vec<PathBuf> = files
                .into_iter()
                .filter(|f| f.to_string_lossy().ends_with(suffix))
                .collect();
            if !partial && whole.len() == 1 {
                return whole.remove(0);
            }
            if !deadline.wait().await {
                let what = format!("no one whole *{suffix} download in {}", dir.display());
                panic!("{}", self.report(&what).await);
            }
        }
    }
}

/// A bounded wait: [`Deadline::wait`] sleeps a little and says whether the
/// time allowed is not over yet.
struct Deadline(Instant);

impl Deadline {
    fn new() -> Deadline {
        Deadline(Instant::now())
    }

    async fn wait(&self) -> bool {
        if self.0.elapsed() > WAIT {
            return false;
        }
        tokio::time::sleep(POLL).await;
        true
    }
}

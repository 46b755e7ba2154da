//! Helpers for the end-to-end tests: run the binary, make folders, pick a store.

#![allow(dead_code)]

use std::path::Path;
use std::process::{Child, Command, Output};

use leadscore_domain::{Dataset, ExternalIds};
use leadscore_files::{ReadOptions, read_folder};

pub type TestResult = Result<(), Box<dyn std::error::Error>>;

/// The outcome of one run of the binary.
pub struct Run {
    output: Output,
    args: String,
}

/// Runs `leadscore` with the given arguments.
pub fn leadscore(args: &[&str]) -> Run {
    let output = Command::new(env!("CARGO_BIN_EXE_leadscore"))
        .args(args)
        .env_remove("DATABASE_URL")
        .output();
    Run {
        output: output.unwrap_or_else(|e| Output {
            status: std::os::unix::process::ExitStatusExt::from_raw(127 << 8),
            stdout: Vec::new(),
            stderr: e.to_string().into_bytes(),
        }),
        args: args.join(" "),
    }
}

impl Run {
    /// Its stderr, whether it failed or not.
    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.output.stderr).into_owned()
    }

    /// Its exit code.
    pub fn code(&self) -> Option<i32> {
        self.output.status.code()
    }

    /// Its stdout, or an error with stderr when it failed.
    pub fn success(self) -> Result<String, Box<dyn std::error::Error>> {
        let stderr = String::from_utf8_lossy(&self.output.stderr);
        if !self.output.status.success() {
            return Err(format!("leadscore {} failed: {stderr}", self.args).into());
        }
        Ok(String::from_utf8_lossy(&self.output.stdout).into_owned())
    }

    /// Its stderr, or an error when it succeeded.
    pub fn failure(self) -> Result<String, Box<dyn std::error::Error>> {
        if self.output.status.success() {
            return Err(format!("leadscore {} succeeded but should have failed", self.args).into());
        }
        Ok(String::from_utf8_lossy(&self.output.stderr).into_owned())
    }
}

/// Writes files (relative paths) under `dir`.
pub fn write_files(dir: &Path, files: &[(&str, &str)]) -> std::io::Result<()> {
    for (name, body) in files {
        let path = dir.join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(path, body)?;
    }
    Ok(())
}

/// Reads a folder as a dataset with every list sorted by id, for comparisons.
pub fn load(dir: &Path) -> Result<Dataset, Box<dyn std::error::Error>> {
    let mut ds = read_folder(dir, &ReadOptions::default())?
        .resolve(&ExternalIds::default())?
        .dataset;
    ds.accounts.sort_by(|a, b| a.account_id.cmp(&b.account_id));
    ds.contacts.sort_by(|a, b| a.contact_id.cmp(&b.contact_id));
    ds.leads.sort_by(|a, b| a.lead_id.cmp(&b.lead_id));
    ds.interactions
        .sort_by(|a, b| a.interaction_id.cmp(&b.interaction_id));
    for records in ds.custom.values_mut() {
        records.sort_by(|a, b| a.record_id.cmp(&b.record_id));
    }
    Ok(ds)
}

/// A fresh, empty store for one test; dropped with the test.
pub struct Backend {
    url: String,
    _sqlite: Option<tempfile::TempDir>,
    _postgres: Option<leadscore_store::testing::PgTestDb>,
}

impl Backend {
    /// A SQLite file in a new temporary folder.
    pub fn sqlite() -> Result<Self, Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let url = format!("sqlite://{}", dir.path().join("test.db").display());
        Ok(Self {
            url,
            _sqlite: Some(dir),
            _postgres: None,
        })
    }

    /// A new PostgreSQL database, or `None` (with a note) when no server is
    /// reachable outside CI. In CI an unreachable server is an error.
    pub fn postgres() -> Result<Option<Self>, Box<dyn std::error::Error>> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let Some((db, store)) = runtime.block_on(leadscore_store::testing::fresh_postgres())?
        else {
            return Ok(None);
        };
        runtime.block_on(store.close());
        Ok(Some(Self {
            url: db.url().connect_url(),
            _sqlite: None,
            _postgres: Some(db),
        }))
    }

    /// The `--database` value.
    pub fn url(&self) -> &str {
        &self.url
    }
}

/// The variable naming the folder that holds the shared real data sets.
pub const DATASETS_VAR: &str = "LEADSCORE_DATASETS";

/// The variables that make a missing data set an error instead of a skip.
pub const REQUIRE_DATASETS_VARS: [&str; 2] = ["CI", "LEADSCORE_REQUIRE_DATASETS"];

/// The folders searched for a shared data set, in order: `LEADSCORE_DATASETS`
/// when set, then `../shared/datasets` from the project root.
pub fn dataset_dirs() -> Vec<std::path::PathBuf> {
    let mut dirs = Vec::new();
    if let Some(dir) = std::env::var_os(DATASETS_VAR).filter(|d| !d.is_empty()) {
        dirs.push(std::path::PathBuf::from(dir));
    }
    dirs.push(Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/datasets"));
    dirs
}

/// True when a missing data set must fail the test (`CI` or
/// `LEADSCORE_REQUIRE_DATASETS` set and not empty).
pub fn datasets_required() -> bool {
    REQUIRE_DATASETS_VARS
        .iter()
        .any(|var| std::env::var_os(var).is_some_and(|v| !v.is_empty()))
}

/// A shared real data set (the public data sets are not in the repository):
/// `Some(path)` when a folder of [`dataset_dirs`] holds `name`. Otherwise the
/// test is skipped: `None`, with a note on stderr naming the data set and how
/// to provide it, except when [`datasets_required`], where it is an error.
///
/// `test` names the calling test in the note. Use it as
/// `let Some(path) = dataset("bank-full.csv", "my_test")? else { return Ok(()) };`.
pub fn dataset(
    name: &str,
    test: &str,
) -> Result<Option<std::path::PathBuf>, Box<dyn std::error::Error>> {
    let dirs = dataset_dirs();
    if let Some(path) = dirs.iter().map(|dir| dir.join(name)).find(|p| p.is_file()) {
        return Ok(Some(path));
    }
    let searched = dirs
        .iter()
        .map(|d| d.display().to_string())
        .collect::<Vec<_>>()
        .join(", ");
    let how = format!(
        "put {name} in ../shared/datasets beside the project, or set {DATASETS_VAR} \
         to the folder holding it"
    );
    if datasets_required() {
        return Err(format!(
            "data set {name} not found (searched {searched}) and {} is set: {how}",
            REQUIRE_DATASETS_VARS.join(" or ")
        )
        .into());
    }
    eprintln!(
        "SKIPPED {test}: data set {name} not found (searched {searched}); {how}, \
         or set LEADSCORE_REQUIRE_DATASETS=1 to fail instead"
    );
    Ok(None)
}

/// A child process (`leadscore serve`), killed and reaped when dropped.
pub struct Server(pub Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `leadscore serve` on `database`, listening on `listen`, with the
/// repository's sample data and shipped models loaded (`--load-sample`) and
/// no `DATABASE_URL` from the environment; the caller adds its environment
/// and where the output goes, and spawns it.
pub fn serve_sample(database: &str, listen: &str) -> Command {
    let root = env!("CARGO_MANIFEST_DIR");
    let mut command = Command::new(env!("CARGO_BIN_EXE_leadscore"));
    command
        .args(["serve", "--database", database, "--listen", listen])
        .args(["--load-sample", "--sample"])
        .arg(format!("{root}/training-data/sample"))
        .arg("--models")
        .arg(format!("{root}/models"))
        .env_remove("DATABASE_URL");
    command
}

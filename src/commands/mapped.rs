//! `--map`: the commands that read a DATA.md folder read a CRM export through
//! a mapping instead (crates/leadscore-mapping), and name every problem at its
//! place in the export.

use std::path::{Path, PathBuf};

use leadscore_domain::Declared;
use leadscore_files::FilesError;
use leadscore_mapping::{ApplyOptions, Mapped};

/// The data a command reads: the folder given, or the export mapped into a
/// temporary DATA.md folder (removed when this is dropped).
pub struct Input {
    path: PathBuf,
    mapped: Option<(Mapped, tempfile::TempDir)>,
}

impl Input {
    /// `data` as it is, or mapped with `map` (a mapping file or a shipped
    /// mapping's name). With `skip_bad_rows`, rows with a bad value are left
    /// out and reported ([`Input::skipped`]).
    pub fn open(data: &Path, map: Option<&str>, skip_bad_rows: bool) -> anyhow::Result<Self> {
        let Some(map) = map else {
            return Ok(Self {
                path: data.to_path_buf(),
                mapped: None,
            });
        };
        let mapping = leadscore_mapping::load(map)?;
        let dir = tempfile::Builder::new()
            .prefix("leadscore-mapped-")
            .tempdir()?;
        let mapped = mapping.apply(data, dir.path(), &ApplyOptions { skip_bad_rows })?;
        Ok(Self {
            path: mapped.folder().to_path_buf(),
            mapped: Some((mapped, dir)),
        })
    }

    /// The DATA.md folder to read.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The mapping's result, when there is one.
    pub fn mapped(&self) -> Option<&Mapped> {
        self.mapped.as_ref().map(|(m, _)| m)
    }

    /// The declarations of the settings, with the custom fields the mapping
    /// wrote (it declares them).
    pub fn declare(&self, mut declared: Declared) -> Declared {
        if let Some(mapped) = self.mapped() {
            for (record, name) in mapped.declared_custom() {
                declared.declare_field(record.clone(), name.clone());
            }
        }
        declared
    }

    /// A command's failure, with every place in the mapped folder named by its
    /// place in the export.
    pub fn relocate(&self, error: anyhow::Error) -> anyhow::Error {
        let Some(mapped) = self.mapped() else {
            return error;
        };
        let relocated = error
            .chain()
            .find_map(|e| mapped.relocated(e.downcast_ref::<FilesError>()?));
        match relocated {
            Some(e) => e.into(),
            None => error,
        }
    }
}

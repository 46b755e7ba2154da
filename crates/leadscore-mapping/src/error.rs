use std::path::PathBuf;

use leadscore_files::FilesError;
use thiserror::Error;

/// Everything that can go wrong reading a mapping or applying it to an export.
#[derive(Debug, Error)]
pub enum MappingError {
    /// The mapping file is not a valid mapping: a YAML mistake, an unknown key,
    /// a record missing a required column, an unknown time zone...
    #[error("{origin}: {at}{message}", at = at_path(path))]
    Invalid {
        /// The mapping's file, or the shipped mapping's name.
        origin: String,
        /// Where in the mapping (`sources[0].leads.status`), when known.
        path: Option<String>,
        /// What is wrong.
        message: String,
    },
    /// `--map NAME` names neither a file nor a shipped mapping.
    #[error("no mapping {name:?}: not a file, and not one of the shipped mappings ({})", shipped.join(", "))]
    UnknownMapping {
        /// The name given.
        name: String,
        /// The shipped mappings' names.
        shipped: Vec<String>,
    },
    /// The export holds no file that a source of the mapping reads.
    #[error("{}: no file of the export matches the mapping {mapping:?} (it reads {wanted}); the files are {found}", path.display())]
    NothingToRead {
        /// The export (folder or file).
        path: PathBuf,
        /// The mapping's name.
        mapping: String,
        /// The file names the mapping's sources look for.
        wanted: String,
        /// The files found.
        found: String,
    },
    /// A required source is missing from the export.
    #[error("{}: the mapping {mapping:?} needs a file named {wanted}, and the export has none", path.display())]
    MissingSource {
        /// The export folder.
        path: PathBuf,
        /// The mapping's name.
        mapping: String,
        /// The names it looks for.
        wanted: String,
    },
    /// A file of the export that no source of the mapping reads and that is not
    /// a DATA.md file either.
    #[error("{}: no source of the mapping {mapping:?} reads this file; add a source for it, or take it out of the folder", path.display())]
    UnclaimedFile {
        /// The file.
        path: PathBuf,
        /// The mapping's name.
        mapping: String,
    },
    /// Two sources of the mapping read the same file.
    #[error("{}: both the mapping's sources {first} and {second} read this file; make their file names distinct", path.display())]
    ClaimedTwice {
        /// The file.
        path: PathBuf,
        /// One source's position (from 0).
        first: usize,
        /// The other's.
        second: usize,
    },
    /// A column the mapping reads is not in the export's header.
    #[error("{} line 1: no column {wanted} (the mapping's {target}){hint}", path.display())]
    MissingColumn {
        /// The export file.
        path: PathBuf,
        /// The column name(s) the mapping looks for.
        wanted: String,
        /// The DATA.md record and column it would fill (`leads.created_at`).
        target: String,
        /// `; did you mean ...?` when a header column is close.
        hint: String,
    },
    /// A column of the export that the mapping neither maps, keeps as a custom
    /// field nor drops (the mapping's `others` is `error`).
    #[error("{} line 1, column {position}: the mapping {mapping:?} does not say what {column:?} becomes{hint}; map it, or list it under the source's drop, or set the source's others to drop or custom", path.display())]
    UnmappedColumn {
        /// The export file.
        path: PathBuf,
        /// The mapping's name.
        mapping: String,
        /// The column's name.
        column: String,
        /// Its position, from 1.
        position: usize,
        /// `(did you mean ...?)` when a mapped name is close.
        hint: String,
    },
    /// A problem reading the export or the mapped records (every bad value is a
    /// [`FilesError::BadRows`] with its place in the export).
    #[error(transparent)]
    Files(#[from] FilesError),
}

fn at_path(path: &Option<String>) -> String {
    match path {
        Some(p) if !p.is_empty() => format!("{p}: "),
        _ => String::new(),
    }
}

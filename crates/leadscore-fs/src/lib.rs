//! Whole-or-nothing, durable file writes: the one implementation of "write a
//! file so that it appears complete or not at all" in leadscore.
//!
//! - [`write_atomic`] writes bytes to a file; [`write_atomic_with`] lets a
//!   writer stream into it; [`AtomicFile`] is the pending file behind both, for
//!   callers that prepare several files and publish them only once all are
//!   complete.
//! - [`Staging`] is a hidden folder beside the files of a run, written into
//!   freely and published by renames once every file is complete.
//!
//! Every file is written under a temporary name in the target's own folder
//! (so the final rename never crosses file systems), flushed to disk
//! (`fsync`), then renamed over the target, and the folder is flushed too (on
//! unix) so that the rename itself survives a crash. On any error before the
//! rename the target is untouched and the temporary file is removed. A new
//! file gets the permissions of an ordinary new file (`0666` less the umask on
//! unix), not the private ones of a temporary file.
//!
//! ```
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use std::io::Write;
//!
//! let dir = tempfile::tempdir()?;
//! let path = dir.path().join("report.txt");
//! leadscore_fs::write_atomic(&path, b"first\n")?;
//! leadscore_fs::write_atomic_with(&path, |file| -> Result<(), Box<dyn std::error::Error>> {
//!     file.write_all(b"second\n")?;
//!     Ok(())
//! })?;
//! assert_eq!(std::fs::read_to_string(&path)?, "second\n");
//! # Ok(())
//! # }
//! ```

use std::fs::File;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Why a whole-or-nothing write failed. `path` is always the file or folder
/// being written (the target, never a temporary name).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FsError {
    /// The temporary file or staging folder could not be created.
    #[error("cannot create {path}: {source}")]
    Create {
        /// The target file (or the output folder of a staging folder).
        path: PathBuf,
        /// The underlying error.
        source: io::Error,
    },
    /// Writing the content failed.
    #[error("cannot write {path}: {source}")]
    Write {
        /// The target file.
        path: PathBuf,
        /// The underlying error.
        source: io::Error,
    },
    /// Flushing the file or its folder to disk failed.
    #[error("cannot sync {path} to disk: {source}")]
    Sync {
        /// The file or folder.
        path: PathBuf,
        /// The underlying error.
        source: io::Error,
    },
    /// Moving the complete file into place failed.
    #[error("cannot replace {path}: {source}")]
    Replace {
        /// The target file.
        path: PathBuf,
        /// The underlying error.
        source: io::Error,
    },
    /// Removing the staging folder after publishing failed.
    #[error("cannot remove {path}: {source}")]
    Cleanup {
        /// The staging folder.
        path: PathBuf,
        /// The underlying error.
        source: io::Error,
    },
}

impl FsError {
    /// The file or folder the error is about.
    pub fn path(&self) -> &Path {
        self.parts().0
    }

    /// The underlying I/O error.
    pub fn io_error(&self) -> &io::Error {
        self.parts().1
    }

    /// The path and the I/O error, borrowed.
    fn parts(&self) -> (&Path, &io::Error) {
        match self {
            Self::Create { path, source }
            | Self::Write { path, source }
            | Self::Sync { path, source }
            | Self::Replace { path, source }
            | Self::Cleanup { path, source } => (path, source),
        }
    }

    /// The path and the underlying I/O error, for callers whose own error
    /// type holds those two.
    pub fn into_parts(self) -> (PathBuf, io::Error) {
        match self {
            Self::Create { path, source }
            | Self::Write { path, source }
            | Self::Sync { path, source }
            | Self::Replace { path, source }
            | Self::Cleanup { path, source } => (path, source),
        }
    }
}

/// Writes `bytes` to `path`, replacing what is there, whole or not at all.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), FsError> {
    let mut file = AtomicFile::create(path)?;
    file.file
        .write_all(bytes)
        .map_err(|source| FsError::Write {
            path: path.to_path_buf(),
            source,
        })?;
    file.commit()
}

/// Writes `path` by calling `write` with the open temporary file, replacing
/// what is there once `write` returns `Ok`. When `write` (or anything after
/// it) fails, the target is untouched and the temporary file removed; the
/// error of `write` is returned as is.
///
/// `write` writes to the file directly: wrap it in a
/// [`BufWriter`](std::io::BufWriter) (and flush it) for many small writes.
pub fn write_atomic_with<E, F>(path: &Path, write: F) -> Result<(), E>
where
    F: FnOnce(&mut File) -> Result<(), E>,
    E: From<FsError>,
{
    let mut file = AtomicFile::create(path)?;
    write(&mut file.file)?;
    file.commit()?;
    Ok(())
}

/// A file being written under a temporary name beside its target, which
/// [`commit`](Self::commit) moves into place. Dropped without a commit, the
/// temporary file is removed and the target is untouched.
///
/// Writes go straight to the file; wrap it in a
/// [`BufWriter`](std::io::BufWriter) for many small writes.
#[derive(Debug)]
pub struct AtomicFile {
    file: File,
    temp: tempfile::TempPath,
    target: PathBuf,
}

impl AtomicFile {
    /// Creates a temporary file in `path`'s folder (which must exist).
    pub fn create(path: &Path) -> Result<Self, FsError> {
        let dir = parent(path);
        let mut builder = tempfile::Builder::new();
        builder.prefix(".").suffix(".partial");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            // Less the umask: the permissions of a file made by `File::create`.
            builder.permissions(std::fs::Permissions::from_mode(0o666));
        }
        let (file, temp) = builder
            .tempfile_in(dir)
            .map_err(|source| FsError::Create {
                path: path.to_path_buf(),
                source,
            })?
            .into_parts();
        Ok(Self {
            file,
            temp,
            target: path.to_path_buf(),
        })
    }

    /// The file this one replaces once committed.
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// Flushes the content to disk, renames the file over the target and
    /// flushes the target's folder.
    pub fn commit(self) -> Result<(), FsError> {
        let Self { file, temp, target } = self;
        file.sync_all().map_err(|source| FsError::Sync {
            path: target.clone(),
            source,
        })?;
        drop(file);
        temp.persist(&target).map_err(|e| FsError::Replace {
            path: target.clone(),
            // The temporary file is removed when `e.path` drops.
            source: e.error,
        })?;
        sync_dir(parent(&target))
    }
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.file.write(buf)
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        self.file.write_all(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.file.flush()
    }
}

/// A hidden staging folder inside an output folder: a run writes its files
/// there (under the names they will have in the output folder, sub-folders
/// allowed), and [`publish`](Self::publish) moves them into place once all are
/// complete. Dropped without publishing, the staging folder and everything in
/// it is removed and the output folder keeps what it had.
#[derive(Debug)]
pub struct Staging {
    out: PathBuf,
    dir: Option<tempfile::TempDir>,
}

impl Staging {
    /// Creates `out` if missing and a fresh staging folder inside it.
    pub fn create(out: &Path) -> Result<Self, FsError> {
        let create = |source| FsError::Create {
            path: out.to_path_buf(),
            source,
        };
        std::fs::create_dir_all(out).map_err(create)?;
        let dir = tempfile::Builder::new()
            .prefix(".leadscore-staging-")
            .tempdir_in(out)
            .map_err(create)?;
        Ok(Self {
            out: out.to_path_buf(),
            dir: Some(dir),
        })
    }

    /// The staging folder, to write the files into.
    pub fn dir(&self) -> &Path {
        self.dir.as_ref().map_or(self.out.as_path(), |d| d.path())
    }

    /// Flushes each file (a path relative to both folders) to disk, moves it
    /// into the output folder, replacing what is there, flushes the folders
    /// that changed, and removes the staging folder. Checks first that every
    /// file can take its place, so that a folder in the way fails before
    /// anything is replaced.
    pub fn publish(mut self, files: &[&str]) -> Result<(), FsError> {
        let staged = self.dir().to_path_buf();
        let mut folders: Vec<PathBuf> = Vec::new();
        for name in files {
            let from = staged.join(name);
            let to = self.out.join(name);
            let folder = parent(&to).to_path_buf();
            std::fs::create_dir_all(&folder).map_err(|source| FsError::Create {
                path: folder.clone(),
                source,
            })?;
            if std::fs::symlink_metadata(&to).is_ok_and(|m| m.is_dir()) {
                return Err(FsError::Replace {
                    path: to,
                    source: io::Error::new(
                        io::ErrorKind::IsADirectory,
                        "a folder is in the way of the file",
                    ),
                });
            }
            std::fs::OpenOptions::new()
                .write(true)
                .open(&from)
                .and_then(|f| f.sync_all())
                .map_err(|source| FsError::Sync {
                    path: to.clone(),
                    source,
                })?;
            if !folders.contains(&folder) {
                folders.push(folder);
            }
        }
        for name in files {
            let to = self.out.join(name);
            std::fs::rename(staged.join(name), &to)
                .map_err(|source| FsError::Replace { path: to, source })?;
        }
        for folder in &folders {
            sync_dir(folder)?;
        }
        match self.dir.take() {
            Some(dir) => dir.close().map_err(|source| FsError::Cleanup {
                path: staged,
                source,
            }),
            None => Ok(()),
        }
    }
}

/// The folder of a file path (`.` for a bare name).
fn parent(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// Flushes a folder's entries (a rename into it) to disk; a no-op where
/// folders cannot be opened as files.
fn sync_dir(dir: &Path) -> Result<(), FsError> {
    #[cfg(unix)]
    {
        File::open(dir)
            .and_then(|d| d.sync_all())
            .map_err(|source| FsError::Sync {
                path: dir.to_path_buf(),
                source,
            })
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        Ok(())
    }
}

#[cfg(test)]
mod tests;

//! All or nothing: files are written into a hidden folder inside the output
//! folder and moved into place only once every one of them is complete.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use crate::GenerateError;

/// Distinguishes staging folders of one process.
static NEXT: AtomicU64 = AtomicU64::new(0);

/// A staging folder, removed on drop unless committed.
#[derive(Debug)]
pub(crate) struct Staging {
    out: PathBuf,
    dir: PathBuf,
    done: bool,
}

impl Staging {
    /// Creates `out` if missing and a fresh staging folder inside it.
    pub(crate) fn create(out: &Path) -> Result<Self, GenerateError> {
        fs::create_dir_all(out).map_err(GenerateError::io(out))?;
        let pid = std::process::id();
        loop {
            let n = NEXT.fetch_add(1, Ordering::Relaxed);
            let dir = out.join(format!(".leadscore-generate-{pid}-{n}"));
            match fs::create_dir(&dir) {
                Ok(()) => {
                    return Ok(Self {
                        out: out.to_path_buf(),
                        dir,
                        done: false,
                    });
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && n < 1_000_000 => {}
                Err(e) => {
                    return Err(GenerateError::Io {
                        path: dir,
                        source: e,
                    });
                }
            }
        }
    }

    /// The staging folder.
    pub(crate) fn dir(&self) -> &Path {
        &self.dir
    }

    /// Moves each file (a path relative to both folders) into the output
    /// folder, replacing what is there, then removes the staging folder. Checks
    /// first that every file can take its place, so that a folder in the way
    /// fails the run before anything is replaced.
    pub(crate) fn commit(mut self, files: &[&str]) -> Result<(), GenerateError> {
        for name in files {
            let to = self.out.join(name);
            if let Some(parent) = to.parent() {
                fs::create_dir_all(parent).map_err(GenerateError::io(parent))?;
            }
            if fs::symlink_metadata(&to).is_ok_and(|m| m.is_dir()) {
                return Err(GenerateError::Io {
                    path: to,
                    source: std::io::Error::new(
                        std::io::ErrorKind::IsADirectory,
                        "a folder is in the way of the file",
                    ),
                });
            }
        }
        for name in files {
            let to = self.out.join(name);
            fs::rename(self.dir.join(name), &to).map_err(GenerateError::io(&to))?;
        }
        self.done = true;
        fs::remove_dir_all(&self.dir).map_err(GenerateError::io(&self.dir))
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.done {
            // Best effort: the error being reported matters more.
            let _ = fs::remove_dir_all(&self.dir);
        }
    }
}

use std::fs;
use std::io::Write;
use std::path::Path;

use super::*;

type TestResult = Result<(), Box<dyn std::error::Error>>;

/// The names in a folder, sorted.
fn names(dir: &Path) -> Result<Vec<String>, io::Error> {
    let mut names = fs::read_dir(dir)?
        .map(|e| e.map(|e| e.file_name().to_string_lossy().into_owned()))
        .collect::<Result<Vec<_>, _>>()?;
    names.sort();
    Ok(names)
}

#[test]
fn writes_the_content() -> TestResult {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("out.txt");
    write_atomic(&path, b"hello\n")?;
    assert_eq!(fs::read_to_string(&path)?, "hello\n");
    assert_eq!(names(dir.path())?, ["out.txt"]);
    Ok(())
}

#[test]
fn streams_the_content() -> TestResult {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("out.csv");
    write_atomic_with(&path, |file| -> Result<(), Box<dyn std::error::Error>> {
        let mut w = io::BufWriter::new(file);
        for i in 0..1000 {
            writeln!(w, "{i}")?;
        }
        w.flush()?;
        Ok(())
    })?;
    let text = fs::read_to_string(&path)?;
    assert_eq!(text.lines().count(), 1000);
    assert_eq!(text.lines().last(), Some("999"));
    assert_eq!(names(dir.path())?, ["out.csv"]);
    Ok(())
}

#[test]
fn overwrites_an_existing_file() -> TestResult {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("out.txt");
    fs::write(&path, "a much longer old content\n")?;
    write_atomic(&path, b"new\n")?;
    assert_eq!(fs::read_to_string(&path)?, "new\n");
    assert_eq!(names(dir.path())?, ["out.txt"]);
    Ok(())
}

#[cfg(unix)]
#[test]
fn a_new_file_is_not_private() -> TestResult {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("out.txt");
    write_atomic(&path, b"x")?;
    // The permissions `fs::write` gives a new file (0666 less the umask), not
    // a temporary file's 0600.
    let probe = dir.path().join("probe.txt");
    fs::write(&probe, "x")?;
    assert_eq!(
        fs::metadata(&path)?.permissions().mode() & 0o777,
        fs::metadata(&probe)?.permissions().mode() & 0o777
    );
    Ok(())
}

type Failure = Box<dyn std::error::Error>;

#[test]
fn a_failed_writer_leaves_the_target_untouched_and_no_temporary_file() -> TestResult {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("out.txt");
    fs::write(&path, "old\n")?;
    let result = write_atomic_with(&path, |file| {
        file.write_all(b"half of the new")?;
        Err::<(), Failure>("midway".into())
    });
    assert_eq!(result.map_err(|e| e.to_string()), Err("midway".to_owned()));
    assert_eq!(fs::read_to_string(&path)?, "old\n");
    assert_eq!(names(dir.path())?, ["out.txt"]);

    // And when there was no file: still none.
    let new = dir.path().join("new.txt");
    let result = write_atomic_with(&new, |file| {
        file.write_all(b"half")?;
        Err::<(), Failure>("midway".into())
    });
    assert_eq!(result.map_err(|e| e.to_string()), Err("midway".to_owned()));
    assert_eq!(names(dir.path())?, ["out.txt"]);
    Ok(())
}

#[test]
fn an_uncommitted_file_is_removed() -> TestResult {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("out.txt");
    let mut file = AtomicFile::create(&path)?;
    file.write_all(b"never published")?;
    assert_eq!(file.target(), path);
    assert_eq!(names(dir.path())?.len(), 1);
    drop(file);
    assert!(names(dir.path())?.is_empty());
    Ok(())
}

#[test]
fn errors_name_the_target() -> TestResult {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("missing-folder").join("out.txt");
    let Err(e) = write_atomic(&path, b"x") else {
        return Err("writing into a missing folder succeeded".into());
    };
    assert!(matches!(e, FsError::Create { .. }), "{e:?}");
    assert_eq!(e.path(), path);
    assert!(e.to_string().contains(&path.display().to_string()), "{e}");

    // A folder where the file should be: the rename fails, nothing is left.
    let folder = dir.path().join("taken");
    fs::create_dir(&folder)?;
    fs::write(folder.join("inside.txt"), "x")?;
    let Err(e) = write_atomic(&folder, b"x") else {
        return Err("replacing a folder succeeded".into());
    };
    assert!(matches!(e, FsError::Replace { .. }), "{e:?}");
    assert_eq!(e.path(), folder);
    assert!(e.to_string().contains(&folder.display().to_string()), "{e}");
    assert_eq!(names(dir.path())?, ["taken"]);
    let (path, source) = e.into_parts();
    assert_eq!(path, folder);
    assert!(!source.to_string().is_empty());
    Ok(())
}

#[test]
fn staging_publishes_every_file_and_leaves_no_folder() -> TestResult {
    let dir = tempfile::tempdir()?;
    let out = dir.path().join("out");
    fs::create_dir_all(out.join("custom"))?;
    fs::write(out.join("a.csv"), "old\n")?;
    let staging = Staging::create(&out)?;
    fs::create_dir(staging.dir().join("custom"))?;
    fs::write(staging.dir().join("a.csv"), "new a\n")?;
    fs::write(staging.dir().join("custom/b.csv"), "new b\n")?;
    staging.publish(&["a.csv", "custom/b.csv"])?;
    assert_eq!(fs::read_to_string(out.join("a.csv"))?, "new a\n");
    assert_eq!(fs::read_to_string(out.join("custom/b.csv"))?, "new b\n");
    assert_eq!(names(&out)?, ["a.csv", "custom"]);
    Ok(())
}

#[test]
fn an_unpublished_staging_folder_is_removed() -> TestResult {
    let dir = tempfile::tempdir()?;
    let out = dir.path().join("out");
    let staging = Staging::create(&out)?;
    assert!(
        staging
            .dir()
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with('.'))
    );
    fs::write(staging.dir().join("a.csv"), "new\n")?;
    drop(staging);
    assert!(names(&out)?.is_empty());
    Ok(())
}

#[test]
fn a_folder_in_the_way_fails_before_anything_is_replaced() -> TestResult {
    let dir = tempfile::tempdir()?;
    let out = dir.path().to_path_buf();
    fs::write(out.join("a.csv"), "old\n")?;
    fs::create_dir(out.join("b.csv"))?;
    let staging = Staging::create(&out)?;
    fs::write(staging.dir().join("a.csv"), "new\n")?;
    fs::write(staging.dir().join("b.csv"), "new\n")?;
    let Err(e) = staging.publish(&["a.csv", "b.csv"]) else {
        return Err("publishing over a folder succeeded".into());
    };
    assert_eq!(e.path(), out.join("b.csv"));
    assert_eq!(fs::read_to_string(out.join("a.csv"))?, "old\n");
    assert_eq!(names(&out)?, ["a.csv", "b.csv"]);
    Ok(())
}

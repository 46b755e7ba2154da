//! Flat training files: target, positive value, exclusions, kinds by content.

use leadscore_features::ColumnValues;
use leadscore_files::{FilesError, TrainingOptions, read_training_table};

type TestResult = Result<(), Box<dyn std::error::Error>>;

fn options(target: &str) -> TrainingOptions {
    TrainingOptions {
        target: target.to_owned(),
        ..TrainingOptions::default()
    }
}

#[test]
fn splits_the_target_and_reads_kinds_by_content() -> TestResult {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("bank.csv");
    std::fs::write(
        &path,
        "\"age\";\"job\";\"id\";\"y\"\n58;\"management\";1;\"no\"\n44;\"technician\";2;\"YES\"\n;\"management\";3;\"no\"\n",
    )?;
    let mut opts = options("y");
    opts.exclude = vec!["id".to_owned()];
    let table = read_training_table(&path, &opts)?;
    assert_eq!(table.labels, vec![false, true, false]);
    assert_eq!(table.positive, "YES");
    let names: Vec<&str> = table
        .features
        .columns
        .iter()
        .map(|c| c.name.as_str())
        .collect();
    assert_eq!(names, ["age", "job"]);
    assert!(matches!(
        &table.features.columns[0].values,
        ColumnValues::Numeric(v) if v.to_vec() == [Some(58.0), Some(44.0), None]
    ));
    assert!(matches!(
        &table.features.columns[1].values,
        ColumnValues::Categorical(_)
    ));
    Ok(())
}

#[test]
fn a_named_positive_value_wins_and_must_occur() -> TestResult {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("t.csv");
    std::fs::write(&path, "x,outcome\n1,won\n2,lost\n3,lost\n")?;
    let mut opts = options("outcome");
    opts.positive = Some("lost".to_owned());
    assert_eq!(
        read_training_table(&path, &opts)?.labels,
        vec![false, true, true]
    );
    opts.positive = Some("maybe".to_owned());
    let err = read_training_table(&path, &opts)
        .err()
        .ok_or("accepted")?
        .to_string();
    assert!(
        err.contains("never holds the positive value \"maybe\""),
        "{err}"
    );
    Ok(())
}

#[test]
fn bad_targets_and_exclusions_are_named() -> TestResult {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("t.csv");
    std::fs::write(&path, "x,y\n1,a\n2,b\n3,\n")?;
    let err = read_training_table(&path, &options("z"))
        .err()
        .ok_or("accepted")?
        .to_string();
    assert!(
        err.contains("no target column \"z\"; the columns are x, y"),
        "{err}"
    );
    let mut opts = options("y");
    opts.exclude = vec!["nope".to_owned()];
    let err = read_training_table(&path, &opts)
        .err()
        .ok_or("accepted")?
        .to_string();
    assert!(err.contains("cannot exclude \"nope\""), "{err}");
    match read_training_table(&path, &options("y")) {
        Err(FilesError::BadRows { problems, .. }) => {
            assert_eq!(problems[0].location.row, 3);
            assert_eq!(problems[0].location.column.as_deref(), Some("y"));
        }
        other => return Err(format!("expected an empty outcome error, got {other:?}").into()),
    }
    std::fs::write(&path, "x,y\n1,a\n2,b\n")?;
    let err = read_training_table(&path, &options("y"))
        .err()
        .ok_or("accepted")?
        .to_string();
    assert!(
        err.contains("cannot tell which value of \"y\" means converted"),
        "{err}"
    );
    std::fs::write(&path, "x,y\n1,yes\n2,no\n3,maybe\n")?;
    let err = read_training_table(&path, &options("y"))
        .err()
        .ok_or("accepted")?
        .to_string();
    assert!(err.contains("exactly two values"), "{err}");
    Ok(())
}

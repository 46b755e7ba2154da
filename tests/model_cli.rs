//! End-to-end tests of `train`, `evaluate` and `score` (CLI.md).

mod common;

use std::path::Path;

use common::{TestResult, dataset, leadscore, write_files};
use serde_json::Value;

fn read_json(path: &Path) -> Result<Value, Box<dyn std::error::Error>> {
    Ok(serde_json::from_str(&std::fs::read_to_string(path)?)?)
}

fn number(v: &Value, key: &str) -> Result<f64, Box<dyn std::error::Error>> {
    v[key]
        .as_f64()
        .ok_or_else(|| format!("{key} is not a number in {v}").into())
}

const METRIC_KEYS: [&str; 9] = [
    "auc",
    "precision",
    "recall",
    "f1",
    "log_loss",
    "brier",
    "threshold",
    "n_train",
    "n_test",
];

/// The quality bar of issue 4 on UCI Bank Marketing, without the leaky `duration`.
#[test]
fn bank_marketing_without_duration_reaches_the_quality_bar() -> TestResult {
    let Some(data) = dataset(
        "bank-full.csv",
        "bank_marketing_without_duration_reaches_the_quality_bar",
    )?
    else {
        return Ok(());
    };
    let out = tempfile::tempdir()?;
    let out_dir = out.path().join("bank");
    let o = out_dir.to_str().ok_or("path")?;
    let data = data.to_str().ok_or("path")?;
    leadscore(&[
        "train",
        "--data",
        data,
        "--target",
        "y",
        "--exclude",
        "duration",
        "--out",
        o,
    ])
    .success()?;
    let metrics = read_json(&out_dir.join("metrics.json"))?;
    for key in METRIC_KEYS {
        number(&metrics, key)?;
    }
    assert!(metrics["low_confidence"].is_boolean());
    let auc = number(&metrics, "auc")?;
    assert!(auc >= 0.77, "held-out AUC {auc}");
    assert_eq!(number(&metrics, "n_test")? as usize, 9042);
    assert_eq!(number(&metrics, "n_train")? as usize, 45211 - 9042);
    assert_eq!(metrics["low_confidence"], Value::Bool(false));

    // The model scores the same file, with the row number as the id.
    let scores = out.path().join("scores.csv");
    let s = scores.to_str().ok_or("path")?;
    leadscore(&["score", "--model", o, "--data", data, "--out", s]).success()?;
    let text = std::fs::read_to_string(&scores)?;
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("lead_id,score,grade,probability,top_positive,top_negative,low_confidence")
    );
    let first = lines.next().ok_or("no rows")?;
    assert!(first.starts_with("1,"), "{first}");
    assert_eq!(text.lines().count(), 45212);
    Ok(())
}

/// The quality bar on UCI Online Shoppers, all columns.
#[test]
fn online_shoppers_reaches_the_quality_bar() -> TestResult {
    let Some(data) = dataset(
        "online_shoppers_intention.csv",
        "online_shoppers_reaches_the_quality_bar",
    )?
    else {
        return Ok(());
    };
    let out = tempfile::tempdir()?;
    let o = out.path().to_str().ok_or("path")?;
    leadscore(&[
        "train",
        "--data",
        data.to_str().ok_or("path")?,
        "--target",
        "Revenue",
        "--out",
        o,
        "--json",
    ])
    .success()?;
    let metrics = read_json(&out.path().join("metrics.json"))?;
    let auc = number(&metrics, "auc")?;
    assert!(auc >= 0.88, "held-out AUC {auc}");
    Ok(())
}

fn sample() -> &'static str {
    concat!(env!("CARGO_MANIFEST_DIR"), "/training-data/sample")
}

#[test]
fn trains_on_a_folder_then_scores_and_evaluates_it() -> TestResult {
    let out = tempfile::tempdir()?;
    let model_dir = out.path().join("model");
    let m = model_dir.to_str().ok_or("path")?;
    let stdout = leadscore(&["train", "--data", sample(), "--out", m, "--json"]).success()?;
    let summary: Value = serde_json::from_str(stdout.trim())?;
    assert_eq!(summary["ok"], Value::Bool(true));
    for file in ["model.json", "metrics.json", "errors.csv", "quality.json"] {
        assert!(model_dir.join(file).is_file(), "{file}");
    }
    let metrics = read_json(&model_dir.join("metrics.json"))?;
    let auc = number(&metrics, "auc")?;
    assert!(auc > 0.75, "sample AUC {auc}");
    let model = read_json(&model_dir.join("model.json"))?;
    assert_eq!(model["format"], "leadscore-conversion-model");
    assert_eq!(model["version"], 1);
    assert!(
        model["checksum"]
            .as_str()
            .is_some_and(|c| c.starts_with("sha256:"))
    );
    assert!(
        model["model"]["training_data_hash"]
            .as_str()
            .is_some_and(|c| c.starts_with("sha256:"))
    );
    let names: Vec<&str> = model["model"]["encoder"]["feature_names"]
        .as_array()
        .ok_or("feature names")?
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(
        names.iter().any(|n| n.starts_with("EmailClicked.30d")),
        "{names:?}"
    );
    assert!(
        names.iter().any(|n| n.starts_with("account.industry=")),
        "{names:?}"
    );
    // Nothing known only after the outcome is a feature.
    for leak in ["status", "closed_at", "disqualify_reason", "lead_id"] {
        assert!(
            !names.iter().any(|n| n.starts_with(leak)),
            "{leak} in {names:?}"
        );
    }
    let errors = std::fs::read_to_string(model_dir.join("errors.csv"))?;
    assert!(
        errors.starts_with("lead_id,error,probability,score,grade,top_positive,top_negative\n")
    );
    assert!(errors.contains(",false_positive,") && errors.contains(",false_negative,"));

    let score = |file: &str, more: &[&str]| -> Result<String, Box<dyn std::error::Error>> {
        let path = out.path().join(file);
        let p = path.to_str().ok_or("path")?;
        let mut args = vec![
            "score",
            "--model",
            m,
            "--data",
            sample(),
            "--at",
            "2026-10-01",
        ];
        args.extend(more);
        args.extend(["--out", p]);
        leadscore(&args).success()?;
        Ok(std::fs::read_to_string(&path)?)
    };
    let text = score("scores.csv", &[])?;
    // Every lead that existed at the scoring time gets a row.
    assert_eq!(text.lines().count(), 5001);
    // Read a few hundred leads at a time, the folder gives the same file.
    assert_eq!(score("in-parts.csv", &["--leads-per-part", "300"])?, text);
    // Trained on the folder read a few hundred leads at a time, the model,
    // its metrics, its errors and the quality findings are the same.
    let in_parts = out.path().join("model-in-parts");
    let p = in_parts.to_str().ok_or("path")?;
    leadscore(&[
        "train",
        "--data",
        sample(),
        "--leads-per-part",
        "300",
        "--out",
        p,
        "--json",
    ])
    .success()?;
    for file in ["metrics.json", "quality.json", "errors.csv"] {
        assert_eq!(
            std::fs::read_to_string(in_parts.join(file))?,
            std::fs::read_to_string(model_dir.join(file))?,
            "{file}"
        );
    }
    let fitted = |dir: &Path| -> Result<Value, Box<dyn std::error::Error>> {
        let mut model = read_json(&dir.join("model.json"))?["model"].take();
        model
            .as_object_mut()
            .ok_or("model")?
            .remove("created_at")
            .ok_or("created_at")?;
        Ok(model)
    };
    assert_eq!(fitted(&in_parts)?, fitted(&model_dir)?);
    // Nothing is left beside the output but the score files and the models.
    let mut left: Vec<String> = std::fs::read_dir(out.path())?
        .map(|e| e.map(|e| e.file_name().to_string_lossy().into_owned()))
        .collect::<Result<_, _>>()?;
    left.sort();
    assert_eq!(
        left,
        ["in-parts.csv", "model", "model-in-parts", "scores.csv"]
    );
    let row = text.lines().nth(1).ok_or("no rows")?;
    let fields: Vec<&str> = row.split(',').collect();
    assert!(fields[0].starts_with('L'));
    let score: u8 = fields[1].parse()?;
    assert!(score <= 100);
    assert!(["A", "B", "C", "D"].contains(&fields[2]));
    assert!(fields[4].contains('=') && fields[4].contains(":+"), "{row}");

    let stdout = leadscore(&["evaluate", "--model", m, "--data", sample(), "--json"]).success()?;
    let evaluated: Value = serde_json::from_str(stdout.trim())?;
    assert!(
        evaluated["metrics"]["auc"]
            .as_f64()
            .is_some_and(|a| a > 0.75)
    );
    Ok(())
}

#[test]
fn too_few_outcomes_writes_nothing_and_says_why() -> TestResult {
    let dir = tempfile::tempdir()?;
    let mut csv = String::from("visits,industry,converted\n");
    for i in 0..300 {
        csv.push_str(&format!(
            "{},{},{}\n",
            i % 7,
            if i % 2 == 0 { "Retail" } else { "Software" },
            if i < 30 { "yes" } else { "no" }
        ));
    }
    write_files(dir.path(), &[("leads.csv", &csv)])?;
    let out = dir.path().join("model");
    let stderr = leadscore(&[
        "train",
        "--data",
        dir.path().join("leads.csv").to_str().ok_or("path")?,
        "--target",
        "converted",
        "--out",
        out.to_str().ok_or("path")?,
    ])
    .failure()?;
    assert!(stderr.contains("30 converted"), "{stderr}");
    assert!(stderr.contains("rule models"), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(!out.join("model.json").exists());
    Ok(())
}

#[test]
fn bad_arguments_and_damaged_models_are_clear_errors() -> TestResult {
    let dir = tempfile::tempdir()?;
    let mut csv = String::from("id,visits,industry,converted\n");
    for i in 0..600 {
        let converted = (i * 7919) % 10 < 3 + (i % 5);
        csv.push_str(&format!(
            "r{i},{},{},{}\n",
            i % 5,
            if i % 3 == 0 { "Retail" } else { "Software" },
            converted
        ));
    }
    write_files(dir.path(), &[("leads.csv", &csv)])?;
    let data = dir.path().join("leads.csv");
    let d = data.to_str().ok_or("path")?;
    let out = dir.path().join("model");
    let o = out.to_str().ok_or("path")?;

    let e = leadscore(&[
        "train",
        "--data",
        d,
        "--target",
        "converted",
        "--exclude",
        "vistis",
        "--out",
        o,
    ])
    .failure()?;
    assert!(e.contains("vistis"), "{e}");
    let e = leadscore(&["train", "--data", d, "--out", o]).failure()?;
    assert!(e.contains("--target"), "{e}");
    let e = leadscore(&[
        "train",
        "--data",
        d,
        "--target",
        "converted",
        "--grades",
        "50,60,10",
        "--out",
        o,
    ])
    .failure()?;
    assert!(e.contains("grades"), "{e}");
    assert!(!out.exists());

    let e = leadscore(&[
        "train",
        "--data",
        d,
        "--target",
        "converted",
        "--solver",
        "linfa-logistic",
        "--balance",
        "--out",
        o,
    ])
    .failure()?;
    assert!(e.contains("linfa-logistic takes no row weights"), "{e}");
    // linfa-logistic itself, the reference implementation, trains the same model.
    leadscore(&[
        "train",
        "--data",
        d,
        "--target",
        "converted",
        "--exclude",
        "id",
        "--solver",
        "linfa-logistic",
        "--out",
        o,
    ])
    .success()?;
    let linfa = read_json(&out.join("metrics.json"))?;
    leadscore(&[
        "train",
        "--data",
        d,
        "--target",
        "converted",
        "--exclude",
        "id",
        "--out",
        o,
    ])
    .success()?;
    let fused = read_json(&out.join("metrics.json"))?;
    assert!((number(&linfa, "auc")? - number(&fused, "auc")?).abs() < 1e-3);
    let scores = dir.path().join("s.csv");
    let s = scores.to_str().ok_or("path")?;
    leadscore(&["score", "--model", o, "--data", d, "--id", "id", "--out", s]).success()?;
    let text = std::fs::read_to_string(&scores)?;
    assert!(
        text.lines().nth(1).is_some_and(|l| l.starts_with("r0,")),
        "{text}"
    );
    let e = leadscore(&[
        "score", "--model", o, "--data", d, "--id", "key", "--out", s,
    ])
    .failure()?;
    assert!(e.contains("no id column \"key\""), "{e}");

    // A bad value in a scoring file names its row and column.
    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, "id,visits,industry\nr1,2,Retail\nr2,many,Retail\n")?;
    let e = leadscore(&[
        "score",
        "--model",
        o,
        "--data",
        bad.to_str().ok_or("path")?,
        "--id",
        "id",
        "--out",
        s,
    ])
    .failure()?;
    assert!(
        e.contains("row 2") && e.contains("visits") && e.contains("many"),
        "{e}"
    );

    // A hand-edited model is refused.
    let model_path = out.join("model.json");
    let text = std::fs::read_to_string(&model_path)?;
    std::fs::write(
        &model_path,
        text.replacen("\"n_train\": ", "\"n_train\": 1", 1),
    )?;
    let e = leadscore(&["score", "--model", o, "--data", d, "--out", s]).failure()?;
    assert!(e.contains("checksum mismatch"), "{e}");
    let e = leadscore(&[
        "evaluate",
        "--model",
        dir.path().to_str().ok_or("path")?,
        "--data",
        d,
    ])
    .failure()?;
    assert!(e.contains("model.json"), "{e}");
    Ok(())
}

#[test]
fn separate_test_data_and_a_time_split() -> TestResult {
    let dir = tempfile::tempdir()?;
    let other = dir.path().join("other");
    let o = other.to_str().ok_or("path")?;
    leadscore(&["generate", "--out", o, "--leads", "1500", "--seed", "9"]).success()?;

    let m1 = dir.path().join("m1");
    leadscore(&[
        "train",
        "--data",
        sample(),
        "--test-data",
        o,
        "--out",
        m1.to_str().ok_or("path")?,
    ])
    .success()?;
    let metrics = read_json(&m1.join("metrics.json"))?;
    assert_eq!(metrics["split"], "test_data");
    assert_eq!(number(&metrics, "n_train")? as usize, 4434);
    let n_test = number(&metrics, "n_test")? as usize;
    assert!(n_test > 1000 && n_test < 1500, "{n_test}");
    assert!(number(&metrics, "auc")? > 0.75);

    let m2 = dir.path().join("m2");
    leadscore(&[
        "train",
        "--data",
        sample(),
        "--split",
        "time",
        "--out",
        m2.to_str().ok_or("path")?,
    ])
    .success()?;
    let metrics = read_json(&m2.join("metrics.json"))?;
    assert_eq!(metrics["split"], "time");
    assert_eq!(number(&metrics, "n_test")? as usize, 887);

    // Measuring on other data writes its own drill-down.
    let errors = dir.path().join("errors.csv");
    leadscore(&[
        "evaluate",
        "--model",
        m2.to_str().ok_or("path")?,
        "--data",
        o,
        "--errors",
        errors.to_str().ok_or("path")?,
    ])
    .success()?;
    let text = std::fs::read_to_string(&errors)?;
    assert!(text.starts_with("lead_id,error,probability,score,grade,top_positive,top_negative\n"));
    assert!(text.lines().count() > 10);

    // A flat file has no creation times, and a folder model is measured on a folder.
    let flat = dir.path().join("flat.csv");
    let mut csv = String::from("visits,converted\n");
    for i in 0..400 {
        csv.push_str(&format!("{},{}\n", i % 9, i % 3 == 0));
    }
    std::fs::write(&flat, csv)?;
    let f = flat.to_str().ok_or("path")?;
    let e = leadscore(&[
        "train",
        "--data",
        f,
        "--target",
        "converted",
        "--split",
        "time",
        "--out",
        m2.to_str().ok_or("path")?,
    ])
    .failure()?;
    assert!(e.contains("time-based split"), "{e}");
    let e = leadscore(&[
        "evaluate",
        "--model",
        m1.to_str().ok_or("path")?,
        "--data",
        f,
    ])
    .failure()?;
    assert!(e.contains("trained on a DATA.md folder"), "{e}");
    Ok(())
}

/// Trains a model on a flat file of `visits` and `industry` in `dir`: its
/// folder.
fn train_visits_and_industry(dir: &Path) -> Result<String, Box<dyn std::error::Error>> {
    let mut csv = String::from("visits,industry,converted\n");
    for i in 0..600 {
        let converted = (i * 7919) % 10 < 2 * (i % 5);
        csv.push_str(&format!(
            "{},{},{converted}\n",
            i % 5,
            if i % 3 == 0 { "Retail" } else { "Software" },
        ));
    }
    write_files(dir, &[("train.csv", &csv)])?;
    let model = dir.join("model").to_str().ok_or("path")?.to_owned();
    leadscore(&[
        "train",
        "--data",
        dir.join("train.csv").to_str().ok_or("path")?,
        "--target",
        "converted",
        "--out",
        &model,
    ])
    .success()?;
    Ok(model)
}

#[test]
fn score_refuses_data_without_the_model_columns_and_warns_about_some() -> TestResult {
    let dir = tempfile::tempdir()?;
    let model = train_visits_and_industry(dir.path())?;
    let out = dir.path().join("scores.csv");
    let o = out.to_str().ok_or("path")?;

    // Another export's columns: refused before anything is written.
    let unrelated = dir.path().join("unrelated.csv");
    std::fs::write(
        &unrelated,
        "id,age,Industri\nr1,30,Retail\nr2,41,Software\n",
    )?;
    let u = unrelated.to_str().ok_or("path")?;
    let run = leadscore(&["score", "--model", &model, "--data", u, "--out", o]);
    assert_eq!(run.code(), Some(1));
    assert_eq!(
        run.stderr(),
        format!(
            "error: {u}: the data supply 0 of the model's 2 input columns, and at least 1 must \
             have values (else every lead gets nearly the same score): missing `visits`, \
             `industry` (did you mean `Industri`?); the data's columns are `id`, `age`, \
             `Industri`\n"
        )
    );
    assert!(!out.exists(), "a refused run writes no file");

    // `evaluate` refuses such data the same way.
    let labelled = dir.path().join("labelled.csv");
    std::fs::write(
        &labelled,
        "id,age,Industri,converted\nr1,30,Retail,true\nr2,41,Software,false\n",
    )?;
    let l = labelled.to_str().ok_or("path")?;
    let run = leadscore(&["evaluate", "--model", &model, "--data", l]);
    assert_eq!(run.code(), Some(1));
    assert_eq!(
        run.stderr(),
        format!(
            "error: {l}: the data supply 0 of the model's 2 input columns, and at least 1 must \
             have values (else every lead gets nearly the same score): missing `visits`, \
             `industry` (did you mean `Industri`?); the data's columns are `id`, `age`, \
             `Industri`\n"
        )
    );

    // A column present but empty in every row is missing too.
    let empty = dir.path().join("empty.csv");
    std::fs::write(&empty, "visits,Industri\n,Retail\n,Software\n")?;
    let e = empty.to_str().ok_or("path")?;
    let run = leadscore(&["score", "--model", &model, "--data", e, "--out", o]);
    assert_eq!(run.code(), Some(1));
    assert!(
        run.stderr().contains(
            "missing `visits` (no row has a value), `industry` (did you mean `Industri`?)"
        ),
        "{}",
        run.stderr()
    );
    assert!(!out.exists());

    // Half of them: scored, with a warning naming the missing one.
    let half = dir.path().join("half.csv");
    std::fs::write(&half, "visits,Industri\n3,Retail\n1,Software\n")?;
    let h = half.to_str().ok_or("path")?;
    let run = leadscore(&["score", "--model", &model, "--data", h, "--out", o]);
    assert_eq!(
        run.stderr(),
        format!(
            "warning: {h}: the data supply 1 of the model's 2 input columns: missing \
             `industry` (did you mean `Industri`?); every lead scores as if its value were \
             missing\n"
        )
    );
    run.success()?;
    assert_eq!(std::fs::read_to_string(&out)?.lines().count(), 3);
    Ok(())
}

//! The model family seam: artifacts record their family, artifacts written
//! before families existed still load and score exactly as they did, and an
//! unknown family is a clear error.
//!
//! `fixtures/logistic-v1*.model.json` were written by the code before the seam
//! (format version 1, no `"family"` tag), and `fixtures/logistic-v1*.scores.json`
//! hold what that code scored on the rows they list.

use std::error::Error;
use std::path::{Path, PathBuf};

use leadscore_features::{Column, Table};
use leadscore_model::{
    ConversionModel, FORMAT_VERSION, ModelError, Scorer, from_artifact_json, load, to_artifact_json,
};
use serde_json::Value;
use sha2::{Digest, Sha256};

type TestResult = Result<(), Box<dyn Error>>;

const FIXTURES: [&str; 2] = ["logistic-v1", "logistic-v1-low-confidence"];

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn read_json(path: &Path) -> Result<Value, Box<dyn Error>> {
    Ok(serde_json::from_str(&std::fs::read_to_string(path)?)?)
}

/// The fixture's input rows as a table.
fn inputs(expected: &Value) -> Result<Table, Box<dyn Error>> {
    let columns = expected["inputs"]
        .as_object()
        .ok_or("no \"inputs\" object")?;
    let mut out = Vec::new();
    for (name, values) in columns {
        let values = values.as_array().ok_or("inputs are not arrays")?;
        if values.iter().any(Value::is_string) {
            let cells: Vec<Option<String>> = values
                .iter()
                .map(|v| v.as_str().map(str::to_owned))
                .collect();
            out.push(Column::categorical(name.clone(), cells));
        } else {
            let cells: Vec<Option<f64>> = values.iter().map(Value::as_f64).collect();
            out.push(Column::numeric(name.clone(), cells));
        }
    }
    Ok(Table::new(out))
}

fn same(a: f64, b: &Value, what: &str) -> Result<(), Box<dyn Error>> {
    let b = b.as_f64().ok_or_else(|| format!("{what}: not a number"))?;
    if a.to_bits() == b.to_bits() {
        Ok(())
    } else {
        Err(format!("{what}: {a} now, {b} before").into())
    }
}

/// The same (name, value) pairs in the same order, each value bit for bit.
fn same_pairs<T: PartialEq>(now: &[(T, f64)], before: &[(T, f64)]) -> bool {
    now.len() == before.len()
        && now
            .iter()
            .zip(before)
            .all(|(a, b)| a.0 == b.0 && a.1.to_bits() == b.1.to_bits())
}

/// `model` scores the fixture's rows bit for bit as the code that wrote it did.
fn scores_as_recorded(model: &ConversionModel, expected: &Value) -> TestResult {
    let scorer = Scorer::new(model);
    same(scorer.intercept(), &expected["intercept"], "intercept")?;
    let x = model.encoder.transform(&inputs(expected)?)?;
    let recorded = expected["scored"].as_array().ok_or("no \"scored\" array")?;
    if x.len() != recorded.len() || x.is_empty() {
        return Err(format!("{} rows, {} recorded", x.len(), recorded.len()).into());
    }
    let mut work = Vec::new();
    for (i, (row, e)) in x.iter().zip(recorded).enumerate() {
        let s = scorer.score(row, &mut work);
        same(
            s.probability,
            &e["probability"],
            &format!("row {i} probability"),
        )?;
        same(s.logit, &e["logit"], &format!("row {i} logit"))?;
        if Some(u64::from(s.score)) != e["score"].as_u64()
            || serde_json::to_value(s.grade)? != e["grade"]
            || Some(s.low_confidence) != e["low_confidence"].as_bool()
        {
            return Err(format!("row {i}: {s:?}, recorded {e}").into());
        }
        for (top, key) in [
            (&s.top_positive, "top_positive"),
            (&s.top_negative, "top_negative"),
        ] {
            let now: Vec<(u32, f64)> = top.as_slice().to_vec();
            let before: Vec<(u32, f64)> = serde_json::from_value(e[key].clone())?;
            if !same_pairs(&now, &before) {
                return Err(format!("row {i} {key}: {now:?}, recorded {before:?}").into());
            }
        }
        let now: Vec<(String, f64)> = scorer
            .contributions(row)
            .into_iter()
            .map(|c| (c.column, c.log_odds))
            .collect();
        let before: Vec<(String, f64)> = serde_json::from_value(e["contributions"].clone())?;
        if !same_pairs(&now, &before) {
            return Err(format!("row {i} contributions: {now:?}, recorded {before:?}").into());
        }
    }
    Ok(())
}

#[test]
fn artifacts_without_a_family_load_as_logistic_and_score_as_before() -> TestResult {
    for name in FIXTURES {
        let path = fixture(&format!("{name}.model.json"));
        let text = std::fs::read_to_string(&path)?;
        if text.contains("\"family\"") {
            return Err(
                format!("{name}: the fixture must be in the format without a family").into(),
            );
        }
        let model = load(&path)?;
        assert_eq!(model.family_name(), "logistic");
        let expected = read_json(&fixture(&format!("{name}.scores.json")))?;
        scores_as_recorded(&model, &expected)?;

        // Written again, it names its family, and reads back equal, scoring the same.
        let again = to_artifact_json(&model)?;
        let value: Value = serde_json::from_str(&again)?;
        assert_eq!(value["version"], FORMAT_VERSION);
        assert_eq!(value["model"]["family"], "logistic");
        let back = from_artifact_json(&again, &path)?;
        assert_eq!(back, model);
        scores_as_recorded(&back, &expected)?;
    }
    Ok(())
}

#[test]
fn published_linear_folds_calibration_and_shrinkage_into_the_scores() -> TestResult {
    for name in FIXTURES {
        let model = load(&fixture(&format!("{name}.model.json")))?;
        let linear = model.published_linear().ok_or("logistic is linear")?;
        assert_eq!(linear.weights.len(), model.encoder.n_features());
        let fitted = model.fitted_linear().ok_or("logistic is linear")?;
        assert_eq!(fitted.weights.len(), model.encoder.n_features());
        let expected = read_json(&fixture(&format!("{name}.scores.json")))?;
        let x = model.encoder.transform(&inputs(&expected)?)?;
        let scorer = Scorer::new(&model);
        for row in &x {
            let s = scorer.score(row, &mut Vec::new());
            assert!((linear.logit(row) - s.logit).abs() < 1e-9);
        }
    }
    Ok(())
}

/// The artifact text of `model` (a model object) with a valid checksum.
fn artifact_with(model: Value) -> Result<String, Box<dyn Error>> {
    let canonical = serde_json::to_string(&model)?;
    let digest: String = Sha256::digest(canonical.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let envelope = serde_json::json!({
        "format": "leadscore-conversion-model",
        "version": FORMAT_VERSION,
        "checksum": format!("sha256:{digest}"),
        "model": model,
    });
    Ok(serde_json::to_string_pretty(&envelope)?)
}

#[test]
fn an_unknown_family_is_named() -> TestResult {
    let path = fixture("logistic-v1.model.json");
    let mut value = read_json(&path)?;
    let model = value
        .get_mut("model")
        .and_then(Value::as_object_mut)
        .ok_or("no model object")?;
    model.insert("family".into(), "gradient_boosting".into());
    let text = artifact_with(Value::Object(model.clone()))?;
    match from_artifact_json(&text, &path) {
        Err(ModelError::UnknownFamily { family }) => assert_eq!(family, "gradient_boosting"),
        other => return Err(format!("expected UnknownFamily, got {other:?}").into()),
    }
    let message = from_artifact_json(&text, &path)
        .err()
        .ok_or("loaded")?
        .to_string();
    assert!(message.contains("\"gradient_boosting\""), "{message}");
    assert!(message.contains("logistic"), "{message}");

    // Read without the artifact's checks, serde names it too.
    let direct = serde_json::from_value::<ConversionModel>(Value::Object(model.clone()))
        .err()
        .ok_or("deserialized an unknown family")?
        .to_string();
    assert!(direct.contains("gradient_boosting"), "{direct}");

    // A tag that is not a name is a damaged artifact.
    model.insert("family".into(), 3.into());
    let text = artifact_with(Value::Object(model.clone()))?;
    let e = from_artifact_json(&text, &path)
        .err()
        .ok_or("loaded a numeric family")?;
    assert!(matches!(e, ModelError::Corrupt { .. }), "{e}");

    // The explicit logistic tag on today's fields loads.
    model.insert("family".into(), "logistic".into());
    let text = artifact_with(Value::Object(model.clone()))?;
    assert_eq!(from_artifact_json(&text, &path)?, load(&path)?);
    Ok(())
}

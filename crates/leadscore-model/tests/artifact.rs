//! Loading a damaged, foreign or newer artifact is a clear error.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::Path;

use common::{flat_source, synthetic};
use leadscore_model::{
    ConversionModel, FORMAT_VERSION, ModelError, TrainParams, from_artifact_json, to_artifact_json,
};

fn model() -> ConversionModel {
    let rows = synthetic(1200, 21, 1.0);
    TrainParams::default()
        .fit(&rows, None, flat_source(), "2026-11-23T00:00:00Z")
        .unwrap()
        .model
}

#[test]
fn every_kind_of_damage_is_named() {
    let text = to_artifact_json(&model()).unwrap();
    let path = Path::new("models/x/model.json");
    let err = |t: &str| from_artifact_json(t, path).unwrap_err();

    let truncated = &text[..text.len() / 2];
    let e = err(truncated);
    assert!(matches!(e, ModelError::Corrupt { .. }), "{e}");
    assert!(
        e.to_string()
            .starts_with("models/x/model.json: not a valid leadscore model: invalid JSON"),
        "{e}"
    );

    // One coefficient changed by hand.
    let at = text.find("\"weights\": [").unwrap() + "\"weights\": [".len();
    let digit = text[at..].find(|c: char| c.is_ascii_digit()).unwrap() + at;
    let mut edited = text.clone();
    let d = edited.as_bytes()[digit];
    edited.replace_range(digit..=digit, if d == b'9' { "8" } else { "9" });
    let e = err(&edited);
    assert!(matches!(e, ModelError::Checksum { .. }), "{e}");
    assert!(e.to_string().contains("checksum mismatch"));

    let newer = text.replacen(
        &format!("\"version\": {FORMAT_VERSION}"),
        &format!("\"version\": {}", FORMAT_VERSION + 1),
        1,
    );
    let e = err(&newer);
    assert!(
        matches!(e, ModelError::NewerFormat { found, .. } if found == FORMAT_VERSION + 1),
        "{e}"
    );
    assert!(e.to_string().contains("upgrade leadscore"));

    let foreign = text.replacen("leadscore-conversion-model", "something-else", 1);
    assert!(
        err(&foreign)
            .to_string()
            .contains("format is \"something-else\"")
    );

    assert!(err("[1, 2]").to_string().contains("not a JSON object"));
    assert!(
        err("{\"format\": \"leadscore-conversion-model\"}")
            .to_string()
            .contains("version")
    );
}

#[test]
fn the_text_is_stable_across_a_round_trip() {
    let m = model();
    let text = to_artifact_json(&m).unwrap();
    let back = from_artifact_json(&text, Path::new("m.json")).unwrap();
    assert_eq!(back, m);
    assert_eq!(to_artifact_json(&back).unwrap(), text);
}

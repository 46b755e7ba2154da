//! The review as JSON: exact round trips, the field and enum names other tools
//! read, and unknown fields refused.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use leadscore_report::Review;
use serde_json::{Value, json};

#[test]
fn a_full_review_round_trips_exactly() {
    let review = common::full();
    let text = serde_json::to_string(&review).unwrap();
    let back: Review = serde_json::from_str(&text).unwrap();
    assert_eq!(back, review);
    // Bit for bit, not only `==` (which would let -0.0 pass for 0.0).
    for (a, b) in back.roc.iter().zip(&review.roc) {
        assert_eq!(a.x.to_bits(), b.x.to_bits());
        assert_eq!(a.y.to_bits(), b.y.to_bits());
    }
    assert_eq!(serde_json::to_string(&back).unwrap(), text);

    let pretty = serde_json::to_string_pretty(&review).unwrap();
    assert_eq!(serde_json::from_str::<Review>(&pretty).unwrap(), review);
}

#[test]
fn an_empty_review_round_trips_with_nulls() {
    let review = common::empty();
    let value = serde_json::to_value(&review).unwrap();
    assert_eq!(value["drift"], Value::Null);
    assert_eq!(value["model"]["auc"], Value::Null);
    assert_eq!(value["model"]["version"], Value::Null);
    assert_eq!(value["roc"], json!([]));
    let back: Review = serde_json::from_value(value).unwrap();
    assert_eq!(back, review);
}

#[test]
fn field_and_enum_names_are_snake_case() {
    let value = serde_json::to_value(common::full()).unwrap();
    let keys: Vec<&str> = value
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "title",
            "generated_at",
            "model",
            "data",
            "roc",
            "pr",
            "calibration",
            "grades",
            "lift",
            "features",
            "drift",
            "backtests",
            "warnings"
        ]
    );
    assert_eq!(value["roc"][1], json!({"x": 0.1, "y": 0.45}));
    let features = value["features"].as_array().unwrap();
    let by_name = |name: &str| {
        features
            .iter()
            .find(|f| f["feature"] == name)
            .unwrap_or_else(|| panic!("no feature {name}"))
    };
    assert_eq!(by_name("email_clicks_30d")["direction"], "raises");
    assert_eq!(by_name("email_clicks_30d")["change"], "stronger");
    assert_eq!(by_name("employees")["direction"], "lowers");
    assert_eq!(by_name("employees")["change"], "flipped");
    assert_eq!(by_name("industry=Software")["change"], "new");
    assert_eq!(by_name("web_visits_7d")["change"], "same");
    assert_eq!(by_name("budget_stated")["change"], "dropped");
    assert_eq!(by_name("budget_stated")["direction"], "none");
    assert_eq!(value["drift"]["features"][0]["level"], "major");
    assert_eq!(value["drift"]["features"][1]["level"], "moderate");
    assert_eq!(value["drift"]["features"][2]["level"], "stable");
    assert_eq!(value["backtests"][0]["kind"], "rule");
    assert_eq!(value["backtests"][2]["kind"], "conversion");
}

#[test]
fn unknown_fields_are_refused_at_every_level() {
    let good = serde_json::to_value(common::full()).unwrap();
    let paths: [&[&str]; 5] = [&[], &["model"], &["data"], &["drift"], &["features", "0"]];
    for path in paths {
        let mut bad = good.clone();
        let mut at = &mut bad;
        for key in path {
            at = match key.parse::<usize>() {
                Ok(i) => &mut at[i],
                Err(_) => &mut at[*key],
            };
        }
        at.as_object_mut()
            .unwrap()
            .insert("surprise".to_owned(), json!(1));
        let err = serde_json::from_value::<Review>(bad).unwrap_err();
        assert!(err.to_string().contains("surprise"), "{path:?}: {err}");
    }
}

#[test]
fn an_unknown_enum_value_is_refused() {
    let mut value = serde_json::to_value(common::full()).unwrap();
    value["features"][0]["direction"] = json!("Raises");
    assert!(serde_json::from_value::<Review>(value).is_err());
}

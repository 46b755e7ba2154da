//! Reviews for the tests: a full one with every section filled, and an empty
//! one with every list empty and every optional figure missing.

#![allow(dead_code)]

use leadscore_report::{
    BacktestRow, CalibrationRow, CurvePoint, DataSummary, DecileRow, DriftLevel, DriftSection,
    FeatureDrift, GradeRow, ModelSummary, Review, ScorerKind, compare_features,
};

/// Every `data-chart` kind the page draws.
pub const CHART_KINDS: [&str; 8] = [
    "roc",
    "pr",
    "calibration",
    "grades",
    "lift",
    "features",
    "drift",
    "backtest",
];

pub fn grade(name: &str, leads: usize, converted: usize) -> GradeRow {
    GradeRow {
        grade: name.to_owned(),
        leads,
        converted,
        conversion_rate: (leads > 0).then(|| converted as f64 / leads as f64),
    }
}

pub fn weights(pairs: &[(&str, f64)]) -> Vec<(String, f64)> {
    pairs.iter().map(|&(n, w)| (n.to_owned(), w)).collect()
}

/// A review with every section filled, with awkward floating-point values.
pub fn full() -> Review {
    let current = weights(&[
        ("email_clicks_30d", 0.8123456789012345),
        ("industry=Software", 0.4),
        ("employees", -0.3),
        ("web_visits_7d", 1.0 / 3.0),
        ("is_decision_maker", 0.2),
    ]);
    let previous = weights(&[
        ("email_clicks_30d", 0.5),
        ("employees", 0.25),
        ("web_visits_7d", 0.34),
        ("budget_stated", 0.6),
    ]);
    Review {
        title: "Conversion model review, Q3 2026".to_owned(),
        generated_at: "2026-10-01T09:00:00Z".to_owned(),
        model: ModelSummary {
            version: Some(3),
            created_at: "2026-09-28T12:00:00+02:00".to_owned(),
            training_data_hash: "9f2c41d0a7be55e1c0ffee".to_owned(),
            n_train: 4000,
            n_test: 1000,
            auc: Some(0.7834567891234567),
            pr_auc: Some(0.1 + 0.2),
            precision: Some(0.41),
            recall: Some(2.0 / 3.0),
            threshold: 0.35,
            base_rate: 0.23,
            low_confidence: false,
        },
        data: DataSummary {
            source: "training-data/sample".to_owned(),
            leads: 5000,
            closed: 4434,
            converted: 1020,
        },
        roc: vec![
            CurvePoint { x: 0.0, y: 0.0 },
            CurvePoint { x: 0.1, y: 0.45 },
            CurvePoint { x: 0.3, y: 0.75 },
            // Values serde_json reads back one unit in the last place off
            // without its `float_roundtrip` feature.
            CurvePoint {
                x: 0.44166130716816643,
                y: 0.9259338926496359,
            },
            CurvePoint {
                x: 0.9856906946328695,
                y: 0.9985,
            },
            CurvePoint { x: 1.0, y: 1.0 },
        ],
        pr: vec![
            CurvePoint { x: 0.0, y: 1.0 },
            CurvePoint { x: 0.4, y: 0.6 },
            CurvePoint { x: 1.0, y: 0.23 },
        ],
        calibration: vec![
            CalibrationRow {
                lower: 0.0,
                upper: 0.1,
                count: 900,
                mean_predicted: Some(0.05),
                observed_rate: Some(0.04),
            },
            CalibrationRow {
                lower: 0.1,
                upper: 0.2,
                count: 0,
                mean_predicted: None,
                observed_rate: None,
            },
            CalibrationRow {
                lower: 0.5,
                upper: 0.6,
                count: 120,
                mean_predicted: Some(0.55),
                observed_rate: Some(0.61),
            },
        ],
        grades: vec![
            grade("A", 100, 62),
            grade("B", 400, 120),
            grade("C", 900, 90),
            grade("D", 3034, 748),
        ],
        lift: (1..=10)
            .map(|d| DecileRow {
                decile: d,
                leads: 443,
                converted: 250 / d,
                conversion_rate: Some((250 / d) as f64 / 443.0),
                lift: Some((250 / d) as f64 / 443.0 / 0.23),
            })
            .collect(),
        features: compare_features(&current, Some(&previous)),
        drift: Some(DriftSection {
            reference: "training data (n=4000) vs leads created in the last 90 days (n=812)"
                .to_owned(),
            score_psi: Some(0.08),
            features: [
                ("email_clicks_30d", 0.31),
                ("employees", 0.12),
                ("industry=Software", 0.02),
            ]
            .iter()
            .map(|&(f, psi)| FeatureDrift {
                feature: f.to_owned(),
                psi,
                level: DriftLevel::of(psi),
            })
            .collect(),
            grade_outcomes: vec![grade("A", 20, 11), grade("B", 40, 9), grade("D", 0, 0)],
        }),
        backtests: vec![
            BacktestRow {
                model: "Marketing engagement".to_owned(),
                kind: ScorerKind::Rule,
                scored: 4434,
                auc: Some(0.675),
                pr_auc: Some(0.371),
                top_decile_lift: Some(1.99),
                grades: vec![grade("A", 200, 90), grade("B", 300, 80)],
            },
            BacktestRow {
                model: "Account intent".to_owned(),
                kind: ScorerKind::Rule,
                scored: 457,
                auc: None,
                pr_auc: Some(0.2),
                top_decile_lift: None,
                grades: Vec::new(),
            },
            BacktestRow {
                model: "Conversion model v3".to_owned(),
                kind: ScorerKind::Conversion,
                scored: 4434,
                auc: Some(0.78),
                pr_auc: Some(0.45),
                top_decile_lift: Some(2.4),
                grades: vec![grade("A", 100, 62)],
            },
        ],
        warnings: vec!["Only 1,000 test leads: figures may move by a few points.".to_owned()],
    }
}

/// A review with nothing to draw: every list empty, every optional figure
/// missing, no drift data.
pub fn empty() -> Review {
    Review {
        title: "Empty review".to_owned(),
        generated_at: "2026-10-01T09:00:00Z".to_owned(),
        model: ModelSummary {
            version: None,
            created_at: "2026-09-28T12:00:00Z".to_owned(),
            training_data_hash: String::new(),
            n_train: 0,
            n_test: 0,
            auc: None,
            pr_auc: None,
            precision: None,
            recall: None,
            threshold: 0.5,
            base_rate: 0.0,
            low_confidence: true,
        },
        data: DataSummary {
            source: "nothing".to_owned(),
            leads: 0,
            closed: 0,
            converted: 0,
        },
        roc: Vec::new(),
        pr: Vec::new(),
        calibration: Vec::new(),
        grades: Vec::new(),
        lift: Vec::new(),
        features: Vec::new(),
        drift: None,
        backtests: Vec::new(),
        warnings: Vec::new(),
    }
}

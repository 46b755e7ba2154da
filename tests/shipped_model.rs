//! The conversion model shipped in `models/conversion/` is current: trained on
//! the shipped sample as it is now, loadable, and scoring it.

mod common;

use std::path::Path;

use common::TestResult;
use leadscore_files::{LeadRowOptions, read_lead_rows};
use leadscore_model::{LabelledRows, assess, load};

#[test]
fn the_shipped_model_matches_the_shipped_sample() -> TestResult {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let model = load(&root.join("models/conversion/model.json"))?;
    let rows = read_lead_rows(
        &root.join("training-data/sample"),
        &LeadRowOptions::default(),
    )?;
    let labelled = LabelledRows {
        labels: rows.outcomes.iter().map(|o| o.unwrap_or(false)).collect(),
        features: rows.features,
        ids: rows.lead_ids,
        times: None,
    };
    assert_eq!(
        model.training_data_hash,
        labelled.hash(),
        "the sample or the folder reader changed: retrain with \
         `leadscore train --data training-data/sample --out models/conversion`"
    );
    let assessed = assess(&model, &labelled)?;
    assert!(assessed.evaluation.auc.is_some_and(|a| a > 0.75));
    assert!(!model.confidence.low);
    Ok(())
}

//! Checking a model document whole, as `leadscore rules check` does: every
//! problem at once, whatever stage finds it. The document's shape (RULES.md)
//! and, against data, the fields and custom entities it reads (also of the
//! conditions that read fine in a model with a mistake elsewhere) are errors;
//! filter values no record holds are warnings.
//!
//! ```
//! use leadscore_domain::{ObservedField, ObservedValue, RecordType};
//! use leadscore_rules::{CheckData, ModelFormat, RuleModel, Schema};
//!
//! let text = r#"
//! name: Referrals
//! target: contact
//! rules:
//!   - name: Referred
//!     when: [ { entity: Lead, where: [ { field: source, op: eq, value: Referal } ] } ]
//!     points: 10
//!   - name: Budget
//!     when: [ { entity: Lead, where: [ { field: budget_bnd, op: is_not_empty } ] } ]
//!     points: 5
//!     cap: -1
//! "#;
//! let schema = Schema::standard().with_field(RecordType::Lead, "budget_band");
//! let values = [ObservedField {
//!     record: RecordType::Lead,
//!     field: "source".into(),
//!     distinct: 2,
//!     values: ["Web", "Referral"]
//!         .map(|v| ObservedValue { value: v.into(), records: 1 })
//!         .to_vec(),
//! }];
//! let data = CheckData { schema: &schema, values: &values, whose: "in the data" };
//! let checked = RuleModel::check_text(text, ModelFormat::Yaml, Some(data));
//! assert!(checked.model.is_none());
//! let problems: Vec<&str> = checked.problems.iter().map(|p| p.path.as_str()).collect();
//! assert_eq!(problems, ["rules[1].when[0].where[0].field", "rules[1].cap"]);
//! assert_eq!(
//!     checked.warnings[0].to_string(),
//!     "rules[0].when[0].where[0].value: no lead in the data has source `Referal` \
//!      (did you mean `Referral`?); its values are Web, Referral"
//! );
//! ```

use std::path::Path;

use leadscore_domain::ObservedField;
use serde_json::Value;

use crate::error::Problem;
use crate::load::{json_document, yaml_document};
use crate::model::RuleModel;
use crate::schema::Schema;
use crate::validate::{
    Problems, document_conditions, fields_against, model_conditions, values_against, walk,
};

/// The most values of one field kept to check filter values against (the
/// most frequent; a field with more distinct values is not checked).
pub const VALUES_PER_FIELD: usize = 200;

/// How a model file is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModelFormat {
    /// YAML (a JSON document is YAML too).
    Yaml,
    /// JSON.
    Json,
}

impl ModelFormat {
    /// JSON for a file name ending in `.json` (any case), YAML otherwise.
    pub fn of_path(path: &Path) -> Self {
        if path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("json"))
        {
            Self::Json
        } else {
            Self::Yaml
        }
    }
}

/// The data a model is checked against.
#[derive(Debug, Clone, Copy)]
pub struct CheckData<'a> {
    /// The fields and custom entities the records have: a field or custom
    /// entity a model reads that is not here is an error.
    pub schema: &'a Schema,
    /// The values the records' text fields hold: a text a filter compares a
    /// field with that no record holds is a warning.
    pub values: &'a [ObservedField],
    /// Where the records are, in the warnings, after the record type (`in
    /// the store`, `in data/`).
    pub whose: &'a str,
}

/// What checking one model document found.
#[derive(Debug, Clone, Default)]
pub struct ModelCheck {
    /// The model, when its document breaks nothing in RULES.md (it may still
    /// read fields the data lack).
    pub model: Option<RuleModel>,
    /// Errors, in document order: what breaks RULES.md (or the syntax), and
    /// the fields and custom entities the data lack.
    pub problems: Vec<Problem>,
    /// Warnings, in document order: filter values no record holds.
    pub warnings: Vec<Problem>,
}

impl RuleModel {
    /// Checks a model's text whole: its syntax, everything RULES.md asks for,
    /// and, with `data`, the fields, custom entities and values it reads.
    /// Every problem is reported, whatever stage finds it.
    pub fn check_text(text: &str, format: ModelFormat, data: Option<CheckData<'_>>) -> ModelCheck {
        let document = match format {
            ModelFormat::Yaml => yaml_document(text),
            ModelFormat::Json => json_document(text),
        };
        match document {
            Ok(document) => Self::check_document(&document, data),
            Err(e) => ModelCheck {
                model: None,
                problems: vec![Problem::new("", e.to_string())],
                warnings: Vec::new(),
            },
        }
    }

    /// Checks a parsed document whole (see [`RuleModel::check_text`]): the
    /// conditions of a document with a mistake elsewhere are checked against
    /// `data` too.
    pub fn check_document(document: &Value, data: Option<CheckData<'_>>) -> ModelCheck {
        let (model, mut problems) = walk(document);
        let mut warnings = Problems::default();
        if let Some(data) = data {
            let owned = document_conditions(document);
            let conditions: Vec<_> = owned.iter().map(|(at, c)| (at.clone(), c)).collect();
            fields_against(&conditions, data.schema, &mut problems);
            values_against(&conditions, data.values, data.whose, &mut warnings);
        }
        ModelCheck {
            model,
            problems: problems.into_sorted(),
            warnings: warnings.into_sorted(),
        }
    }

    /// Every text the model's filters compare a field with for equality
    /// (`eq`, `ne`, `in`, `not_in`) that no record holds, letter case aside,
    /// at `rules[i].when[j].where[k].value`, with the nearest value held (`no
    /// lead in the store has source `Referal` (did you mean `Referral`?); its
    /// values are ...`). Only fields whose every value `values` holds are
    /// checked. `whose` says where the records are, after the record type.
    pub fn unseen_values(&self, values: &[ObservedField], whose: &str) -> Vec<Problem> {
        let mut problems = Problems::default();
        values_against(&model_conditions(self), values, whose, &mut problems);
        problems.into_sorted()
    }
}

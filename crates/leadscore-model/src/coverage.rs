//! Whether data handed in to be scored or measured supply the model's input
//! columns. A column the data lack (or hold with no value in any row) scores
//! as missing for every lead; when most of the model's columns are missing,
//! every lead gets nearly the model's base score and grade, which is not a
//! result but a mistake (a file from another export, renamed columns). So
//! [`prepare_inputs`] refuses data that supply fewer than half of the model's
//! input columns ([`ModelError::TooFewInputs`]), and otherwise says which are
//! missing ([`InputCoverage`]), naming the data's columns that look like them.

use std::fmt;

use leadscore_features::{Table, kind_of_behaviour, kind_of_days_since_last};

use crate::{ConversionModel, ModelError};

/// The most names listed in a message, before `and N more`.
const LISTED: usize = 12;

/// How the rows were read, which decides what can go missing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowsFrom {
    /// A flat table (CSV or Parquet, one row per lead): every column the
    /// model reads must be among its columns, with values.
    FlatTable,
    /// A DATA.md folder: the behaviour columns (`K.30d`,
    /// `K.days_since_last`) are computed from the interactions for every kind
    /// the model reads (no interaction of a kind is a real zero), so only the
    /// attributes (standard and custom fields of the lead, its contact and
    /// account) and the custom entities' counts (`E.count`) can go missing.
    Folder,
}

/// One input column of the model that the data do not supply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingInput {
    /// The model's input column.
    pub column: String,
    /// True when the data have the column but no row holds a value in it;
    /// false when they do not have it.
    pub empty: bool,
    /// A column of the data that looks like it (the same name in another
    /// case, or a few edits away), which the model does not read.
    pub like: Option<String>,
}

impl fmt::Display for MissingInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}`", self.column)?;
        if self.empty {
            f.write_str(" (no row has a value)")?;
        }
        if let Some(like) = &self.like {
            write!(f, " (did you mean `{like}`?)")?;
        }
        Ok(())
    }
}

/// How much of the model's input the data supply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputCoverage {
    /// The model's input columns.
    pub inputs: usize,
    /// Those the data supply: a column with a value in at least one row (or,
    /// from a folder, computed for every lead).
    pub supplied: usize,
    /// The others, in the model's order.
    pub missing: Vec<MissingInput>,
}

impl InputCoverage {
    /// The fewest input columns the data must supply: half of the model's,
    /// rounded up (one for a model of one or two columns).
    pub fn needed(&self) -> usize {
        self.inputs.div_ceil(2)
    }

    /// True when the data supply too few of the model's columns to score.
    pub fn too_few(&self) -> bool {
        self.inputs > 0 && self.supplied < self.needed()
    }
}

impl fmt::Display for InputCoverage {
    /// `the data supply 3 of the model's 4 input columns: missing `industry`
    /// (did you mean `Industry`?); every lead scores as if those values were
    /// missing`, for a warning.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the data supply {} of the model's {} input columns: missing {}; every lead scores \
             as if {} missing",
            self.supplied,
            self.inputs,
            listed(&self.missing),
            if self.missing.len() == 1 {
                "its value were"
            } else {
                "those values were"
            }
        )
    }
}

/// Names, at most [`LISTED`] of them, then `and N more`.
pub(crate) fn listed<T: fmt::Display>(items: &[T]) -> String {
    let mut text = items
        .iter()
        .take(LISTED)
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ");
    if items.len() > LISTED {
        text.push_str(&format!(" and {} more", items.len() - LISTED));
    }
    text
}

/// The data's columns, for [`ModelError::TooFewInputs`]: `` `a`, `b` ``, at
/// most [`LISTED`] of them.
pub(crate) fn data_columns(columns: &[String]) -> String {
    if columns.is_empty() {
        return "the data have no columns".to_owned();
    }
    let quoted: Vec<String> = columns.iter().map(|c| format!("`{c}`")).collect();
    format!("the data's columns are {}", listed(&quoted))
}

/// Which of the model's input columns `table` supplies, with a did-you-mean
/// for each missing one among the table's columns the model does not read.
/// A table without rows supplies everything (there is nothing to score).
pub fn input_coverage(
    model: &ConversionModel,
    table: &Table,
    from: RowsFrom,
) -> Result<InputCoverage, ModelError> {
    let rows = table.rows()?;
    let inputs = model.input_columns();
    let computed = |name: &str| {
        from == RowsFrom::Folder
            && (kind_of_behaviour(name).is_some() || kind_of_days_since_last(name).is_some())
    };
    let unread: Vec<&str> = table
        .columns
        .iter()
        .map(|c| c.name.as_str())
        .filter(|name| !inputs.iter().any(|i| i == name))
        .collect();
    let mut missing = Vec::new();
    for name in &inputs {
        if rows == 0 || computed(name) {
            continue;
        }
        let column = table.column(name);
        if column.is_some_and(|c| c.values.has_values()) {
            continue;
        }
        missing.push(MissingInput {
            column: name.clone(),
            empty: column.is_some(),
            like: leadscore_domain::suggest::nearest(name, unread.iter().copied())
                .map(str::to_owned),
        });
    }
    Ok(InputCoverage {
        inputs: inputs.len(),
        supplied: inputs.len() - missing.len(),
        missing,
    })
}

/// Checks that `table` supplies enough of the model's input columns
/// ([`input_coverage`]) and adds the ones it lacks as all-missing columns
/// ([`crate::add_missing_columns`]), so that every lead scores as if those
/// values were missing. Returns the coverage, whose `missing` columns a
/// caller warns about.
///
/// Errors: [`ModelError::TooFewInputs`] when fewer than half of the model's
/// input columns have a value in some row (none at all, say, for a file from
/// another export), naming the missing columns and the table's columns.
pub fn prepare_inputs(
    model: &ConversionModel,
    table: &mut Table,
    from: RowsFrom,
) -> Result<InputCoverage, ModelError> {
    let coverage = input_coverage(model, table, from)?;
    if coverage.too_few() {
        let columns = table.columns.iter().map(|c| c.name.clone()).collect();
        return Err(ModelError::TooFewInputs {
            supplied: coverage.supplied,
            inputs: coverage.inputs,
            needed: coverage.needed(),
            missing: coverage.missing,
            columns,
        });
    }
    crate::add_missing_columns(model, table)?;
    Ok(coverage)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::{LabelledRows, TrainParams, TrainingSource};
    use leadscore_features::Column;

    fn model() -> ConversionModel {
        let n = 400;
        let visits: Vec<Option<f64>> = (0..n).map(|i| Some((i % 10) as f64)).collect();
        let industry: Vec<Option<String>> = (0..n)
            .map(|i| Some(if i % 3 == 0 { "Retail" } else { "Software" }.to_owned()))
            .collect();
        let pages: Vec<Option<f64>> = (0..n).map(|i| Some((i % 7) as f64)).collect();
        let labels: Vec<bool> = (0..n).map(|i| (i % 10) * 7 + (i * 31 % 17) > 45).collect();
        let table = Table::new(vec![
            Column::numeric("visits", visits),
            Column::categorical("industry", industry),
            Column::numeric("pages", pages),
        ]);
        let source = TrainingSource::Flat {
            target: "y".into(),
            positive: "1".into(),
            exclude: vec![],
        };
        TrainParams::default()
            .fit(
                &LabelledRows::new(table, labels),
                None,
                source,
                "2026-11-23T00:00:00Z",
            )
            .unwrap()
            .model
    }

    #[test]
    fn unrelated_columns_are_refused_with_a_did_you_mean() {
        let model = model();
        assert_eq!(model.input_columns().len(), 3);
        let mut table = Table::new(vec![
            Column::numeric("Visits", vec![Some(1.0), Some(2.0)]),
            Column::numeric("pages", vec![None, None]),
            Column::numeric("age", vec![Some(30.0), None]),
        ]);
        let e = prepare_inputs(&model, &mut table, RowsFrom::FlatTable).unwrap_err();
        assert_eq!(
            e.to_string(),
            "the data supply 0 of the model's 3 input columns, and at least 2 must have values \
             (else every lead gets nearly the same score): missing `visits` (did you mean \
             `Visits`?), `industry`, `pages` (no row has a value); the data's columns are \
             `Visits`, `pages`, `age`"
        );
        assert_eq!(table.columns.len(), 3, "nothing added");
    }

    #[test]
    fn some_missing_columns_are_added_and_reported() {
        let model = model();
        let mut table = Table::new(vec![
            Column::numeric("visits", vec![Some(1.0)]),
            Column::categorical("industry", vec![Some("Retail".to_owned())]),
        ]);
        let coverage = prepare_inputs(&model, &mut table, RowsFrom::FlatTable).unwrap();
        assert_eq!(coverage.supplied, 2);
        assert_eq!(
            coverage.to_string(),
            "the data supply 2 of the model's 3 input columns: missing `pages`; every lead \
             scores as if its value were missing"
        );
        assert!(table.column("pages").is_some());
    }

    #[test]
    fn a_table_without_rows_is_not_refused() {
        let model = model();
        let mut table = Table::new(vec![Column::numeric("age", vec![])]);
        let coverage = prepare_inputs(&model, &mut table, RowsFrom::FlatTable).unwrap();
        assert!(coverage.missing.is_empty());
    }
}

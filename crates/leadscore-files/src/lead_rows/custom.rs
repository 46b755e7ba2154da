//! The custom entity columns: `<Entity>.count`, how many of the entity's
//! records belong to the lead. When the entity has a time column, only records
//! from before the row's time count (a record with no time there does not
//! count); otherwise every record counts, and the quality report says so.

use leadscore_features as features;
use polars::prelude::*;

use super::load::Entity;
use super::{AS_OF, POS, polars_error, scatter};
use crate::FilesError;

/// The count column's name.
fn name(entity: &Entity) -> String {
    features::count_column(&entity.name)
}

/// The custom entity column names (entities sorted by name).
pub(super) fn names(entities: &[Entity]) -> Vec<String> {
    entities.iter().map(name).collect()
}

/// The count columns of the selected leads (`base`, see
/// [`Selected`](super::select::Selected)).
pub(super) fn columns(
    dir: &std::path::Path,
    entities: &[Entity],
    base: &DataFrame,
) -> Result<Vec<features::Column>, FilesError> {
    let fail = polars_error(dir);
    let leads = base
        .clone()
        .lazy()
        .select([col("lead_id").alias("e_lead"), col(POS), col(AS_OF)]);
    let mut out = Vec::with_capacity(entities.len());
    for entity in entities {
        let records =
            entity
                .frame
                .clone()
                .lazy()
                .inner_join(leads.clone(), col("lead_id"), col("e_lead"));
        let records = match entity.time_column {
            Some(_) => records.filter(col("time").lt(col(AS_OF))),
            None => records,
        };
        let counted = records
            .group_by([col(POS)])
            .agg([len().cast(DataType::Int64).alias("n")])
            .collect()
            .map_err(&fail)?;
        let positions = scatter::positions(&counted).map_err(&fail)?;
        let cells =
            scatter::numbers(&counted, "n", &positions, base.height(), Some(0.0)).map_err(&fail)?;
        out.push(features::Column::numeric(name(entity), cells));
    }
    Ok(out)
}

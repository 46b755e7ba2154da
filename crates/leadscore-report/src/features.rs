//! What the model looks at: its features, their weights, and how they changed
//! since the previous version.

use std::cmp::Ordering;
use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};

use crate::describe::describe_feature;

/// A weight within this share of the larger of the two magnitudes (10%) counts
/// as [`FeatureChange::Same`] as the previous version's.
pub const SAME_WEIGHT_TOLERANCE: f64 = 0.10;

/// One feature of the conversion model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct FeatureRow {
    /// The feature's name, e.g. `email_clicks_30d` or `industry=Software`.
    pub feature: String,
    /// Coefficient on the standardized scale; the sign is the direction.
    pub weight: f64,
    /// Share of the total absolute weight of all features (0 to 1).
    pub importance: f64,
    /// Whether the feature raises or lowers the chance of converting.
    pub direction: Direction,
    /// The feature's effect in plain words, see [`describe_feature`].
    pub plain: String,
    /// Weight in the previous model version, if the feature was in it.
    pub previous_weight: Option<f64>,
    /// How the weight changed since the previous version.
    pub change: FeatureChange,
}

/// Which way a feature pushes the chance of converting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// A higher value (or having the category) raises the chance.
    Raises,
    /// A higher value (or having the category) lowers the chance.
    Lowers,
    /// No effect (a weight of zero, or not a number).
    None,
}

impl Direction {
    /// The direction of a weight: positive raises, negative lowers, zero (or
    /// not a number) neither.
    pub fn of(weight: f64) -> Direction {
        if weight > 0.0 {
            Direction::Raises
        } else if weight < 0.0 {
            Direction::Lowers
        } else {
            Direction::None
        }
    }
}

/// How a feature's weight changed since the previous model version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum FeatureChange {
    /// Not in the previous version.
    New,
    /// In the previous version, no longer used.
    Dropped,
    /// Same direction, larger weight.
    Stronger,
    /// Same direction, smaller weight.
    Weaker,
    /// Pushes the other way than before.
    Flipped,
    /// Within [`SAME_WEIGHT_TOLERANCE`] of the previous weight.
    Same,
    /// No previous version to compare with, or a weight is not a number.
    Unknown,
}

impl FeatureChange {
    /// The change between a previous and a current weight of the same feature:
    /// [`Flipped`](FeatureChange::Flipped) when the signs are opposite,
    /// [`Same`](FeatureChange::Same) when the magnitudes differ by at most
    /// [`SAME_WEIGHT_TOLERANCE`] of the larger one, else
    /// [`Stronger`](FeatureChange::Stronger) or
    /// [`Weaker`](FeatureChange::Weaker) by magnitude.
    /// [`Unknown`](FeatureChange::Unknown) when either is not finite.
    pub fn between(previous: f64, current: f64) -> FeatureChange {
        if !previous.is_finite() || !current.is_finite() {
            return FeatureChange::Unknown;
        }
        let (before, now) = (previous.abs(), current.abs());
        if previous * current < 0.0 {
            FeatureChange::Flipped
        } else if (now - before).abs() <= SAME_WEIGHT_TOLERANCE * now.max(before) {
            FeatureChange::Same
        } else if now > before {
            FeatureChange::Stronger
        } else {
            FeatureChange::Weaker
        }
    }
}

/// Builds the feature rows from the current model's `(feature, weight)` pairs
/// and, when there is one, the previous version's.
///
/// - `importance` is each feature's share of the total absolute weight (0 for
///   all when that total is 0); a weight that is not finite counts as 0.
/// - `change` is [`FeatureChange::between`] the two weights,
///   [`New`](FeatureChange::New) for a feature only in `current`, and
///   [`Unknown`](FeatureChange::Unknown) for all when `previous` is `None`.
/// - A feature only in `previous` appears with weight 0, importance 0,
///   direction [`Direction::None`] and change
///   [`Dropped`](FeatureChange::Dropped).
/// - Rows are ordered strongest first (by absolute weight), ties by name. A
///   name listed twice counts once, with its first weight.
///
/// ```
/// use leadscore_report::{FeatureChange, compare_features};
///
/// let now = [("employees".to_owned(), 0.2), ("email_clicks_30d".to_owned(), 0.6)];
/// let before = [("employees".to_owned(), -0.3)];
/// let rows = compare_features(&now, Some(&before));
/// assert_eq!(rows[0].feature, "email_clicks_30d");
/// assert_eq!(rows[0].change, FeatureChange::New);
/// assert_eq!(rows[1].change, FeatureChange::Flipped);
/// assert!((rows[0].importance - 0.75).abs() < 1e-12);
/// ```
pub fn compare_features(
    current: &[(String, f64)],
    previous: Option<&[(String, f64)]>,
) -> Vec<FeatureRow> {
    let current = first_of_each(current);
    let previous = previous.map(first_of_each);
    let before: Option<HashMap<&str, f64>> = previous
        .as_ref()
        .map(|p| p.iter().map(|&(name, w)| (name, w)).collect());
    let total: f64 = current.iter().map(|&(_, w)| magnitude(w)).sum();

    let mut rows: Vec<FeatureRow> = current
        .iter()
        .map(|&(name, weight)| {
            let previous_weight = before.as_ref().and_then(|b| b.get(name).copied());
            let change = match (&before, previous_weight) {
                (None, _) => FeatureChange::Unknown,
                (Some(_), None) => FeatureChange::New,
                (Some(_), Some(p)) => FeatureChange::between(p, weight),
            };
            FeatureRow {
                feature: name.to_owned(),
                weight,
                importance: share(magnitude(weight), total),
                direction: Direction::of(weight),
                plain: describe_feature(name, weight),
                previous_weight,
                change,
            }
        })
        .collect();

    let now: HashSet<&str> = current.iter().map(|&(name, _)| name).collect();
    for &(name, weight) in previous.iter().flatten() {
        if !now.contains(name) {
            rows.push(FeatureRow {
                feature: name.to_owned(),
                weight: 0.0,
                importance: 0.0,
                direction: Direction::None,
                plain: describe_feature(name, 0.0),
                previous_weight: Some(weight),
                change: FeatureChange::Dropped,
            });
        }
    }

    rows.sort_by(strongest_first);
    rows
}

/// Orders rows by absolute weight, largest first, then by name.
fn strongest_first(a: &FeatureRow, b: &FeatureRow) -> Ordering {
    magnitude(b.weight)
        .total_cmp(&magnitude(a.weight))
        .then_with(|| a.feature.cmp(&b.feature))
}

/// The pairs with each name's first occurrence only, in input order.
fn first_of_each(pairs: &[(String, f64)]) -> Vec<(&str, f64)> {
    let mut seen = HashSet::new();
    pairs
        .iter()
        .filter(|(name, _)| seen.insert(name.as_str()))
        .map(|(name, w)| (name.as_str(), *w))
        .collect()
}

/// Absolute value, with anything not finite as 0.
fn magnitude(weight: f64) -> f64 {
    if weight.is_finite() {
        weight.abs()
    } else {
        0.0
    }
}

/// `part / total`, or 0 when the total is 0.
fn share(part: f64, total: f64) -> f64 {
    if total > 0.0 && total.is_finite() {
        part / total
    } else {
        0.0
    }
}

//! The auto-publish policy: whether a retrained model (the challenger) goes
//! into service in place of the live model (the champion). Pure: every input
//! is a figure the retraining measured, and the answer carries its reason.

use serde::Serialize;
use utoipa::ToSchema;

/// The retrained model, measured on the held-out leads.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Challenger {
    /// ROC AUC on the held-out leads (`None` when they hold one class only).
    pub auc: Option<f64>,
}

/// The live model, measured on the same held-out leads as the challenger.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Champion {
    /// Its version.
    pub version: i64,
    /// ROC AUC on the challenger's held-out leads.
    pub auc: Option<f64>,
    /// Its age in days (since it was trained).
    pub age_days: f64,
}

/// The thresholds, validated by [`super::Retraining::validate`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Policy {
    /// The challenger is published when its AUC is at least this share of the
    /// champion's on the same leads (0.95: at most 5% worse).
    pub min_auc_share: f64,
    /// ...or when the champion is older than this many days, whatever the
    /// comparison says (0: never for age alone).
    pub max_champion_age_days: u32,
}

/// What happens to a challenger, and why.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case", tag = "decision", content = "reason")]
pub enum Decision {
    /// It goes into service.
    Publish(String),
    /// It stays registered, unpublished: a challenger scored in shadow.
    Keep(String),
    /// It is the live model again (same training data, same settings):
    /// nothing is registered and no lead is rescored.
    Unchanged(String),
}

impl Decision {
    /// The reason, in a sentence.
    pub fn reason(&self) -> &str {
        match self {
            Self::Publish(r) | Self::Keep(r) | Self::Unchanged(r) => r,
        }
    }

    /// True for [`Decision::Publish`].
    pub fn publishes(&self) -> bool {
        matches!(self, Self::Publish(_))
    }
}

fn auc(x: f64) -> String {
    format!("{x:.3}")
}

impl Policy {
    /// Decides for `challenger` against the live model (`None`: none is live).
    pub fn decide(&self, challenger: Challenger, champion: Option<Champion>) -> Decision {
        let Some(champion) = champion else {
            return Decision::Publish("no conversion model was live".to_owned());
        };
        let v = champion.version;
        let limit = f64::from(self.max_champion_age_days);
        if self.max_champion_age_days > 0 && champion.age_days > limit {
            return Decision::Publish(format!(
                "the live model v{v} is {:.0} days old, more than the {} days allowed",
                champion.age_days.floor(),
                self.max_champion_age_days
            ));
        }
        let share = self.min_auc_share;
        let percent = format!("{:.0}%", share * 100.0);
        match (challenger.auc, champion.auc) {
            (None, _) => Decision::Keep(
                "the held-out leads hold one outcome only, so the new model's AUC is unknown"
                    .to_owned(),
            ),
            (Some(new), None) => Decision::Publish(format!(
                "AUC {} on the held-out leads; the live model v{v} could not be measured on them",
                auc(new)
            )),
            (Some(new), Some(old)) if new >= share * old => Decision::Publish(format!(
                "AUC {} on the held-out leads, at least {percent} of the live model v{v}'s {} ({})",
                auc(new),
                auc(old),
                auc(share * old)
            )),
            (Some(new), Some(old)) => Decision::Keep(format!(
                "AUC {} on the held-out leads, below {percent} of the live model v{v}'s {} ({})",
                auc(new),
                auc(old),
                auc(share * old)
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const POLICY: Policy = Policy {
        min_auc_share: 0.95,
        max_champion_age_days: 180,
    };

    fn champion(auc: f64, age_days: f64) -> Option<Champion> {
        Some(Champion {
            version: 3,
            auc: Some(auc),
            age_days,
        })
    }

    fn new(auc: f64) -> Challenger {
        Challenger { auc: Some(auc) }
    }

    #[test]
    fn a_better_model_is_published() {
        let d = POLICY.decide(new(0.82), champion(0.80, 10.0));
        assert!(d.publishes(), "{d:?}");
        assert!(d.reason().contains("0.820") && d.reason().contains("v3's 0.800"));
    }

    #[test]
    fn a_slightly_worse_model_within_the_share_is_published() {
        // 0.77 >= 0.95 * 0.80 = 0.76
        assert!(POLICY.decide(new(0.77), champion(0.80, 10.0)).publishes());
        // exactly at the share
        assert!(POLICY.decide(new(0.76), champion(0.80, 10.0)).publishes());
    }

    #[test]
    fn a_worse_model_is_kept_with_the_reason() {
        let d = POLICY.decide(new(0.70), champion(0.80, 10.0));
        assert_eq!(
            d,
            Decision::Keep(
                "AUC 0.700 on the held-out leads, below 95% of the live model v3's 0.800 (0.760)"
                    .to_owned()
            )
        );
    }

    #[test]
    fn a_stale_champion_is_replaced_even_by_a_worse_model() {
        let d = POLICY.decide(new(0.70), champion(0.80, 200.5));
        assert!(d.publishes());
        assert_eq!(
            d.reason(),
            "the live model v3 is 200 days old, more than the 180 days allowed"
        );
        // Age 0 means never for age alone.
        let never = Policy {
            max_champion_age_days: 0,
            ..POLICY
        };
        assert!(!never.decide(new(0.70), champion(0.80, 5000.0)).publishes());
    }

    #[test]
    fn no_champion_or_unmeasurable_models() {
        assert!(POLICY.decide(new(0.6), None).publishes());
        assert!(
            !POLICY
                .decide(Challenger { auc: None }, champion(0.8, 1.0))
                .publishes()
        );
        let unmeasured = Some(Champion {
            version: 3,
            auc: None,
            age_days: 1.0,
        });
        assert!(POLICY.decide(new(0.7), unmeasured).publishes());
    }
}

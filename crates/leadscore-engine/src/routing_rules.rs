//! Routing: ordered rules that assign each lead to a named seller queue by its
//! primary grade or score, its sales-ready flag and its fields. The first rule
//! that matches wins; a lead no rule matches goes to the default queue, if one
//! is set.

use std::collections::BTreeMap;

use leadscore_domain::Lead;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::refusal::Problem;
use crate::scoring::Primary;

/// The routing document (`GET`/`PUT /v1/routing`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RoutingConfig {
    /// The rules, in order.
    #[serde(default)]
    pub rules: Vec<RoutingRule>,
    /// Where leads no rule matches go (none: they are in no queue).
    #[serde(default)]
    pub default_queue: Option<String>,
}

/// One routing rule: every condition given must hold.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RoutingRule {
    /// The queue (`senior-reps`).
    pub queue: String,
    /// The primary grade is one of these.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grades: Option<Vec<String>>,
    /// The primary score is at least this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_score: Option<i64>,
    /// The primary score is at most this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_score: Option<i64>,
    /// The lead's sales-ready flag is this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sales_ready: Option<bool>,
    /// Lead fields equal to these values: `source`, `topic`, `status` or a
    /// custom field.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub fields: BTreeMap<String, String>,
}

/// Whether `name` can name a queue: 1 to 64 of `A-Z a-z 0-9 _ -`.
pub fn queue_name_ok(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

impl RoutingConfig {
    /// Every problem, located.
    pub fn validate(&self) -> Vec<Problem> {
        let mut problems = Vec::new();
        let mut add = |field: String, message: &str| {
            problems.push(Problem {
                field,
                message: message.to_owned(),
            })
        };
        let name_rule = "a queue name is 1-64 letters, digits, '-' or '_'";
        if let Some(q) = &self.default_queue
            && !queue_name_ok(q)
        {
            add("default_queue".into(), name_rule);
        }
        for (i, rule) in self.rules.iter().enumerate() {
            if !queue_name_ok(&rule.queue) {
                add(format!("rules[{i}].queue"), name_rule);
            }
            if let (Some(lo), Some(hi)) = (rule.min_score, rule.max_score)
                && lo > hi
            {
                add(format!("rules[{i}].min_score"), "is above max_score");
            }
            if rule
                .grades
                .as_ref()
                .is_some_and(|g| g.is_empty() || g.iter().any(|x| x.trim().is_empty()))
            {
                add(
                    format!("rules[{i}].grades"),
                    "must list at least one non-empty grade",
                );
            }
            for key in rule.fields.keys() {
                if key.trim().is_empty() {
                    add(format!("rules[{i}].fields"), "a field name cannot be empty");
                }
            }
        }
        problems
    }

    /// The queue of a lead with this primary score and flag.
    pub fn route(
        &self,
        lead: &Lead,
        primary: Option<&Primary>,
        sales_ready: bool,
    ) -> Option<String> {
        self.rules
            .iter()
            .find(|r| r.matches(lead, primary, sales_ready))
            .map(|r| r.queue.clone())
            .or_else(|| self.default_queue.clone())
    }
}

impl RoutingRule {
    fn matches(&self, lead: &Lead, primary: Option<&Primary>, sales_ready: bool) -> bool {
        if let Some(grades) = &self.grades {
            let grade = primary.and_then(|p| p.grade.as_deref());
            if !grade.is_some_and(|g| grades.iter().any(|x| x == g)) {
                return false;
            }
        }
        let score = primary.map(|p| p.score);
        if let Some(lo) = self.min_score
            && score.is_none_or(|s| s < lo)
        {
            return false;
        }
        if let Some(hi) = self.max_score
            && score.is_none_or(|s| s > hi)
        {
            return false;
        }
        if self.sales_ready.is_some_and(|want| want != sales_ready) {
            return false;
        }
        self.fields.iter().all(|(name, want)| {
            let have = match name.as_str() {
                "source" => lead.source.as_deref(),
                "topic" => lead.topic.as_deref(),
                "status" => Some(lead.status.as_str()),
                other => lead.custom.get(other),
            };
            have == Some(want.as_str())
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use leadscore_domain::{LeadId, Timestamp};

    use super::*;
    use crate::scoring::PrimarySource;

    fn primary(score: i64, grade: &str) -> Primary {
        Primary {
            score,
            grade: Some(grade.into()),
            source: PrimarySource::Conversion,
            model: "conversion-v1".into(),
        }
    }

    #[test]
    fn first_matching_rule_wins() {
        let config: RoutingConfig = serde_json::from_str(
            r#"{"rules": [
                {"queue": "senior-reps", "grades": ["A"]},
                {"queue": "webinar", "fields": {"source": "Webinar"}, "min_score": 30},
                {"queue": "nurture", "grades": ["C", "D"]}
            ], "default_queue": "triage"}"#,
        )
        .unwrap();
        assert!(config.validate().is_empty());
        let mut lead = Lead::new(
            LeadId::parse("L1").unwrap(),
            Timestamp::parse("2026-01-01").unwrap(),
        );
        assert_eq!(
            config
                .route(&lead, Some(&primary(80, "A")), false)
                .as_deref(),
            Some("senior-reps")
        );
        assert_eq!(
            config
                .route(&lead, Some(&primary(10, "D")), false)
                .as_deref(),
            Some("nurture")
        );
        assert_eq!(
            config
                .route(&lead, Some(&primary(60, "B")), false)
                .as_deref(),
            Some("triage")
        );
        lead.source = Some("Webinar".into());
        assert_eq!(
            config
                .route(&lead, Some(&primary(60, "B")), false)
                .as_deref(),
            Some("webinar")
        );
        assert_eq!(config.route(&lead, None, false).as_deref(), Some("triage"));
    }

    #[test]
    fn problems_are_located() {
        let config: RoutingConfig = serde_json::from_str(
            r#"{"rules": [{"queue": "ok"}, {"queue": "bad name", "min_score": 5, "max_score": 1}]}"#,
        )
        .unwrap();
        let fields: Vec<_> = config.validate().into_iter().map(|p| p.field).collect();
        assert_eq!(fields, ["rules[1].queue", "rules[1].min_score"]);
        assert!(serde_json::from_str::<RoutingConfig>(r#"{"rulez": []}"#).is_err());
    }
}

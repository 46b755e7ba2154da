//! Rule-based lead scoring models, as `RULES.md` describes them.
//!
//! Sales operations write models by hand in YAML or JSON. This crate loads them,
//! reporting every mistake with its place; compiles each into a [`Plan`] once;
//! and evaluates plans over a lead's graph (its contact, account, interactions
//! and related custom records) with no I/O. Every score carries its trace.
//! A model also renders as its compact text view ([`RuleModel::to_text`]),
//! which reads back into the same model ([`RuleModel::from_text`]).
//!
//! ```
//! use leadscore_rules::RuleModel;
//!
//! let model = RuleModel::from_yaml(r#"
//! name: Webinar engagement
//! target: contact
//! rules:
//!   - name: Clicked an email
//!     when: [ { entity: EmailClicked, frequency: each, within: 30d } ]
//!     points: 5
//!     cap: 25
//! "#)?;
//! assert_eq!(model.rules.len(), 1);
//! # Ok::<(), leadscore_rules::RulesError>(())
//! ```

mod backtest;
mod check;
mod compare;
mod error;
mod eval;
mod explain;
mod graph;
mod ids;
mod load;
mod model;
mod observed;
mod paths;
mod plan;
mod read;
mod sales_ready;
mod schema;
mod text;
mod validate;

pub use backtest::{Backtest, GroupOutcome, ModelBacktest, backtest, backtest_where};
pub use check::{CheckData, ModelCheck, ModelFormat, VALUES_PER_FIELD};
pub use error::{LineProblem, Problem, RulesError};
pub use eval::{
    CondHit, Evaluator, Evidence, ModelResult, NodeRef, Outcome, RuleHit, Scores, Unscored,
};
pub use explain::{
    ConditionExplanation, Explanation, InteractionEvidence, RecordEvidence, RuleExplanation,
};
pub use graph::{Graph, GraphBuilder, Projection};
/// The nearest known name to a misspelt one: the domain's one implementation,
/// re-exported for the rules' callers.
pub use leadscore_domain::suggest::nearest;
pub use model::{
    Condition, Conditions, EntityPath, FieldPath, Frequency, Grade, Hop, MAX_HOPS, OPERATORS, Op,
    Operand, OperandKind, Predicate, Root, Rule, RuleModel, Scalar, Span, SpanUnit, Target,
};
pub use plan::Plan;
pub use sales_ready::{SalesReadyEvent, SalesReadyFlag};
pub use schema::Schema;
pub use validate::record_name;

//! OpenAPI schemas (feature `openapi`) of the model's JSON that the HTTP API
//! sends and reads: the held-out metrics ([`MetricsSchema`]) and the artifact
//! ([`ArtifactSchema`]). They are written here, next to the types that write
//! that JSON, so that a new field or family changes one crate.

use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{
    AdditionalProperties, ArrayBuilder, ObjectBuilder, Schema, SchemaType, Type,
};
use utoipa::{PartialSchema, ToSchema};

use crate::artifact::{FORMAT, FORMAT_VERSION};
use crate::family::FAMILIES;

fn typed(t: Type, description: &str) -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(t)
        .description(Some(description.to_owned()))
}

/// A number that is `null` where it is undefined (no positive or no negative
/// lead held out).
fn ratio(description: &str) -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(SchemaType::from_iter([Type::Number, Type::Null]))
        .description(Some(description.to_owned()))
}

/// An object that may carry more keys than the ones listed.
fn open(object: ObjectBuilder) -> ObjectBuilder {
    object.additional_properties(Some(AdditionalProperties::FreeForm(true)))
}

/// How a model did on held-out leads: `metrics.json` of the artifact folder
/// (CLI.md) as the registry lists it. Every key CLI.md promises is described;
/// more may come.
pub struct MetricsSchema;

impl PartialSchema for MetricsSchema {
    fn schema() -> RefOr<Schema> {
        let confusion = ObjectBuilder::new()
            .schema_type(Type::Object)
            .description(Some("Held-out leads by truth and call at the threshold"))
            .property("tp", typed(Type::Integer, "Converted, called positive"))
            .property("fp", typed(Type::Integer, "Not converted, called positive"))
            .property("tn", typed(Type::Integer, "Not converted, called negative"))
            .property("fn", typed(Type::Integer, "Converted, called negative"));
        let confidence = open(
            ObjectBuilder::new()
                .schema_type(Type::Object)
                .description(Some("Whether the model is trusted, and why"))
                .property("low", typed(Type::Boolean, "True when low-confidence"))
                .property("auc", typed(Type::Number, "The held-out AUC judged"))
                .property(
                    "min_auc",
                    typed(Type::Number, "The AUC a trusted model needs"),
                ),
        );
        let row =
            |description: &str| ArrayBuilder::new().items(open(typed(Type::Object, description)));
        open(
            ObjectBuilder::new()
                .schema_type(Type::Object)
                .description(Some("Held-out metrics (metrics.json)"))
                .property(
                    "auc",
                    ratio("Area under the ROC curve (0.5 guessing, 1 perfect)"),
                )
                .property("pr_auc", ratio("Area under the precision-recall curve"))
                .property("precision", ratio("Share of flagged leads that converted"))
                .property("recall", ratio("Share of converted leads flagged"))
                .property("f1", ratio("Harmonic mean of precision and recall"))
                .property("accuracy", ratio("Share of leads called right"))
                .property("log_loss", ratio("Mean log loss of the probabilities"))
                .property("brier", ratio("Mean squared error of the probabilities"))
                .property(
                    "top_decile_lift",
                    ratio("Conversion in the top tenth over the base rate"),
                )
                .property(
                    "threshold",
                    typed(
                        Type::Number,
                        "Probability at or above which a lead is flagged",
                    ),
                )
                .property(
                    "base_rate",
                    typed(Type::Number, "Share of held-out leads that converted"),
                )
                .property("n", typed(Type::Integer, "Held-out leads"))
                .property(
                    "positives",
                    typed(Type::Integer, "Held-out leads that converted"),
                )
                .property("n_train", typed(Type::Integer, "Leads trained on"))
                .property("n_test", typed(Type::Integer, "Leads held out"))
                .property(
                    "low_confidence",
                    typed(Type::Boolean, "True when the model is low-confidence"),
                )
                .property(
                    "split",
                    typed(Type::String, "How the held-out leads were chosen"),
                )
                .property("l2", typed(Type::Number, "The L2 penalty chosen"))
                .property("confusion", confusion)
                .property("calibration", row("A calibration bin"))
                .property("cv", row("A point of the cross-validation curve"))
                .property("confidence", confidence),
        )
        .into()
    }
}

impl ToSchema for MetricsSchema {
    fn name() -> std::borrow::Cow<'static, str> {
        "Metrics".into()
    }
}

/// `model.json`, as `leadscore train` writes it: the format, its version, a
/// checksum of the model, and the model with its family.
pub struct ArtifactSchema;

impl PartialSchema for ArtifactSchema {
    fn schema() -> RefOr<Schema> {
        let model = open(
            ObjectBuilder::new()
                .schema_type(Type::Object)
                .description(Some(
                    "The fitted model: its family's parameters and the shared fields (encoding, calibration, grades, metrics)",
                ))
                .property(
                    "family",
                    typed(Type::String, "The model family (absent in artifacts written before families: logistic)")
                        .enum_values(Some(FAMILIES.iter().copied())),
                )
                .property("created_at", typed(Type::String, "When the model was trained (RFC 3339)"))
                .property("training_data_hash", typed(Type::String, "Hash of the training data"))
                .property("base_rate", typed(Type::Number, "Share of training leads that converted"))
                .property("threshold", typed(Type::Number, "The decision threshold"))
                .property("metrics", MetricsSchema::schema())
                .required("created_at")
                .required("metrics"),
        );
        ObjectBuilder::new()
            .schema_type(Type::Object)
            .description(Some("A conversion model artifact (model.json)"))
            .property(
                "format",
                typed(Type::String, "The artifact format").enum_values(Some([FORMAT])),
            )
            .property(
                "version",
                typed(Type::Integer, "The artifact format's version")
                    .minimum(Some(1))
                    .maximum(Some(FORMAT_VERSION)),
            )
            .property(
                "checksum",
                typed(Type::String, "SHA-256 of the model object, checked on load")
                    .pattern(Some("^sha256:[0-9a-f]{64}$")),
            )
            .property("model", model)
            .required("format")
            .required("version")
            .required("checksum")
            .required("model")
            .into()
    }
}

impl ToSchema for ArtifactSchema {
    fn name() -> std::borrow::Cow<'static, str> {
        "ModelArtifact".into()
    }
}

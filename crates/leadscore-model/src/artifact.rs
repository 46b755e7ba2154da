//! The model artifact, `model.json`: a format name, a version, a checksum of the
//! model, and the model. Written atomically; verified on load.

use std::path::Path;

use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use crate::data::hex;
use crate::family::{FAMILIES, TAG};
use crate::{ConversionModel, ModelError};

/// The `format` field of every model artifact.
pub const FORMAT: &str = "leadscore-conversion-model";

/// The artifact version this build writes, and the newest it reads.
pub const FORMAT_VERSION: u64 = 1;

fn checksum(model: &Value) -> Result<String, serde_json::Error> {
    let canonical = serde_json::to_string(model)?;
    Ok(format!(
        "sha256:{}",
        hex(&Sha256::digest(canonical.as_bytes()))
    ))
}

/// The artifact's text: the model with its format, version and checksum.
pub fn to_artifact_json(model: &ConversionModel) -> Result<String, serde_json::Error> {
    let value = serde_json::to_value(model)?;
    let mut envelope = Map::new();
    envelope.insert("format".into(), FORMAT.into());
    envelope.insert("version".into(), FORMAT_VERSION.into());
    envelope.insert("checksum".into(), checksum(&value)?.into());
    envelope.insert("model".into(), value);
    let mut text = serde_json::to_string_pretty(&Value::Object(envelope))?;
    text.push('\n');
    Ok(text)
}

/// Writes the artifact to `path` whole or not at all
/// ([`leadscore_fs::write_atomic`]), so that a failed write never leaves a
/// half-written model.
pub fn save(model: &ConversionModel, path: &Path) -> Result<(), ModelError> {
    let text = to_artifact_json(model).map_err(|e| ModelError::Io {
        path: path.to_path_buf(),
        message: e.to_string(),
    })?;
    leadscore_fs::write_atomic(path, text.as_bytes())?;
    Ok(())
}

/// Reads and verifies an artifact's text (`path` is only for messages).
pub fn from_artifact_json(text: &str, path: &Path) -> Result<ConversionModel, ModelError> {
    let corrupt = |reason: String| ModelError::Corrupt {
        path: path.to_path_buf(),
        reason,
    };
    let value: Value =
        serde_json::from_str(text).map_err(|e| corrupt(format!("invalid JSON: {e}")))?;
    let Value::Object(mut envelope) = value else {
        return Err(corrupt("the file is not a JSON object".into()));
    };
    match envelope.get("format").and_then(Value::as_str) {
        Some(FORMAT) => {}
        Some(other) => return Err(corrupt(format!("format is {other:?}, expected {FORMAT:?}"))),
        None => return Err(corrupt("no \"format\" field".into())),
    }
    let version = envelope
        .get("version")
        .and_then(Value::as_u64)
        .ok_or_else(|| corrupt("no whole-number \"version\" field".into()))?;
    if version > FORMAT_VERSION {
        return Err(ModelError::NewerFormat {
            path: path.to_path_buf(),
            found: version,
            supported: FORMAT_VERSION,
        });
    }
    if version == 0 {
        return Err(corrupt("version 0 does not exist".into()));
    }
    let expected = envelope
        .get("checksum")
        .and_then(Value::as_str)
        .ok_or_else(|| corrupt("no \"checksum\" field".into()))?
        .to_owned();
    let model = envelope
        .remove("model")
        .ok_or_else(|| corrupt("no \"model\" field".into()))?;
    let found = checksum(&model).map_err(|e| corrupt(e.to_string()))?;
    if found != expected {
        return Err(ModelError::Checksum {
            path: path.to_path_buf(),
            expected,
            found,
        });
    }
    match model.get(TAG) {
        None => {}
        Some(Value::String(family)) if FAMILIES.contains(&family.as_str()) => {}
        Some(Value::String(family)) => {
            return Err(ModelError::UnknownFamily {
                family: family.clone(),
            });
        }
        Some(other) => return Err(corrupt(format!("\"{TAG}\" is {other}, not a name"))),
    }
    let model: ConversionModel =
        serde_json::from_value(model).map_err(|e| corrupt(format!("model: {e}")))?;
    if let Some(reason) = model.family.mismatch(model.encoder.n_features()) {
        return Err(corrupt(reason));
    }
    Ok(model)
}

/// Reads and verifies the artifact at `path`.
pub fn load(path: &Path) -> Result<ConversionModel, ModelError> {
    let text = std::fs::read_to_string(path).map_err(|e| ModelError::Io {
        path: path.to_path_buf(),
        message: e.to_string(),
    })?;
    from_artifact_json(&text, path)
}

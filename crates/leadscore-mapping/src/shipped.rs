//! The mappings shipped with leadscore (`mappings/` in the repository), built
//! into the binary so that `--map salesforce` needs no file.

use std::path::Path;

use crate::{Mapping, MappingError};

/// The shipped mappings: name and YAML text.
pub const SHIPPED: [(&str, &str); 4] = [
    (
        "salesforce",
        include_str!("../../../mappings/salesforce.yaml"),
    ),
    ("hubspot", include_str!("../../../mappings/hubspot.yaml")),
    (
        "dynamics365",
        include_str!("../../../mappings/dynamics365.yaml"),
    ),
    ("flat", include_str!("../../../mappings/flat.yaml")),
];

/// A shipped mapping by name (`salesforce`, `hubspot`, `dynamics365`, `flat`).
pub fn shipped(name: &str) -> Result<Mapping, MappingError> {
    let Some((name, text)) = SHIPPED.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)) else {
        return Err(MappingError::UnknownMapping {
            name: name.to_owned(),
            shipped: SHIPPED.iter().map(|(n, _)| (*n).to_owned()).collect(),
        });
    };
    Mapping::parse(text, &format!("the shipped mapping {name}"))
}

/// The mapping `--map` names: a file when one exists at that path, else a
/// shipped mapping of that name.
pub fn load(name_or_path: &str) -> Result<Mapping, MappingError> {
    let path = Path::new(name_or_path);
    if path.is_file() {
        let text = std::fs::read_to_string(path).map_err(|source| {
            MappingError::Files(leadscore_files::FilesError::Io {
                path: path.to_path_buf(),
                source,
            })
        })?;
        return Mapping::parse(&text, &path.display().to_string());
    }
    shipped(name_or_path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shipped_mapping_is_valid() {
        for (name, _) in SHIPPED {
            if let Err(e) = shipped(name) {
                unreachable!("{name}: {e}");
            }
        }
    }
}

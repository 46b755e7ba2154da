//! Reading entity paths (`Lead.ParentAccount`, `EmailClicked.Contact`) and field
//! paths (`Contact.city`), and checking which hops each kind of record allows.

use std::fmt;

use leadscore_domain::{EntityName, InteractionKind, RecordType, STANDARD_KINDS};

use crate::model::{EntityPath, FieldPath, Hop, MAX_HOPS, Root};
use crate::validate::suggest::{nearest, one_of};

/// Why a path cannot be read; the message names the right spelling or the hops
/// that are possible.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PathProblem(String);

impl PathProblem {
    fn new(message: impl Into<String>) -> Self {
        Self(message.into())
    }
}

impl fmt::Display for PathProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The kind of record a path reaches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Entity {
    /// A lead.
    Lead,
    /// A contact.
    Contact,
    /// An account.
    Account,
    /// An interaction of a kind.
    Interaction(InteractionKind),
    /// A record of a custom entity.
    Custom(EntityName),
}

/// The hops with a fixed meaning; any other PascalCase hop is a custom entity.
const FIXED_HOPS: [&str; 4] = ["ParentContact", "ParentAccount", "Contact", "Lead"];

/// The names a path may start with, besides custom interaction kinds.
const ROOTS: [&str; 3] = ["Lead", "Contact", "Account"];

impl Entity {
    /// Where a path starting at `root` is.
    pub(crate) fn of_root(root: &Root) -> Self {
        match root {
            Root::Lead => Self::Lead,
            Root::Contact => Self::Contact,
            Root::Account => Self::Account,
            Root::Kind(kind) => Self::Interaction(kind.clone()),
        }
    }

    /// The record a whole entity path ends at.
    pub(crate) fn of_path(path: &EntityPath) -> Self {
        path.hops
            .iter()
            .fold(Self::of_root(&path.root), |_, hop| Self::after(hop))
    }

    /// The record a hop leads to.
    pub(crate) fn after(hop: &Hop) -> Self {
        match hop {
            Hop::ParentContact | Hop::Contact => Self::Contact,
            Hop::ParentAccount => Self::Account,
            Hop::Lead => Self::Lead,
            Hop::Custom(name) => Self::Custom(name.clone()),
        }
    }

    /// The DATA.md record type, for schema look-ups.
    pub(crate) fn record_type(&self) -> RecordType {
        match self {
            Self::Lead => RecordType::Lead,
            Self::Contact => RecordType::Contact,
            Self::Account => RecordType::Account,
            Self::Interaction(_) => RecordType::Interaction,
            Self::Custom(name) => RecordType::Custom(name.clone()),
        }
    }

    /// The name of the record type as written in paths (`Account`, `EmailClicked`).
    pub(crate) fn name(&self) -> &str {
        match self {
            Self::Lead => "Lead",
            Self::Contact => "Contact",
            Self::Account => "Account",
            Self::Interaction(kind) => kind.as_str(),
            Self::Custom(name) => name.as_str(),
        }
    }

    /// The record type in words, for messages (`a contact`, `an interaction of
    /// kind EmailClicked`, `a Meeting record`).
    pub(crate) fn describe(&self) -> String {
        match self {
            Self::Lead => "a lead".to_owned(),
            Self::Contact => "a contact".to_owned(),
            Self::Account => "an account".to_owned(),
            Self::Interaction(kind) => format!("an interaction of kind {kind}"),
            Self::Custom(name) => format!("a {name} record"),
        }
    }

    /// The fixed hops possible from this record.
    fn hops(&self) -> &'static [&'static str] {
        match self {
            Self::Lead => &["ParentContact", "ParentAccount"],
            Self::Contact => &["ParentAccount"],
            Self::Account => &[],
            Self::Interaction(_) => &["Contact", "Lead"],
            Self::Custom(_) => &["Lead"],
        }
    }

    /// Says which hops are possible from here.
    fn hops_text(&self, custom_allowed: bool) -> String {
        match self {
            Self::Lead if custom_allowed => {
                "from Lead: ParentContact, ParentAccount or a custom entity".to_owned()
            }
            Self::Lead => "from a lead reached by a hop: ParentContact or ParentAccount; \
                           a custom entity comes only right after the root Lead, as in Lead.Meeting"
                .to_owned(),
            Self::Contact => "from a contact: ParentAccount".to_owned(),
            Self::Account => "from an account no hop is possible".to_owned(),
            Self::Interaction(_) => "from an interaction: Contact or Lead".to_owned(),
            Self::Custom(_) => "from a custom record: Lead".to_owned(),
        }
    }
}

fn fixed_hop(name: &str) -> Option<Hop> {
    match name {
        "ParentContact" => Some(Hop::ParentContact),
        "ParentAccount" => Some(Hop::ParentAccount),
        "Contact" => Some(Hop::Contact),
        "Lead" => Some(Hop::Lead),
        _ => None,
    }
}

/// The hop the user most likely meant by `name` from `from`, if any: a
/// misspelling, or `Contact` for `ParentContact` and the like.
fn suggest_hop(from: &Entity, name: &str) -> Option<&'static str> {
    let allowed = from.hops();
    nearest(name, allowed.iter().copied()).or_else(|| {
        allowed
            .iter()
            .copied()
            .find(|hop| hop.ends_with(name) || name.ends_with(hop))
    })
}

/// One hop from `from`. `custom_allowed` is true only for the first hop after the
/// root `Lead`. `whole` is the full path, for the message.
pub(crate) fn step(
    from: &Entity,
    name: &str,
    custom_allowed: bool,
    whole: &str,
) -> Result<(Hop, Entity), PathProblem> {
    if let Some(hop) = fixed_hop(name)
        && from.hops().contains(&name)
    {
        let to = Entity::after(&hop);
        return Ok((hop, to));
    }
    let base = format!("`{}` has no hop `{name}` (in `{whole}`)", from.name());
    if let Some(hop) = suggest_hop(from, name) {
        return Err(PathProblem::new(format!(
            "{base}: did you mean {hop}? ({})",
            from.hops_text(custom_allowed)
        )));
    }
    let is_custom_candidate = *from == Entity::Lead && custom_allowed;
    if !is_custom_candidate || fixed_hop(name).is_some() {
        return Err(PathProblem::new(format!(
            "{base}; {}",
            from.hops_text(custom_allowed)
        )));
    }
    if STANDARD_KINDS.contains(&name) {
        return Err(PathProblem::new(format!(
            "`{name}` is an interaction kind, not a custom entity (in `{whole}`): \
             write it as the entity itself (entity: {name})"
        )));
    }
    let reserved = FIXED_HOPS.iter().chain(&ROOTS).chain(&STANDARD_KINDS);
    if let Some(near) = nearest(name, reserved.copied()) {
        return Err(PathProblem::new(format!(
            "`{name}` (in `{whole}`) reads like a misspelt `{near}`, not a custom entity; {}",
            from.hops_text(custom_allowed)
        )));
    }
    match EntityName::parse(name) {
        Ok(entity) => Ok((Hop::Custom(entity.clone()), Entity::Custom(entity))),
        Err(e) => Err(PathProblem::new(format!(
            "{e} (in `{whole}`); {}",
            from.hops_text(true)
        ))),
    }
}

fn segments<'a>(text: &'a str, what: &str) -> Result<Vec<&'a str>, PathProblem> {
    if text.is_empty() {
        return Err(PathProblem::new(format!("the {what} is empty")));
    }
    let parts: Vec<&str> = text.split('.').collect();
    if parts.iter().any(|p| p.is_empty()) {
        return Err(PathProblem::new(format!(
            "`{text}` has an empty step: names are separated by single dots"
        )));
    }
    Ok(parts)
}

fn too_many_hops(whole: &str, hops: usize) -> PathProblem {
    PathProblem::new(format!(
        "`{whole}` takes {hops} hops; at most {MAX_HOPS} are allowed"
    ))
}

fn parse_root(name: &str) -> Result<Root, PathProblem> {
    match name {
        "Lead" => return Ok(Root::Lead),
        "Contact" => return Ok(Root::Contact),
        "Account" => return Ok(Root::Account),
        _ => {}
    }
    if let Some(root) = ROOTS.iter().find(|r| r.eq_ignore_ascii_case(name)) {
        return Err(PathProblem::new(format!(
            "`{name}` has the wrong letter case: write {root}"
        )));
    }
    if name == "ParentContact" || name == "ParentAccount" {
        return Err(PathProblem::new(format!(
            "`{name}` is a hop, not where a path starts: write Lead.{name}"
        )));
    }
    match InteractionKind::parse(name) {
        Ok(kind) if kind.is_standard() => Ok(Root::Kind(kind)),
        Ok(kind) => {
            let known = ROOTS.iter().chain(STANDARD_KINDS.iter()).copied();
            match nearest(name, known) {
                Some(near) => Err(PathProblem::new(format!(
                    "unknown entity `{name}`: did you mean {near}? (any other PascalCase \
                     name is a custom interaction kind, but this one looks like a typo)"
                ))),
                None => Ok(Root::Kind(kind)),
            }
        }
        Err(e) => Err(PathProblem::new(format!(
            "{e}; an entity path starts at Lead, Contact, Account or an interaction kind"
        ))),
    }
}

/// Reads an entity path: `Lead`, `Contact`, `Account` or an interaction kind, then
/// up to [`MAX_HOPS`] hops, each allowed from the record reached before it.
pub(crate) fn parse_entity(text: &str) -> Result<EntityPath, PathProblem> {
    let text = text.trim();
    let parts = segments(text, "entity path")?;
    let root = parse_root(parts[0])?;
    if parts.len() - 1 > MAX_HOPS {
        return Err(too_many_hops(text, parts.len() - 1));
    }
    let mut at = Entity::of_root(&root);
    let mut hops = Vec::with_capacity(parts.len() - 1);
    for (i, name) in parts.iter().enumerate().skip(1) {
        let custom_allowed = i == 1 && root == Root::Lead;
        let (hop, to) = step(&at, name, custom_allowed, text)?;
        hops.push(hop);
        at = to;
    }
    Ok(EntityPath { root, hops })
}

fn is_field_name(name: &str) -> bool {
    !name.is_empty() && name.chars().all(|c| c.is_alphanumeric() || c == '_')
}

/// Reads a field path: zero or more hops, then a field name (letters, digits and
/// underscores). Which hops are possible depends on the condition's entity: see
/// [`field_entity`].
pub(crate) fn parse_field(text: &str) -> Result<FieldPath, PathProblem> {
    let text = text.trim();
    let parts = segments(text, "field name")?;
    let (name, hop_names) = match parts.split_last() {
        Some(split) => split,
        None => return Err(PathProblem::new("the field name is empty")),
    };
    if fixed_hop(name).is_some() {
        return Err(PathProblem::new(format!(
            "`{name}` is a hop, not a field: name a field after it ({name}.city)"
        )));
    }
    if !is_field_name(name) {
        return Err(PathProblem::new(format!(
            "`{name}` is not a field name: use letters, digits and underscores"
        )));
    }
    if hop_names.len() > MAX_HOPS {
        return Err(too_many_hops(text, hop_names.len()));
    }
    let mut hops = Vec::with_capacity(hop_names.len());
    for hop in hop_names {
        match fixed_hop(hop) {
            Some(h) => hops.push(h),
            None => {
                let hint = nearest(hop, FIXED_HOPS)
                    .or_else(|| FIXED_HOPS.iter().copied().find(|h| h.ends_with(hop)))
                    .map(|h| format!(": did you mean {h}?"))
                    .unwrap_or_default();
                return Err(PathProblem::new(format!(
                    "unknown hop `{hop}` in field `{text}`{hint}; a field's hops are {} \
                     (custom entities are reached by the condition's entity, as in Lead.Meeting)",
                    one_of(&FIXED_HOPS)
                )));
            }
        }
    }
    Ok(FieldPath {
        hops,
        name: (*name).to_owned(),
    })
}

/// The record a field is read on, after its hops from the condition's entity
/// (which took `entity_hops` hops itself; together at most [`MAX_HOPS`]).
pub(crate) fn field_entity(
    entity: &Entity,
    entity_hops: usize,
    field: &FieldPath,
) -> Result<Entity, PathProblem> {
    let whole = field.to_string();
    let mut at = entity.clone();
    for hop in &field.hops {
        let (_, to) = step(&at, hop.as_str(), false, &whole)?;
        at = to;
    }
    let total = entity_hops + field.hops.len();
    if total > MAX_HOPS {
        return Err(PathProblem::new(format!(
            "the entity path and `{whole}` together take {total} hops; at most {MAX_HOPS} are allowed"
        )));
    }
    Ok(at)
}

impl crate::model::Condition {
    /// The kind of record the condition's entity path ends at (an
    /// interaction for a path that is only an interaction kind).
    pub fn entity_record(&self) -> RecordType {
        Entity::of_path(&self.entity).record_type()
    }

    /// The kind of record a filter's field is read on, after the entity's
    /// hops and the field's own; `None` when the field's hops lead nowhere
    /// from the entity (which loading reports).
    pub fn field_record(&self, field: &FieldPath) -> Option<RecordType> {
        field_entity(
            &Entity::of_path(&self.entity),
            self.entity.hops.len(),
            field,
        )
        .ok()
        .map(|e| e.record_type())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entity(text: &str) -> Result<String, String> {
        parse_entity(text)
            .map(|p| p.to_string())
            .map_err(|e| e.to_string())
    }

    #[test]
    fn valid_entity_paths_round_trip() {
        for text in [
            "Lead",
            "Contact",
            "Account",
            "EmailClicked",
            "WebinarAttended",
            "Lead.ParentContact",
            "Lead.ParentAccount",
            "Contact.ParentAccount",
            "Lead.ParentContact.ParentAccount",
            "EmailClicked.Contact",
            "EmailClicked.Contact.ParentAccount",
            "FormSubmitted.Lead",
            "Lead.Meeting",
            "Lead.Meeting.Lead.ParentContact",
        ] {
            assert_eq!(entity(text), Ok(text.to_owned()));
        }
    }

    #[test]
    fn bad_entity_paths_say_why() {
        let cases = [
            ("Lead.ParentContct", "did you mean ParentContact?"),
            ("Lead.Parentcontact", "did you mean ParentContact?"),
            (
                "Account.ParentContact",
                "from an account no hop is possible",
            ),
            ("Lead.Contact", "did you mean ParentContact?"),
            ("Lead.Account", "did you mean ParentAccount?"),
            ("EmailClicked.ParentContact", "did you mean Contact?"),
            ("Contact.Meeting", "from a contact: ParentAccount"),
            (
                "Lead.Meeting.Lead.Meeting",
                "only right after the root Lead",
            ),
            ("Lead.EmailClicked", "is an interaction kind"),
            ("emailclicked", "write EmailClicked"),
            ("lead", "write Lead"),
            ("Leads", "did you mean Lead?"),
            ("ParentAccount", "write Lead.ParentAccount"),
            ("Lead..ParentAccount", "empty step"),
            ("", "empty"),
            ("Lead.meeting", "not PascalCase"),
        ];
        for (text, fragment) in cases {
            let got = entity(text);
            assert!(
                got.as_ref().is_err_and(|e| e.contains(fragment)),
                "{text}: {got:?}"
            );
        }
        let long = "Lead.ParentContact.ParentAccount".to_owned() + &".X".repeat(4);
        assert!(entity(&long).is_err_and(|e| e.contains("at most 5")));
    }

    #[test]
    fn field_hops_depend_on_the_entity() -> Result<(), PathProblem> {
        let f = parse_field("Contact.city")?;
        let kind = Entity::Interaction(InteractionKind::EmailClicked);
        assert_eq!(field_entity(&kind, 0, &f)?, Entity::Contact);
        assert!(field_entity(&Entity::Lead, 0, &f).is_err());
        let g = parse_field("Contact.ParentAccount.industry")?;
        assert_eq!(field_entity(&kind, 0, &g)?, Entity::Account);
        assert!(field_entity(&kind, 4, &g).is_err());
        assert_eq!(
            field_entity(&Entity::Lead, 0, &parse_field("ParentAccount.industry")?)?,
            Entity::Account
        );
        assert!(parse_field("ParentAccount").is_err());
        assert!(parse_field("Acount.industry").is_err());
        assert!(parse_field("city name").is_err());
        Ok(())
    }
}

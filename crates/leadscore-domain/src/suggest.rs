//! "Did you mean ...?": the nearest known name to a misspelt one. The one
//! implementation behind every did-you-mean of leadscore: rule models (field
//! paths, keys, operators), the console's value checks, DATA.md column names
//! and interaction kinds.
//!
//! ```
//! use leadscore_domain::suggest::{distance, nearest};
//!
//! assert_eq!(distance("EmailClikced", "EmailClicked"), 1);
//! assert_eq!(nearest("EmailClikced", ["EmailOpened", "EmailClicked"]), Some("EmailClicked"));
//! assert_eq!(nearest("WebinarWatched", ["EmailOpened", "EmailClicked"]), None);
//! ```

use crate::RecordType;

/// Edit distance with adjacent transpositions counted as one edit (optimal string
/// alignment), over characters.
pub fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let width = b.len() + 1;
    let mut rows = vec![0usize; (a.len() + 1) * width];
    for (j, cell) in rows.iter_mut().take(width).enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        rows[i * width] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (rows[(i - 1) * width + j] + 1)
                .min(rows[i * width + j - 1] + 1)
                .min(rows[(i - 1) * width + j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(rows[(i - 2) * width + j - 2] + 1);
            }
            rows[i * width + j] = best;
        }
    }
    rows[a.len() * width + b.len()]
}

/// How many edits away from `known` a name may be and still count as a misspelling
/// of it: none for very short names (`eq`, `min`), one up to seven characters, two
/// beyond.
pub fn tolerance(known: &str) -> usize {
    match known.chars().count() {
        0..=3 => 0,
        4..=7 => 1,
        _ => 2,
    }
}

/// The known name `name` is most likely a misspelling of: equal ignoring case, a
/// plural or singular of it, or within [`tolerance`] edits of it ([`distance`],
/// ignoring case). `None` when nothing is close or when `name` is itself known.
/// Of several close names, the first nearest one.
pub fn nearest<'a>(name: &str, known: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let lower = name.to_lowercase();
    let mut best: Option<(usize, &'a str)> = None;
    for candidate in known {
        if candidate == name {
            return None;
        }
        let known = candidate.to_lowercase();
        let plural =
            lower.strip_suffix('s') == Some(&known) || known.strip_suffix('s') == Some(&lower);
        let d = if known == lower {
            0
        } else if plural {
            1
        } else {
            distance(&lower, &known)
        };
        if (d <= tolerance(candidate) || plural) && best.is_none_or(|(b, _)| d < b) {
            best = Some((d, candidate));
        }
    }
    best.map(|(_, candidate)| candidate)
}

/// The standard column a non-standard column name is close to, if any: after
/// lower-casing and dropping every character that is not a letter or digit
/// (`Created At`, `createdat` and `closedAt` normalise to `createdat` and
/// `closedat`), and also after dropping a leading prefix naming the file's own
/// record (`Lead Status` in leads: `status`), the name equals a standard
/// column normalised the same way, or is within the edit tolerance of
/// [`nearest`] of one (`emial`: `email`). Custom entity files (`record_id`,
/// `lead_id`) have no such prefix.
pub fn near_column(record: &RecordType, name: &str) -> Option<&'static str> {
    let standard: Vec<(String, &'static str)> = record
        .required_columns()
        .iter()
        .chain(record.optional_columns())
        .map(|c| (normalise(c), *c))
        .collect();
    let whole = normalise(name);
    let prefix = match record {
        RecordType::Account => Some("account"),
        RecordType::Contact => Some("contact"),
        RecordType::Lead => Some("lead"),
        RecordType::Interaction => Some("interaction"),
        RecordType::Custom(_) => None,
    };
    let stripped = prefix
        .and_then(|p| whole.strip_prefix(p))
        .filter(|rest| !rest.is_empty());
    let forms: Vec<&str> = std::iter::once(whole.as_str())
        .chain(stripped)
        .filter(|form| !form.is_empty())
        .collect();
    if let Some((_, column)) = standard
        .iter()
        .find(|(normal, _)| forms.contains(&normal.as_str()))
    {
        return Some(column);
    }
    forms.iter().find_map(|form| {
        let near = nearest(form, standard.iter().map(|(normal, _)| normal.as_str()))?;
        standard
            .iter()
            .find(|(normal, _)| normal == near)
            .map(|(_, column)| *column)
    })
}

/// A name reduced to what tells it apart across ways of writing it: lower
/// case, letters and digits only (`Lead Status`, `lead_status` and
/// `LeadStatus` are all `leadstatus`).
pub fn normalise(name: &str) -> String {
    name.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::EntityName;

    #[test]
    fn distances() {
        assert_eq!(distance("ParentContct", "ParentContact"), 1);
        assert_eq!(distance("wehre", "where"), 1);
        assert_eq!(distance("Deal", "Lead"), 2);
        assert_eq!(distance("", "abc"), 3);
    }

    #[test]
    fn nearest_names() {
        let hops = ["ParentContact", "ParentAccount"];
        assert_eq!(nearest("Parentcontact", hops), Some("ParentContact"));
        assert_eq!(nearest("ParentAcount", hops), Some("ParentAccount"));
        assert_eq!(nearest("ParentContact", hops), None);
        assert_eq!(nearest("Meeting", hops), None);
        assert_eq!(nearest("Contacted", ["Contact"]), None);
        assert_eq!(nearest("Contacts", ["Contact"]), Some("Contact"));
        assert_eq!(nearest("Deal", ["Lead"]), None);
        assert_eq!(nearest("EQ", ["eq", "ne"]), Some("eq"));
        assert_eq!(nearest("or", ["eq", "ne"]), None);
        assert_eq!(nearest("caps", ["cap", "any"]), Some("cap"));
        assert_eq!(nearest("and", ["cap", "any"]), None);
    }

    #[test]
    fn near_misses_of_standard_columns() {
        let lead = RecordType::Lead;
        for (name, expected) in [
            ("Lead Status", "status"),
            ("lead_source", "source"),
            ("createdat", "created_at"),
            ("Created At", "created_at"),
            ("closedAt", "closed_at"),
            ("Lead ID", "lead_id"),
            ("LeadId", "lead_id"),
            ("stauts", "status"),
        ] {
            assert_eq!(near_column(&lead, name), Some(expected), "{name}");
        }
        assert_eq!(near_column(&RecordType::Contact, "emial"), Some("email"));
        assert_eq!(
            near_column(&RecordType::Account, "Account Name"),
            Some("name")
        );
        assert_eq!(
            near_column(&RecordType::Interaction, "Occurred At"),
            Some("occurred_at")
        );
        for fine in [
            "budget",
            "lead_score",
            "region",
            "utm_campaign",
            "#",
            "priority",
        ] {
            assert_eq!(near_column(&lead, fine), None, "{fine}");
        }
        for fine in ["url", "email_name", "event_name", "page"] {
            assert_eq!(near_column(&RecordType::Interaction, fine), None, "{fine}");
        }
        let custom = EntityName::parse("Opportunity").map(RecordType::Custom);
        assert_eq!(
            custom
                .as_ref()
                .ok()
                .and_then(|c| near_column(c, "Record ID")),
            Some("record_id")
        );
        assert_eq!(
            custom.as_ref().ok().and_then(|c| near_column(c, "amount")),
            None
        );
    }
}

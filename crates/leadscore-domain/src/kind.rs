use std::fmt;

use serde::{Deserialize, Serialize};

use crate::{Dataset, Declared, DomainError};

/// The type of an interaction: one of the six standard kinds or a custom one.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum InteractionKind {
    /// A marketing email was opened.
    EmailOpened,
    /// A link in a marketing email was clicked.
    EmailClicked,
    /// A web form was submitted.
    FormSubmitted,
    /// A page of the website was visited.
    WebsiteVisited,
    /// The contact registered for an event.
    EventRegistered,
    /// The contact attended an event.
    EventAttended,
    /// Any other PascalCase name.
    Custom(String),
}

/// The standard kinds, in their only accepted spelling.
pub const STANDARD_KINDS: [&str; 6] = [
    "EmailOpened",
    "EmailClicked",
    "FormSubmitted",
    "WebsiteVisited",
    "EventRegistered",
    "EventAttended",
];

/// True for a name that starts with an ASCII capital and holds only ASCII letters
/// and digits.
pub(crate) fn is_pascal_case(value: &str) -> bool {
    let mut chars = value.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_uppercase())
        && chars.all(|c| c.is_ascii_alphanumeric())
}

impl InteractionKind {
    /// Reads a kind. A standard kind must be spelled exactly (`EmailClicked`, not
    /// `emailclicked` or `Emailclicked`: the error names the right spelling); any
    /// other PascalCase name of at most 256 bytes is a custom kind.
    pub fn parse(value: &str) -> Result<Self, DomainError> {
        let kind = match value {
            "EmailOpened" => Self::EmailOpened,
            "EmailClicked" => Self::EmailClicked,
            "FormSubmitted" => Self::FormSubmitted,
            "WebsiteVisited" => Self::WebsiteVisited,
            "EventRegistered" => Self::EventRegistered,
            "EventAttended" => Self::EventAttended,
            other => {
                let folded: String = other
                    .chars()
                    .filter(|c| *c != '_' && *c != '-' && *c != ' ')
                    .collect();
                if let Some(expected) = STANDARD_KINDS
                    .iter()
                    .find(|k| k.eq_ignore_ascii_case(&folded))
                {
                    return Err(DomainError::KindCasing {
                        value: other.to_owned(),
                        expected,
                    });
                }
                // Stored in an index with the ids (PostgreSQL bounds an index
                // entry), so bounded as an id is.
                if other.len() > crate::ids::MAX_ID_LEN {
                    return Err(DomainError::IdTooLong {
                        what: "interaction kind",
                        len: other.len(),
                        max: crate::ids::MAX_ID_LEN,
                    });
                }
                if !is_pascal_case(other) {
                    return Err(DomainError::NotPascalCase {
                        what: "interaction kind",
                        value: other.to_owned(),
                    });
                }
                Self::Custom(other.to_owned())
            }
        };
        Ok(kind)
    }

    /// Reads the kind of a record coming in (a file's `kind` column, an
    /// ingested interaction): [`InteractionKind::parse`], and then a custom kind
    /// that is not declared (`records.custom_kinds`) but is close to a standard
    /// or declared kind ([`nearest`](crate::suggest::nearest): `EmailClikced`,
    /// `FormSubmited`, `WebsiteVisit`) is [`DomainError::KindNearMiss`]: a typo
    /// must not become a custom kind. A declared kind is accepted even when it
    /// is close to a standard one; an undeclared kind far from every kind
    /// (`WebinarWatched`) is a custom kind, as DATA.md says.
    ///
    /// ```
    /// use leadscore_domain::{Declared, InteractionKind};
    ///
    /// let none = Declared::default();
    /// let e = InteractionKind::parse_declared("EmailClikced", &none).map_err(|e| e.to_string());
    /// assert_eq!(e, Err("interaction kind \"EmailClikced\" is neither a standard nor a declared kind; \
    ///     did you mean EmailClicked? (declare it in records.custom_kinds to keep it as a custom kind)".to_owned()));
    /// assert!(InteractionKind::parse_declared("WebinarWatched", &none).is_ok());
    /// let declared = Declared::new(Vec::<String>::new(), ["EmailClikced"]);
    /// assert!(InteractionKind::parse_declared("EmailClikced", &declared).is_ok());
    /// # Ok::<(), leadscore_domain::DomainError>(())
    /// ```
    pub fn parse_declared(value: &str, declared: &Declared) -> Result<Self, DomainError> {
        let kind = Self::parse(value)?;
        if let Self::Custom(name) = &kind
            && !declared.is_kind(name)
        {
            let known = STANDARD_KINDS
                .iter()
                .copied()
                .chain(declared.kinds.iter().map(String::as_str));
            if let Some(near) = crate::suggest::nearest(name, known) {
                return Err(DomainError::KindNearMiss {
                    value: name.clone(),
                    nearest: near.to_owned(),
                });
            }
        }
        Ok(kind)
    }

    /// The kind's name as written in files and rules.
    pub fn as_str(&self) -> &str {
        match self {
            Self::EmailOpened => "EmailOpened",
            Self::EmailClicked => "EmailClicked",
            Self::FormSubmitted => "FormSubmitted",
            Self::WebsiteVisited => "WebsiteVisited",
            Self::EventRegistered => "EventRegistered",
            Self::EventAttended => "EventAttended",
            Self::Custom(name) => name,
        }
    }

    /// True for the six standard kinds.
    pub fn is_standard(&self) -> bool {
        !matches!(self, Self::Custom(_))
    }
}

impl fmt::Display for InteractionKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl TryFrom<String> for InteractionKind {
    type Error = DomainError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<InteractionKind> for String {
    fn from(value: InteractionKind) -> String {
        value.as_str().to_owned()
    }
}

/// An interaction of a [`Dataset`] whose kind is a near miss of a standard or
/// declared kind ([`InteractionKind::parse_declared`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NearMissKind {
    /// Its position in the dataset's interactions.
    pub index: usize,
    /// The error, [`DomainError::KindNearMiss`].
    pub error: DomainError,
}

impl NearMissKind {
    /// The column (and JSON field) holding the kind.
    pub const COLUMN: &'static str = "kind";
}

impl fmt::Display for NearMissKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.error.fmt(f)
    }
}

impl Dataset {
    /// The first interaction whose kind is a near miss of a standard or
    /// declared kind, if any (the check of
    /// [`InteractionKind::parse_declared`], for records already read).
    pub fn near_miss_kind(&self, declared: &Declared) -> Option<NearMissKind> {
        self.interactions.iter().enumerate().find_map(|(index, i)| {
            InteractionKind::parse_declared(i.kind.as_str(), declared)
                .err()
                .map(|error| NearMissKind { index, error })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_custom_kind_is_at_most_as_long_as_an_id() {
        let longest = format!("W{}", "a".repeat(crate::ids::MAX_ID_LEN - 1));
        assert!(InteractionKind::parse(&longest).is_ok());
        let too_long = format!("{longest}a");
        assert!(matches!(
            InteractionKind::parse(&too_long),
            Err(DomainError::IdTooLong { len: 257, .. })
        ));
    }

    #[test]
    fn standard_kinds_round_trip() {
        for name in STANDARD_KINDS {
            let kind = InteractionKind::parse(name);
            assert_eq!(kind.as_ref().map(|k| k.as_str()), Ok(name));
            assert!(kind.map(|k| k.is_standard()).unwrap_or(false));
        }
    }

    #[test]
    fn wrong_casing_of_a_standard_kind_names_the_right_one() {
        for bad in [
            "emailclicked",
            "Emailclicked",
            "EMAILCLICKED",
            "email_clicked",
        ] {
            assert_eq!(
                InteractionKind::parse(bad),
                Err(DomainError::KindCasing {
                    value: bad.to_owned(),
                    expected: "EmailClicked"
                })
            );
        }
    }

    #[test]
    fn near_misses_of_standard_and_declared_kinds_are_refused() {
        let none = Declared::default();
        for (bad, expected) in [
            ("EmailClikced", "EmailClicked"),
            ("FormSubmited", "FormSubmitted"),
            ("WebsiteVisit", "WebsiteVisited"),
            ("EventAttend", "EventAttended"),
        ] {
            assert_eq!(
                InteractionKind::parse_declared(bad, &none),
                Err(DomainError::KindNearMiss {
                    value: bad.to_owned(),
                    nearest: expected.to_owned()
                })
            );
        }
        assert!(matches!(
            InteractionKind::parse_declared("Emailclicked", &none),
            Err(DomainError::KindCasing { .. })
        ));
        for fine in [
            "EmailClicked",
            "WebinarWatched",
            "PartnerReferral",
            "DemoBooked",
        ] {
            assert!(
                InteractionKind::parse_declared(fine, &none).is_ok(),
                "{fine}"
            );
        }
        let declared = Declared::new(Vec::<String>::new(), ["WebsiteVisit", "WebinarWatched"]);
        assert_eq!(
            InteractionKind::parse_declared("WebsiteVisit", &declared),
            Ok(InteractionKind::Custom("WebsiteVisit".to_owned()))
        );
        assert_eq!(
            InteractionKind::parse_declared("WebinarWached", &declared),
            Err(DomainError::KindNearMiss {
                value: "WebinarWached".to_owned(),
                nearest: "WebinarWatched".to_owned()
            })
        );
    }

    #[test]
    fn custom_kinds_must_be_pascal_case() {
        assert_eq!(
            InteractionKind::parse("WebinarAttended"),
            Ok(InteractionKind::Custom("WebinarAttended".to_owned()))
        );
        for bad in [
            "webinarAttended",
            "Webinar Attended",
            "",
            "Webinar_Attended",
        ] {
            assert!(matches!(
                InteractionKind::parse(bad),
                Err(DomainError::NotPascalCase { .. })
            ));
        }
    }
}

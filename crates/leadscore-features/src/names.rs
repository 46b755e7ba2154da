//! The names of the derived feature columns of a DATA.md folder: the one
//! spelling, used by every reader (polars and the live scoring features) and
//! every place that reads a column name back.
//!
//! - per interaction kind `K`: `K.7d`, `K.30d`, `K.90d`, `K.365d` (the
//!   interactions in each [`Window`]) and `K.days_since_last`;
//! - per custom entity `E`: `E.count`.

/// The suffix of a kind's days-since-last column.
const DAYS_SINCE_LAST: &str = "days_since_last";
/// The suffix of a custom entity's count column.
const COUNT: &str = "count";

/// A counting window of the behaviour columns: the interactions of a kind in
/// the last N days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Window {
    /// The last 7 days (`K.7d`).
    Days7,
    /// The last 30 days (`K.30d`).
    Days30,
    /// The last 90 days (`K.90d`).
    Days90,
    /// The last 365 days (`K.365d`).
    Days365,
}

impl Window {
    /// Every window, shortest first: the order of a kind's columns.
    pub const ALL: [Self; 4] = [Self::Days7, Self::Days30, Self::Days90, Self::Days365];

    /// The window's length in days.
    pub const fn days(self) -> i64 {
        match self {
            Self::Days7 => 7,
            Self::Days30 => 30,
            Self::Days90 => 90,
            Self::Days365 => 365,
        }
    }

    /// The window's column suffix.
    const fn suffix(self) -> &'static str {
        match self {
            Self::Days7 => "7d",
            Self::Days30 => "30d",
            Self::Days90 => "90d",
            Self::Days365 => "365d",
        }
    }
}

/// The column counting the interactions of `kind` in `window`: `K.30d`.
pub fn behaviour_column(kind: &str, window: Window) -> String {
    format!("{kind}.{}", window.suffix())
}

/// The column of the days since the latest interaction of `kind`:
/// `K.days_since_last`.
pub fn days_since_last_column(kind: &str) -> String {
    format!("{kind}.{DAYS_SINCE_LAST}")
}

/// The columns of one interaction kind, in output order: the windows
/// (shortest first), then the days since the last.
pub fn kind_columns(kind: &str) -> Vec<String> {
    let mut names: Vec<String> = Window::ALL
        .iter()
        .map(|&w| behaviour_column(kind, w))
        .collect();
    names.push(days_since_last_column(kind));
    names
}

/// The column counting the records of the custom entity `entity`: `E.count`.
pub fn count_column(entity: &str) -> String {
    format!("{entity}.{COUNT}")
}

/// The kind of a [`behaviour_column`] name, with its window: `("K",
/// Window::Days30)` for `K.30d`. The kind is not checked to be a valid kind
/// name.
pub fn kind_of_behaviour(name: &str) -> Option<(&str, Window)> {
    let (kind, suffix) = name.rsplit_once('.')?;
    let window = Window::ALL.into_iter().find(|w| w.suffix() == suffix)?;
    Some((kind, window))
}

/// The kind of a [`days_since_last_column`] name: `K` for
/// `K.days_since_last`. The kind is not checked to be a valid kind name.
pub fn kind_of_days_since_last(name: &str) -> Option<&str> {
    name.strip_suffix(DAYS_SINCE_LAST)?.strip_suffix('.')
}

/// The entity of a [`count_column`] name: `E` for `E.count`. The entity is
/// not checked to be a valid entity name.
pub fn entity_of_count(name: &str) -> Option<&str> {
    name.strip_suffix(COUNT)?.strip_suffix('.')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builders_and_parsers_round_trip() {
        for kind in ["EmailClicked", "PricingPageViewed", "A"] {
            for window in Window::ALL {
                let name = behaviour_column(kind, window);
                assert_eq!(kind_of_behaviour(&name), Some((kind, window)));
                assert_eq!(kind_of_days_since_last(&name), None);
                assert_eq!(entity_of_count(&name), None);
            }
            let name = days_since_last_column(kind);
            assert_eq!(kind_of_days_since_last(&name), Some(kind));
            assert_eq!(kind_of_behaviour(&name), None);
            let name = count_column(kind);
            assert_eq!(entity_of_count(&name), Some(kind));
            assert_eq!(kind_of_days_since_last(&name), None);
            assert_eq!(kind_of_behaviour(&name), None);
        }
    }

    #[test]
    fn the_spelling_is_the_documented_one() {
        assert_eq!(
            kind_columns("EmailClicked"),
            [
                "EmailClicked.7d",
                "EmailClicked.30d",
                "EmailClicked.90d",
                "EmailClicked.365d",
                "EmailClicked.days_since_last",
            ]
        );
        assert_eq!(count_column("Meeting"), "Meeting.count");
        assert_eq!(Window::ALL.map(Window::days), [7, 30, 90, 365]);
    }

    #[test]
    fn other_names_are_not_parsed() {
        for name in [
            "days_since_last",
            "Xdays_since_last",
            "count",
            "account.employees",
            "K.45d",
            "K.30d.x",
            "30d",
        ] {
            assert_eq!(kind_of_days_since_last(name), None, "{name}");
            assert_eq!(kind_of_behaviour(name), None, "{name}");
            assert_eq!(entity_of_count(name), None, "{name}");
        }
    }
}

//! Reading an export's dates and numbers as the mapping says they are written,
//! and writing them as DATA.md wants them (RFC 3339 in UTC; `1234.5`).

use chrono::{DateTime, LocalResult, NaiveDate, NaiveDateTime, SecondsFormat, TimeZone, Utc};
use chrono_tz::Tz;

use crate::spec::{DateOrder, DatesSpec, NumbersSpec};

/// Times with an offset, read as they are.
const ZONED: [&str; 3] = [
    "%Y-%m-%dT%H:%M:%S%.f%z",
    "%Y-%m-%d %H:%M:%S%.f%z",
    "%Y-%m-%d %H:%M:%S%.f %z",
];
/// Times without an offset, read in the mapping's time zone.
const LOCAL: [&str; 4] = [
    "%Y-%m-%dT%H:%M:%S%.f",
    "%Y-%m-%d %H:%M:%S%.f",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d %H:%M",
];
/// The times of a date written with slashes, dots or dashes, after the date.
const CLOCKS: [&str; 5] = ["%H:%M:%S%.f", "%H:%M", "%I:%M:%S %p", "%I:%M %p", "%I:%M%p"];

/// How the export writes its dates and times.
#[derive(Debug, Clone)]
pub(crate) struct Dates {
    order: Option<DateOrder>,
    formats: Vec<String>,
    zone: Tz,
    zone_name: String,
}

impl Dates {
    /// Checks the time zone and the formats.
    pub fn new(spec: &DatesSpec) -> Result<Self, String> {
        let zone_name = spec.time_zone.clone().unwrap_or_else(|| "UTC".to_owned());
        let zone: Tz = zone_name.parse().map_err(|_| {
            format!("unknown time zone {zone_name:?} (an IANA name such as Europe/Berlin, America/New_York or UTC)")
        })?;
        for f in &spec.formats {
            if chrono::format::StrftimeItems::new(f).parse().is_err() {
                return Err(format!(
                    "{f:?} is not a strftime format (such as %d.%m.%Y %H:%M)"
                ));
            }
        }
        Ok(Self {
            order: spec.order,
            formats: spec.formats.clone(),
            zone,
            zone_name,
        })
    }

    /// The time `text` stands for, as RFC 3339 in UTC (`2026-11-02T08:15:00Z`),
    /// or why it is not a time.
    pub fn read(&self, text: &str) -> Result<String, String> {
        let text = text.trim();
        let time = self.parse(text)?;
        Ok(time.to_rfc3339_opts(SecondsFormat::AutoSi, true))
    }

    fn parse(&self, text: &str) -> Result<DateTime<Utc>, String> {
        if let Ok(t) = DateTime::parse_from_rfc3339(text) {
            return Ok(t.with_timezone(&Utc));
        }
        for f in ZONED {
            if let Ok(t) = DateTime::parse_from_str(text, f) {
                return Ok(t.with_timezone(&Utc));
            }
        }
        for f in LOCAL {
            if let Ok(t) = NaiveDateTime::parse_from_str(text, f) {
                return self.local(t, text);
            }
        }
        if let Ok(d) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
            return self.local(d.and_time(chrono::NaiveTime::MIN), text);
        }
        for f in &self.formats {
            if let Some(t) = self.with_format(text, f)? {
                return Ok(t);
            }
        }
        if looks_numeric_date(text) {
            let Some(order) = self.order else {
                return Err(format!(
                    "{text:?}: is the first number the day or the month? state dates.order in the mapping (day-first or month-first)"
                ));
            };
            let dates: &[&str] = match order {
                DateOrder::DayFirst => {
                    &["%d/%m/%Y", "%d.%m.%Y", "%d-%m-%Y", "%d/%m/%y", "%d.%m.%y"]
                }
                DateOrder::MonthFirst => &["%m/%d/%Y", "%m-%d-%Y", "%m/%d/%y"],
            };
            for date in dates {
                if let Some(t) = self.with_format(text, date)? {
                    return Ok(t);
                }
                for clock in CLOCKS {
                    if let Some(t) = self.with_format(text, &format!("{date} {clock}"))? {
                        return Ok(t);
                    }
                }
            }
            let order = match order {
                DateOrder::DayFirst => "day first",
                DateOrder::MonthFirst => "month first",
            };
            return Err(format!(
                "{text:?} is not a date written {order} (the mapping's dates.order)"
            ));
        }
        Err(format!(
            "{text:?} is not a date or time the mapping reads (RFC 3339, 2026-11-02 09:15, or one of dates.formats)"
        ))
    }

    /// `text` read with one format: as a zoned time, a local time or a date.
    fn with_format(&self, text: &str, format: &str) -> Result<Option<DateTime<Utc>>, String> {
        if let Ok(t) = DateTime::parse_from_str(text, format) {
            return Ok(Some(t.with_timezone(&Utc)));
        }
        if let Ok(t) = NaiveDateTime::parse_from_str(text, format) {
            return self.local(t, text).map(Some);
        }
        if let Ok(d) = NaiveDate::parse_from_str(text, format) {
            return self
                .local(d.and_time(chrono::NaiveTime::MIN), text)
                .map(Some);
        }
        Ok(None)
    }

    /// A local time in the mapping's zone; the earlier of two when the clocks
    /// went back, an error for a time the clocks skipped.
    fn local(&self, t: NaiveDateTime, text: &str) -> Result<DateTime<Utc>, String> {
        match self.zone.from_local_datetime(&t) {
            LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => Ok(t.with_timezone(&Utc)),
            LocalResult::None => Err(format!(
                "{text:?} did not happen in {} (the clocks skipped it)",
                self.zone_name
            )),
        }
    }
}

/// `11/05/2026`, `5.11.2026 09:15`: a date of numbers with slashes or dots, or
/// dashes with the year last.
fn looks_numeric_date(text: &str) -> bool {
    let date = text.split_whitespace().next().unwrap_or("");
    let parts: Vec<&str> = date.split(['/', '.', '-']).collect();
    parts.len() == 3
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
        && parts[0].len() <= 2
}

/// How the export writes numbers.
#[derive(Debug, Clone)]
pub(crate) struct Numbers {
    decimal: char,
    thousands: Option<char>,
}

impl Numbers {
    /// Checks the separators.
    pub fn new(spec: &NumbersSpec) -> Result<Self, String> {
        if !matches!(spec.decimal, '.' | ',') {
            return Err(format!(
                "decimal must be \".\" or \",\", not {:?}",
                spec.decimal
            ));
        }
        if spec.thousands == Some(spec.decimal) {
            return Err("the thousands separator cannot be the decimal one".into());
        }
        if let Some(t) = spec.thousands
            && !matches!(t, ',' | '.' | ' ' | '\'' | '\u{a0}' | '\u{202f}')
        {
            return Err(format!(
                "thousands must be one of , . ' or a space, not {t:?}"
            ));
        }
        Ok(Self {
            decimal: spec.decimal,
            thousands: spec.thousands,
        })
    }

    /// The number `text` stands for, written with a `.` decimal point and no
    /// separators; or why it is not one.
    pub fn read(&self, text: &str) -> Result<String, String> {
        let mut plain = String::with_capacity(text.len());
        for c in text.trim().chars() {
            if Some(c) == self.thousands || (self.thousands == Some(' ') && c.is_whitespace()) {
                continue;
            }
            plain.push(if c == self.decimal { '.' } else { c });
        }
        match plain.parse::<f64>() {
            Ok(n) if n.is_finite() => Ok(plain),
            _ => {
                let hint = match (self.decimal, text.contains(','), text.contains('.')) {
                    ('.', true, _) => {
                        " (set numbers.decimal: \",\" for decimal commas, or numbers.thousands: \",\")"
                    }
                    (',', _, true) => " (set numbers.decimal: \".\", or numbers.thousands: \".\")",
                    _ => "",
                };
                Err(format!("{text:?} is not a number{hint}"))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dates(order: Option<DateOrder>, zone: Option<&str>) -> Dates {
        let spec = DatesSpec {
            order,
            formats: Vec::new(),
            time_zone: zone.map(str::to_owned),
        };
        Dates::new(&spec).unwrap_or_else(|e| unreachable!("{e}"))
    }

    #[test]
    fn reads_the_usual_ways_of_writing_a_time() {
        let utc = dates(Some(DateOrder::MonthFirst), None);
        for (text, want) in [
            ("2026-11-02 09:15", "2026-11-02T09:15:00Z"),
            ("2026-11-02T09:15:00.000Z", "2026-11-02T09:15:00Z"),
            ("2026-11-02T09:15:00.000+0100", "2026-11-02T08:15:00Z"),
            ("2026-11-02", "2026-11-02T00:00:00Z"),
            ("11/05/2026", "2026-11-05T00:00:00Z"),
            ("11/05/2026 9:15 PM", "2026-11-05T21:15:00Z"),
        ] {
            assert_eq!(utc.read(text).as_deref(), Ok(want), "{text}");
        }
        let berlin = dates(Some(DateOrder::DayFirst), Some("Europe/Berlin"));
        assert_eq!(
            berlin.read("05.11.2026 10:15").as_deref(),
            Ok("2026-11-05T09:15:00Z")
        );
        assert_eq!(
            berlin.read("11/05/2026").as_deref(),
            Ok("2026-05-10T22:00:00Z")
        );
    }

    #[test]
    fn an_order_is_needed_for_slashed_dates() {
        let err = dates(None, None).read("11/05/2026").err();
        assert!(err.is_some_and(|e| e.contains("state dates.order")));
    }

    #[test]
    fn reads_decimal_commas() {
        let spec = NumbersSpec {
            decimal: ',',
            thousands: Some('.'),
        };
        let n = Numbers::new(&spec).unwrap_or_else(|e| unreachable!("{e}"));
        assert_eq!(n.read("1.200,50").as_deref(), Ok("1200.50"));
        let plain = Numbers::new(&NumbersSpec::default()).unwrap_or_else(|e| unreachable!("{e}"));
        assert!(
            plain
                .read("1.200,50")
                .is_err_and(|e| e.contains("decimal commas"))
        );
    }
}

//! Fast CSV cell writing: ids, integers, RFC 3339 timestamps and RFC 4180 quoted
//! text, appended to a byte buffer.

/// Appends CSV cells to a buffer, one row at a time.
pub(crate) struct Row<'a> {
    out: &'a mut Vec<u8>,
    first: bool,
}

impl<'a> Row<'a> {
    /// Starts a row.
    pub(crate) fn new(out: &'a mut Vec<u8>) -> Self {
        Self { out, first: true }
    }

    fn sep(&mut self) -> &mut Vec<u8> {
        if !self.first {
            self.out.push(b',');
        }
        self.first = false;
        self.out
    }

    /// An empty (absent) cell.
    pub(crate) fn empty(&mut self) -> &mut Self {
        self.sep();
        self
    }

    /// A text cell, quoted when it holds a comma, a quote or a line break.
    pub(crate) fn text(&mut self, value: &str) -> &mut Self {
        let out = self.sep();
        write_text(out, value);
        self
    }

    /// A text cell, or an empty one.
    pub(crate) fn opt_text(&mut self, value: Option<&str>) -> &mut Self {
        match value {
            Some(v) => self.text(v),
            None => self.empty(),
        }
    }

    /// A cell whose bytes are written by `f` and need no quoting.
    pub(crate) fn raw(&mut self, f: impl FnOnce(&mut Vec<u8>)) -> &mut Self {
        f(self.sep());
        self
    }

    /// A cell built as text by `f`, then quoted as needed.
    pub(crate) fn built(&mut self, scratch: &mut String, f: impl FnOnce(&mut String)) -> &mut Self {
        scratch.clear();
        f(scratch);
        let out = self.sep();
        write_text(out, scratch);
        self
    }

    /// A zero-padded id like `A000042`.
    pub(crate) fn id(&mut self, prefix: u8, number: u64, width: usize) -> &mut Self {
        let out = self.sep();
        write_id(out, prefix, number, width);
        self
    }

    /// An id, or an empty cell.
    pub(crate) fn opt_id(&mut self, prefix: u8, number: Option<u64>, width: usize) -> &mut Self {
        match number {
            Some(n) => self.id(prefix, n, width),
            None => self.empty(),
        }
    }

    /// An unsigned integer.
    pub(crate) fn int(&mut self, value: u64) -> &mut Self {
        let out = self.sep();
        write_u64(out, value, 1);
        self
    }

    /// An integer, or an empty cell.
    pub(crate) fn opt_int(&mut self, value: Option<u64>) -> &mut Self {
        match value {
            Some(v) => self.int(v),
            None => self.empty(),
        }
    }

    /// A timestamp (seconds since the epoch) as `2026-03-01T14:05:00Z`.
    pub(crate) fn time(&mut self, seconds: i64) -> &mut Self {
        let out = self.sep();
        write_timestamp(out, seconds);
        self
    }

    /// A timestamp, or an empty cell.
    pub(crate) fn opt_time(&mut self, seconds: Option<i64>) -> &mut Self {
        match seconds {
            Some(s) => self.time(s),
            None => self.empty(),
        }
    }

    /// Ends the row.
    pub(crate) fn end(&mut self) {
        self.out.push(b'\n');
    }
}

/// Writes `value` as one CSV field (RFC 4180).
pub(crate) fn write_text(out: &mut Vec<u8>, value: &str) {
    let needs_quotes = value
        .bytes()
        .any(|b| matches!(b, b',' | b'"' | b'\n' | b'\r'));
    if !needs_quotes {
        out.extend_from_slice(value.as_bytes());
        return;
    }
    out.push(b'"');
    for b in value.bytes() {
        if b == b'"' {
            out.push(b'"');
        }
        out.push(b);
    }
    out.push(b'"');
}

/// Writes `value` in decimal, zero-padded to at least `width` digits.
pub(crate) fn write_u64(out: &mut Vec<u8>, mut value: u64, width: usize) {
    let mut digits = [0u8; 20];
    let mut len = 0;
    loop {
        digits[len] = b'0' + (value % 10) as u8;
        len += 1;
        value /= 10;
        if value == 0 {
            break;
        }
    }
    for _ in len..width {
        out.push(b'0');
    }
    out.extend(digits[..len].iter().rev());
}

/// Writes an id: a letter and a zero-padded number.
pub(crate) fn write_id(out: &mut Vec<u8>, prefix: u8, number: u64, width: usize) {
    out.push(prefix);
    write_u64(out, number, width);
}

/// The number of decimal digits of `n` (at least 1).
pub(crate) fn digits(n: u64) -> usize {
    let mut d = 1;
    let mut n = n / 10;
    while n > 0 {
        d += 1;
        n /= 10;
    }
    d
}

/// The proleptic Gregorian date of a day number (days since 1970-01-01).
pub(crate) fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    // month is in 1..=12 and day in 1..=31 by construction.
    (year, month as u32, day as u32)
}

fn two(out: &mut Vec<u8>, v: u32) {
    out.push(b'0' + (v / 10 % 10) as u8);
    out.push(b'0' + (v % 10) as u8);
}

fn year(out: &mut Vec<u8>, y: i64) {
    write_u64(out, y.clamp(0, 9999).unsigned_abs(), 4);
}

/// Writes `YYYY-MM-DD` of the day holding `seconds`.
pub(crate) fn write_date(out: &mut Vec<u8>, seconds: i64) {
    let (y, m, d) = civil_from_days(seconds.div_euclid(86_400));
    year(out, y);
    out.push(b'-');
    two(out, m);
    out.push(b'-');
    two(out, d);
}

/// Writes `YYYY-MM` of the month holding `seconds`.
pub(crate) fn write_month(out: &mut Vec<u8>, seconds: i64) {
    let (y, m, _) = civil_from_days(seconds.div_euclid(86_400));
    year(out, y);
    out.push(b'-');
    two(out, m);
}

/// Writes RFC 3339 UTC with whole seconds: `2026-03-01T14:05:00Z`.
pub(crate) fn write_timestamp(out: &mut Vec<u8>, seconds: i64) {
    write_date(out, seconds);
    // In 0..86_400, so it fits a u32.
    let secs = seconds.rem_euclid(86_400) as u32;
    out.push(b'T');
    two(out, secs / 3600);
    out.push(b':');
    two(out, secs / 60 % 60);
    out.push(b':');
    two(out, secs % 60);
    out.push(b'Z');
}

#[cfg(test)]
mod tests {
    use super::*;
    use leadscore_domain::Timestamp;

    #[test]
    fn timestamps_match_the_domain_format() -> Result<(), Box<dyn std::error::Error>> {
        let mut s: i64 = -2_000_000_000;
        while s < 4_000_000_000 {
            let mut out = Vec::new();
            write_timestamp(&mut out, s);
            let expected = Timestamp::from_micros(s * 1_000_000)
                .ok_or("out of range")?
                .to_string();
            assert_eq!(String::from_utf8(out)?, expected);
            s += 7_777_777;
        }
        Ok(())
    }

    #[test]
    fn quotes_only_when_needed() {
        let mut out = Vec::new();
        Row::new(&mut out)
            .text("Smith, Jones & Co")
            .text("plain")
            .text("say \"hi\"")
            .empty()
            .id(b'A', 42, 6)
            .int(0)
            .end();
        assert_eq!(
            String::from_utf8_lossy(&out),
            "\"Smith, Jones & Co\",plain,\"say \"\"hi\"\"\",,A000042,0\n"
        );
    }

    #[test]
    fn digits_and_padding() {
        assert_eq!(digits(0), 1);
        assert_eq!(digits(9), 1);
        assert_eq!(digits(10), 2);
        assert_eq!(digits(1_000_000), 7);
        let mut out = Vec::new();
        write_u64(&mut out, 1_234_567, 3);
        assert_eq!(out, b"1234567");
    }
}

//! Time: units, office hours, and the vendor's shared marketing calendar (weekly
//! email campaigns, webinars and in-person events), the same in every chunk
//! because it is a pure function of the seed.

use crate::format::{write_date, write_month, write_text};
use crate::sample::{self, Rng};
use crate::vocab::{CAMPAIGNS, EVENT_CITIES, EVENT_SERIES, WEBINARS};

pub(crate) const MINUTE: i64 = 60;
pub(crate) const HOUR: i64 = 3_600;
pub(crate) const DAY: i64 = 86_400;
pub(crate) const WEEK: i64 = 7 * DAY;
/// Days between two calendar events.
const EVENT_EVERY: i64 = 4 * DAY;
/// How far back the calendar starts before the as-of time.
pub(crate) const CALENDAR_SPAN: i64 = 3 * 365 * DAY + 30 * DAY;

/// Day of the week, Monday = 0.
pub(crate) fn weekday(seconds: i64) -> i64 {
    (seconds.div_euclid(DAY) + 3).rem_euclid(7)
}

/// Moves a time into office hours on a working day, most of the time: what
/// people do at work happens mostly on weekdays, mostly 8:00 to 18:00. Keeps the
/// day unless it is a weekend, which moves back to the Friday before.
pub(crate) fn office_hours(rng: &mut Rng, t: i64) -> i64 {
    let mut day = t.div_euclid(DAY);
    let wd = (day + 3).rem_euclid(7);
    if wd >= 5 && sample::chance(rng, 0.75) {
        day -= wd - 4;
    }
    let seconds_of_day = if sample::chance(rng, 0.85) {
        let h = 13.0 + 2.6 * sample::normal(rng);
        (h.clamp(6.0, 22.5) * HOUR as f64) as i64
    } else {
        sample::index(rng, DAY as usize) as i64
    };
    day * DAY + seconds_of_day
}

/// Whether a calendar event is a webinar (else an in-person event).
pub(crate) fn is_webinar(k: i64) -> bool {
    k.rem_euclid(4) != 1
}

/// The marketing calendar of one run.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Calendar {
    seed: u64,
    /// A Monday, 00:00 UTC, before the earliest activity.
    start: i64,
}

impl Calendar {
    /// The calendar of a run with this seed and as-of time.
    pub(crate) fn new(seed: u64, as_of: i64) -> Self {
        let mut start = (as_of - CALENDAR_SPAN).div_euclid(DAY) * DAY;
        start -= weekday(start) * DAY;
        Self { seed, start }
    }

    fn hash(&self, what: u64, k: i64) -> u64 {
        sample::hash(self.seed, what, k as u64)
    }

    /// When the campaign of week `w` was sent: Tuesday to Thursday morning.
    pub(crate) fn send_time(&self, w: i64) -> i64 {
        let h = self.hash(1, w);
        let day = 1 + (h % 3) as i64;
        let minute = ((h >> 8) % 180) as i64;
        self.start + w * WEEK + day * DAY + 8 * HOUR + minute * MINUTE
    }

    /// The last campaign sent at or before `t` (the first one if none was).
    pub(crate) fn campaign_before(&self, t: i64) -> i64 {
        let w = (t - self.start).div_euclid(WEEK).max(0);
        if self.send_time(w) > t && w > 0 {
            w - 1
        } else {
            w
        }
    }

    /// Writes the campaign's email name, e.g. `Release Notes (2026-03)`.
    pub(crate) fn write_campaign(&self, out: &mut Vec<u8>, w: i64) {
        let name = CAMPAIGNS[(self.hash(2, w) % CAMPAIGNS.len() as u64) as usize];
        let mut text = Vec::with_capacity(64);
        text.extend_from_slice(name.as_bytes());
        text.extend_from_slice(b" (");
        write_month(&mut text, self.send_time(w));
        text.push(b')');
        write_text(out, &String::from_utf8_lossy(&text));
    }

    /// When calendar event `k` takes place: webinars in the afternoon, events
    /// in the morning, never at a weekend.
    pub(crate) fn event_time(&self, k: i64) -> i64 {
        let mut day = self.start + k * EVENT_EVERY;
        let wd = weekday(day);
        if wd >= 5 {
            day += (7 - wd) * DAY;
        }
        let hour = if is_webinar(k) { 15 } else { 9 };
        day + hour * HOUR + ((self.hash(3, k) % 4) as i64) * 30 * MINUTE
    }

    /// The first event of the wanted kind at or after `t`.
    pub(crate) fn event_after(&self, t: i64, webinar: bool) -> i64 {
        let mut k = (t - self.start).div_euclid(EVENT_EVERY).max(0);
        while self.event_time(k) < t || is_webinar(k) != webinar {
            k += 1;
        }
        k
    }

    /// The last event of the wanted kind at or before `t`, if any.
    pub(crate) fn event_before(&self, t: i64, webinar: bool) -> Option<i64> {
        let mut k = (t - self.start).div_euclid(EVENT_EVERY) + 1;
        while k >= 0 {
            if is_webinar(k) == webinar && self.event_time(k) <= t {
                return Some(k);
            }
            k -= 1;
        }
        None
    }

    /// Writes the event's name, e.g. `Webinar: Data Governance in Practice
    /// (2026-04-14)` or `Data Leaders Summit London (2026-05-12)`.
    pub(crate) fn write_event(&self, out: &mut Vec<u8>, k: i64) {
        let h = self.hash(4, k);
        let mut text = Vec::with_capacity(80);
        if is_webinar(k) {
            text.extend_from_slice(b"Webinar: ");
            text.extend_from_slice(WEBINARS[(h % WEBINARS.len() as u64) as usize].as_bytes());
        } else {
            let series = EVENT_SERIES[(h % EVENT_SERIES.len() as u64) as usize];
            let city = EVENT_CITIES[((h >> 16) % EVENT_CITIES.len() as u64) as usize];
            text.extend_from_slice(series.as_bytes());
            text.push(b' ');
            text.extend_from_slice(city.as_bytes());
        }
        text.extend_from_slice(b" (");
        write_date(&mut text, self.event_time(k));
        text.push(b')');
        write_text(out, &String::from_utf8_lossy(&text));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn campaigns_and_events_are_found_on_the_right_side() {
        let as_of = 1_790_812_800; // 2026-10-01
        let cal = Calendar::new(5, as_of);
        for t in (as_of - 700 * DAY..as_of).step_by(37_123) {
            let w = cal.campaign_before(t);
            assert!(cal.send_time(w) <= t && cal.send_time(w + 1) > t);
            let k = cal.event_after(t, true);
            assert!(cal.event_time(k) >= t && is_webinar(k));
            if let Some(k) = cal.event_before(t, false) {
                assert!(cal.event_time(k) <= t && !is_webinar(k));
            }
            assert!(weekday(cal.event_time(k)) < 5);
        }
        let mut name = Vec::new();
        cal.write_event(&mut name, 1);
        assert!(!name.is_empty());
    }
}

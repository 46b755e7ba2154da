//! Scales: from data values to positions on the page, and "nice" tick values.

/// A linear map from a data interval to a pixel interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Linear {
    d0: f64,
    d1: f64,
    r0: f64,
    r1: f64,
}

impl Linear {
    /// Maps `domain` onto `range`. An empty or not-finite domain becomes
    /// `[0, 1]` (or `[d, d + 1]` for a single value `d`), so that mapping never
    /// divides by zero.
    pub(crate) fn new(domain: (f64, f64), range: (f64, f64)) -> Linear {
        let (mut d0, mut d1) = domain;
        if !d0.is_finite() || !d1.is_finite() {
            (d0, d1) = (0.0, 1.0);
        } else if d1 <= d0 {
            d1 = d0 + 1.0;
        }
        Linear {
            d0,
            d1,
            r0: finite_or_zero(range.0),
            r1: finite_or_zero(range.1),
        }
    }

    /// The position of `value`, clamped to the range; the range's start for a
    /// value that is not finite.
    pub(crate) fn at(&self, value: f64) -> f64 {
        if !value.is_finite() {
            return self.r0;
        }
        let t = ((value - self.d0) / (self.d1 - self.d0)).clamp(0.0, 1.0);
        self.r0 + t * (self.r1 - self.r0)
    }

    /// The data interval.
    pub(crate) fn domain(&self) -> (f64, f64) {
        (self.d0, self.d1)
    }
}

/// Evenly spaced slots for `n` categories across a pixel interval, each with a
/// bar of `1 - padding` of the slot's width centred in it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Band {
    start: f64,
    slot: f64,
    padding: f64,
}

impl Band {
    /// `n` slots across `range`; `padding` (0 to 1) is the share of each slot
    /// left empty around its bar.
    pub(crate) fn new(n: usize, range: (f64, f64), padding: f64) -> Band {
        let width = finite_or_zero(range.1 - range.0);
        Band {
            start: finite_or_zero(range.0),
            slot: width / n.max(1) as f64,
            padding: padding.clamp(0.0, 0.9),
        }
    }

    /// Where the bar of slot `i` begins.
    pub(crate) fn bar_start(&self, i: usize) -> f64 {
        self.start + self.slot * i as f64 + self.slot * self.padding / 2.0
    }

    /// The width of each bar.
    pub(crate) fn bar_width(&self) -> f64 {
        self.slot * (1.0 - self.padding)
    }

    /// The middle of slot `i`.
    pub(crate) fn centre(&self, i: usize) -> f64 {
        self.start + self.slot * (i as f64 + 0.5)
    }
}

/// Tick values at a round step (1, 2 or 5 times a power of ten) covering
/// `[low, high]` with about `target` intervals. Empty for a bad interval.
pub(crate) fn ticks(low: f64, high: f64, target: usize) -> Vec<f64> {
    if !low.is_finite() || !high.is_finite() || high <= low {
        return Vec::new();
    }
    let step = round_step((high - low) / target.max(1) as f64);
    if !(step.is_finite() && step > 0.0) {
        return Vec::new();
    }
    let first = (low / step).ceil() as i64;
    let last = (high / step + 1e-9).floor() as i64;
    // A round step gives at most about 2.5 × target ticks; the cap is a guard.
    (first..=last)
        .take(100)
        .map(|i| clean(i as f64 * step))
        .collect()
}

/// The smallest round number (a multiple of a round step) at or above
/// `value`, for the top of an axis; 1 for a value that is not positive.
pub(crate) fn round_up(value: f64) -> f64 {
    if !(value.is_finite() && value > 0.0) {
        return 1.0;
    }
    let step = round_step(value / 5.0);
    clean((value / step - 1e-9).ceil() * step)
}

/// 1, 2 or 5 times a power of ten, at or above `raw`.
fn round_step(raw: f64) -> f64 {
    let power = 10f64.powf(raw.log10().floor());
    // The tolerance keeps 0.2 / 0.1 = 2.0000000000000004 a 2.
    let fraction = raw / power - 1e-9;
    let nice = if fraction <= 1.0 {
        1.0
    } else if fraction <= 2.0 {
        2.0
    } else if fraction <= 5.0 {
        5.0
    } else {
        10.0
    };
    nice * power
}

/// Removes floating-point noise such as 0.30000000000000004.
fn clean(value: f64) -> f64 {
    (value * 1e9).round() / 1e9
}

fn finite_or_zero(value: f64) -> f64 {
    if value.is_finite() { value } else { 0.0 }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_and_clamps() {
        let s = Linear::new((0.0, 1.0), (100.0, 300.0));
        assert_eq!(s.at(0.5), 200.0);
        assert_eq!(s.at(2.0), 300.0);
        assert_eq!(s.at(f64::NAN), 100.0);
        let flat = Linear::new((3.0, 3.0), (0.0, 10.0));
        assert!(flat.at(3.0).is_finite());
    }

    #[test]
    fn round_ticks() {
        assert_eq!(ticks(0.0, 1.0, 5), [0.0, 0.2, 0.4, 0.6, 0.8, 1.0]);
        assert_eq!(ticks(0.0, 0.3, 3), [0.0, 0.1, 0.2, 0.3]);
        assert!(ticks(1.0, 1.0, 5).is_empty());
        assert!(ticks(0.0, f64::INFINITY, 5).is_empty());
        assert_eq!(round_up(0.27), 0.3);
        assert_eq!(round_up(2.3), 2.5);
        assert_eq!(round_up(0.0), 1.0);
    }

    #[test]
    fn bands_split_the_range() {
        let b = Band::new(4, (0.0, 400.0), 0.2);
        assert_eq!(b.centre(0), 50.0);
        assert_eq!(b.bar_start(1), 110.0);
        assert_eq!(b.bar_width(), 80.0);
    }
}

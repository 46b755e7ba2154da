//! Seeded randomness: per-chunk generators, stateless hashes for shared
//! calendars, and the few distributions the world model draws from.

use rand::{Rng as _, SeedableRng as _};
use rand_pcg::Pcg64Mcg;

/// The generator every chunk draws from.
pub(crate) type Rng = Pcg64Mcg;

/// SplitMix64's finalizer: a cheap, well-mixing bijection on `u64`.
pub(crate) fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

/// A hash of the run's seed and a few integers, for draws that must be the same
/// in every chunk (the email and event calendars).
pub(crate) fn hash(seed: u64, a: u64, b: u64) -> u64 {
    mix(mix(mix(seed) ^ a) ^ b.wrapping_mul(0xD6E8_FEB8_6659_FD93))
}

/// The generator of one chunk: a function of the seed and the chunk index only,
/// never of time or of the thread that runs it.
pub(crate) fn chunk_rng(seed: u64, chunk: u64) -> Rng {
    Rng::seed_from_u64(hash(seed, chunk, 0x6C65_6164))
}

/// Uniform in `[0, 1)`.
pub(crate) fn unit(rng: &mut Rng) -> f64 {
    rng.random::<f64>()
}

/// True with probability `p`.
pub(crate) fn chance(rng: &mut Rng, p: f64) -> bool {
    unit(rng) < p
}

/// A uniform index below `len` (0 when `len` is 0).
pub(crate) fn index(rng: &mut Rng, len: usize) -> usize {
    if len <= 1 {
        return 0;
    }
    // Truncation is the point: the product lies in [0, len).
    let i = (unit(rng) * len as f64) as usize;
    i.min(len - 1)
}

/// An index drawn with probability proportional to `weights`.
pub(crate) fn weighted(rng: &mut Rng, weights: &[f64]) -> usize {
    let total: f64 = weights.iter().sum();
    let mut target = unit(rng) * total;
    for (i, w) in weights.iter().enumerate() {
        if target < *w {
            return i;
        }
        target -= w;
    }
    weights.len().saturating_sub(1)
}

/// Standard normal (Box-Muller, one value per call).
pub(crate) fn normal(rng: &mut Rng) -> f64 {
    let u1 = 1.0 - unit(rng); // (0, 1]
    let u2 = unit(rng);
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

/// Exponential with the given mean.
pub(crate) fn exponential(rng: &mut Rng, mean: f64) -> f64 {
    -(1.0 - unit(rng)).ln() * mean
}

/// Log-normal with the given median and log-scale spread.
pub(crate) fn log_normal(rng: &mut Rng, median: f64, sigma: f64) -> f64 {
    median * (sigma * normal(rng)).exp()
}

/// Poisson with mean `lambda` (exact below 30, normal approximation above).
pub(crate) fn poisson(rng: &mut Rng, lambda: f64) -> u32 {
    if lambda <= 0.0 {
        return 0;
    }
    if lambda > 30.0 {
        let x = lambda + lambda.sqrt() * normal(rng);
        return x.round().max(0.0) as u32;
    }
    let limit = (-lambda).exp();
    let mut product = unit(rng);
    let mut count = 0;
    while product > limit {
        count += 1;
        product *= unit(rng);
    }
    count
}

/// The logistic function.
pub(crate) fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

/// Shuffles a slice in place (Fisher-Yates).
pub(crate) fn shuffle<T>(rng: &mut Rng, items: &mut [T]) {
    for i in (1..items.len()).rev() {
        let j = index(rng, i + 1);
        items.swap(i, j);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_have_the_intended_means() {
        let mut rng = chunk_rng(7, 0);
        let n = 20_000;
        let mean = |f: &mut dyn FnMut(&mut Rng) -> f64, rng: &mut Rng| {
            (0..n).map(|_| f(rng)).sum::<f64>() / f64::from(n)
        };
        assert!(mean(&mut |r| normal(r), &mut rng).abs() < 0.05);
        assert!((mean(&mut |r| exponential(r, 3.0), &mut rng) - 3.0).abs() < 0.15);
        assert!((mean(&mut |r| f64::from(poisson(r, 4.0)), &mut rng) - 4.0).abs() < 0.15);
        assert!((mean(&mut |r| f64::from(poisson(r, 50.0)), &mut rng) - 50.0).abs() < 0.5);
        let w = mean(&mut |r| weighted(r, &[1.0, 3.0]) as f64, &mut rng);
        assert!((w - 0.75).abs() < 0.03);
    }

    #[test]
    fn chunk_generators_differ_by_seed_and_chunk() {
        let a = unit(&mut chunk_rng(1, 0));
        assert_ne!(a.to_bits(), unit(&mut chunk_rng(2, 0)).to_bits());
        assert_ne!(a.to_bits(), unit(&mut chunk_rng(1, 1)).to_bits());
        assert_eq!(a.to_bits(), unit(&mut chunk_rng(1, 0)).to_bits());
    }
}

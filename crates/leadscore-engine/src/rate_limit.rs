//! The per-key rate limit ([`KeyRateLimit`]): a token bucket per API key
//! (GCRA, by the `governor` crate), refilled at
//! `limits.requests_per_second_per_key` and holding at most
//! `limits.burst_per_key`, so that one key (a runaway sync, a leaked key)
//! cannot take the store from the others. Each instance counts its own
//! requests: with several instances behind a balancer a key gets up to the
//! limit on each. Only authenticated keys get a bucket, so the map holds at
//! most one entry per stored key.

use std::num::NonZeroU32;
use std::time::Duration;

use governor::clock::Clock;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::settings::Limits;

/// The per-key rate limit (see the [module documentation](self)).
#[derive(Debug)]
pub struct KeyRateLimit {
    limiter: Option<DefaultKeyedRateLimiter<String>>,
}

impl KeyRateLimit {
    /// The limit the settings give (none when
    /// `limits.requests_per_second_per_key` is 0).
    pub fn new(limits: &Limits) -> Self {
        let limiter = NonZeroU32::new(limits.requests_per_second_per_key).map(|rate| {
            let burst = NonZeroU32::new(limits.burst_per_key).unwrap_or(rate);
            RateLimiter::keyed(Quota::per_second(rate).allow_burst(burst))
        });
        Self { limiter }
    }

    /// Takes one request from `key_id`'s bucket: `Err` with how long to
    /// wait when it is empty.
    pub fn check(&self, key_id: &str) -> Result<(), Duration> {
        let Some(limiter) = &self.limiter else {
            return Ok(());
        };
        // The bucket is looked up by the key id; a `String` is made only for
        // a key's first request (`governor` keys its map by owned values).
        let key = key_id.to_owned();
        limiter
            .check_key(&key)
            .map_err(|not_until| not_until.wait_time_from(limiter.clock().now()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(rate: u32, burst: u32) -> Limits {
        Limits {
            requests_per_second_per_key: rate,
            burst_per_key: burst,
            ..Limits::default()
        }
    }

    #[test]
    fn a_key_gets_its_burst_then_waits_and_other_keys_are_not_touched() {
        let limit = KeyRateLimit::new(&limits(1, 3));
        for _ in 0..3 {
            assert_eq!(limit.check("lsk_a"), Ok(()));
        }
        let wait = limit.check("lsk_a").err();
        assert!(
            wait.is_some_and(|w| w > Duration::ZERO && w <= Duration::from_secs(1)),
            "{wait:?}"
        );
        assert_eq!(limit.check("lsk_b"), Ok(()));
    }

    #[test]
    fn zero_turns_the_limit_off() {
        let limit = KeyRateLimit::new(&limits(0, 0));
        for _ in 0..10_000 {
            assert_eq!(limit.check("lsk_a"), Ok(()));
        }
    }
}

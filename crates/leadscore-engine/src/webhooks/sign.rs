//! Webhook signatures: `v1=` and the hex HMAC-SHA256 of `"{timestamp}." + body`
//! under the endpoint's secret, and the headers every delivery carries.
//!
//! See the [module documentation](super) for a receiver's guide.

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The version prefix of a signature.
pub const SIGNATURE_PREFIX: &str = "v1=";

/// Header naming the event type (`lead.sales_ready`, `lead.grade_changed`).
pub const HEADER_EVENT: &str = "X-Leadscore-Event";

/// Header holding the event id: the same on every retry of one event to one
/// endpoint, so receivers dedupe on it (the idempotency key).
pub const HEADER_DELIVERY: &str = "X-Leadscore-Delivery";

/// Header holding the time of this attempt, in whole seconds since the Unix
/// epoch; it is part of the signed text.
pub const HEADER_TIMESTAMP: &str = "X-Leadscore-Timestamp";

/// Header holding [`sign`]'s result.
pub const HEADER_SIGNATURE: &str = "X-Leadscore-Signature";

type HmacSha256 = Hmac<Sha256>;

/// The MAC over `"{timestamp_secs}." + body`, keyed with the secret's UTF-8
/// bytes. `None` never happens in practice: HMAC takes keys of any length.
fn mac(secret: &str, timestamp_secs: i64, body: &[u8]) -> Option<HmacSha256> {
    let mut mac = HmacSha256::new_from_slice(secret.as_bytes()).ok()?;
    mac.update(timestamp_secs.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    Some(mac)
}

/// The signature of one delivery attempt: `"v1="` followed by the lowercase hex
/// HMAC-SHA256, keyed with `secret` (its UTF-8 bytes), of the decimal
/// `timestamp_secs`, a dot, and the exact body bytes.
///
/// ```
/// use leadscore_engine::webhooks::sign::sign;
///
/// let signature = sign("key", 0, b"");
/// assert_eq!(
///     signature,
///     "v1=85841b4efc3cd7776c3c8f9b7cca9e281c550e5d19889d78e9e669c6337f000d"
/// );
/// ```
pub fn sign(secret: &str, timestamp_secs: i64, body: &[u8]) -> String {
    match mac(secret, timestamp_secs, body) {
        Some(mac) => format!(
            "{SIGNATURE_PREFIX}{}",
            hex::encode(mac.finalize().into_bytes())
        ),
        // Unreachable (HMAC accepts any key length); a bare prefix matches no
        // signature, so a receiver would reject it rather than trust it.
        None => SIGNATURE_PREFIX.to_owned(),
    }
}

/// Whether `header` (an `X-Leadscore-Signature` value) holds the signature of
/// `body` sent at `timestamp_secs` under `secret`: the header lists one
/// signature, or two separated by a comma while a secret rotation overlaps
/// (the new secret's first), and one of them must match. The comparison runs
/// in constant time (hmac's `verify_slice`); a signature without the `v1=`
/// prefix or with bad hex matches nothing.
///
/// This does not check how old the timestamp is: receivers should also reject
/// timestamps far from their clock (say more than 5 minutes), which is safe
/// because every retry is signed afresh with its own time.
pub fn verify(secret: &str, timestamp_secs: i64, body: &[u8], header: &str) -> bool {
    header.split(',').any(|one| {
        let Some(hex_digest) = one.trim().strip_prefix(SIGNATURE_PREFIX) else {
            return false;
        };
        let Ok(expected) = hex::decode(hex_digest) else {
            return false;
        };
        match mac(secret, timestamp_secs, body) {
            Some(mac) => mac.verify_slice(&expected).is_ok(),
            None => false,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "whsec_0123456789abcdef";
    const BODY: &[u8] = br#"{"event":"lead.sales_ready","lead_id":"L-1"}"#;
    const TIMESTAMP: i64 = 1_767_225_600;
    /// Computed independently with Python:
    /// `"v1=" + hmac.new(SECRET, b"1767225600." + BODY, hashlib.sha256).hexdigest()`.
    const EXPECTED: &str = "v1=3ed3c6675dfde71eef9d606e4064ded2cb53f5f5b9b51ae75503a2cd62b84366";

    #[test]
    fn matches_an_independently_computed_vector() {
        assert_eq!(sign(SECRET, TIMESTAMP, BODY), EXPECTED);
        assert_eq!(
            sign("key", 0, b""),
            "v1=85841b4efc3cd7776c3c8f9b7cca9e281c550e5d19889d78e9e669c6337f000d"
        );
    }

    #[test]
    fn verifies_its_own_signatures() {
        assert!(verify(SECRET, TIMESTAMP, BODY, EXPECTED));
        assert!(verify(
            SECRET,
            TIMESTAMP,
            BODY,
            &sign(SECRET, TIMESTAMP, BODY)
        ));
        // Uppercase hex and surrounding whitespace are tolerated.
        let upper = format!("v1={}", EXPECTED.trim_start_matches("v1=").to_uppercase());
        assert!(verify(SECRET, TIMESTAMP, BODY, &format!(" {upper} ")));
        // During a rotation the header lists two: either secret verifies.
        let both = format!(
            "{}, {EXPECTED}",
            sign("the-new-secret-0000", TIMESTAMP, BODY)
        );
        assert!(verify(SECRET, TIMESTAMP, BODY, &both));
        assert!(verify("the-new-secret-0000", TIMESTAMP, BODY, &both));
        assert!(!verify("a-third-secret-00000", TIMESTAMP, BODY, &both));
    }

    #[test]
    fn rejects_tampering() {
        let tampered = br#"{"event":"lead.sales_ready","lead_id":"L-2"}"#;
        assert!(!verify(SECRET, TIMESTAMP, tampered, EXPECTED));
        assert!(!verify(SECRET, TIMESTAMP + 1, BODY, EXPECTED));
        assert!(!verify("whsec_another_secret!", TIMESTAMP, BODY, EXPECTED));
    }

    #[test]
    fn rejects_malformed_headers() {
        let bare = EXPECTED.trim_start_matches("v1=");
        for header in [
            "",
            "v1=",
            bare,
            &format!("v2={bare}"),
            &format!("v1={}", &bare[..62]),
            &format!("v1={bare}00"),
            "v1=zz",
        ] {
            assert!(!verify(SECRET, TIMESTAMP, BODY, header), "{header:?}");
        }
    }
}

//! The requests Crisp's Hugo signs (`crisp_api::signed_request`), checked against test
//! vectors computed outside Rust: `tests/vectors/hugo_mcp_request_signing.json`, written by
//! `tests/vectors/hugo_mcp_request_signing.py` with Python's `hmac` and `hashlib`.

use base64::Engine as _;
use crisp_api::signed_request::{sign, SignedRequestError, Verifier};
use serde::Deserialize;
use std::time::{Duration, UNIX_EPOCH};

#[derive(Deserialize)]
struct Vector {
    what: String,
    secret: String,
    timestamp: String,
    website_id: String,
    body_base64: String,
    signature: String,
}

fn vectors() -> Vec<Vector> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../vectors/hugo_mcp_request_signing.json"
    );
    let text = std::fs::read_to_string(path).expect("the vectors file");
    let vectors: Vec<Vector> = serde_json::from_str(&text).expect("the vectors' JSON");
    assert!(vectors.len() >= 6, "{} vectors", vectors.len());
    vectors
}

#[test]
fn the_signer_matches_pythons_hmac() {
    for v in vectors() {
        let body = base64::engine::general_purpose::STANDARD
            .decode(&v.body_base64)
            .unwrap();
        assert_eq!(
            sign(&v.secret, &v.timestamp, &v.website_id, &body),
            v.signature,
            "{}",
            v.what
        );
    }
}

#[test]
fn the_verifier_accepts_each_vector_and_refuses_any_change() {
    for v in vectors() {
        let body = base64::engine::general_purpose::STANDARD
            .decode(&v.body_base64)
            .unwrap();
        let seconds: u64 = v.timestamp.parse().unwrap();
        let verifier =
            Verifier::new(&v.secret).clock(move || UNIX_EPOCH + Duration::from_secs(seconds + 120));
        let check = |website: &str, timestamp: &str, signature: &str, body: &[u8]| {
            verifier.verify(Some(website), Some(timestamp), Some(signature), body)
        };
        assert_eq!(
            check(&v.website_id, &v.timestamp, &v.signature, &body),
            Ok(()),
            "{}",
            v.what
        );

        // Every part the signature covers, changed: refused.
        let mismatch = Err(SignedRequestError::SignatureMismatch);
        let mut other_body = body.clone();
        other_body.push(b' ');
        assert_eq!(
            check(&v.website_id, &v.timestamp, &v.signature, &other_body),
            mismatch
        );
        assert_eq!(
            check("another-website", &v.timestamp, &v.signature, &body),
            mismatch
        );
        let later = (seconds + 1).to_string();
        assert_eq!(check(&v.website_id, &later, &v.signature, &body), mismatch);
        let mut flipped = v.signature.clone().into_bytes();
        let last = flipped.len() - 1;
        flipped[last] = if flipped[last] == b'0' { b'1' } else { b'0' };
        let flipped = String::from_utf8(flipped).unwrap();
        assert_eq!(
            check(&v.website_id, &v.timestamp, &flipped, &body),
            mismatch
        );
        let wrong_secret = Verifier::new(format!("{}x", v.secret))
            .clock(move || UNIX_EPOCH + Duration::from_secs(seconds));
        assert_eq!(
            wrong_secret.verify(
                Some(&v.website_id),
                Some(&v.timestamp),
                Some(&v.signature),
                &body
            ),
            mismatch
        );

        // The same request, replayed after the 300 s window: refused as stale.
        let replay =
            Verifier::new(&v.secret).clock(move || UNIX_EPOCH + Duration::from_secs(seconds + 301));
        assert!(matches!(
            replay.verify(
                Some(&v.website_id),
                Some(&v.timestamp),
                Some(&v.signature),
                &body
            ),
            Err(SignedRequestError::Stale { .. })
        ));
    }
}

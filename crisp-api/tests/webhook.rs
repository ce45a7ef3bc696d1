//! Plugin web hook verification and event decoding (`crisp_api::webhook`).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crisp_api::events::Event as EventKind;
use crisp_api::types::{ConversationState, MessageContent, MessageFrom, MessageOrigin};
use crisp_api::webhook::{
    sign, Event, Verifier, WebhookError, DEFAULT_TOLERANCE, SIGNATURE_HEADER, TIMESTAMP_HEADER,
};
use http::{HeaderMap, HeaderName, HeaderValue, StatusCode};

const SECRET: &str = "9b1f6a2e4c8d40f7a3e5c1d9b7f2e6a4";
const TIMESTAMP: &str = "1700000000000";
const TIMESTAMP_MS: u64 = 1_700_000_000_000;
const WEBSITE: &str = "8c842203-7ed8-4e29-a608-7cf78a7d2fcc";
const SESSION: &str = "session_700c65e1-85e2-465a-b9ac-ecb5ec2c9881";

/// A `message:send` web hook body, byte for byte as signed below.
const BODY: &str = r#"{"website_id":"8c842203-7ed8-4e29-a608-7cf78a7d2fcc","event":"message:send","data":{"website_id":"8c842203-7ed8-4e29-a608-7cf78a7d2fcc","session_id":"session_700c65e1-85e2-465a-b9ac-ecb5ec2c9881","type":"text","content":"Hello, is anyone there?","from":"user","origin":"chat","stamped":true,"timestamp":1699999999871,"fingerprint":169999999987123,"user":{"nickname":"visitor493603","user_id":"session_700c65e1-85e2-465a-b9ac-ecb5ec2c9881"}},"timestamp":1699999999871}"#;

/// Known-answer signature of `BODY` at `TIMESTAMP` with `SECRET`, computed independently of
/// this crate, at development time, with Python's standard library:
///
/// ```text
/// python3 -c 'import hmac,hashlib; print(hmac.new(SECRET, b"[" + TIMESTAMP + b";" + BODY + b"]", hashlib.sha256).hexdigest())'
/// ```
const EXPECTED: &str = "da853fcb8ba9257f18707177c1ab5a1f6289eb77ca7740759b2f0096dbb20885";

/// Same, for secret `secret`, timestamp `1` and body `{}`:
/// `hmac.new(b"secret", b"[1;{}]", hashlib.sha256).hexdigest()`.
const EXPECTED_SMALL: &str = "87deb6c6cfffca37174b9859b837429107d85ec3d2c09923ac520e417db93873";

fn at(ms: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_millis(ms)
}

/// A verifier for `SECRET` whose clock is `offset_ms` after `TIMESTAMP`.
fn verifier_at(offset_ms: i64) -> Verifier {
    let now = TIMESTAMP_MS.checked_add_signed(offset_ms).unwrap();
    Verifier::new(SECRET).clock(move || at(now))
}

fn headers(timestamp: &str, signature: &str) -> HeaderMap {
    let mut map = HeaderMap::new();
    map.insert(TIMESTAMP_HEADER, HeaderValue::from_str(timestamp).unwrap());
    map.insert(SIGNATURE_HEADER, HeaderValue::from_str(signature).unwrap());
    map
}

fn decode(event: &str, data: &str) -> EventKind {
    let body = format!(
        r#"{{"website_id":"{WEBSITE}","event":"{event}","data":{data},"timestamp":1700000000123}}"#
    );
    let event = Event::from_slice(body.as_bytes()).unwrap();
    assert_eq!(event.website_id, WEBSITE);
    assert_eq!(event.timestamp, Some(1_700_000_000_123));
    event.kind
}

// --- signature -------------------------------------------------------------------------

#[test]
fn sign_matches_the_independent_known_answer() {
    assert_eq!(sign(SECRET, TIMESTAMP, BODY.as_bytes()), EXPECTED);
    assert_eq!(sign(SECRET, TIMESTAMP_MS, BODY.as_bytes()), EXPECTED);
    assert_eq!(
        sign(SECRET.as_bytes(), TIMESTAMP, BODY.as_bytes()),
        EXPECTED
    );
    assert_eq!(sign("secret", 1, b"{}"), EXPECTED_SMALL);
}

#[test]
fn known_answer_verifies() {
    let verifier = verifier_at(1_000);
    verifier
        .verify(Some(TIMESTAMP), Some(EXPECTED), BODY.as_bytes())
        .unwrap();
    verifier
        .verify_headers(&headers(TIMESTAMP, EXPECTED), BODY.as_bytes())
        .unwrap();
}

#[test]
fn uppercase_hex_is_accepted() {
    verifier_at(0)
        .verify(
            Some(TIMESTAMP),
            Some(&EXPECTED.to_ascii_uppercase()),
            BODY.as_bytes(),
        )
        .unwrap();
}

#[test]
fn tampered_body_is_rejected() {
    let verifier = verifier_at(0);
    let tampered = BODY.replace("Hello", "Hellp");
    assert_eq!(tampered.len(), BODY.len());
    for body in [
        tampered.as_bytes(),
        format!("{BODY} ").as_bytes(),
        &BODY.as_bytes()[..BODY.len() - 1],
        b"",
    ] {
        let err = verifier
            .verify(Some(TIMESTAMP), Some(EXPECTED), body)
            .unwrap_err();
        assert!(matches!(err, WebhookError::SignatureMismatch), "{err:?}");
    }
}

#[test]
fn tampered_timestamp_is_rejected() {
    // The timestamp is part of what is signed: moving it, even within the tolerance, or
    // re-spelling the same instant in seconds, breaks the signature.
    let verifier = verifier_at(0);
    for timestamp in ["1700000000001", "1700000000", "01700000000000"] {
        let err = verifier
            .verify(Some(timestamp), Some(EXPECTED), BODY.as_bytes())
            .unwrap_err();
        assert!(
            matches!(err, WebhookError::SignatureMismatch),
            "{timestamp}: {err:?}"
        );
    }
}

#[test]
fn wrong_secret_is_rejected() {
    let verifier = Verifier::new("9b1f6a2e4c8d40f7a3e5c1d9b7f2e6a5").clock(|| at(TIMESTAMP_MS));
    let err = verifier
        .verify(Some(TIMESTAMP), Some(EXPECTED), BODY.as_bytes())
        .unwrap_err();
    assert!(matches!(err, WebhookError::SignatureMismatch));

    // And a signature made with another secret does not pass the right verifier.
    let forged = sign("attacker", TIMESTAMP, BODY.as_bytes());
    let err = verifier_at(0)
        .verify(Some(TIMESTAMP), Some(&forged), BODY.as_bytes())
        .unwrap_err();
    assert!(matches!(err, WebhookError::SignatureMismatch));
}

#[test]
fn signature_of_the_wrong_length_is_a_mismatch() {
    let verifier = verifier_at(0);
    for signature in [&EXPECTED[..62], &EXPECTED[2..], "", "00"] {
        let err = verifier
            .verify(Some(TIMESTAMP), Some(signature), BODY.as_bytes())
            .unwrap_err();
        assert!(
            matches!(err, WebhookError::SignatureMismatch),
            "{signature:?}: {err:?}"
        );
    }
    let longer = format!("{EXPECTED}00");
    let err = verifier
        .verify(Some(TIMESTAMP), Some(&longer), BODY.as_bytes())
        .unwrap_err();
    assert!(matches!(err, WebhookError::SignatureMismatch));
}

#[test]
fn bad_hex_has_its_own_error() {
    let verifier = verifier_at(0);
    let not_hex = EXPECTED.replace('a', "g");
    let odd = &EXPECTED[..63];
    for signature in [not_hex.as_str(), odd, "sha256=abcd", "zz"] {
        let err = verifier
            .verify(Some(TIMESTAMP), Some(signature), BODY.as_bytes())
            .unwrap_err();
        assert!(
            matches!(err, WebhookError::InvalidHex),
            "{signature:?}: {err:?}"
        );
    }
}

// --- headers ---------------------------------------------------------------------------

#[test]
fn missing_headers_are_named() {
    let verifier = verifier_at(0);
    let body = BODY.as_bytes();

    let err = verifier.verify(None, Some(EXPECTED), body).unwrap_err();
    assert!(
        matches!(err, WebhookError::MissingHeader(TIMESTAMP_HEADER)),
        "{err:?}"
    );
    let err = verifier.verify(Some(TIMESTAMP), None, body).unwrap_err();
    assert!(
        matches!(err, WebhookError::MissingHeader(SIGNATURE_HEADER)),
        "{err:?}"
    );
    let err = verifier.verify(None, None, body).unwrap_err();
    assert!(matches!(err, WebhookError::MissingHeader(_)));

    let err = verifier
        .verify_headers(&HeaderMap::new(), body)
        .unwrap_err();
    assert!(matches!(err, WebhookError::MissingHeader(_)));

    let mut only_timestamp = HeaderMap::new();
    only_timestamp.insert(TIMESTAMP_HEADER, HeaderValue::from_static(TIMESTAMP));
    let err = verifier.verify_headers(&only_timestamp, body).unwrap_err();
    assert!(
        matches!(err, WebhookError::MissingHeader(SIGNATURE_HEADER)),
        "{err:?}"
    );
    assert!(err.to_string().contains(SIGNATURE_HEADER));

    let mut only_signature = HeaderMap::new();
    only_signature.insert(SIGNATURE_HEADER, HeaderValue::from_static(EXPECTED));
    let err = verifier.verify_headers(&only_signature, body).unwrap_err();
    assert!(
        matches!(err, WebhookError::MissingHeader(TIMESTAMP_HEADER)),
        "{err:?}"
    );
}

#[test]
fn header_names_are_case_insensitive() {
    let mut map = HeaderMap::new();
    map.insert(
        HeaderName::from_bytes(b"X-Crisp-Request-Timestamp").unwrap(),
        HeaderValue::from_static(TIMESTAMP),
    );
    map.insert(
        HeaderName::from_bytes(b"X-Crisp-Signature").unwrap(),
        HeaderValue::from_static(EXPECTED),
    );
    verifier_at(0)
        .verify_headers(&map, BODY.as_bytes())
        .unwrap();
}

#[test]
fn malformed_timestamps_are_rejected() {
    let verifier = verifier_at(0);
    for timestamp in [
        "",
        "abc",
        "-1700000000000",
        "+1700000000000",
        "1.7e12",
        "1700000000000.0",
        " 1700000000000",
        "1700000000000 ",
        "0x18bcfe56800",
        "99999999999999999999999",
    ] {
        // Correctly signed over the malformed value, so only the format can fail.
        let signature = sign(SECRET, timestamp, BODY.as_bytes());
        let err = verifier
            .verify(Some(timestamp), Some(&signature), BODY.as_bytes())
            .unwrap_err();
        assert!(
            matches!(err, WebhookError::InvalidTimestamp),
            "{timestamp:?}: {err:?}"
        );
    }
}

#[test]
fn non_ascii_header_values_are_malformed() {
    let verifier = verifier_at(0);
    let mut map = headers(TIMESTAMP, EXPECTED);
    map.insert(
        TIMESTAMP_HEADER,
        HeaderValue::from_bytes(b"17\xff").unwrap(),
    );
    let err = verifier.verify_headers(&map, BODY.as_bytes()).unwrap_err();
    assert!(matches!(err, WebhookError::InvalidTimestamp), "{err:?}");

    let mut map = headers(TIMESTAMP, EXPECTED);
    map.insert(
        SIGNATURE_HEADER,
        HeaderValue::from_bytes(b"ab\xff").unwrap(),
    );
    let err = verifier.verify_headers(&map, BODY.as_bytes()).unwrap_err();
    assert!(matches!(err, WebhookError::InvalidHex), "{err:?}");
}

// --- freshness -------------------------------------------------------------------------

#[test]
fn default_tolerance_is_five_minutes_inclusive() {
    assert_eq!(DEFAULT_TOLERANCE, Duration::from_secs(300));
    let five_minutes = 300_000;
    for offset in [-five_minutes, -1, 0, 1, five_minutes] {
        verifier_at(offset)
            .verify(Some(TIMESTAMP), Some(EXPECTED), BODY.as_bytes())
            .unwrap_or_else(|e| panic!("offset {offset}: {e}"));
    }
}

#[test]
fn stale_timestamps_are_rejected() {
    let err = verifier_at(300_001)
        .verify(Some(TIMESTAMP), Some(EXPECTED), BODY.as_bytes())
        .unwrap_err();
    match err {
        WebhookError::Stale { age } => assert_eq!(age, Duration::from_millis(300_001)),
        other => panic!("expected Stale, got {other:?}"),
    }

    let err = verifier_at(86_400_000)
        .verify(Some(TIMESTAMP), Some(EXPECTED), BODY.as_bytes())
        .unwrap_err();
    assert!(matches!(err, WebhookError::Stale { age } if age == Duration::from_secs(86_400)));
    assert_eq!(err.status(), StatusCode::UNAUTHORIZED);
}

#[test]
fn future_timestamps_are_rejected() {
    let err = verifier_at(-300_001)
        .verify(Some(TIMESTAMP), Some(EXPECTED), BODY.as_bytes())
        .unwrap_err();
    match err {
        WebhookError::Future { ahead } => assert_eq!(ahead, Duration::from_millis(300_001)),
        other => panic!("expected Future, got {other:?}"),
    }
}

#[test]
fn tolerance_is_configurable() {
    let strict = verifier_at(10_001).tolerance(Duration::from_secs(10));
    let err = strict
        .verify(Some(TIMESTAMP), Some(EXPECTED), BODY.as_bytes())
        .unwrap_err();
    assert!(matches!(err, WebhookError::Stale { .. }), "{err:?}");
    let strict = verifier_at(-10_001).tolerance(Duration::from_secs(10));
    let err = strict
        .verify(Some(TIMESTAMP), Some(EXPECTED), BODY.as_bytes())
        .unwrap_err();
    assert!(matches!(err, WebhookError::Future { .. }), "{err:?}");

    // An hour-old request passes an hour-long tolerance.
    verifier_at(3_600_000)
        .tolerance(Duration::from_secs(3_600))
        .verify(Some(TIMESTAMP), Some(EXPECTED), BODY.as_bytes())
        .unwrap();
}

#[test]
fn freshness_is_only_judged_on_authentic_requests() {
    // A forged, stale request is reported as forged, not as stale.
    let err = verifier_at(86_400_000)
        .verify(Some(TIMESTAMP), Some(&"0".repeat(64)), BODY.as_bytes())
        .unwrap_err();
    assert!(matches!(err, WebhookError::SignatureMismatch), "{err:?}");
}

#[test]
fn timestamps_in_seconds_are_understood() {
    // A header in seconds is signed as written and compared as seconds.
    let seconds = "1700000000";
    let signature = sign(SECRET, seconds, BODY.as_bytes());
    verifier_at(120_000)
        .verify(Some(seconds), Some(&signature), BODY.as_bytes())
        .unwrap();
    let err = verifier_at(301_000)
        .verify(Some(seconds), Some(&signature), BODY.as_bytes())
        .unwrap_err();
    assert!(matches!(err, WebhookError::Stale { age } if age == Duration::from_secs(301)));
}

#[test]
fn a_clock_before_the_epoch_does_not_panic() {
    let verifier = Verifier::new(SECRET).clock(|| UNIX_EPOCH - Duration::from_secs(10));
    let err = verifier
        .verify(Some(TIMESTAMP), Some(EXPECTED), BODY.as_bytes())
        .unwrap_err();
    assert!(matches!(err, WebhookError::Future { .. }));
}

#[test]
fn sign_now_uses_the_clock_in_milliseconds() {
    let verifier = verifier_at(0);
    let signed = verifier.sign_now(BODY.as_bytes());
    assert_eq!(signed.timestamp, TIMESTAMP);
    assert_eq!(signed.signature, EXPECTED);

    let map = signed.to_header_map();
    assert_eq!(map[TIMESTAMP_HEADER], TIMESTAMP);
    assert_eq!(map[SIGNATURE_HEADER], EXPECTED);
    verifier.verify_headers(&map, BODY.as_bytes()).unwrap();
}

#[test]
fn system_clock_round_trip() {
    let verifier = Verifier::new(SECRET);
    let signed = verifier.sign_now(b"{}");
    let now_ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis();
    let stamped: u128 = signed.timestamp.parse().unwrap();
    assert!(now_ms.abs_diff(stamped) < 60_000);
    verifier
        .verify(Some(&signed.timestamp), Some(&signed.signature), b"{}")
        .unwrap();
}

// --- secrets never leak, error traits ---------------------------------------------------

#[test]
fn debug_and_errors_never_show_the_secret() {
    let verifier = verifier_at(0);
    let debug = format!("{verifier:?}");
    assert!(!debug.contains(SECRET), "{debug}");
    assert!(debug.contains("redacted"), "{debug}");
    assert!(debug.contains("Verifier"), "{debug}");
    let debug_alt = format!("{verifier:#?}");
    assert!(!debug_alt.contains(SECRET));

    let errors = [
        verifier
            .verify(None, Some(EXPECTED), BODY.as_bytes())
            .unwrap_err(),
        verifier
            .verify(Some("x"), Some(EXPECTED), BODY.as_bytes())
            .unwrap_err(),
        verifier
            .verify(Some(TIMESTAMP), Some("x"), BODY.as_bytes())
            .unwrap_err(),
        verifier
            .verify(Some(TIMESTAMP), Some(&"0".repeat(64)), BODY.as_bytes())
            .unwrap_err(),
        verifier_at(400_000)
            .verify(Some(TIMESTAMP), Some(EXPECTED), BODY.as_bytes())
            .unwrap_err(),
        verifier_at(-400_000)
            .verify(Some(TIMESTAMP), Some(EXPECTED), BODY.as_bytes())
            .unwrap_err(),
        Event::from_slice(b"not json").unwrap_err(),
    ];
    for err in &errors {
        for text in [err.to_string(), format!("{err:?}")] {
            assert!(!text.contains(SECRET), "{text}");
            assert!(!text.is_empty());
        }
    }
}

#[test]
fn errors_implement_std_error_with_status_codes() {
    fn assert_error<E: std::error::Error + Send + Sync + 'static>(_: &E) {}
    let mismatch = WebhookError::SignatureMismatch;
    assert_error(&mismatch);
    assert_eq!(mismatch.to_string(), "web hook signature does not match");
    assert_eq!(mismatch.status(), StatusCode::UNAUTHORIZED);
    assert!(std::error::Error::source(&mismatch).is_none());

    let stale = WebhookError::Stale {
        age: Duration::from_millis(300_001),
    };
    assert!(stale.to_string().contains("300001 ms"), "{stale}");

    let payload = Event::from_slice(b"{").unwrap_err();
    assert!(matches!(payload, WebhookError::InvalidPayload(_)));
    assert_eq!(payload.status(), StatusCode::BAD_REQUEST);
    assert!(std::error::Error::source(&payload).is_some());
}

#[test]
fn verifier_is_shareable() {
    fn assert_shareable<T: Clone + Send + Sync + 'static>(_: &T) {}
    let verifier = verifier_at(0);
    assert_shareable(&verifier);
    let clone = verifier.clone();
    clone
        .verify(Some(TIMESTAMP), Some(EXPECTED), BODY.as_bytes())
        .unwrap();
}

#[test]
fn empty_secret_is_refused() {
    // Even a request "signed" with the same empty secret is refused.
    let verifier = Verifier::new("");
    let signature =
        crisp_api::webhook::sign("", TIMESTAMP.parse::<u64>().unwrap(), BODY.as_bytes());
    let error = verifier
        .verify(Some(TIMESTAMP), Some(&signature), BODY.as_bytes())
        .unwrap_err();
    assert!(matches!(error, WebhookError::EmptySecret), "{error:?}");
    assert_eq!(error.status(), http::StatusCode::UNAUTHORIZED);
}

// --- parse: verify then decode ---------------------------------------------------------

#[test]
fn parse_verifies_then_decodes_the_known_answer() {
    let event = verifier_at(0)
        .parse(&headers(TIMESTAMP, EXPECTED), BODY.as_bytes())
        .unwrap();
    assert_eq!(event.website_id, WEBSITE);
    assert_eq!(event.timestamp, Some(1_699_999_999_871));
    let EventKind::MessageSend(message) = &event.kind else {
        panic!("expected message:send, got {:?}", event.kind)
    };
    assert_eq!(event.kind.name(), "message:send");
    assert_eq!(message.session_id, SESSION);
    assert_eq!(
        message.content,
        MessageContent::text("Hello, is anyone there?")
    );
    assert_eq!(message.from, Some(MessageFrom::User));
    assert_eq!(message.origin, Some(MessageOrigin::Chat));
    assert_eq!(message.fingerprint, 169_999_999_987_123);
    assert_eq!(message.timestamp, Some(1_699_999_999_871));
    assert_eq!(message.stamped, Some(true));
    assert!(message.mentions.is_empty());
    let user = message.user.as_ref().unwrap();
    assert_eq!(user.nickname.as_deref(), Some("visitor493603"));
    assert_eq!(user.user_id.as_deref(), Some(SESSION));
    assert_eq!(user.avatar, None);
}

#[test]
fn parse_does_not_decode_unverified_bodies() {
    // A forged body that is not even JSON fails on the signature, not on decoding.
    let err = verifier_at(0)
        .parse(&headers(TIMESTAMP, EXPECTED), b"not json")
        .unwrap_err();
    assert!(matches!(err, WebhookError::SignatureMismatch), "{err:?}");
}

#[test]
fn parse_reports_signed_garbage_as_invalid_payload() {
    let verifier = verifier_at(0);
    for body in [
        &b"not json"[..],
        b"[]",
        br#"{"event":"message:send","data":{}}"#, // no website_id
        br#"{"website_id":"w","data":{}}"#,       // no event
    ] {
        let map = verifier.sign_now(body).to_header_map();
        let err = verifier.parse(&map, body).unwrap_err();
        assert!(matches!(err, WebhookError::InvalidPayload(_)), "{err:?}");
        assert_eq!(err.status(), StatusCode::BAD_REQUEST);
    }
}

#[test]
fn known_event_of_the_wrong_shape_is_kept_as_other() {
    // The envelope is fine, the payload is not what `message:removed` carries: the event is
    // kept with its name and JSON, never an error that would drop it.
    let body = br#"{"website_id":"w","event":"message:removed","data":{"session_id":"s","fingerprint":"not a number"}}"#;
    let event = Event::from_slice(body).unwrap();
    let EventKind::Other { name, data } = &event.kind else {
        panic!("expected Other, got {:?}", event.kind)
    };
    assert_eq!(name, "message:removed");
    assert_eq!(data["fingerprint"], "not a number");
}

// --- events ----------------------------------------------------------------------------

#[test]
fn unknown_events_are_kept_as_other() {
    let event =
        Event::from_slice(br#"{"website_id":"w","event":"brand:new:event","data":[1,2]}"#).unwrap();
    assert!(
        matches!(&event.kind, EventKind::Other { name, data } if name == "brand:new:event" && data[1] == 2)
    );
    assert_eq!(event.kind.name(), "brand:new:event");
    assert_eq!(event.timestamp, None);
    let event = Event::from_slice(br#"{"website_id":"w","event":"brand:new:event"}"#).unwrap();
    assert!(matches!(&event.kind, EventKind::Other { data, .. } if data.is_null()));
}

#[test]
fn unknown_fields_and_values_are_ignored_or_kept() {
    let body = br#"{"website_id":"w","event":"session:set_state","data":{"website_id":"w","session_id":"s","state":"a_state_from_2030","routing_ids":["r"],"brand_new":{"x":1}},"timestamp":1,"extra":true}"#;
    let event = Event::from_slice(body).unwrap();
    let EventKind::SessionSetState(change) = &event.kind else {
        panic!("{:?}", event.kind)
    };
    assert_eq!(change.session_id, "s");
    assert_eq!(
        change.state,
        Some(ConversationState::Other("a_state_from_2030".into()))
    );
}

#[test]
fn event_implements_deserialize() {
    let event: Event = serde_json::from_str(BODY).unwrap();
    assert_eq!(event.kind.name(), "message:send");
    assert!(serde_json::from_str::<Event>(r#"{"website_id":"w"}"#).is_err());
}

#[test]
fn messages_of_every_kind_decode_typed_or_raw() {
    let kind = decode(
        "message:received",
        &format!(
            r#"{{"website_id":"{WEBSITE}","session_id":"{SESSION}","type":"picker","from":"operator","origin":"urn:acme:bot:0","content":{{"id":"rating","text":"How did we do?","choices":[{{"value":"good","label":"Good","selected":false}},{{"value":"bad","label":"Bad","selected":false}}]}},"mentions":["3a5b2f6c-0000-4000-8000-000000000001"],"timestamp":1700000000200,"fingerprint":170000000020077,"automated":true}}"#
        ),
    );
    let EventKind::MessageReceived(message) = &kind else {
        panic!("{kind:?}")
    };
    let MessageContent::Picker(picker) = &message.content else {
        panic!("{:?}", message.content)
    };
    assert_eq!(picker.choices[1].value.as_deref(), Some("bad"));
    assert_eq!(
        message.origin,
        Some(MessageOrigin::Other("urn:acme:bot:0".into()))
    );
    assert_eq!(message.automated, Some(true));

    // A message type this crate has never heard of still decodes, its content kept.
    let kind = decode(
        "message:received",
        r#"{"website_id":"w","session_id":"s","type":"hologram","from":"operator","origin":"chat","content":{"beam":1},"fingerprint":-5}"#,
    );
    let EventKind::MessageReceived(message) = &kind else {
        panic!("{kind:?}")
    };
    assert_eq!(message.fingerprint, -5);
    assert_eq!(message.content.kind(), "hologram");
    assert!(
        matches!(&message.content, MessageContent::Other { content, .. } if content["beam"] == 1)
    );
}

//! Crisp's answer envelope `{"error": bool, "reason": string, "data": …}` and its unwrapping.

use crate::{Error, ErrorKind, ResponseValue};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// Crisp's answer envelope. [`send`](crate::builder) unwraps it; it is visible only through
/// the builders' `send_raw`, and is public for mock servers that answer like Crisp.
///
/// ```
/// let envelope: crisp_api::Envelope<u32> =
///     serde_json::from_str(r#"{"error":false,"reason":"counted","data":3}"#).unwrap();
/// assert_eq!(envelope.data, Some(3));
/// ```
///
/// Decoding reads `error` before `data` (Crisp's order): when `error` is true, `data` is
/// skipped rather than decoded, so that a failure never hides behind a decoding error.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Envelope<T> {
    /// True when the request failed.
    pub error: bool,
    /// A short word: `listed`, `resolved`, `invalid_data`, `not_found`, …
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The payload; absent on some answers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data: Option<T>,
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Envelope<T> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(EnvelopeVisitor(std::marker::PhantomData))
    }
}

struct EnvelopeVisitor<T>(std::marker::PhantomData<T>);

impl<'de, T: Deserialize<'de>> serde::de::Visitor<'de> for EnvelopeVisitor<T> {
    type Value = Envelope<T>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a Crisp envelope {error, reason, data}")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut envelope = Envelope {
            error: false,
            reason: None,
            data: None,
        };
        while let Some(field) = map.next_key::<Field>()? {
            match field {
                Field::Error => envelope.error = map.next_value()?,
                Field::Reason => envelope.reason = map.next_value()?,
                Field::Data if envelope.error => {
                    map.next_value::<serde::de::IgnoredAny>()?;
                }
                Field::Data => envelope.data = map.next_value()?,
                Field::Other => {
                    map.next_value::<serde::de::IgnoredAny>()?;
                }
            }
        }
        Ok(envelope)
    }
}

enum Field {
    Error,
    Reason,
    Data,
    Other,
}

impl<'de> Deserialize<'de> for Field {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct FieldVisitor;
        impl serde::de::Visitor<'_> for FieldVisitor {
            type Value = Field;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a field name")
            }
            fn visit_str<E>(self, v: &str) -> Result<Field, E> {
                Ok(match v {
                    "error" => Field::Error,
                    "reason" => Field::Reason,
                    "data" => Field::Data,
                    _ => Field::Other,
                })
            }
        }
        deserializer.deserialize_identifier(FieldVisitor)
    }
}

impl<T> Envelope<T> {
    /// A success envelope around `data`.
    pub fn success(reason: impl Into<String>, data: T) -> Self {
        Self {
            error: false,
            reason: Some(reason.into()),
            data: Some(data),
        }
    }
}

/// An error envelope, read leniently from any error answer: any JSON object is one, and a
/// field of an unexpected type is ignored rather than failing the read.
#[derive(Deserialize, Default)]
pub(crate) struct ErrorAnswer {
    #[serde(default)]
    error: serde_json::Value,
    #[serde(default)]
    reason: serde_json::Value,
    #[serde(default)]
    data: serde_json::Value,
}

impl ErrorAnswer {
    /// True when the answer says `error: true`.
    pub(crate) fn is_error(&self) -> bool {
        self.error == serde_json::Value::Bool(true)
    }

    /// `reason`, when it is text.
    pub(crate) fn reason(&self) -> Option<String> {
        self.reason.as_str().map(printable)
    }

    /// `data.message` as text (or `data` itself when it is text).
    pub(crate) fn message(&self) -> Option<String> {
        let message = match &self.data {
            serde_json::Value::String(s) => return Some(printable(s)),
            serde_json::Value::Object(data) => data.get("message")?,
            _ => return None,
        };
        match message {
            serde_json::Value::String(s) => Some(printable(s)),
            serde_json::Value::Null => None,
            other => Some(printable(&other.to_string())),
        }
    }
}

/// Text from the server, made safe to print: control characters (terminal escapes, line
/// breaks that would forge log lines) become spaces, and it is cut at 500 characters.
pub(crate) fn printable(text: &str) -> String {
    const MAX: usize = 500;
    let mut out: String = text
        .chars()
        .take(MAX)
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if text.chars().nth(MAX).is_some() {
        out.push('…');
    }
    out
}

/// What a successful answer turns into for the caller.
pub(crate) trait Payload: Sized {
    /// The caller's type.
    type Data;
    /// Unwraps the answer; an `error: true` envelope or missing `data` is an [`Error`].
    fn into_data(answer: ResponseValue<Self>) -> Result<Self::Data, Error>;
}

impl<T: DeserializeOwned> Payload for Envelope<T> {
    type Data = T;

    fn into_data(answer: ResponseValue<Self>) -> Result<T, Error> {
        let status = answer.status().as_u16();
        let envelope = answer.into_inner();
        if envelope.error {
            return Err(Error::from_answer(status, envelope.reason, None));
        }
        match envelope.data {
            Some(data) => Ok(data),
            // Answers without `data` are fine when the caller expects nothing (or an
            // optional value); for anything else it is a broken answer.
            None => T::deserialize(serde_json::Value::Null).map_err(|_| {
                Error::new(
                    ErrorKind::InvalidResponse,
                    "the answer has no `data` although this operation returns some",
                )
                .with_status(status)
            }),
        }
    }
}

impl Payload for () {
    type Data = ();

    fn into_data(_: ResponseValue<()>) -> Result<(), Error> {
        Ok(())
    }
}

//! Crisp's answer envelope `{"error": bool, "reason": string, "data": …}` and its unwrapping.

use crate::server_text::Scrubber;
use crate::{Error, ErrorKind};
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
/// not decoded as `T` (only its `message` is kept, for the error), so that a failure never
/// hides behind a decoding error.
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
    /// `data.message` of an error envelope (or `data` itself when it is text), as sent.
    #[serde(skip)]
    message: Option<String>,
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
            message: None,
        };
        let mut error_seen = false;
        while let Some(field) = map.next_key::<Field>()? {
            match field {
                Field::Error => {
                    envelope.error = map.next_value()?;
                    error_seen = true;
                }
                Field::Reason => envelope.reason = map.next_value()?,
                Field::Data if envelope.error => {
                    envelope.message = map.next_value::<DataMessage>()?.0;
                }
                // `data` before `error`, for an operation that ignores `data` (the check
                // costs no allocation): reading its message instead loses nothing, and keeps
                // it should `error: true` follow.
                Field::Data if !error_seen => match T::deserialize(Nothing) {
                    Ok(nothing) => {
                        envelope.message = map.next_value::<DataMessage>()?.0;
                        envelope.data = Some(nothing);
                    }
                    Err(NeedsData) => envelope.data = map.next_value()?,
                },
                Field::Data => envelope.data = map.next_value()?,
                Field::Other => {
                    map.next_value::<serde::de::IgnoredAny>()?;
                }
            }
        }
        if !envelope.error {
            envelope.message = None;
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
            message: None,
        }
    }
}

/// `data.message` of an error answer, or `data` itself when it is text; read from any JSON
/// without failing (a number or an object as `message` is kept as its JSON text).
#[derive(Default)]
struct DataMessage(Option<String>);

impl<'de> Deserialize<'de> for DataMessage {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(DataMessageVisitor)
    }
}

struct DataMessageVisitor;

impl<'de> serde::de::Visitor<'de> for DataMessageVisitor {
    type Value = DataMessage;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_str<E>(self, v: &str) -> Result<DataMessage, E> {
        Ok(DataMessage(Some(v.to_string())))
    }

    fn visit_string<E>(self, v: String) -> Result<DataMessage, E> {
        Ok(DataMessage(Some(v)))
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<DataMessage, A::Error> {
        let mut message = None;
        while let Some(key) = map.next_key::<MessageKey>()? {
            match key {
                MessageKey::Message => {
                    message = match map.next_value::<serde_json::Value>()? {
                        serde_json::Value::String(s) => Some(s),
                        serde_json::Value::Null => None,
                        other => Some(other.to_string()),
                    };
                }
                MessageKey::Other => {
                    map.next_value::<serde::de::IgnoredAny>()?;
                }
            }
        }
        Ok(DataMessage(message))
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<DataMessage, A::Error> {
        while seq.next_element::<serde::de::IgnoredAny>()?.is_some() {}
        Ok(DataMessage(None))
    }

    fn visit_bool<E>(self, _: bool) -> Result<DataMessage, E> {
        Ok(DataMessage(None))
    }

    fn visit_i64<E>(self, _: i64) -> Result<DataMessage, E> {
        Ok(DataMessage(None))
    }

    fn visit_u64<E>(self, _: u64) -> Result<DataMessage, E> {
        Ok(DataMessage(None))
    }

    fn visit_f64<E>(self, _: f64) -> Result<DataMessage, E> {
        Ok(DataMessage(None))
    }

    fn visit_unit<E>(self) -> Result<DataMessage, E> {
        Ok(DataMessage(None))
    }
}

enum MessageKey {
    Message,
    Other,
}

impl<'de> Deserialize<'de> for MessageKey {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl serde::de::Visitor<'_> for KeyVisitor {
            type Value = MessageKey;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a field name")
            }
            fn visit_str<E>(self, v: &str) -> Result<MessageKey, E> {
                Ok(match v {
                    "message" => MessageKey::Message,
                    _ => MessageKey::Other,
                })
            }
        }
        deserializer.deserialize_identifier(KeyVisitor)
    }
}

/// A deserializer for "no data at all": only a type that ignores what it reads (serde's
/// `IgnoredAny`, which the operations without data decode) can be made from it.
struct Nothing;

/// Why [`Nothing`] could not make a value: the type needs data.
#[derive(Debug)]
struct NeedsData;

impl std::fmt::Display for NeedsData {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("this type needs data")
    }
}

impl std::error::Error for NeedsData {}

impl serde::de::Error for NeedsData {
    fn custom<M: std::fmt::Display>(_: M) -> Self {
        NeedsData
    }
}

impl<'de> serde::Deserializer<'de> for Nothing {
    type Error = NeedsData;

    fn deserialize_any<V: serde::de::Visitor<'de>>(self, _: V) -> Result<V::Value, NeedsData> {
        Err(NeedsData)
    }

    fn deserialize_ignored_any<V: serde::de::Visitor<'de>>(
        self,
        visitor: V,
    ) -> Result<V::Value, NeedsData> {
        visitor.visit_unit()
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        option unit unit_struct newtype_struct seq tuple tuple_struct map struct enum
        identifier
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
    data: DataMessage,
}

impl ErrorAnswer {
    /// True when the answer says `error: true`.
    pub(crate) fn is_error(&self) -> bool {
        self.error == serde_json::Value::Bool(true)
    }

    /// `reason`, when it is text, as sent.
    pub(crate) fn reason(&self) -> Option<&str> {
        self.reason.as_str()
    }

    /// `data.message` as text (or `data` itself when it is text), as sent.
    pub(crate) fn message(&self) -> Option<&str> {
        self.data.0.as_deref()
    }
}

/// What a successful answer turns into for the caller.
pub(crate) trait Payload: Sized {
    /// The caller's type.
    type Data;
    /// Whether the body is read at all (not for HEAD checks).
    const READS_BODY: bool = true;
    /// Decodes a 2xx body; an `error: true` envelope, missing `data` or a body that is not
    /// the JSON expected is an [`Error`] (the server's text in it cleaned by `scrubber`). A
    /// 2xx with an empty body (or only whitespace) is read as Go's client reads it: fine for
    /// an operation without data, an [`Error`] for one that has some.
    fn decode(status: u16, body: &[u8], scrubber: &Scrubber) -> Result<Self::Data, Error>;
}

impl<T: DeserializeOwned> Payload for Envelope<T> {
    type Data = T;

    fn decode(status: u16, body: &[u8], scrubber: &Scrubber) -> Result<T, Error> {
        // Stops at the first byte of any JSON answer.
        if body.iter().all(u8::is_ascii_whitespace) {
            return without_data(status, "is empty");
        }
        let envelope = match serde_json::from_slice::<Envelope<T>>(body) {
            Ok(envelope) => envelope,
            Err(e) => return Err(undecodable(status, body, &e, scrubber)),
        };
        if envelope.error {
            return Err(Error::from_answer(
                status,
                envelope.reason.as_deref(),
                envelope.message.as_deref(),
                scrubber,
            ));
        }
        match envelope.data {
            Some(data) => Ok(data),
            None => without_data(status, "has no `data`"),
        }
    }
}

/// How much of a body that is not an envelope an error quotes.
pub(crate) const EXCERPT_CHARS: usize = 80;

/// A 2xx body that is not the JSON expected: Crisp's error envelope when it is one (`data`
/// came before `error: true` and did not decode: the failure is what matters), else an
/// `InvalidResponse` error quoting the start of the body. Every piece of server text goes
/// through `scrubber`.
fn undecodable(status: u16, body: &[u8], error: &serde_json::Error, scrubber: &Scrubber) -> Error {
    match serde_json::from_slice::<ErrorAnswer>(body) {
        Ok(answer) if answer.is_error() => {
            Error::from_answer(status, answer.reason(), answer.message(), scrubber)
        }
        // serde's message may quote the server's values.
        _ => Error::with_server_text(
            ErrorKind::InvalidResponse,
            &format!(
                "the answer is not the expected JSON ({error}); it starts with \"{}\"",
                scrubber.excerpt(body, EXCERPT_CHARS)
            ),
            scrubber,
        )
        .with_status(status),
    }
}

/// An answer without `data` (no `data` field, or no body at all): fine when the caller
/// expects nothing (or an optional value); for anything else it is a broken answer.
fn without_data<T: DeserializeOwned>(status: u16, what: &str) -> Result<T, Error> {
    T::deserialize(serde_json::Value::Null).map_err(|_| {
        Error::new(
            ErrorKind::InvalidResponse,
            format!("the answer {what} although this operation returns data"),
        )
        .with_status(status)
    })
}

impl Payload for () {
    type Data = ();
    const READS_BODY: bool = false;

    fn decode(_: u16, _: &[u8], _: &Scrubber) -> Result<(), Error> {
        Ok(())
    }
}

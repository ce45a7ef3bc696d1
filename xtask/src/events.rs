//! Generates `crisp-api/src/generated/events.rs` from the spec's `x-crisp-events`: one enum
//! variant per real-time event, decoded by a function that never fails (an unknown name, or a
//! payload that does not decode, is kept as `Event::Other` with its JSON). The RTM client and
//! the web hook verifier both decode into it.

use anyhow::{anyhow, bail, Result};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::Value;
use std::collections::BTreeSet;

/// Where the events module goes, relative to the workspace root.
pub const OUTPUT: &str = "crisp-api/src/generated/events.rs";

/// One event of the spec.
pub struct EventSpec {
    pub name: String,
    pub description: String,
    /// The payload's component schema.
    pub schema: String,
    pub example: Value,
}

/// The events of the bundled spec, in the spec's order.
pub fn read(doc: &Value) -> Result<Vec<EventSpec>> {
    let Some(events) = doc.get("x-crisp-events").and_then(Value::as_object) else {
        return Ok(Vec::new());
    };
    events
        .iter()
        .map(|(name, e)| {
            let schema = e
                .pointer("/schema/$ref")
                .and_then(Value::as_str)
                .and_then(|r| r.strip_prefix("#/components/schemas/"))
                .ok_or_else(|| anyhow!("x-crisp-events.{name}: schema is a $ref"))?
                .to_string();
            Ok(EventSpec {
                name: name.clone(),
                description: e
                    .get("description")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .trim()
                    .to_string(),
                schema,
                example: e.get("example").cloned().unwrap_or(Value::Null),
            })
        })
        .collect()
}

/// `session:set_state` → `SessionSetState`.
pub fn variant_name(event: &str) -> String {
    crate::spec::pascal_value(event)
}

pub fn generate(events: &[EventSpec]) -> Result<String> {
    let mut seen = BTreeSet::new();
    for e in events {
        if !seen.insert(variant_name(&e.name)) || variant_name(&e.name) == "Other" {
            bail!("event `{}` gives a variant name used twice", e.name);
        }
    }
    let variants: Vec<syn::Ident> = events
        .iter()
        .map(|e| format_ident!("{}", variant_name(&e.name)))
        .collect();
    let names: Vec<&str> = events.iter().map(|e| e.name.as_str()).collect();
    let types: Vec<TokenStream> = events
        .iter()
        .map(|e| {
            let t = format_ident!("{}", e.schema);
            quote!(crate::types::#t)
        })
        .collect();
    let docs: Vec<String> = events
        .iter()
        .map(|e| {
            let description = e
                .description
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ");
            format!(" `{}`: {description}", e.name)
        })
        .collect();
    let count = events.len();
    let examples: Vec<String> = events.iter().map(|e| e.example.to_string()).collect();
    let first = names.first().copied().unwrap_or("message:send");
    let module_doc = format!(
        " Crisp's real-time events, as the RTM API ([`crate::rtm`]) and web hooks\n \
         ([`crate::webhook`]) deliver them: {count} typed events, and [`Event::Other`](crate::events::Event::Other) for the rest."
    );
    let decode_doc = format!(
        " The event `name` with its payload `data`. Never fails: an event this version of the SDK\n \
         does not type, or a payload that does not decode into its type, is [`Event::Other`]\n \
         with the name and the JSON as sent.\n\n \
         ```\n \
         use crisp_api::events::Event;\n\n \
         let event = Event::decode(\"{first}\", serde_json::json!({{\"website_id\": \"w\"}}));\n \
         assert_eq!(event.name(), \"{first}\");\n \
         let unknown = Event::decode(\"not:typed:yet\", serde_json::json!({{\"a\": 1}}));\n \
         assert!(matches!(unknown, Event::Other {{ .. }}));\n \
         ```"
    );
    let tokens = quote! {
        #![doc = #module_doc]
        #![allow(clippy::large_enum_variant)]

        /// One real-time event of Crisp, typed by its name.
        ///
        /// It serializes as `{"name": …, "data": …}` (the payload as Crisp sends it) and
        /// deserializes from that through [`Event::decode`], so an event forwarded to a queue
        /// or a log reads back as the same value, [`Event::Other`] included.
        ///
        /// ```
        /// use crisp_api::events::Event;
        ///
        /// let event = Event::decode("not:typed:yet", serde_json::json!({"a": 1}));
        /// let text = serde_json::to_string(&event)?;
        /// assert_eq!(text, r#"{"name":"not:typed:yet","data":{"a":1}}"#);
        /// assert_eq!(serde_json::from_str::<Event>(&text)?, event);
        /// # Ok::<(), serde_json::Error>(())
        /// ```
        #[derive(Clone, Debug, PartialEq)]
        #[non_exhaustive]
        pub enum Event {
            #( #[doc = #docs] #variants(#types), )*
            /// An event this version of the SDK does not type, or whose payload did not decode
            /// into its type: the name and the payload as sent.
            Other {
                /// The event's name (`message:send`, …).
                name: ::std::string::String,
                /// The payload.
                data: ::serde_json::Value,
            },
        }

        impl Event {
            /// Every event name this version types.
            pub const NAMES: &'static [&'static str] = &[#(#names),*];

            #[doc = #decode_doc]
            pub fn decode(name: &str, data: ::serde_json::Value) -> Event {
                use ::serde::Deserialize as _;
                match name {
                    #( #names => match <#types>::deserialize(&data) {
                        Ok(payload) => Event::#variants(payload),
                        Err(_) => Event::Other { name: name.to_string(), data },
                    }, )*
                    _ => Event::Other { name: name.to_string(), data },
                }
            }

            /// The event's name, as Crisp sends it.
            pub fn name(&self) -> &str {
                match self {
                    #( Event::#variants(_) => #names, )*
                    Event::Other { name, .. } => name.as_str(),
                }
            }

            /// Whether the payload decoded into this version's type for the event.
            pub fn is_typed(&self) -> bool {
                !matches!(self, Event::Other { .. })
            }

            /// The payload, for serializing it as Crisp sends it (the web hook envelope's
            /// `data`).
            pub(crate) fn data(&self) -> Data<'_> {
                Data(self)
            }
        }

        /// An event's payload, serialized as Crisp sends it.
        pub(crate) struct Data<'a>(&'a Event);

        impl ::serde::Serialize for Data<'_> {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                match self.0 {
                    #( Event::#variants(payload) => payload.serialize(serializer), )*
                    Event::Other { data, .. } => data.serialize(serializer),
                }
            }
        }

        impl ::serde::Serialize for Event {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                use ::serde::ser::SerializeStruct as _;
                let mut event = serializer.serialize_struct("Event", 2)?;
                event.serialize_field("name", self.name())?;
                event.serialize_field("data", &self.data())?;
                event.end()
            }
        }

        impl<'de> ::serde::Deserialize<'de> for Event {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                #[derive(::serde::Deserialize)]
                struct Parts {
                    name: ::std::string::String,
                    #[serde(default)]
                    data: ::serde_json::Value,
                }
                let parts = Parts::deserialize(deserializer)?;
                Ok(Event::decode(&parts.name, parts.data))
            }
        }

        #[cfg(test)]
        mod tests {
            /// Each event's example payload, from the spec.
            const EXAMPLES: &[(&str, &str)] = &[#( (#names, #examples) ),*];

            #[test]
            fn every_event_decodes_its_example_into_its_variant() {
                assert_eq!(EXAMPLES.len(), super::Event::NAMES.len());
                for (name, example) in EXAMPLES {
                    let data: ::serde_json::Value = ::serde_json::from_str(example).unwrap();
                    let event = super::Event::decode(name, data);
                    assert!(event.is_typed(), "{name}: the example does not decode: {event:?}");
                    assert_eq!(event.name(), *name);
                }
            }

            /// Serialized, then deserialized: the same event, for every example and for
            /// `Other` (an unknown name, and a known name whose payload did not decode).
            #[test]
            fn every_event_serializes_and_reads_back_as_the_same_event() {
                let mut events: Vec<super::Event> = EXAMPLES
                    .iter()
                    .map(|(name, example)| super::Event::decode(name, ::serde_json::from_str(example).unwrap()))
                    .collect();
                events.push(super::Event::decode("not:typed:yet", ::serde_json::json!({"a": [1, null]})));
                events.push(super::Event::decode(super::Event::NAMES[0], ::serde_json::json!("a string")));
                events.push(super::Event::Other { name: "no:data".into(), data: ::serde_json::Value::Null });
                for event in events {
                    let text = ::serde_json::to_string(&event).unwrap();
                    let back: super::Event = ::serde_json::from_str(&text).unwrap();
                    assert_eq!(back, event, "{text}");
                    let value: ::serde_json::Value = ::serde_json::from_str(&text).unwrap();
                    assert_eq!(value["name"], event.name(), "{text}");
                }
            }

            #[test]
            fn unknown_names_and_bad_payloads_are_kept() {
                let event = super::Event::decode("not:typed:yet", ::serde_json::json!([1, 2]));
                assert_eq!(event, super::Event::Other { name: "not:typed:yet".into(), data: ::serde_json::json!([1, 2]) });
                for name in super::Event::NAMES {
                    let event = super::Event::decode(name, ::serde_json::json!("a string"));
                    assert!(!event.is_typed(), "{name}");
                    assert_eq!(event.name(), *name);
                }
            }
        }
    };
    let file: syn::File = syn::parse2(tokens)?;
    Ok(prettyplease::unparse(&file))
}

/// Where the web hook test of every event's example goes.
pub const HOOK_TEST: &str = "tests/wire/tests/event_examples.rs";

/// A test that every event's example payload, delivered as a signed web hook, comes out of
/// the verifier as its typed variant (the same value `Event::decode` gives).
pub fn hook_test(events: &[EventSpec]) -> Result<String> {
    let names: Vec<&str> = events.iter().map(|e| e.name.as_str()).collect();
    let examples: Vec<String> = events.iter().map(|e| e.example.to_string()).collect();
    let tokens = quote! {
      #[rustfmt::skip]
      mod event_examples {
        use crisp_api::events::Event;
        use crisp_api::webhook::Verifier;

        /// Each event's name and example payload, from the spec.
        const EXAMPLES: &[(&str, &str)] = &[#( (#names, #examples) ),*];

        #[test]
        fn every_event_example_decodes_through_the_web_hook_verifier() {
            let verifier = Verifier::new("event-examples-secret");
            for (name, example) in EXAMPLES {
                let data: serde_json::Value = serde_json::from_str(example).unwrap();
                let body = serde_json::json!({
                    "website_id": "8c842203-7ed8-4e29-a608-7cf78a7d2fcc",
                    "event": name,
                    "data": data,
                    "timestamp": 1700000000000_i64,
                })
                .to_string();
                let headers = verifier.sign_now(body.as_bytes()).to_header_map();
                let hook = verifier
                    .parse(&headers, body.as_bytes())
                    .unwrap_or_else(|e| panic!("{name}: {e}"));
                assert!(hook.kind.is_typed(), "{name}: decoded as {:?}", hook.kind);
                assert_eq!(hook.kind.name(), *name);
                assert_eq!(hook.kind, Event::decode(name, data), "{name}");
            }
            assert_eq!(EXAMPLES.len(), Event::NAMES.len());
        }
      }
    };
    let file: syn::File = syn::parse2(tokens)?;
    Ok(prettyplease::unparse(&file))
}

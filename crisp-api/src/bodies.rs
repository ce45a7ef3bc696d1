//! Short ways to write the everyday request bodies, and a message's text one method away.
//!
//! ```no_run
//! use crisp_api::prelude::*;
//!
//! # async fn run(client: Client, website_id: &str, session_id: &str) -> crisp_api::Result<()> {
//! client
//!     .send_message_in_conversation(website_id, session_id, MessageNew::operator_text("Hello!"))
//!     .await?;
//! for message in client.get_messages_in_conversation(website_id, session_id).await? {
//!     println!("{}", message.content); // the text of a text or a note
//! }
//! client
//!     .change_conversation_state(website_id, session_id, ConversationState::Resolved)
//!     .await?;
//! # Ok(())
//! # }
//! ```

use crate::types::MessageContent;
use std::fmt;

impl MessageContent {
    /// The text of a `text` or a `note` message; `None` for the other types.
    ///
    /// ```
    /// use crisp_api::types::MessageContent;
    ///
    /// assert_eq!(MessageContent::text("Hi").as_text(), Some("Hi"));
    /// assert_eq!(MessageContent::note("for operators").as_text(), Some("for operators"));
    /// ```
    pub fn as_text(&self) -> Option<&str> {
        match self {
            Self::Text(text) | Self::Note(text) => Some(text),
            _ => None,
        }
    }
}

/// The text of a `text` or a `note`; for the other types, a short description in brackets
/// (`[file: invoice.pdf]`, `[picker: Pick one]`, `[audio]`, `[unknown type: x]`).
///
/// ```
/// use crisp_api::types::{MessageContent, MessageFile};
///
/// assert_eq!(MessageContent::text("Hi").to_string(), "Hi");
/// let file = MessageFile::new().name("invoice.pdf");
/// assert_eq!(MessageContent::File(file).to_string(), "[file: invoice.pdf]");
/// ```
impl fmt::Display for MessageContent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let described = |f: &mut fmt::Formatter<'_>, kind: &str, what: Option<&str>| match what {
            Some(what) if !what.is_empty() => write!(f, "[{kind}: {what}]"),
            _ => write!(f, "[{kind}]"),
        };
        match self {
            Self::Text(text) | Self::Note(text) => f.write_str(text),
            Self::File(file) => described(f, "file", file.name.as_deref()),
            Self::Animation(animation) => described(f, "animation", animation.url.as_deref()),
            Self::Audio(_) => described(f, "audio", None),
            Self::Picker(picker) => described(f, "picker", picker.text.as_deref()),
            Self::Field(field) => described(f, "field", field.text.as_deref()),
            Self::Carousel(carousel) => described(f, "carousel", carousel.text.as_deref()),
            Self::Event(event) => described(
                f,
                "event",
                event.text.as_deref().or(event.namespace.as_deref()),
            ),
            Self::Other { kind, .. } => described(f, "unknown type", Some(kind)),
        }
    }
}

#[cfg(feature = "website-conversation")]
mod conversation {
    use crate::types::{
        ConversationState, ConversationStateUpdate, MessageContent, MessageFrom, MessageNew,
        MessageOrigin,
    };

    impl MessageNew {
        /// A text from an operator in the chat (`from: operator`, `origin: chat`): what
        /// `MessageNew::new(MessageFrom::Operator, MessageOrigin::Chat, MessageContent::text(text))`
        /// makes.
        ///
        /// ```
        /// use crisp_api::types::{MessageContent, MessageFrom, MessageNew, MessageOrigin};
        ///
        /// let reply = MessageNew::operator_text("Hello! How can I help?");
        /// assert_eq!(reply.from, MessageFrom::Operator);
        /// assert_eq!(reply.origin, MessageOrigin::Chat);
        /// assert_eq!(reply.content.as_text(), Some("Hello! How can I help?"));
        /// ```
        pub fn operator_text(text: impl Into<String>) -> Self {
            Self::new(
                MessageFrom::Operator,
                MessageOrigin::Chat,
                MessageContent::text(text),
            )
        }

        /// A private note from an operator in the chat (`type: note`, seen by operators
        /// only).
        ///
        /// ```
        /// use crisp_api::types::{MessageContent, MessageNew};
        ///
        /// let note = MessageNew::operator_note("Customer on the Pro plan");
        /// assert!(matches!(note.content, MessageContent::Note(_)));
        /// ```
        pub fn operator_note(note: impl Into<String>) -> Self {
            Self::new(
                MessageFrom::Operator,
                MessageOrigin::Chat,
                MessageContent::note(note),
            )
        }
    }

    /// A state is a whole state change: `client.change_conversation_state(w, s,
    /// ConversationState::Resolved)`.
    ///
    /// ```
    /// use crisp_api::types::{ConversationState, ConversationStateUpdate};
    ///
    /// let update = ConversationStateUpdate::from(ConversationState::Resolved);
    /// assert_eq!(update.state, ConversationState::Resolved);
    /// ```
    impl From<ConversationState> for ConversationStateUpdate {
        fn from(state: ConversationState) -> Self {
            Self::new(state)
        }
    }
}

//! The error type of the RTM client.

use crate::server_text::Scrubber;
use std::fmt;
use std::time::SystemTime;

/// What went wrong with the RTM connection, for callers to match on.
///
/// ```
/// use crisp_api::rtm::RtmErrorKind;
///
/// fn worth_retrying_later(kind: RtmErrorKind) -> bool {
///     matches!(kind, RtmErrorKind::Transport | RtmErrorKind::Timeout | RtmErrorKind::Endpoint)
/// }
/// assert!(!worth_retrying_later(RtmErrorKind::Authentication));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RtmErrorKind {
    /// The connection could not be set up as asked: no event to listen to, or a socket URL
    /// that is not an `http`, `https`, `ws` or `wss` URL.
    Configuration,
    /// The socket URL could not be had from Crisp (`GET /{tier}/connect/endpoints` failed
    /// or had no `socket.app`); [`std::error::Error::source`] holds the REST error, if any.
    Endpoint,
    /// Crisp answered `unauthorized`: the token identifier, key or tier is wrong. This ends
    /// the stream.
    Authentication,
    /// The connection failed (refused, reset, TLS, an HTTP answer other than a WebSocket
    /// upgrade).
    Transport,
    /// No answer in time: the connection and handshake took longer than the timeout, or
    /// the server's heartbeats stopped.
    Timeout,
    /// The server broke the WebSocket or socket.io protocol (a masked frame, a message
    /// over the size limit, an upgrade without `Upgrade: websocket`, a bad handshake), or
    /// refused the namespace connection.
    Protocol,
    /// The consumer read too slowly and [`RtmError::lagged`] events were dropped, the
    /// oldest first, to keep the buffer within its capacity. The stream goes on.
    Lagged,
    /// The connection was lost and has been opened again (and authenticated again):
    /// events Crisp sent in between were missed. [`RtmError::lost_at`] says since when;
    /// catch up through the REST API. The stream goes on.
    Reconnected,
}

/// An error of the RTM client: the [`RtmErrorKind`] and what happened.
///
/// Neither `Display` nor `Debug` ever contains the token key, its base64 form or a
/// 12-character part of either, whatever the server sends: every text that came from the
/// server (a refusal, a bad packet's excerpt, a cause chain, the socket URL) goes through the
/// client's credential scrubber first, as REST errors do.
///
/// ```
/// use crisp_api::rtm::{RtmError, RtmErrorKind};
///
/// fn describe(error: &RtmError) -> String {
///     match error.kind() {
///         RtmErrorKind::Lagged => format!("missed {} events", error.lagged().unwrap_or(0)),
///         RtmErrorKind::Authentication => "check the token".to_string(),
///         _ => error.to_string(),
///     }
/// }
/// # let _ = describe;
/// ```
pub struct RtmError {
    kind: RtmErrorKind,
    message: String,
    lagged: Option<u64>,
    lost_at: Option<SystemTime>,
    /// The cause chain's text, credentials removed.
    cause: Option<String>,
    /// The cause itself, kept only when its text held no credential.
    source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

impl RtmError {
    pub(crate) fn new(kind: RtmErrorKind, message: impl Into<String>) -> Self {
        RtmError {
            kind,
            message: message.into(),
            lagged: None,
            lost_at: None,
            cause: None,
            source: None,
        }
    }

    /// Adds the error that caused this one. Its text (the whole chain) goes through the
    /// credential scrubber, and the error itself is kept as [`source`] only when that text
    /// held no credential: a TLS error quoting a server's certificate, or any other server
    /// text, never carries the key out.
    ///
    /// [`source`]: std::error::Error::source
    pub(crate) fn with_source(
        mut self,
        source: impl std::error::Error + Send + Sync + 'static,
        scrubber: &Scrubber,
    ) -> Self {
        let mut chain = source.to_string();
        let mut next = source.source();
        while let Some(cause) = next {
            let text = cause.to_string();
            if !chain.contains(&text) {
                chain.push_str(": ");
                chain.push_str(&text);
            }
            next = cause.source();
        }
        self.cause = Some(scrubber.clean(&chain));
        if !scrubber.finds(&chain) {
            self.source = Some(Box::new(source));
        }
        self
    }

    pub(crate) fn reconnection(lost_at: SystemTime) -> Self {
        let mut error = RtmError::new(
            RtmErrorKind::Reconnected,
            "the connection was lost and opened again: events sent meanwhile were missed",
        );
        error.lost_at = Some(lost_at);
        error
    }

    pub(crate) fn lagging(dropped: u64) -> Self {
        let mut error = RtmError::new(
            RtmErrorKind::Lagged,
            format!("{dropped} events dropped: the consumer reads slower than events arrive"),
        );
        error.lagged = Some(dropped);
        error
    }

    /// What went wrong.
    ///
    /// ```no_run
    /// # fn run(error: crisp_api::rtm::RtmError) {
    /// if error.kind() == crisp_api::rtm::RtmErrorKind::Authentication {
    ///     eprintln!("check the token: {error}");
    /// }
    /// # }
    /// ```
    pub fn kind(&self) -> RtmErrorKind {
        self.kind
    }

    /// For [`RtmErrorKind::Lagged`]: how many events were dropped.
    ///
    /// ```no_run
    /// # fn run(error: crisp_api::rtm::RtmError) {
    /// if let Some(missed) = error.lagged() {
    ///     eprintln!("{missed} events missed; resynchronise with the REST API");
    /// }
    /// # }
    /// ```
    pub fn lagged(&self) -> Option<u64> {
        self.lagged
    }

    /// For [`RtmErrorKind::Reconnected`]: when the connection was lost (the first loss,
    /// when it took several attempts to come back).
    ///
    /// ```no_run
    /// # fn run(error: crisp_api::rtm::RtmError) {
    /// if let Some(lost_at) = error.lost_at() {
    ///     eprintln!("reconnected; catch up through REST on what happened since {lost_at:?}");
    /// }
    /// # }
    /// ```
    pub fn lost_at(&self) -> Option<SystemTime> {
        self.lost_at
    }

    /// True when the stream ends after this error: everything but
    /// [`RtmErrorKind::Lagged`] and [`RtmErrorKind::Reconnected`].
    ///
    /// ```no_run
    /// # fn run(error: crisp_api::rtm::RtmError) -> Result<(), crisp_api::rtm::RtmError> {
    /// if error.is_fatal() {
    ///     return Err(error);
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub fn is_fatal(&self) -> bool {
        !matches!(self.kind, RtmErrorKind::Lagged | RtmErrorKind::Reconnected)
    }

    /// What happened, in words.
    ///
    /// ```no_run
    /// # fn run(error: crisp_api::rtm::RtmError) {
    /// eprintln!("{}", error.message());
    /// # }
    /// ```
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for RtmError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.kind {
            RtmErrorKind::Configuration => "invalid configuration",
            RtmErrorKind::Endpoint => "no socket URL",
            RtmErrorKind::Authentication => "authentication refused",
            RtmErrorKind::Transport => "connection failed",
            RtmErrorKind::Timeout => "timed out",
            RtmErrorKind::Protocol => "protocol error",
            RtmErrorKind::Lagged => "lagged",
            RtmErrorKind::Reconnected => "reconnected",
        };
        write!(f, "crisp rtm: {what}")?;
        if !self.message.is_empty() {
            write!(f, ": {}", self.message)?;
        }
        if let Some(cause) = &self.cause {
            write!(f, ": {cause}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for RtmError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("RtmError");
        d.field("kind", &self.kind).field("message", &self.message);
        if let Some(lagged) = self.lagged {
            d.field("lagged", &lagged);
        }
        if let Some(lost_at) = self.lost_at {
            d.field("lost_at", &lost_at);
        }
        if let Some(cause) = &self.cause {
            d.field("source", cause);
        }
        d.finish()
    }
}

impl std::error::Error for RtmError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

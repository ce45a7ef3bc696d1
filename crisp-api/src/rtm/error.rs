//! The error type of the RTM client.

use std::fmt;

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
    /// The server broke the socket.io protocol during the handshake, or refused the
    /// namespace connection.
    Protocol,
    /// The consumer read too slowly and [`RtmError::lagged`] events were dropped, the
    /// oldest first, to keep the buffer within its capacity. The stream goes on.
    Lagged,
}

/// An error of the RTM client: the [`RtmErrorKind`] and what happened.
///
/// Neither `Display` nor `Debug` ever contains the token key: it is sent in the
/// `authentication` message only, and no error carries that message.
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
    source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

impl RtmError {
    pub(crate) fn new(kind: RtmErrorKind, message: impl Into<String>) -> Self {
        RtmError {
            kind,
            message: message.into(),
            lagged: None,
            source: None,
        }
    }

    pub(crate) fn with_source(
        mut self,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        self.source = Some(Box::new(source));
        self
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

    /// True when the stream ends after this error: everything but
    /// [`RtmErrorKind::Lagged`].
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
        self.kind != RtmErrorKind::Lagged
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
        };
        write!(f, "crisp rtm: {what}")?;
        if !self.message.is_empty() {
            write!(f, ": {}", self.message)?;
        }
        if let Some(source) = &self.source {
            write!(f, ": {source}")?;
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
        if let Some(source) = &self.source {
            d.field("source", &source.to_string());
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

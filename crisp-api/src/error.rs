//! The one error type of the crate.

use crate::server_text::Scrubber;
use std::fmt;
use std::time::Duration;

/// What went wrong, for callers to match on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The client could not be built (missing credentials, bad base URL, …).
    Configuration,
    /// The request was refused before sending (an empty id, a missing parameter), or Crisp
    /// answered 400 (`invalid_data`) or another 4xx not listed below.
    InvalidRequest,
    /// Crisp answered 401: the token identifier or key is wrong.
    Authentication,
    /// Crisp answered 403: the token's tier or plugin scope does not allow this call. The
    /// error's `Display` names the plugin token scopes the operation needs, if any.
    Forbidden,
    /// Crisp answered 404: an unknown id or route, or a plugin not subscribed to the website.
    NotFound,
    /// Crisp answered 429 or 420: too many requests, even after the retries allowed (see
    /// [`Error::retry_after`]).
    RateLimited,
    /// Crisp answered 5xx, even after the retries allowed (whatever the body: an HTML page
    /// from a proxy, a body cut short).
    Server,
    /// The answer could not be understood: not JSON, not an envelope, `data` missing or of
    /// the wrong type, a body larger than the configured limit, a redirect (not followed) or
    /// a status outside HTTP's classes.
    InvalidResponse,
    /// No complete answer arrived in time (slow headers or a stalled body), or no
    /// connection opened within the connect timeout ([`Error::is_connect`] then).
    Timeout,
    /// The connection failed (refused, reset, DNS, TLS) or closed before the whole answer
    /// arrived.
    Transport,
    /// Crisp answered 2xx with `error: true` and a reason not covered above.
    Api,
    /// Crisp answered 409, or a reason saying the thing exists already (`people_exists`: a
    /// profile with that email exists). Look it up instead of creating it.
    Conflict,
    /// Crisp answered 423 (reason `quota_limit_exceeded`): the token's daily quota is spent
    /// (website tokens: 10,000 requests a day; plugin tokens: 5,000, configurable). Never
    /// retried: the quota comes back the next day.
    QuotaExceeded,
    /// Crisp answered 402 (reason `subscription_upgrade_required`): the website's plan
    /// lacks the feature this call uses. Never retried.
    UpgradeRequired,
    /// Refused before sending by the client's own
    /// [`daily_budget`](crate::ClientBuilder::daily_budget): that many requests were sent
    /// this UTC day by this client and its clones. Nothing was sent (`attempts()` is 0 for a
    /// first attempt); the budget comes back at 00:00 UTC. Never retried.
    BudgetExhausted,
}

/// What the kind means, in words: `not found`, `rate limited`, … (the phrase that an
/// [`Error`]'s `Display` starts with, after `crisp: `), for logs and metrics.
///
/// ```
/// assert_eq!(crisp_api::ErrorKind::NotFound.to_string(), "not found");
/// assert_eq!(format!("{}", crisp_api::ErrorKind::RateLimited), "rate limited");
/// ```
impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ErrorKind::Configuration => "invalid configuration",
            ErrorKind::InvalidRequest => "invalid request",
            ErrorKind::Authentication => "authentication failed",
            ErrorKind::Forbidden => "not allowed",
            ErrorKind::NotFound => "not found",
            ErrorKind::RateLimited => "rate limited",
            ErrorKind::Server => "server error",
            ErrorKind::InvalidResponse => "invalid response",
            ErrorKind::Timeout => "timed out",
            ErrorKind::Transport => "connection failed",
            ErrorKind::Api => "request failed",
            ErrorKind::Conflict => "conflict",
            ErrorKind::QuotaExceeded => "quota exceeded",
            ErrorKind::UpgradeRequired => "plan upgrade required",
            ErrorKind::BudgetExhausted => "daily budget spent",
        })
    }
}

/// An error of a Crisp call: the [`ErrorKind`], the HTTP status and Crisp's `reason` when
/// an answer arrived, and how many attempts were made.
///
/// Neither `Display` nor `Debug` ever contains the token key. Text from the server (the
/// reason, the message, an excerpt of the body, the cause chain) is kept without control
/// characters, cut at 500 characters and with the client's credentials removed.
///
/// ```
/// # async fn run(client: crisp_api::Client) {
/// match client.get_conversation("w", "s").await {
///     Ok(conversation) => println!("{conversation:?}"),
///     Err(e) if e.kind() == crisp_api::ErrorKind::NotFound => println!("no such conversation"),
///     Err(e) => eprintln!("{e} (status {:?}, reason {:?})", e.status(), e.reason()),
/// }
/// # }
/// ```
pub struct Error {
    inner: Box<Inner>,
}

struct Inner {
    kind: ErrorKind,
    status: Option<u16>,
    reason: Option<String>,
    message: Option<String>,
    operation: Option<&'static str>,
    attempts: u32,
    retry_after: Option<Duration>,
    connect: bool,
    /// The request was refused before anything was sent (a missing parameter, a bad id).
    unsent: bool,
    /// The cause chain as shown by `Display` and `Debug`, cleaned like server text.
    cause: Option<String>,
    source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

impl Error {
    pub(crate) fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        let message: String = message.into();
        Self {
            inner: Box::new(Inner {
                kind,
                status: None,
                reason: None,
                message: (!message.is_empty()).then_some(message),
                operation: None,
                attempts: 0,
                retry_after: None,
                connect: false,
                unsent: false,
                cause: None,
                source: None,
            }),
        }
    }

    pub(crate) fn configuration(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Configuration, message)
    }

    /// An error whose message holds text from the server (an excerpt, a decoding error
    /// quoting a value): the whole message goes through the scrubber.
    pub(crate) fn with_server_text(kind: ErrorKind, message: &str, scrubber: &Scrubber) -> Self {
        Self::new(kind, scrubber.clean(message))
    }

    /// An error for an HTTP answer: the kind follows the status (and, for a 2xx with
    /// `error: true`, the reason). `reason` and `message` are the server's text, cleaned
    /// here.
    pub(crate) fn from_answer(
        status: u16,
        reason: Option<&str>,
        message: Option<&str>,
        scrubber: &Scrubber,
    ) -> Self {
        let kind = match (status, reason) {
            // The reason decides first for these two: they are what to act on, whichever
            // status carries them.
            (200..=299 | 400..=499, Some("quota_limit_exceeded")) => ErrorKind::QuotaExceeded,
            (200..=299 | 400..=499, Some("subscription_upgrade_required")) => {
                ErrorKind::UpgradeRequired
            }
            (status, reason) => Self::kind_of(status, reason),
        };
        Self::answered(kind, status, reason, message, scrubber)
    }

    /// The kind of an answer by its status (and, for a 2xx with `error: true`, its reason).
    fn kind_of(status: u16, reason: Option<&str>) -> ErrorKind {
        match status {
            409 => ErrorKind::Conflict,
            402 => ErrorKind::UpgradeRequired,
            423 => ErrorKind::QuotaExceeded,
            400 | 405..=408 | 410..=418 | 421 | 422 | 424..=428 | 430..=499 => {
                ErrorKind::InvalidRequest
            }
            401 => ErrorKind::Authentication,
            403 => ErrorKind::Forbidden,
            404 => ErrorKind::NotFound,
            420 | 429 => ErrorKind::RateLimited,
            500..=599 => ErrorKind::Server,
            200..=299 => match reason {
                Some("invalid_data") => ErrorKind::InvalidRequest,
                Some("not_found" | "not_subscribed") => ErrorKind::NotFound,
                Some("unauthorized") => ErrorKind::Authentication,
                Some("not_allowed") => ErrorKind::Forbidden,
                Some(r) if r.ends_with("_exists") => ErrorKind::Conflict,
                _ => ErrorKind::Api,
            },
            // 1xx, 3xx (redirects are not followed) and statuses outside HTTP's classes.
            _ => ErrorKind::InvalidResponse,
        }
    }

    /// Builds the error for an answer whose kind is decided.
    fn answered(
        kind: ErrorKind,
        status: u16,
        reason: Option<&str>,
        message: Option<&str>,
        scrubber: &Scrubber,
    ) -> Self {
        let mut e = Self::new(kind, message.map(|m| scrubber.clean(m)).unwrap_or_default());
        e.inner.status = Some(status);
        e.inner.reason = reason.map(|r| scrubber.clean(r));
        e
    }

    /// Adds the cause. Its chain (which may quote the server) is cleaned once, here, for
    /// `Display` and `Debug`; a chain that holds a credential is not kept at all, so that
    /// walking [`source`](std::error::Error::source) cannot find it either.
    pub(crate) fn with_source(
        mut self,
        source: impl std::error::Error + Send + Sync + 'static,
        scrubber: &Scrubber,
    ) -> Self {
        let chain = chain_text(&source);
        self.inner.cause = Some(scrubber.clean(&chain));
        if !scrubber.finds(&chain) {
            self.inner.source = Some(Box::new(source));
        }
        self
    }

    pub(crate) fn with_status(mut self, status: u16) -> Self {
        self.inner.status = Some(status);
        self
    }

    pub(crate) fn with_retry_after(mut self, wait: Option<Duration>) -> Self {
        self.inner.retry_after = wait;
        self
    }

    pub(crate) fn with_connect(mut self) -> Self {
        self.inner.connect = true;
        self
    }

    pub(crate) fn finish(mut self, operation: &'static str, attempts: u32) -> Self {
        self.inner.operation = Some(operation);
        // A request refused before sending was not an attempt.
        self.inner.attempts = if self.inner.unsent { 0 } else { attempts };
        self
    }

    /// An invalid request refused before anything was sent: `attempts()` is then 0.
    pub(crate) fn unsent(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::InvalidRequest, message).not_sent()
    }

    /// Marks a request refused before anything was sent: `attempts()` is then 0.
    pub(crate) fn not_sent(mut self) -> Self {
        self.inner.unsent = true;
        self
    }

    /// What went wrong.
    pub fn kind(&self) -> ErrorKind {
        self.inner.kind
    }

    /// The HTTP status of Crisp's answer, when one arrived.
    pub fn status(&self) -> Option<u16> {
        self.inner.status
    }

    /// Crisp's `reason` (`invalid_data`, `not_found`, `not_subscribed`, …), when the answer
    /// was an envelope.
    pub fn reason(&self) -> Option<&str> {
        self.inner.reason.as_deref()
    }

    /// Details: Crisp's `data.message`, or what this crate found wrong.
    pub fn message(&self) -> Option<&str> {
        self.inner.message.as_deref()
    }

    /// The operation (`list_conversations`, …) that failed, when the error comes from a call.
    pub fn operation(&self) -> Option<&'static str> {
        self.inner.operation
    }

    /// How many attempts were made (0 when the request was refused before sending).
    pub fn attempts(&self) -> u32 {
        self.inner.attempts
    }

    /// The wait Crisp asked for with `Retry-After`, if any.
    pub fn retry_after(&self) -> Option<Duration> {
        self.inner.retry_after
    }

    /// True when the connection could not be opened, so the request surely was not sent.
    pub fn is_connect(&self) -> bool {
        self.inner.connect
    }

    /// True for rate limits (420, 429).
    pub fn is_rate_limited(&self) -> bool {
        self.inner.kind == ErrorKind::RateLimited
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let i = &self.inner;
        write!(f, "crisp: {}", i.kind)?;
        if let Some(op) = i.operation {
            write!(f, " in {op}")?;
        }
        match (i.status, &i.reason) {
            (Some(s), Some(r)) => write!(f, " (HTTP {s}, reason `{r}`)")?,
            (Some(s), None) => write!(f, " (HTTP {s})")?,
            (None, Some(r)) => write!(f, " (reason `{r}`)")?,
            (None, None) => {}
        }
        if let Some(m) = &i.message {
            write!(f, ": {m}")?;
        }
        if let Some(cause) = &i.cause {
            write!(f, ": {cause}")?;
        }
        if i.kind == ErrorKind::Forbidden {
            write_scopes(f, i.operation)?;
        }
        if i.attempts > 1 {
            write!(f, " (after {} attempts)", i.attempts)?;
        }
        Ok(())
    }
}

/// For a 403: the plugin token scopes the operation needs (the spec's `x-crisp-scopes`), as
/// ` (a plugin token needs the `website:conversation:messages` write scope)`. Nothing for an
/// operation without scopes.
fn write_scopes(f: &mut fmt::Formatter<'_>, operation: Option<&str>) -> fmt::Result {
    let scopes = operation
        .map(crate::generated::scopes::scopes)
        .unwrap_or(&[]);
    for (n, (scope, access)) in scopes.iter().enumerate() {
        let lead = if n == 0 {
            " (a plugin token needs the"
        } else {
            " and the"
        };
        write!(f, "{lead} `{scope}` {access} scope")?;
    }
    if !scopes.is_empty() {
        f.write_str(")")?;
    }
    Ok(())
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let i = &self.inner;
        let mut d = f.debug_struct("Error");
        d.field("kind", &i.kind)
            .field("status", &i.status)
            .field("reason", &i.reason)
            .field("message", &i.message)
            .field("operation", &i.operation)
            .field("attempts", &i.attempts);
        if let Some(wait) = i.retry_after {
            d.field("retry_after", &wait);
        }
        if let Some(cause) = &i.cause {
            d.field("source", cause);
        }
        if self.inner.connect {
            d.field("connect", &true);
        }
        d.finish()
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.inner
            .source
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

/// The whole cause chain, `outer: inner: root`: reqwest's own message is terse ("error
/// sending request"); what happened ("Connection refused") is further down. A layer whose
/// text is already shown (some repeat their source) is skipped.
fn chain_text(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut next = error.source();
    while let Some(layer) = next {
        let shown = layer.to_string();
        if !shown.is_empty() && !text.contains(&shown) {
            text.push_str(": ");
            text.push_str(&shown);
        }
        next = layer.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Credentials;

    #[derive(Debug)]
    struct Layer(&'static str, Option<Box<Layer>>);

    impl fmt::Display for Layer {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(self.0)
        }
    }

    impl std::error::Error for Layer {
        fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
            self.1
                .as_deref()
                .map(|l| l as &(dyn std::error::Error + 'static))
        }
    }

    fn chain(layers: &[&'static str]) -> Layer {
        let mut layer: Option<Box<Layer>> = None;
        for text in layers.iter().rev() {
            layer = Some(Box::new(Layer(text, layer)));
        }
        *layer.unwrap()
    }

    #[test]
    fn display_shows_every_layer_of_the_cause_once() {
        let e = Error::new(ErrorKind::Transport, "").with_source(
            chain(&[
                "error sending request",
                "client error (Connect)",
                "client error (Connect)",
                "Connection refused",
            ]),
            &Scrubber::default(),
        );
        assert_eq!(
            e.to_string(),
            "crisp: connection failed: error sending request: client error (Connect): \
             Connection refused"
        );
        assert!(std::error::Error::source(&e).is_some());
    }

    #[test]
    fn a_cause_quoting_the_key_is_scrubbed_and_not_kept() {
        let scrubber = Scrubber::new(&Credentials::new("id", "the-key"));
        let e = Error::new(ErrorKind::Transport, "")
            .with_source(chain(&["outer", "server said the-key\r\n"]), &scrubber);
        assert_eq!(
            e.to_string(),
            "crisp: connection failed: outer: server said <redacted>  "
        );
        assert!(!format!("{e:?}").contains("the-key"));
        assert!(
            std::error::Error::source(&e).is_none(),
            "the raw chain is dropped"
        );
    }

    #[test]
    fn every_kind_displays_as_distinct_words_that_start_the_error_s_display() {
        let kinds = [
            ErrorKind::Configuration,
            ErrorKind::InvalidRequest,
            ErrorKind::Authentication,
            ErrorKind::Forbidden,
            ErrorKind::NotFound,
            ErrorKind::RateLimited,
            ErrorKind::Server,
            ErrorKind::InvalidResponse,
            ErrorKind::Timeout,
            ErrorKind::Transport,
            ErrorKind::Api,
            ErrorKind::Conflict,
            ErrorKind::QuotaExceeded,
            ErrorKind::UpgradeRequired,
            ErrorKind::BudgetExhausted,
        ];
        let words: std::collections::BTreeSet<String> =
            kinds.iter().map(ErrorKind::to_string).collect();
        assert_eq!(words.len(), kinds.len(), "{words:?}");
        for kind in kinds {
            let text = kind.to_string();
            assert!(!text.is_empty() && !text.contains("ErrorKind"), "{text}");
            assert_eq!(
                Error::new(kind, "").to_string(),
                format!("crisp: {text}"),
                "{kind:?}"
            );
        }
    }

    #[test]
    fn answers_keep_cleaned_server_text() {
        let scrubber = Scrubber::new(&Credentials::new("id", "the-key"));
        let e = Error::from_answer(
            200,
            Some("invalid_data"),
            Some("bad\u{1b}[2J the-key"),
            &scrubber,
        );
        assert_eq!(e.kind(), ErrorKind::InvalidRequest);
        assert_eq!(e.message(), Some("bad [2J <redacted>"));
    }

    #[test]
    fn a_403_names_the_scopes_of_its_operation_and_only_a_403() {
        let forbidden = |operation| {
            Error::from_answer(403, Some("not_allowed"), None, &Scrubber::default())
                .finish(operation, 1)
                .to_string()
        };
        assert_eq!(
            forbidden("send_message_in_conversation"),
            "crisp: not allowed in send_message_in_conversation (HTTP 403, reason \
             `not_allowed`) (a plugin token needs the `website:conversation:messages` write \
             scope)"
        );
        assert!(forbidden("get_people_data").contains("`website:people:data` read scope"));
        // A user-only operation, and one about the plugin itself: no scope to name.
        assert!(!forbidden("batch_resolve_items").contains("scope"));
        assert!(!forbidden("get_connect_account").contains("scope"));
        let not_found = Error::from_answer(404, Some("not_found"), None, &Scrubber::default())
            .finish("send_message_in_conversation", 1);
        assert!(!not_found.to_string().contains("scope"));
    }

    #[test]
    fn quota_and_plan_refusals_have_their_kinds() {
        let s = Scrubber::default();
        let kind = |status, reason| Error::from_answer(status, reason, None, &s).kind();
        assert_eq!(
            kind(423, Some("quota_limit_exceeded")),
            ErrorKind::QuotaExceeded
        );
        assert_eq!(kind(423, None), ErrorKind::QuotaExceeded);
        assert_eq!(
            kind(402, Some("subscription_upgrade_required")),
            ErrorKind::UpgradeRequired
        );
        assert_eq!(kind(402, None), ErrorKind::UpgradeRequired);
        // The reason decides on another 4xx or a 2xx error envelope.
        assert_eq!(
            kind(200, Some("quota_limit_exceeded")),
            ErrorKind::QuotaExceeded
        );
        assert_eq!(
            kind(403, Some("subscription_upgrade_required")),
            ErrorKind::UpgradeRequired
        );
        // Neighbours keep theirs.
        assert_eq!(kind(422, None), ErrorKind::InvalidRequest);
        assert_eq!(kind(424, None), ErrorKind::InvalidRequest);
        assert_eq!(kind(500, Some("quota_limit_exceeded")), ErrorKind::Server);
        let e = Error::from_answer(423, Some("quota_limit_exceeded"), None, &s);
        assert_eq!(
            e.to_string(),
            "crisp: quota exceeded (HTTP 423, reason `quota_limit_exceeded`)"
        );
    }
}

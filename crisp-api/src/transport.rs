//! The one path every call takes: [`send`] adds the default headers, authentication, tier,
//! user agent, timeout and the body-size limit to the request the generated code builds,
//! then retries, tracing, the quota meter and daily budget (every attempt), error mapping
//! and decoding. Raw calls ([`crate::raw`]) take it too, through [`send_with_status`]. It is shared by every operation: the generated `send()` of
//! each builder hands over a closure that builds its request from the borrowed builder
//! (`request(&self)`, progenitor's code, called once per attempt) and names the type to
//! decode, so that the retry loop and the error paths are compiled once, not once per
//! operation (see BENCHMARKS.md, "Build cost").

use crate::envelope::{ErrorAnswer, Payload, EXCERPT_CHARS};
use crate::server_text::Scrubber;
use crate::usage::Outcome;
use crate::{Client, Error, ErrorKind, ResponseValue};
use progenitor_client::ClientInfo;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue, AUTHORIZATION, RETRY_AFTER, USER_AGENT};
use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tracing::Instrument as _;

/// What the generated code tells the transport about an operation.
pub(crate) struct Operation {
    pub(crate) id: &'static str,
    pub(crate) method: reqwest::Method,
    pub(crate) path: &'static str,
}

impl Operation {
    /// POST and PATCH may act twice if sent twice.
    fn idempotent(&self) -> bool {
        !matches!(self.method, reqwest::Method::POST | reqwest::Method::PATCH)
    }
}

/// A request built by a builder's `request()` (generated from the spec), with the client that
/// sends it; progenitor's error type when the body cannot be encoded or reqwest cannot build
/// the request (required inputs are arguments: nothing can be left unset).
pub(crate) type Built = Result<(Client, reqwest::Request), progenitor_client::Error<()>>;

// progenitor's generated code asserts that the client has hooks (the xtask asks for the
// inner type); the transport applies the settings itself, so progenitor's defaults (no-ops)
// are all it needs.
impl progenitor_client::ClientHooks<crate::Config> for Client {}

static TIER: HeaderName = HeaderName::from_static("x-crisp-tier");

/// Adds what the client applies to every request: its default headers (where the request
/// has none of that name: a request's own header wins), authentication, tier, user agent
/// and the timeout of one attempt.
fn apply_settings(client: &Client, request: &mut reqwest::Request) {
    let settings = client.config().settings();
    let headers = request.headers_mut();
    for (name, value) in &settings.default_headers {
        if !headers.contains_key(name) {
            headers.insert(name.clone(), value.clone());
        }
    }
    headers.insert(AUTHORIZATION, settings.authorization.clone());
    headers.insert(TIER.clone(), settings.tier_header.clone());
    headers.insert(USER_AGENT, settings.user_agent.clone());
    if let Some(timeout) = settings.timeout {
        *request.timeout_mut() = Some(timeout);
    }
}

/// The headers the SDK or HTTP sets itself, which a default or per-request header may not
/// replace.
const OWNED_HEADERS: [(&str, &str); 8] = [
    (
        "authorization",
        "set the token with .credentials(identifier, key)",
    ),
    ("x-crisp-tier", "set the tier with .tier(..)"),
    (
        "user-agent",
        "set it with the client builder's .user_agent(..)",
    ),
    ("content-type", "the SDK sets it for the JSON body"),
    ("content-length", "HTTP sets it"),
    ("transfer-encoding", "HTTP sets it"),
    ("host", "HTTP sets it from the base URL"),
    ("connection", "HTTP manages connections"),
];

/// Checks a header to add to requests (a client's default header, or one request's): a
/// valid name and value, and not one the SDK or HTTP sets itself (`Authorization`,
/// `X-Crisp-Tier`, `User-Agent`, `Content-Type`, `Content-Length`, `Transfer-Encoding`,
/// `Host`, `Connection`). The value is marked sensitive (kept out of HTTP libraries' logs).
/// The error is an [`ErrorKind::InvalidRequest`] refused before sending (`attempts()` 0)
/// whose message names the header, never its value.
///
/// A builder's per-request `.header(name, value)` calls this when set (keeping the error
/// for `send()`, as the builders keep a field that did not convert), stores the pair in a
/// `HeaderMap`, and hands it to [`add_headers`] in its `request()`.
pub(crate) fn extra_header(name: &str, value: &str) -> Result<(HeaderName, HeaderValue), Error> {
    let name = HeaderName::from_bytes(name.trim().as_bytes())
        .map_err(|_| Error::unsent(format!("`{}` is not a valid header name", name.trim())))?;
    if let Some((_, why)) = OWNED_HEADERS
        .iter()
        .find(|(owned, _)| *owned == name.as_str())
    {
        return Err(Error::unsent(format!(
            "the `{name}` header cannot be replaced: {why}"
        )));
    }
    let mut value = HeaderValue::from_str(value).map_err(|_| {
        Error::unsent(format!(
            "the value of the `{name}` header is not a valid header value (visible ASCII, \
             spaces and tabs)"
        ))
    })?;
    value.set_sensitive(true);
    Ok((name, value))
}

/// The headers one call was given (`.header(name, value)` on a builder or a raw call), checked
/// by [`extra_header`] when added; the first refusal is kept for `send()`, which fails before
/// sending. `Debug` shows the names only.
#[derive(Clone, Default)]
pub(crate) struct ExtraHeaders {
    headers: HeaderMap,
    refused: Option<String>,
}

impl ExtraHeaders {
    /// Adds a header, or keeps why it is refused.
    pub(crate) fn add(&mut self, name: &str, value: &str) {
        match extra_header(name, value) {
            Ok((name, value)) => {
                self.headers.append(name, value);
            }
            Err(e) => {
                let why = e.message().unwrap_or("invalid header").to_string();
                self.refused.get_or_insert(why);
            }
        }
    }

    /// The headers, or the refusal of one of them (nothing was sent: `attempts()` 0).
    pub(crate) fn check(&self, operation: &'static str) -> Result<&HeaderMap, Error> {
        match &self.refused {
            Some(why) => Err(Error::unsent(why.clone()).finish(operation, 0)),
            None => Ok(&self.headers),
        }
    }

    /// The headers (refused ones left out).
    pub(crate) fn map(&self) -> &HeaderMap {
        &self.headers
    }
}

impl std::fmt::Debug for ExtraHeaders {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.headers.keys()).finish()
    }
}

/// Sets one request's own headers (checked by [`extra_header`]) on the request a builder
/// built: the client's default header of the same name is then not sent.
pub(crate) fn add_headers(request: &mut reqwest::Request, headers: &HeaderMap) {
    for (name, value) in headers {
        request.headers_mut().append(name.clone(), value.clone());
    }
}

/// Sends the request once, the body guarded by [`limit_body`].
async fn execute(client: &Client, request: reqwest::Request) -> reqwest::Result<reqwest::Response> {
    let response = client.client().execute(request).await?;
    Ok(limit_body(
        response,
        client.config().settings().max_response_bytes,
    ))
}

/// A builder's `send_raw`: one attempt, no retries, progenitor's answer and errors. The
/// request goes out with the same settings as [`send`]'s.
pub(crate) async fn send_raw<T: serde::de::DeserializeOwned>(
    built: Built,
) -> Result<ResponseValue<T>, progenitor_client::Error<()>> {
    ResponseValue::from_response(raw_answer(built).await?).await
}

/// [`send_raw`] for operations whose answer has no body (HEAD).
pub(crate) async fn send_raw_empty(
    built: Built,
) -> Result<ResponseValue<()>, progenitor_client::Error<()>> {
    Ok(ResponseValue::empty(raw_answer(built).await?))
}

async fn raw_answer(built: Built) -> Result<reqwest::Response, progenitor_client::Error<()>> {
    let (client, mut request) = built?;
    let meter = &client.config().settings().meter;
    if let Err(budget) = meter.admit() {
        return Err(progenitor_client::Error::InvalidRequest(
            budget_spent(budget, None).to_string(),
        ));
    }
    apply_settings(&client, &mut request);
    let response = execute(&client, request).await;
    meter.record(match &response {
        Ok(response) => Outcome::Status(response.status().as_u16()),
        Err(_) => Outcome::NoAnswer,
    });
    let response = response?;
    if response.status().is_success() {
        Ok(response)
    } else {
        Err(progenitor_client::Error::UnexpectedResponse(response))
    }
}

/// Guards the body: reading it fails once it grows past `max` bytes, and every failure
/// reading it carries the answer's status.
///
/// A 2xx body whose exact length is known and within the limit is left as it is: HTTP/1
/// (hyper) reads no more than the declared `Content-Length`, and HTTP/2 (h2) fails a stream
/// that sends more, so it cannot grow past `max`. The wrapper's round trip through
/// `http::Response` costs a URL parse, a few allocations and boxed layers per answer (see
/// BENCHMARKS.md); error answers and the other bodies (chunked, over the limit, or
/// decompressed) always get it.
fn limit_body(response: reqwest::Response, max: usize) -> reqwest::Response {
    if response.status().is_success()
        && response
            .content_length()
            .is_some_and(|length| length <= max as u64)
    {
        return response;
    }
    let response: http::Response<reqwest::Body> = response.into();
    let (parts, body) = response.into_parts();
    let body = reqwest::Body::wrap(GuardedBody {
        inner: body,
        remaining: max,
        limit: max,
        status: parts.status.as_u16(),
    });
    reqwest::Response::from(http::Response::from_parts(parts, body))
}

struct GuardedBody {
    inner: reqwest::Body,
    remaining: usize,
    limit: usize,
    status: u16,
}

impl http_body::Body for GuardedBody {
    type Data = bytes::Bytes;
    type Error = BodyError;

    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<http_body::Frame<bytes::Bytes>, BodyError>>> {
        use std::task::Poll;
        let this = &mut *self;
        // A Content-Length over the limit fails before anything is read.
        if this.inner.size_hint().lower() > this.remaining as u64 {
            this.remaining = 0;
            return Poll::Ready(Some(Err(this.error(None))));
        }
        match std::pin::Pin::new(&mut this.inner).poll_frame(cx) {
            Poll::Ready(Some(Ok(frame))) => {
                let len = frame.data_ref().map_or(0, |d| d.len());
                if len > this.remaining {
                    this.remaining = 0;
                    return Poll::Ready(Some(Err(this.error(None))));
                }
                this.remaining -= len;
                Poll::Ready(Some(Ok(frame)))
            }
            Poll::Ready(Some(Err(e))) => Poll::Ready(Some(Err(this.error(Some(e))))),
            Poll::Ready(None) => Poll::Ready(None),
            Poll::Pending => Poll::Pending,
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.inner.size_hint()
    }
}

impl GuardedBody {
    fn error(&self, source: Option<reqwest::Error>) -> BodyError {
        BodyError {
            status: self.status,
            too_large: source.is_none().then_some(self.limit),
            source,
        }
    }
}

/// A failure reading a body: too large, or the transport's error, with the answer's status.
#[derive(Debug)]
struct BodyError {
    status: u16,
    too_large: Option<usize>,
    source: Option<reqwest::Error>,
}

impl std::fmt::Display for BodyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.too_large {
            Some(limit) => write!(
                f,
                "the body of the answer (HTTP {}) is larger than {limit} bytes (max_response_bytes)",
                self.status
            ),
            None => write!(f, "reading the body of the answer (HTTP {}) failed", self.status),
        }
    }
}

impl std::error::Error for BodyError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_ref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

/// A request body as JSON: what reqwest's `RequestBuilder::json` does, with only the
/// serialization generic (the builders set the `Content-Type`). The error is progenitor's,
/// the one the generated `request()` returns.
#[allow(clippy::result_large_err)]
pub(crate) fn json_body<T: serde::Serialize>(
    body: &T,
) -> Result<Vec<u8>, progenitor_client::Error<()>> {
    serde_json::to_vec(body).map_err(|e| {
        progenitor_client::Error::InvalidRequest(format!("the body cannot be encoded as JSON: {e}"))
    })
}

/// Checks what a builder's `request()` returned: a body that cannot be encoded as JSON, or a
/// request reqwest cannot build, is refused before sending.
pub(crate) fn built(
    operation: &'static str,
    built: Built,
) -> Result<(Client, reqwest::Request), Error> {
    use progenitor_client::Error as P;
    built.map_err(|e| {
        let error = match e {
            P::InvalidRequest(message) => Error::unsent(message),
            // Building the request failed (reqwest could not encode the URL, a query or the
            // body): nothing was sent either.
            other => Error::unsent(format!("the request cannot be built: {other}")),
        };
        error.finish(operation, 0)
    })
}

/// What a builder's `send()` hands over: its path checks and `request()`, callable for every
/// attempt (the builder is borrowed, so a retry builds the request again rather than keeping
/// a copy of it).
pub(crate) type Prepared = Result<(Client, reqwest::Request), Error>;

/// Runs one operation: attempts it, retries as the policy allows, and decodes the answer as
/// `R` into the caller's data. Generic only over the decoding and the builder's closure; the
/// loop is [`run`], compiled once.
///
/// When awaited inside [`with_status`] (a paged stream's fetch), it also leaves there the
/// status of the answer it decoded.
pub(crate) async fn send<R: Payload, F>(
    op: &'static Operation,
    prepare: F,
) -> Result<R::Data, Error>
where
    R::Data: Send,
    F: Fn() -> Prepared + Send + Sync,
{
    let (data, status) = send_with_status::<R, F>(op, prepare).await?;
    // Outside a `with_status` scope there is no one to tell.
    let _ = LAST_STATUS.try_with(|last| last.store(status, Ordering::Relaxed));
    Ok(data)
}

/// [`send`], with the status of the answer decoded (`200`, `206`, …): what a caller that
/// reads the status (a paged stream) calls directly.
pub(crate) async fn send_with_status<R: Payload, F>(
    op: &Operation,
    prepare: F,
) -> Result<(R::Data, u16), Error>
where
    R::Data: Send,
    F: Fn() -> Prepared + Send + Sync,
{
    let mut data = None;
    let mut decode = |status: u16, body: &[u8], scrubber: &Scrubber| {
        data = Some((R::decode(status, body, scrubber)?, status));
        Ok(())
    };
    run(op, &prepare, R::READS_BODY, &mut decode).await?;
    // `run` succeeds only once `decode` has: the data is there.
    data.ok_or_else(|| Error::new(ErrorKind::InvalidResponse, "the answer was not decoded"))
}

tokio::task_local! {
    /// Where [`send`] leaves the status of its answer, inside [`with_status`].
    static LAST_STATUS: Arc<AtomicU16>;
}

/// Awaits `call` (a generated builder's `send()`, whose signature has no status) and returns
/// its output with the status of the answer it decoded: `None` when it failed, or did not
/// go through [`send`].
///
/// This is how a paged stream sees `206 Partial Content` without the generated code
/// changing: the stream constructors take the builders' `send()`. A generator that emits a
/// call of [`send_with_status`] for the streams' fetch can drop it.
pub(crate) async fn with_status<Fut: std::future::Future>(call: Fut) -> (Fut::Output, Option<u16>) {
    let last = Arc::new(AtomicU16::new(0));
    let output = LAST_STATUS.scope(Arc::clone(&last), call).await;
    let status = last.load(Ordering::Relaxed);
    (output, (status != 0).then_some(status))
}

/// [`send`] for an operation whose answer carries no data: its `data` is not decoded.
pub(crate) async fn send_unit<F>(op: &'static Operation, prepare: F) -> Result<(), Error>
where
    F: Fn() -> Prepared + Send + Sync,
{
    send::<crate::envelope::Envelope<serde::de::IgnoredAny>, F>(op, prepare)
        .await
        .map(|_| ())
}

/// A HEAD check: 2xx means the thing exists, 404 that it does not.
pub(crate) async fn send_exists<F>(op: &'static Operation, prepare: F) -> Result<bool, Error>
where
    F: Fn() -> Prepared + Send + Sync,
{
    match send::<(), F>(op, prepare).await {
        Ok(()) => Ok(true),
        Err(e) if e.status() == Some(404) => Ok(false),
        Err(e) => Err(e),
    }
}

/// Decodes a 2xx body (status, body, scrubber) into the data [`send`] returns.
type Decode<'a> = &'a mut (dyn FnMut(u16, &[u8], &Scrubber) -> Result<(), Error> + Send);

/// The retry loop, shared by every operation (not generic).
async fn run(
    op: &Operation,
    prepare: &(dyn Fn() -> Prepared + Send + Sync),
    reads_body: bool,
    decode: Decode<'_>,
) -> Result<(), Error> {
    let started = Instant::now();
    let mut attempts = 0;
    let mut failed: Option<Error> = None;
    loop {
        attempts += 1;
        // Every attempt builds its request from the builder: nothing is copied for a retry
        // that may never happen. What can be refused before sending is refused here, on the
        // first attempt (a builder that built once builds again).
        let (client, mut this) = prepare()?;
        // The budget is checked for every attempt: a retry spends quota too.
        if let Err(budget) = client.config().settings().meter.admit() {
            return Err(budget_spent(budget, failed).finish(op.id, attempts - 1));
        }
        apply_settings(&client, &mut this);
        let policy = client.config().retry_policy();
        let span = tracing::debug_span!(
            "crisp.request",
            operation = op.id,
            method = %op.method,
            path = op.path,
            attempt = attempts,
            status = tracing::field::Empty,
            elapsed_ms = tracing::field::Empty,
        );
        let began = Instant::now();
        // Boxed (one allocation per attempt) so that the future of every call stays small:
        // memory held per call in flight, and copied whenever it moves (see BENCHMARKS.md;
        // boxing the whole retry loop instead measured no better).
        // The span goes into the future and is read back from it: no copy of it per call.
        let mut attempted =
            Box::pin(attempt(&client, this, reads_body, &mut *decode)).instrument(span);
        let outcome = (&mut attempted).await;
        client.config().settings().meter.record(match &outcome {
            Ok(status) => Outcome::Status(*status),
            Err(error) => Outcome::of(error),
        });
        let span = attempted.span();
        span.record("elapsed_ms", began.elapsed().as_millis() as u64);
        let error = match outcome {
            Ok(_) => return Ok(()),
            Err(error) => error,
        };
        if let Some(status) = error.status() {
            span.record("status", status);
        }
        let wait = policy.next_wait(&error, op.idempotent(), attempts, started.elapsed());
        match wait {
            Some(wait) => {
                tracing::debug!(parent: span, ?wait, error = %error, "crisp: retrying");
                tokio::time::sleep(wait).await;
                failed = Some(error);
            }
            None => return Err(error.finish(op.id, attempts)),
        }
    }
}

/// The error of a request refused by the daily budget: before the first attempt nothing
/// was sent; before a retry, it says what the last attempt met.
fn budget_spent(budget: u64, failed: Option<Error>) -> Error {
    let spent = format!(
        "the daily budget of {budget} requests (ClientBuilder::daily_budget) is spent for \
         this UTC day; it comes back at 00:00 UTC"
    );
    match failed {
        None => Error::new(ErrorKind::BudgetExhausted, spent).not_sent(),
        Some(error) => Error::new(
            ErrorKind::BudgetExhausted,
            format!("{spent}; no retry after: {error}"),
        ),
    }
}

/// One attempt: sends, reads a 2xx body and decodes it (the answer's status), or maps the
/// failure.
async fn attempt(
    client: &Client,
    request: reqwest::Request,
    reads_body: bool,
    decode: Decode<'_>,
) -> Result<u16, Error> {
    let scrubber = &client.config().settings().scrubber;
    let response = execute(client, request)
        .await
        .map_err(|e| from_reqwest(e, scrubber))?;
    let status = response.status().as_u16();
    tracing::Span::current().record("status", status);
    if !response.status().is_success() {
        return Err(Box::pin(from_error_answer(response, scrubber)).await);
    }
    if !reads_body {
        return decode(status, &[], scrubber).map(|()| status);
    }
    let body = response.bytes().await.map_err(|e| {
        // A body error from `GuardedBody` knows the status; reqwest's own may not.
        let error = from_reqwest(e, scrubber);
        match error.status() {
            None => error.with_status(status),
            Some(_) => error,
        }
    })?;
    decode(status, &body, scrubber).map(|()| status)
}

/// Reads a non-2xx answer: Crisp's envelope when it is one, the status alone when it is
/// not (an HTML page from a proxy, an empty body, …). The status decides the kind, even when
/// the body cannot be read.
async fn from_error_answer(response: reqwest::Response, scrubber: &Scrubber) -> Error {
    let status = response.status().as_u16();
    let retry_after = response
        .headers()
        .get(RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(parse_retry_after);
    let body = match response.bytes().await {
        Ok(body) => body,
        Err(e) => {
            let read = from_reqwest(e, scrubber);
            let message = read.to_string();
            let message = message.strip_prefix("crisp: ").unwrap_or(&message);
            let message = format!("the body was lost: {message}");
            return Error::from_answer(status, None, Some(&message), scrubber)
                .with_retry_after(retry_after);
        }
    };
    let error = match serde_json::from_slice::<ErrorAnswer>(&body) {
        Ok(answer) => Error::from_answer(status, answer.reason(), answer.message(), scrubber),
        Err(_) if body.iter().all(u8::is_ascii_whitespace) => {
            Error::from_answer(status, None, None, scrubber)
        }
        Err(_) => {
            let message = format!(
                "the answer is not a Crisp envelope; it starts with \"{}\"",
                scrubber.excerpt(&body, EXCERPT_CHARS)
            );
            Error::from_answer(status, None, Some(&message), scrubber)
        }
    };
    error.with_retry_after(retry_after)
}

/// `Retry-After`: delay-seconds or an HTTP date (RFC 9110 §10.2.3). A number too large for
/// a `Duration` means "very long"; a date in the past means now.
fn parse_retry_after(value: &str) -> Option<Duration> {
    let value = value.trim();
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        return Some(
            value
                .parse::<u64>()
                .map(Duration::from_secs)
                .unwrap_or(Duration::MAX),
        );
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(
        at.duration_since(std::time::SystemTime::now())
            .unwrap_or(Duration::ZERO),
    )
}

fn from_reqwest(e: reqwest::Error, scrubber: &Scrubber) -> Error {
    // A body error from `GuardedBody` knows the status, and whether the limit was hit.
    let mut status = e.status().map(|s| s.as_u16());
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(&e);
    while let Some(s) = source {
        if let Some(body) = s.downcast_ref::<BodyError>() {
            if body.too_large.is_some() {
                return Error::new(ErrorKind::InvalidResponse, body.to_string())
                    .with_status(body.status);
            }
            status = Some(body.status);
        }
        source = s.source();
    }
    let kind = if e.is_timeout() {
        ErrorKind::Timeout
    } else {
        ErrorKind::Transport
    };
    let connect = e.is_connect();
    let mut error = Error::new(kind, String::new()).with_source(e.without_url(), scrubber);
    if connect {
        error = error.with_connect();
    }
    if let Some(status) = status {
        error = error.with_status(status);
    }
    error
}

#[cfg(test)]
mod tests {
    use super::parse_retry_after;
    use std::time::{Duration, SystemTime};

    #[test]
    fn retry_after_seconds_and_dates() {
        assert_eq!(parse_retry_after("120"), Some(Duration::from_secs(120)));
        assert_eq!(parse_retry_after(" 0 "), Some(Duration::ZERO));
        assert_eq!(
            parse_retry_after("99999999999999999999999"),
            Some(Duration::MAX)
        );
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"),
            Some(Duration::ZERO)
        );
        let later = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(30));
        let wait = parse_retry_after(&later).unwrap();
        assert!(wait > Duration::from_secs(28) && wait <= Duration::from_secs(30));
        for bad in ["", "-1", "1.5", "soon", "0x10"] {
            assert_eq!(parse_retry_after(bad), None, "{bad:?}");
        }
    }
}

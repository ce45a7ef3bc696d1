//! The one path every call takes: progenitor's hooks add authentication, tier, user agent,
//! timeout and the body-size limit; [`send`] adds retries, tracing and error mapping.

use crate::envelope::{ErrorAnswer, Payload};
use crate::server_text::Scrubber;
use crate::{Client, Config, Error, ErrorKind, ResponseValue};
use progenitor_client::{ClientHooks, ClientInfo, OperationInfo};
use reqwest::header::{HeaderName, AUTHORIZATION, RETRY_AFTER, USER_AGENT};
use std::cell::Cell;
use std::future::Future;
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

tokio::task_local! {
    /// The status of the answer being read in this attempt, for errors raised later while
    /// its body is read (progenitor's body errors do not carry it).
    static ANSWER_STATUS: Cell<Option<u16>>;
}

static TIER: HeaderName = HeaderName::from_static("x-crisp-tier");

impl ClientHooks<Config> for Client {
    async fn pre<E>(
        &self,
        request: &mut reqwest::Request,
        _info: &OperationInfo,
    ) -> Result<(), progenitor_client::Error<E>> {
        let settings = self.inner().settings();
        let headers = request.headers_mut();
        headers.insert(AUTHORIZATION, settings.authorization.clone());
        headers.insert(TIER.clone(), settings.tier_header.clone());
        headers.insert(USER_AGENT, settings.user_agent.clone());
        if let Some(timeout) = settings.timeout {
            *request.timeout_mut() = Some(timeout);
        }
        Ok(())
    }

    async fn post<E>(
        &self,
        result: &reqwest::Result<reqwest::Response>,
        _info: &OperationInfo,
    ) -> Result<(), progenitor_client::Error<E>> {
        if let Ok(response) = result {
            // Outside `send` (a caller's own `send_raw`) there is no scope: nothing to record.
            let _ = ANSWER_STATUS.try_with(|s| s.set(Some(response.status().as_u16())));
        }
        Ok(())
    }

    async fn exec(
        &self,
        request: reqwest::Request,
        _info: &OperationInfo,
    ) -> reqwest::Result<reqwest::Response> {
        let response = self.client().execute(request).await?;
        Ok(limit_body(
            response,
            self.inner().settings().max_response_bytes,
        ))
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

/// Runs one operation: attempts it, retries as the policy allows, and turns the answer into
/// the caller's data or an [`Error`].
pub(crate) async fn send<R, F, Fut>(
    client: &Client,
    op: &Operation,
    attempt: F,
) -> Result<R::Data, Error>
where
    R: Payload,
    F: Fn() -> Fut,
    Fut: Future<Output = Result<ResponseValue<R>, progenitor_client::Error<()>>>,
{
    let policy = client.config().retry_policy();
    let scrubber = &client.config().settings().scrubber;
    let started = Instant::now();
    let mut attempts = 0;
    loop {
        attempts += 1;
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
        // Both futures are boxed (one allocation per attempt): inline, the request's
        // (~1.7 KB) and the error path's (~1.1 KB) make every call's future 3.7 KB instead
        // of 2 KB, memory held per call in flight and copied whenever it moves
        // (see BENCHMARKS.md).
        let outcome = ANSWER_STATUS
            .scope(Cell::new(None), async {
                match Box::pin(attempt()).await {
                    Ok(answer) => {
                        tracing::Span::current().record("status", answer.status().as_u16());
                        R::into_data(answer, scrubber)
                    }
                    // An empty 2xx body (progenitor raises this for 2xx answers only).
                    Err(progenitor_client::Error::InvalidResponsePayload(body, _))
                        if body.iter().all(u8::is_ascii_whitespace) =>
                    {
                        let status = ANSWER_STATUS.with(Cell::get).unwrap_or(200);
                        tracing::Span::current().record("status", status);
                        R::from_empty(status)
                    }
                    Err(e) => {
                        // progenitor's body errors carry no status; the `post` hook saw it.
                        let status = ANSWER_STATUS.with(Cell::get);
                        let error = Box::pin(from_progenitor(e, status, scrubber)).await;
                        match (error.status(), status) {
                            (None, Some(status)) => Err(error.with_status(status)),
                            _ => Err(error),
                        }
                    }
                }
            })
            .instrument(span.clone())
            .await;
        span.record("elapsed_ms", began.elapsed().as_millis() as u64);
        let error = match outcome {
            Ok(data) => return Ok(data),
            Err(error) => error,
        };
        if let Some(status) = error.status() {
            span.record("status", status);
        }
        match policy.next_wait(&error, op.idempotent(), attempts, started.elapsed()) {
            Some(wait) => {
                tracing::debug!(parent: &span, ?wait, error = %error, "crisp: retrying");
                tokio::time::sleep(wait).await;
            }
            None => return Err(error.finish(op.id, attempts)),
        }
    }
}

/// A HEAD check: 2xx means the thing exists, 404 that it does not.
pub(crate) fn exists(result: Result<(), Error>) -> Result<bool, Error> {
    match result {
        Ok(()) => Ok(true),
        Err(e) if e.status() == Some(404) => Ok(false),
        Err(e) => Err(e),
    }
}

/// Maps progenitor's error, reading Crisp's error envelope from non-2xx answers.
/// `answer_status` is the status of the 2xx whose body failed to decode, if one arrived.
/// Every piece of server text goes through `scrubber` on its way into the error.
async fn from_progenitor(
    error: progenitor_client::Error<()>,
    answer_status: Option<u16>,
    scrubber: &Scrubber,
) -> Error {
    use progenitor_client::Error as P;
    match error {
        // progenitor's own checks (a required parameter or body not set, a value that does
        // not convert), made before sending; its message names the field.
        P::InvalidRequest(message) => Error::unsent(message),
        P::CommunicationError(e) | P::ResponseBodyError(e) => from_reqwest(e, scrubber),
        P::InvalidResponsePayload(body, e) => match serde_json::from_slice::<ErrorAnswer>(&body) {
            // `data` came before `error: true` and did not decode: the failure is what matters.
            // progenitor raises this for 2xx answers only.
            Ok(answer) if answer.is_error() => Error::from_answer(
                answer_status.unwrap_or(200),
                answer.reason(),
                answer.message(),
                scrubber,
            ),
            // serde's message may quote the server's values.
            _ => Error::with_server_text(
                ErrorKind::InvalidResponse,
                &format!(
                    "the answer is not the expected JSON ({e}); it starts with \"{}\"",
                    scrubber.excerpt(&body, EXCERPT_CHARS)
                ),
                scrubber,
            ),
        },
        P::UnexpectedResponse(response) => from_error_answer(response, scrubber).await,
        P::ErrorResponse(answer) => {
            Error::from_answer(answer.status().as_u16(), None, None, scrubber)
        }
        P::InvalidUpgrade(e) => from_reqwest(e, scrubber),
        P::Custom(message) => Error::new(ErrorKind::Transport, message),
    }
}

/// How much of a body that is not an envelope an error quotes.
const EXCERPT_CHARS: usize = 80;

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

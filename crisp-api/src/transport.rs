//! The one path every call takes: progenitor's hooks add authentication, tier, user agent,
//! timeout and the body-size limit; [`send`] adds retries, tracing and error mapping.

use crate::envelope::{ErrorAnswer, Payload};
use crate::{Client, Config, Error, ErrorKind, ResponseValue};
use progenitor_client::{ClientHooks, ClientInfo, OperationInfo};
use reqwest::header::{HeaderName, AUTHORIZATION, RETRY_AFTER, USER_AGENT};
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

static TIER: HeaderName = HeaderName::from_static("x-crisp-tier");
static API_VERSION: HeaderName = HeaderName::from_static("api-version");

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
        // progenitor sends the spec's version; Crisp has no use for it.
        headers.remove(&API_VERSION);
        if let Some(timeout) = settings.timeout {
            *request.timeout_mut() = Some(timeout);
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

/// Makes reading the body fail once it grows past `max` bytes.
///
/// A body whose exact length is known and within the limit is left as it is: HTTP/1 (hyper)
/// reads no more than the declared `Content-Length`, and HTTP/2 (h2) fails a stream that
/// sends more, so it cannot grow past `max`. Only the other bodies (chunked, over the limit,
/// or decompressed) get the counting wrapper, whose round trip through `http::Response`
/// costs a URL parse, a few allocations and boxed layers per answer (see BENCHMARKS.md).
fn limit_body(response: reqwest::Response, max: usize) -> reqwest::Response {
    if response
        .content_length()
        .is_some_and(|length| length <= max as u64)
    {
        return response;
    }
    let response: http::Response<reqwest::Body> = response.into();
    let (parts, body) = response.into_parts();
    let body = reqwest::Body::wrap(http_body_util::Limited::new(body, max));
    reqwest::Response::from(http::Response::from_parts(parts, body))
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
        let outcome = async {
            match Box::pin(attempt()).await {
                Ok(answer) => {
                    tracing::Span::current().record("status", answer.status().as_u16());
                    R::into_data(answer)
                }
                Err(e) => Err(Box::pin(from_progenitor(e)).await),
            }
        }
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
async fn from_progenitor(error: progenitor_client::Error<()>) -> Error {
    use progenitor_client::Error as P;
    match error {
        P::InvalidRequest(message) => Error::new(ErrorKind::InvalidRequest, message),
        P::CommunicationError(e) | P::ResponseBodyError(e) => from_reqwest(e),
        // `data` came before `error: true` and did not decode: the failure is what matters.
        P::InvalidResponsePayload(body, _)
            if serde_json::from_slice::<ErrorAnswer>(&body).is_ok_and(|a| a.error) =>
        {
            let answer: ErrorAnswer = serde_json::from_slice(&body).unwrap_or_default();
            let message = answer.message();
            // A 2xx, but progenitor does not say which.
            Error::from_answer(200, answer.reason, message).with_unknown_status()
        }
        P::InvalidResponsePayload(body, e) => Error::new(
            ErrorKind::InvalidResponse,
            format!(
                "the answer is not the expected JSON ({e}); it starts with {}",
                excerpt(&body)
            ),
        ),
        P::UnexpectedResponse(response) => from_error_answer(response).await,
        P::ErrorResponse(answer) => Error::from_answer(answer.status().as_u16(), None, None),
        P::InvalidUpgrade(e) => from_reqwest(e),
        P::Custom(message) => Error::new(ErrorKind::Transport, message),
    }
}

/// Reads a non-2xx answer: Crisp's envelope when it is one, the status alone when it is
/// not (an HTML page from a proxy, an empty body, …).
async fn from_error_answer(response: reqwest::Response) -> Error {
    let status = response.status().as_u16();
    let retry_after = response
        .headers()
        .get(RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(Duration::from_secs);
    let body = match response.bytes().await {
        Ok(body) => body,
        Err(e) => {
            return from_reqwest(e)
                .with_status(status)
                .with_retry_after(retry_after)
        }
    };
    let error = match serde_json::from_slice::<ErrorAnswer>(&body) {
        Ok(answer) => {
            let message = answer.message();
            Error::from_answer(status, answer.reason, message)
        }
        Err(_) if body.is_empty() => Error::from_answer(status, None, None),
        Err(_) => Error::from_answer(
            status,
            None,
            Some(format!(
                "the answer is not a Crisp envelope; it starts with {}",
                excerpt(&body)
            )),
        ),
    };
    error.with_retry_after(retry_after)
}

fn from_reqwest(e: reqwest::Error) -> Error {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(&e);
    while let Some(s) = source {
        if s.is::<http_body_util::LengthLimitError>() {
            return Error::new(
                ErrorKind::InvalidResponse,
                "the answer's body is larger than the configured limit (max_response_bytes)",
            );
        }
        source = s.source();
    }
    let kind = if e.is_timeout() {
        ErrorKind::Timeout
    } else {
        ErrorKind::Transport
    };
    let connect = e.is_connect();
    let status = e.status().map(|s| s.as_u16());
    let mut error = Error::new(kind, String::new()).with_source(e.without_url());
    if connect {
        error = error.with_connect();
    }
    if let Some(status) = status {
        error = error.with_status(status);
    }
    error
}

/// A short, printable start of a body, for error messages.
fn excerpt(body: &[u8]) -> String {
    const MAX: usize = 80;
    let text = String::from_utf8_lossy(&body[..body.len().min(MAX)]);
    let clean: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if body.len() > MAX {
        format!("{clean:?}…")
    } else {
        format!("{clean:?}")
    }
}

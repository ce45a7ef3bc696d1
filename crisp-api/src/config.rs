//! Building a [`Client`]: base URL, credentials, tier, user agent, timeouts and retries,
//! set once and applied to every call.

use crate::server_text::Scrubber;
use crate::usage::{Meter, Usage};
use crate::{Client, Credentials, Error, RetryPolicy, Tier};
use reqwest::header::{HeaderMap, HeaderValue};
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

/// Crisp's production endpoint, used unless [`ClientBuilder::base_url`] says otherwise.
pub const DEFAULT_BASE_URL: &str = "https://api.crisp.chat/v1";

/// The default limit on the size of a response body: 16 MiB.
const DEFAULT_MAX_RESPONSE_BYTES: usize = 16 * 1024 * 1024;

/// What a [`Client`] applies to every request. Cheap to clone; build it through
/// [`Client::builder`].
///
/// `Debug` never shows the token key.
#[derive(Clone)]
pub struct Config {
    inner: Arc<Settings>,
}

#[derive(Clone)]
pub(crate) struct Settings {
    pub(crate) credentials: Credentials,
    pub(crate) authorization: HeaderValue,
    pub(crate) tier: Tier,
    pub(crate) tier_header: HeaderValue,
    pub(crate) user_agent: HeaderValue,
    pub(crate) timeout: Option<Duration>,
    pub(crate) retry: RetryPolicy,
    pub(crate) max_response_bytes: usize,
    /// Keeps the credentials out of the server text that errors hold.
    pub(crate) scrubber: Scrubber,
    /// Headers added to every request ([`ClientBuilder::default_header`]), checked.
    pub(crate) default_headers: HeaderMap,
    /// What this client, its clones and the clients made from it sent today.
    pub(crate) meter: Arc<Meter>,
}

impl Config {
    pub(crate) fn settings(&self) -> &Settings {
        &self.inner
    }

    /// The tier sent as `X-Crisp-Tier`.
    pub fn tier(&self) -> Tier {
        self.inner.tier
    }

    /// The retry policy applied to every call.
    pub fn retry_policy(&self) -> &RetryPolicy {
        &self.inner.retry
    }

    /// The timeout of one attempt, from sending the request to the end of the response body.
    pub fn timeout(&self) -> Option<Duration> {
        self.inner.timeout
    }

    fn with(&self, change: impl FnOnce(&mut Settings)) -> Config {
        let mut settings = Settings::clone(&self.inner);
        change(&mut settings);
        Config {
            inner: Arc::new(settings),
        }
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = &self.inner;
        f.debug_struct("Config")
            .field("credentials", &s.credentials)
            .field("tier", &s.tier)
            .field("user_agent", &s.user_agent)
            .field("timeout", &s.timeout)
            .field("retry", &s.retry)
            .field("max_response_bytes", &s.max_response_bytes)
            .field("default_headers", &HeaderNames(&s.default_headers))
            .field("usage", &s.meter.usage())
            .finish()
    }
}

/// The names of headers, never their values (which may hold a secret).
struct HeaderNames<'a>(&'a HeaderMap);

impl fmt::Debug for HeaderNames<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.0.keys()).finish()
    }
}

impl Client {
    /// Starts building a client.
    ///
    /// ```
    /// use crisp_api::{Client, Tier};
    /// use std::time::Duration;
    ///
    /// let client = Client::builder()
    ///     .tier(Tier::Plugin)
    ///     .credentials("identifier", "key")
    ///     .timeout(Duration::from_secs(10))
    ///     .build()
    ///     .unwrap();
    /// assert_eq!(client.config().tier(), Tier::Plugin);
    /// ```
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// A client configured from the environment: `CRISP_IDENTIFIER` and `CRISP_KEY`
    /// (required), `CRISP_TIER` (`user`, `plugin` or `website`, default `user`) and `CRISP_API_URL`
    /// (default [`DEFAULT_BASE_URL`]; whitespace around it is ignored). The values are
    /// checked as [`ClientBuilder::build`] checks them.
    ///
    /// ```no_run
    /// let client = crisp_api::Client::from_env()?;
    /// # Ok::<(), crisp_api::Error>(())
    /// ```
    pub fn from_env() -> Result<Client, Error> {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        let identifier = var("CRISP_IDENTIFIER")
            .ok_or_else(|| Error::configuration("CRISP_IDENTIFIER is not set"))?;
        let key = var("CRISP_KEY").ok_or_else(|| Error::configuration("CRISP_KEY is not set"))?;
        let mut builder = Client::builder().credentials(identifier, key);
        if let Some(tier) = var("CRISP_TIER") {
            builder = builder.tier(tier.parse()?);
        }
        if let Some(url) = var("CRISP_API_URL") {
            builder = builder.base_url(url);
        }
        builder.build()
    }

    /// What this client applies to every request.
    pub fn config(&self) -> &Config {
        progenitor_client::ClientInfo::inner(self)
    }

    /// A client sharing this one's connection pool, with another timeout per attempt: the
    /// way to override the timeout for one call.
    ///
    /// ```
    /// # let client = crisp_api::Client::builder().credentials("i", "k").build().unwrap();
    /// use std::time::Duration;
    /// let patient = client.with_timeout(Duration::from_secs(60));
    /// assert_eq!(patient.config().timeout(), Some(Duration::from_secs(60)));
    /// ```
    pub fn with_timeout(&self, timeout: Duration) -> Client {
        self.with_config(self.config().with(|s| s.timeout = Some(timeout)))
    }

    /// A client sharing this one's connection pool, with another retry policy: the way to
    /// override retries for one call.
    ///
    /// ```
    /// # let client = crisp_api::Client::builder().credentials("i", "k").build().unwrap();
    /// let once = client.with_retry_policy(crisp_api::RetryPolicy::none());
    /// assert_eq!(once.config().retry_policy().get_max_attempts(), 1);
    /// ```
    pub fn with_retry_policy(&self, retry: RetryPolicy) -> Client {
        self.with_config(self.config().with(|s| s.retry = retry))
    }

    /// What this client sent since the start of the current UTC day (00:00 UTC), and the
    /// answers by class: shared by the client, its clones and the clients made from it
    /// ([`with_timeout`](Self::with_timeout), …). Every attempt counts, retries included;
    /// see [`Usage`] and [`ClientBuilder::daily_budget`].
    ///
    /// ```
    /// let client = crisp_api::Client::builder()
    ///     .credentials("identifier", "key")
    ///     .daily_budget(9_000)
    ///     .build()?;
    /// let usage = client.clone().usage();
    /// assert_eq!((usage.requests, usage.budget), (0, Some(9_000)));
    /// # Ok::<(), crisp_api::Error>(())
    /// ```
    pub fn usage(&self) -> Usage {
        self.config().settings().meter.usage()
    }

    fn with_config(&self, config: Config) -> Client {
        use progenitor_client::ClientInfo;
        Client::new_with_client(self.baseurl(), self.client().clone(), config)
    }
}

/// Builds a [`Client`]; see [`Client::builder`].
///
/// Defaults: tier [`Tier::User`], base URL [`DEFAULT_BASE_URL`], a timeout of 10 s per
/// attempt, a connect timeout of 5 s, [`RetryPolicy::default`], a 16 MiB limit on response
/// bodies and the user agent `crisp-api-rust/<version>`.
#[derive(Debug, Clone)]
pub struct ClientBuilder {
    tier: Tier,
    credentials: Option<Credentials>,
    base_url: String,
    timeout: Option<Duration>,
    connect_timeout: Option<Duration>,
    user_agent: String,
    retry: RetryPolicy,
    max_response_bytes: usize,
    http_client: Option<reqwest::Client>,
    daily_budget: Option<u64>,
    default_headers: DefaultHeaders,
}

/// The headers given to [`ClientBuilder::default_header`], checked by `build()`. `Debug`
/// shows their names only.
#[derive(Clone, Default)]
struct DefaultHeaders(Vec<(String, String)>);

impl fmt::Debug for DefaultHeaders {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.0.iter().map(|(name, _)| name))
            .finish()
    }
}

impl Default for ClientBuilder {
    fn default() -> Self {
        Self {
            tier: Tier::User,
            credentials: None,
            base_url: DEFAULT_BASE_URL.to_string(),
            timeout: Some(Duration::from_secs(10)),
            connect_timeout: Some(Duration::from_secs(5)),
            user_agent: concat!("crisp-api-rust/", env!("CARGO_PKG_VERSION")).to_string(),
            retry: RetryPolicy::default(),
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            http_client: None,
            daily_budget: None,
            default_headers: DefaultHeaders::default(),
        }
    }
}

impl ClientBuilder {
    /// The tier of the token: [`Tier::User`] (default), [`Tier::Plugin`] or
    /// [`Tier::Website`].
    pub fn tier(mut self, tier: Tier) -> Self {
        self.tier = tier;
        self
    }

    /// The token identifier and key, sent as HTTP Basic authentication.
    pub fn credentials(mut self, identifier: impl Into<String>, key: impl Into<String>) -> Self {
        self.credentials = Some(Credentials::new(identifier, key));
        self
    }

    /// The API's base URL, such as a mock server's (default [`DEFAULT_BASE_URL`]).
    ///
    /// It is parsed once by [`build`](Self::build): whitespace around it and trailing
    /// slashes are dropped, its path is kept (`http://host/api/v1` works), and a URL with a
    /// query (`?…`), a fragment (`#…`) or a user name or password is refused, since every
    /// request path is appended to it.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = url.into();
        self
    }

    /// The timeout of one attempt, from sending the request to the end of the response
    /// body (default 10 s). A stalled body ends in a timeout error.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// The timeout for opening a connection (default 5 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }

    /// The `User-Agent` header (default `crisp-api-rust/<version>`).
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }

    /// When and how often failed calls are retried (default [`RetryPolicy::default`]).
    pub fn retry_policy(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// The largest response body accepted, in bytes (default 16 MiB); a larger body is an
    /// [`ErrorKind::InvalidResponse`](crate::ErrorKind::InvalidResponse) error.
    pub fn max_response_bytes(mut self, bytes: usize) -> Self {
        self.max_response_bytes = bytes;
        self
    }

    /// Uses this `reqwest::Client` (and its pool, proxy, TLS and redirect settings) instead
    /// of building one; the connect timeout of this builder and its refusal to follow
    /// redirects are then not applied. Any `reqwest::Client` works (the TLS backend is the
    /// one the Cargo features chose, see [`crate::tls`]); [`crate::tls::client_builder`] is
    /// a starting point.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http_client = Some(client);
        self
    }

    /// Refuses to send more than `requests` requests per UTC day (from 00:00 UTC), counted
    /// by this client, its clones and the clients made from it; every attempt counts,
    /// retries included, since each spends Crisp's quota (website tokens: 10,000 requests a
    /// day; plugin tokens: 5,000, configurable). Once spent, a call fails before sending
    /// with [`ErrorKind::BudgetExhausted`](crate::ErrorKind::BudgetExhausted) (`attempts()`
    /// is 0; nothing reaches the network) until the next UTC day. Give each job sharing a
    /// token its share, so that none can starve the others. See [`Client::usage`].
    ///
    /// The count is this process's: other processes using the token spend the same quota
    /// unseen.
    ///
    /// ```
    /// let client = crisp_api::Client::builder()
    ///     .credentials("identifier", "key")
    ///     .daily_budget(2_500) // half of a plugin token's 5,000
    ///     .build()?;
    /// assert_eq!(client.usage().budget, Some(2_500));
    /// # Ok::<(), crisp_api::Error>(())
    /// ```
    pub fn daily_budget(mut self, requests: u64) -> Self {
        self.daily_budget = Some(requests);
        self
    }

    /// Adds a header to every request (the Node wrapper's `setCustomHeaders`), such as a
    /// tracing id for a proxy. Giving a name again replaces its value; the values are
    /// marked sensitive (kept out of HTTP libraries' logs) and `Debug` shows the names only.
    ///
    /// `build()` refuses, with a [`Configuration`](crate::ErrorKind::Configuration) error,
    /// an invalid name or value and the headers the SDK or HTTP sets itself:
    /// `Authorization` and `X-Crisp-Tier` (set [`credentials`](Self::credentials) and
    /// [`tier`](Self::tier)), `User-Agent` (set [`user_agent`](Self::user_agent)),
    /// `Content-Type`, `Content-Length`, `Transfer-Encoding`, `Host` and `Connection`.
    ///
    /// ```
    /// let client = crisp_api::Client::builder()
    ///     .credentials("identifier", "key")
    ///     .default_header("X-Request-Source", "nightly-export")
    ///     .build()?;
    ///
    /// let refused = crisp_api::Client::builder()
    ///     .credentials("identifier", "key")
    ///     .default_header("Authorization", "Bearer other")
    ///     .build()
    ///     .unwrap_err();
    /// assert_eq!(refused.kind(), crisp_api::ErrorKind::Configuration);
    /// # Ok::<(), crisp_api::Error>(())
    /// ```
    pub fn default_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.default_headers.0.push((name.into(), value.into()));
        self
    }

    /// Checks the settings and builds the client.
    ///
    /// Fails with [`ErrorKind::Configuration`](crate::ErrorKind::Configuration) when the
    /// credentials are missing, empty, or have an identifier with a `:` (which Basic
    /// authentication cannot carry), or when the base URL (see
    /// [`base_url`](Self::base_url)), user agent or a [default
    /// header](Self::default_header) is invalid. The error names the problem and never
    /// shows the key.
    pub fn build(self) -> Result<Client, Error> {
        let credentials = self.credentials.ok_or_else(|| {
            Error::configuration("credentials are missing: call .credentials(identifier, key)")
        })?;
        let authorization = credentials.header()?;
        let base_url = normalise_base_url(&self.base_url)?;
        let user_agent = HeaderValue::from_str(&self.user_agent)
            .map_err(|_| Error::configuration("the user agent is not a valid header value"))?;
        let mut default_headers = HeaderMap::new();
        for (name, value) in &self.default_headers.0 {
            let (name, value) = crate::transport::extra_header(name, value).map_err(|e| {
                Error::configuration(format!(
                    "default_header: {}",
                    e.message().unwrap_or_default()
                ))
            })?;
            default_headers.insert(name, value);
        }
        let http = match self.http_client {
            Some(client) => client,
            None => {
                // Crisp never redirects; following a redirect would turn a POST into a GET
                // or carry the request elsewhere. A 3xx is an `InvalidResponse` error.
                let mut builder = crate::tls::configure(
                    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()),
                    crate::tls::Alpn::Http2AndHttp1,
                )?;
                if let Some(timeout) = self.connect_timeout {
                    builder = builder.connect_timeout(timeout);
                }
                builder.build().map_err(|e| {
                    Error::configuration(format!("cannot build the HTTP client: {e}"))
                })?
            }
        };
        let settings = crate::config::Settings {
            authorization,
            scrubber: Scrubber::new(&credentials),
            credentials,
            tier: self.tier,
            tier_header: HeaderValue::from_static(self.tier.as_str()),
            user_agent,
            timeout: self.timeout,
            retry: self.retry,
            max_response_bytes: self.max_response_bytes,
            default_headers,
            meter: Arc::new(Meter::new(self.daily_budget)),
        };
        let config = Config {
            inner: Arc::new(settings),
        };
        Ok(Client::new_with_client(&base_url, http, config))
    }
}

/// Parses the base URL once and returns the text every request path is appended to: no
/// surrounding whitespace, no trailing slash, the path kept. What would end up in front of
/// the paths (a query, a fragment) or be dropped by the HTTP client (a user name or
/// password) is refused.
fn normalise_base_url(raw: &str) -> Result<String, Error> {
    let raw = raw.trim();
    let url = reqwest::Url::parse(raw)
        .map_err(|e| Error::configuration(format!("invalid base URL `{raw}`: {e}")))?;
    let problem = if !matches!(url.scheme(), "http" | "https") {
        Some("the scheme must be http or https")
    } else if !url.username().is_empty() || url.password().is_some() {
        // Not shown: the URL holds a password.
        return Err(Error::configuration(
            "invalid base URL: it holds a user name or password; the token goes in \
             .credentials(identifier, key)",
        ));
    } else if url.query().is_some() {
        Some("it has a query (`?…`), which would end up in front of every request path")
    } else if url.fragment().is_some() {
        Some("it has a fragment (`#…`), which would cut off every request path")
    } else {
        None
    };
    // The query and fragment are not repeated: they may hold a signature.
    let shown = &raw[..raw.find(['?', '#']).unwrap_or(raw.len())];
    match problem {
        Some(problem) => Err(Error::configuration(format!(
            "invalid base URL `{shown}`: {problem}"
        ))),
        None => Ok(url.as_str().trim_end_matches('/').to_string()),
    }
}

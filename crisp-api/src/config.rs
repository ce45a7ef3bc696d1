//! Building a [`Client`]: base URL, credentials, tier, user agent, timeouts and retries,
//! set once and applied to every call.

use crate::server_text::Scrubber;
use crate::{Client, Credentials, Error, RetryPolicy, Tier};
use reqwest::header::HeaderValue;
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
            .finish()
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
    /// (required), `CRISP_TIER` (`user` or `plugin`, default `user`) and `CRISP_API_URL`
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
        }
    }
}

impl ClientBuilder {
    /// The tier of the token: [`Tier::User`] (default) or [`Tier::Plugin`].
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

    /// Checks the settings and builds the client.
    ///
    /// Fails with [`ErrorKind::Configuration`](crate::ErrorKind::Configuration) when the
    /// credentials are missing, empty, or have an identifier with a `:` (which Basic
    /// authentication cannot carry), or when the base URL (see
    /// [`base_url`](Self::base_url)) or user agent is invalid. The error names the problem
    /// and never shows the key.
    pub fn build(self) -> Result<Client, Error> {
        let credentials = self.credentials.ok_or_else(|| {
            Error::configuration("credentials are missing: call .credentials(identifier, key)")
        })?;
        let authorization = credentials.header()?;
        let base_url = normalise_base_url(&self.base_url)?;
        let user_agent = HeaderValue::from_str(&self.user_agent)
            .map_err(|_| Error::configuration("the user agent is not a valid header value"))?;
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

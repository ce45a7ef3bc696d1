//! The TLS backend of the HTTP clients this crate builds, chosen with Cargo features.
//!
//! | feature | TLS library | clean build of a new project (2 cores, BENCHMARKS.md) | notes |
//! |---|---|---|---|
//! | `rustls` (default) | rustls, *ring* crypto provider | 39 s | TLS 1.2 and 1.3, key exchange X25519, P-256, P-384; ring's few C and assembly files need only the C compiler `cc` finds |
//! | `rustls-aws-lc` | rustls, *aws-lc-rs* provider (reqwest's own default) | 49 s: aws-lc's C library | adds the post-quantum hybrid key exchange X25519MLKEM768, preferred when the server offers it |
//! | `native-tls` | the platform's (OpenSSL on Linux) | 36–43 s (as fast as `rustls`, within noise), but only where OpenSSL's headers and `pkg-config` are installed (not on a stock Debian) | the system's TLS settings and updates |
//!
//! The default is the fastest build that needs nothing beyond a C compiler: `native-tls`
//! builds about as fast by linking the system's OpenSSL, whose headers a stock system lacks.
//!
//! Every backend verifies the server's certificate and host name against the platform's
//! roots: both rustls options through `rustls-platform-verifier`, exactly as reqwest's own
//! rustls default does, and `native-tls` through the platform's library. None needs more
//! than the C compiler that the `cc` crate finds on a stock Debian (`native-tls` needs
//! OpenSSL's development package as well).
//!
//! When several are enabled (a dependency asking for another one), `native-tls` wins over
//! `rustls-aws-lc`, which wins over `rustls`. With none of them, only `http://` base URLs
//! work (a local mock server, for instance).
//!
//! ```toml
//! # The default: rustls with ring.
//! crisp-api = "0.1"
//! # Post-quantum key exchange, at the cost of building aws-lc.
//! crisp-api = { version = "0.1", default-features = false, features = ["rustls-aws-lc", "rtm", "all-groups"] }
//! ```
//!
//! With the default `rustls` feature reqwest has no crypto provider of its own: a
//! `reqwest::Client` passed to [`ClientBuilder::http_client`](crate::ClientBuilder::http_client)
//! or to the RTM client should start from [`client_builder`] (or [`http1_client_builder`]),
//! which set the same TLS configuration this crate uses; a plain `reqwest::Client::builder()`
//! would panic when built, unless the application installed a process-wide provider itself.
//! This crate never installs one.

/// A `reqwest::ClientBuilder` with this crate's TLS backend, speaking HTTP/2 or HTTP/1.1
/// (negotiated through ALPN): a starting point for a client of your own, with your proxy or
/// pool settings, to pass to [`ClientBuilder::http_client`](crate::ClientBuilder::http_client).
///
/// ```
/// let http = crisp_api::tls::client_builder()?
///     .pool_max_idle_per_host(4)
///     .build()?;
/// let client = crisp_api::Client::builder().credentials("i", "k").http_client(http).build()?;
/// # let _ = client;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn client_builder() -> Result<reqwest::ClientBuilder, crate::Error> {
    configure(reqwest::Client::builder(), Alpn::Http2AndHttp1)
}

/// As [`client_builder`], for HTTP/1.1 only: what a WebSocket upgrade (the RTM API) needs.
///
/// ```
/// # let client = crisp_api::Client::builder().credentials("i", "k").build().unwrap();
/// let http = crisp_api::tls::http1_client_builder()?.build()?;
/// # #[cfg(feature = "rtm")]
/// let rtm = client.rtm().events(["message:send"]).http_client(http);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn http1_client_builder() -> Result<reqwest::ClientBuilder, crate::Error> {
    configure(reqwest::Client::builder().http1_only(), Alpn::Http1)
}

/// The protocols offered in the TLS handshake (ALPN).
#[derive(Clone, Copy)]
pub(crate) enum Alpn {
    Http2AndHttp1,
    Http1,
}

/// Sets the TLS backend chosen by the Cargo features on `builder`.
///
/// With `rustls` alone that is a `rustls::ClientConfig` of this client's own (the ring
/// provider, the platform verifier, TLS 1.2 and 1.3, ALPN as asked): reqwest then uses it
/// as it is. With `rustls-aws-lc` or `native-tls`, reqwest's defaults are the backend.
#[cfg(all(
    feature = "rustls",
    not(feature = "rustls-aws-lc"),
    not(feature = "native-tls")
))]
pub(crate) fn configure(
    builder: reqwest::ClientBuilder,
    alpn: Alpn,
) -> Result<reqwest::ClientBuilder, crate::Error> {
    use std::sync::Arc;
    let error = |e: rustls::Error| {
        crate::Error::configuration(format!("cannot set up TLS (rustls with ring): {e}"))
    };
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    // The verifier reqwest's own rustls default uses: the platform's roots, host names
    // checked, revocation as the platform does it.
    let verifier = rustls_platform_verifier::Verifier::new(provider.clone()).map_err(error)?;
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(rustls::ALL_VERSIONS)
        .map_err(error)?
        // rustls calls every verifier of one's own choosing "dangerous"; this one is the
        // platform's, the same one reqwest installs.
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier))
        .with_no_client_auth();
    // reqwest leaves a preconfigured config's ALPN alone; these are the protocols it offers
    // itself (the `http2` feature is on).
    config.alpn_protocols = match alpn {
        Alpn::Http2AndHttp1 => vec![b"h2".to_vec(), b"http/1.1".to_vec()],
        Alpn::Http1 => vec![b"http/1.1".to_vec()],
    };
    Ok(builder.tls_backend_preconfigured(config))
}

/// Sets the TLS backend chosen by the Cargo features on `builder`: here reqwest's own
/// (`rustls-aws-lc`, `native-tls`), or none at all.
#[cfg(not(all(
    feature = "rustls",
    not(feature = "rustls-aws-lc"),
    not(feature = "native-tls")
)))]
pub(crate) fn configure(
    builder: reqwest::ClientBuilder,
    _alpn: Alpn,
) -> Result<reqwest::ClientBuilder, crate::Error> {
    Ok(builder)
}

/// The backend in use, as the features chose it (named by the test below when it fails).
#[cfg(test)]
const BACKEND: &str = if cfg!(feature = "native-tls") {
    "native-tls"
} else if cfg!(feature = "rustls-aws-lc") {
    "rustls (aws-lc-rs)"
} else if cfg!(feature = "rustls") {
    "rustls (ring)"
} else {
    "none"
};

#[cfg(test)]
mod tests {
    /// Every backend builds a client: the unit test `.ci/feature-checks` cannot run, since
    /// it only checks. Run with each TLS feature by hand or in CI's test step (default).
    #[test]
    fn the_client_builds_with_the_chosen_backend() {
        let client = crate::Client::builder()
            .credentials("identifier", "key")
            .build()
            .unwrap_or_else(|e| panic!("{}: {e}", super::BACKEND));
        assert_eq!(client.config().tier(), crate::Tier::User);
        super::client_builder().unwrap().build().unwrap();
        super::http1_client_builder().unwrap().build().unwrap();
    }
}

//! The TLS backend of the HTTP clients this crate builds, chosen with Cargo features.
//!
//! | feature | TLS library | clean build of a new project (2 cores, BENCHMARKS.md) | notes |
//! |---|---|---|---|
//! | `rustls` (default; `rustls-aws-lc` is the same) | rustls with reqwest's own default crypto provider, *aws-lc-rs* | about 49 s (0.1's *ring* set-up: 39 s); +30 % wall time, +42 % CPU time in one paired run | TLS 1.2 and 1.3, the post-quantum hybrid key exchange X25519MLKEM768; aws-lc's C library needs only the C compiler `cc` finds |
//! | `native-tls` | the platform's (OpenSSL on Linux) | about as fast as 0.1's *ring*, but only where OpenSSL's headers and `pkg-config` are installed (not on a stock Debian) | the system's TLS settings and updates |
//!
//! Both verify the server's certificate and host name against the platform's roots: rustls
//! through `rustls-platform-verifier` (reqwest's own set-up), `native-tls` through the
//! platform's library. When both are enabled, `native-tls` wins. With neither, only
//! `http://` base URLs work (a local mock server, for instance).
//!
//! ```toml
//! # The default: rustls with aws-lc-rs, as reqwest's own default.
//! crisp-api = "0.2"
//! # OpenSSL instead (needs libssl-dev and pkg-config).
//! crisp-api = { version = "0.2", default-features = false, features = ["native-tls", "rtm", "all-groups"] }
//! ```
//!
//! # No panic in the application's own HTTP clients
//!
//! Cargo unifies features across a binary: whatever this crate asks of reqwest, every
//! `reqwest::Client` in the application gets. So the default asks for reqwest's own
//! `rustls` feature, under which reqwest brings its crypto provider (aws-lc-rs) and uses
//! it whenever the process has not installed one of its own: a `reqwest::Client::new()`
//! elsewhere in the binary, reqwest's default features off or on, builds as it would
//! without this crate. `tests/own-reqwest-client` in this repository is such a program, run
//! by CI.
//!
//! 0.1 used rustls with the *ring* provider through reqwest's `rustls-no-provider`, and
//! handed its own clients a ring configuration. That built about 10 s faster from clean,
//! but the feature reached every other client in the binary too, and they had no provider:
//! `reqwest::Client::new()` panicked ("No rustls crypto provider is configured"). The
//! alternatives were no better: installing ring as the process's default provider from this
//! crate would change what other code in the binary gets, silently and only once this
//! crate's client has been built (a client built before would still panic), and reqwest has
//! no feature that brings *ring* as its provider. A dependency must never change whether
//! other code in the binary panics, so the default pays aws-lc's build time. This crate
//! never installs a process-wide provider; an application that installs one
//! (`rustls::crypto::CryptoProvider::install_default`) has it used by every client,
//! this crate's included.
//!
//! [`client_builder`] and [`http1_client_builder`] are a starting point for a client of
//! your own to pass to [`ClientBuilder::http_client`](crate::ClientBuilder::http_client) or
//! to the RTM client; a plain `reqwest::Client::builder()` works as well.

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

/// The protocols offered in the TLS handshake (ALPN): reqwest offers those that the builder
/// allows (`h2` and `http/1.1`, or `http/1.1` alone after `http1_only`).
#[derive(Clone, Copy)]
pub(crate) enum Alpn {
    Http2AndHttp1,
    Http1,
}

/// Sets the TLS backend chosen by the Cargo features on `builder`: reqwest's own, which
/// the features select (rustls with aws-lc-rs, or `native-tls`), so nothing is set here.
/// The ALPN asked for must match what the builder allows, as reqwest derives it from that.
pub(crate) fn configure(
    builder: reqwest::ClientBuilder,
    alpn: Alpn,
) -> Result<reqwest::ClientBuilder, crate::Error> {
    Ok(match alpn {
        Alpn::Http2AndHttp1 => builder,
        Alpn::Http1 => builder.http1_only(),
    })
}

/// The backend in use, as the features chose it (named by the test below when it fails).
#[cfg(test)]
const BACKEND: &str = if cfg!(feature = "native-tls") {
    "native-tls"
} else if cfg!(feature = "rustls") {
    "rustls (aws-lc-rs)"
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

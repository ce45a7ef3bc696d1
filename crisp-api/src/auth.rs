//! Credentials and tier: what identifies the caller to Crisp.

use base64::Engine as _;
use reqwest::header::HeaderValue;
use std::fmt;
use std::str::FromStr;

/// The tier of a Crisp token, sent as `X-Crisp-Tier` with every request.
///
/// Crisp recommends a [`Tier::Website`] token to anyone working on one workspace (made in
/// the Crisp app: Settings > Workspace Settings > Advanced configuration; 10,000 requests a
/// day). A [`Tier::Plugin`] token comes from the Crisp Marketplace (5,000 requests a day,
/// configurable). Crisp's official wrappers default to [`Tier::User`], and so does this
/// crate.
///
/// ```
/// use crisp_api::Tier;
/// assert_eq!("plugin".parse::<Tier>().unwrap(), Tier::Plugin);
/// assert_eq!("website".parse::<Tier>().unwrap(), Tier::Website);
/// assert_eq!(Tier::User.as_str(), "user");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Tier {
    /// A user token (the default).
    #[default]
    User,
    /// A plugin token, from the Crisp Marketplace.
    Plugin,
    /// A website token: one workspace's own token, made in the Crisp app (Settings >
    /// Workspace Settings > Advanced configuration). It reaches that workspace's routes.
    Website,
}

impl Tier {
    /// The value sent in `X-Crisp-Tier`.
    pub fn as_str(self) -> &'static str {
        match self {
            Tier::User => "user",
            Tier::Plugin => "plugin",
            Tier::Website => "website",
        }
    }
}

impl fmt::Display for Tier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Tier {
    type Err = crate::Error;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "user" => Ok(Tier::User),
            "plugin" => Ok(Tier::Plugin),
            "website" => Ok(Tier::Website),
            other => Err(crate::Error::configuration(format!(
                "unknown tier `{other}`: expected `user`, `plugin` or `website`"
            ))),
        }
    }
}

/// A Crisp token keypair: the identifier and the secret key.
///
/// `Debug` shows the identifier and never the key.
///
/// ```
/// let credentials = crisp_api::Credentials::new("my-identifier", "my-secret-key");
/// assert_eq!(credentials.identifier(), "my-identifier");
/// assert!(!format!("{credentials:?}").contains("my-secret-key"));
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    identifier: String,
    key: String,
}

impl Credentials {
    /// Credentials from a token identifier and key.
    pub fn new(identifier: impl Into<String>, key: impl Into<String>) -> Self {
        Self {
            identifier: identifier.into(),
            key: key.into(),
        }
    }

    /// The token identifier (not secret).
    pub fn identifier(&self) -> &str {
        &self.identifier
    }

    /// The token key: for the RTM `authentication` message and for the scrubber that keeps
    /// it out of errors (never for display).
    pub(crate) fn key(&self) -> &str {
        &self.key
    }

    /// The `Authorization: Basic …` header value, marked sensitive so that HTTP libraries
    /// keep it out of their logs.
    ///
    /// Refuses what Basic authentication cannot carry: an empty (or blank) identifier or
    /// key, and an identifier with a `:` (the server splits `identifier:key` at the first
    /// colon, so the key would change). The errors never show the key, nor the identifier
    /// (a pasted `identifier:key` pair would hold it).
    pub(crate) fn header(&self) -> Result<HeaderValue, crate::Error> {
        let refuse = |problem: &str| Err(crate::Error::configuration(problem));
        if self.identifier.trim().is_empty() {
            return refuse("the token identifier is empty");
        }
        if self.key.trim().is_empty() {
            return refuse("the token key is empty");
        }
        if self.identifier.contains(':') {
            return refuse(
                "the token identifier contains `:`, which HTTP Basic authentication cannot \
                 carry (the server splits at the first colon); check the identifier and key \
                 are not swapped or pasted together",
            );
        }
        let token = base64::engine::general_purpose::STANDARD
            .encode(format!("{}:{}", self.identifier, self.key));
        // Base64 is always a valid header value; the error is kept rather than a panic.
        let mut value = HeaderValue::from_str(&format!("Basic {token}")).map_err(|_| {
            crate::Error::configuration("the credentials cannot be sent as a header")
        })?;
        value.set_sensitive(true);
        Ok(value)
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("identifier", &self.identifier)
            .field("key", &"<redacted>")
            .finish()
    }
}

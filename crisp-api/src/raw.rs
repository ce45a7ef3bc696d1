//! Calls of routes the spec does not have (the Node wrapper's `head`, `get`, `post`,
//! `patch`, `put` and `delete`): a route Crisp added since this version, or one it keeps
//! undocumented.
//!
//! A raw call goes the same way as a generated one: the client's authentication, tier,
//! base URL, default headers, retries, timeouts, body-size limit, error mapping, quota meter
//! and daily budget; Crisp's envelope is unwrapped and `data` decoded into the type the
//! caller names ([`serde_json::Value`] unless told otherwise). The path is given as its
//! segments, and every segment is percent-encoded as exactly one path segment, as generated
//! calls encode ids; an empty, `.` or `..` segment is refused before sending.
//!
//! A [`RawCall`] is awaited directly:
//!
//! ```no_run
//! # async fn run(client: crisp_api::Client) -> Result<(), crisp_api::Error> {
//! let website_id = "8c842203-7ed8-4e29-a608-7cf78a7d2fcc";
//! // `data` as JSON.
//! let count = client.get_raw(["website", website_id, "visitors", "count"]).await?;
//! println!("{count}");
//!
//! // `data` decoded into a type of yours, with a query and a JSON body.
//! #[derive(serde::Deserialize)]
//! struct Sent {
//!     fingerprint: i64,
//! }
//! let sent: Sent = client
//!     .post_raw(["website", website_id, "conversation", "session_x", "message"])
//!     .query("source", "nightly")
//!     .json(&serde_json::json!({"type": "text", "from": "operator", "origin": "chat", "content": "Hi"}))
//!     .decode::<Sent>()
//!     .await?;
//! println!("{}", sent.fingerprint);
//! # Ok(())
//! # }
//! ```

use crate::envelope::Envelope;
use crate::transport::{Operation, Prepared};
use crate::{Client, Error};
use reqwest::header::{HeaderValue, ACCEPT, CONTENT_TYPE};
use serde::de::DeserializeOwned;
use std::fmt;
use std::future::{Future, IntoFuture};
use std::marker::PhantomData;
use std::pin::Pin;

/// HTTP methods, for [`Client::raw`] (`http`'s, which `reqwest` uses).
///
/// ```
/// assert_eq!(crisp_api::raw::Method::GET.as_str(), "GET");
/// ```
pub use reqwest::Method;

/// The name a raw call's errors give as their [`operation`](crate::Error::operation).
const OPERATION: &str = "raw";

/// The path shown in the `crisp.request` tracing span of a raw call: tracing never records
/// ids, and a raw path's segments cannot be told from ids.
const TRACED_PATH: &str = "(raw call)";

impl Client {
    /// A call of the route `segments` (after the base URL) with `method`; see the
    /// [`raw`](crate::raw) module. Each segment is percent-encoded as one path segment.
    ///
    /// ```no_run
    /// # async fn run(client: crisp_api::Client) -> Result<(), crisp_api::Error> {
    /// use crisp_api::raw::Method;
    /// let data = client
    ///     .raw(Method::GET, ["website", "8c842203-7ed8-4e29-a608-7cf78a7d2fcc", "visitors", "count"])
    ///     .await?;
    /// # let _ = data;
    /// # Ok(())
    /// # }
    /// ```
    pub fn raw<I>(&self, method: Method, segments: I) -> RawCall
    where
        I: IntoIterator,
        I::Item: AsRef<str>,
    {
        RawCall {
            client: self.clone(),
            method,
            segments: segments
                .into_iter()
                .map(|s| s.as_ref().to_string())
                .collect(),
            query: Vec::new(),
            body: None,
            headers: crate::transport::ExtraHeaders::default(),
            refused: None,
            decode: PhantomData,
        }
    }

    /// [`raw`](Self::raw) with `GET`.
    ///
    /// ```no_run
    /// # async fn run(client: crisp_api::Client) -> Result<(), crisp_api::Error> {
    /// let data = client.get_raw(["website", "8c842203-7ed8-4e29-a608-7cf78a7d2fcc"]).await?;
    /// println!("{}", data["name"]);
    /// # Ok(())
    /// # }
    /// ```
    pub fn get_raw<I>(&self, segments: I) -> RawCall
    where
        I: IntoIterator,
        I::Item: AsRef<str>,
    {
        self.raw(Method::GET, segments)
    }

    /// [`raw`](Self::raw) with `HEAD`: `Ok` when the thing exists (`data` is `null`).
    ///
    /// ```no_run
    /// # async fn run(client: crisp_api::Client) -> Result<(), crisp_api::Error> {
    /// let exists = client
    ///     .head_raw(["website", "8c842203-7ed8-4e29-a608-7cf78a7d2fcc", "conversation", "session_x"])
    ///     .await
    ///     .is_ok();
    /// # let _ = exists;
    /// # Ok(())
    /// # }
    /// ```
    pub fn head_raw<I>(&self, segments: I) -> RawCall
    where
        I: IntoIterator,
        I::Item: AsRef<str>,
    {
        self.raw(Method::HEAD, segments)
    }

    /// [`raw`](Self::raw) with `POST` (not retried once it may have been processed).
    ///
    /// ```no_run
    /// # async fn run(client: crisp_api::Client) -> Result<(), crisp_api::Error> {
    /// let created = client
    ///     .post_raw(["website", "8c842203-7ed8-4e29-a608-7cf78a7d2fcc", "conversation"])
    ///     .json(&serde_json::json!({}))
    ///     .await?;
    /// println!("{}", created["session_id"]);
    /// # Ok(())
    /// # }
    /// ```
    pub fn post_raw<I>(&self, segments: I) -> RawCall
    where
        I: IntoIterator,
        I::Item: AsRef<str>,
    {
        self.raw(Method::POST, segments)
    }

    /// [`raw`](Self::raw) with `PATCH` (not retried once it may have been processed).
    ///
    /// ```no_run
    /// # async fn run(client: crisp_api::Client) -> Result<(), crisp_api::Error> {
    /// client
    ///     .patch_raw(["website", "8c842203-7ed8-4e29-a608-7cf78a7d2fcc", "conversation", "session_x", "state"])
    ///     .json(&serde_json::json!({"state": "resolved"}))
    ///     .await?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn patch_raw<I>(&self, segments: I) -> RawCall
    where
        I: IntoIterator,
        I::Item: AsRef<str>,
    {
        self.raw(Method::PATCH, segments)
    }

    /// [`raw`](Self::raw) with `PUT`.
    ///
    /// ```no_run
    /// # async fn run(client: crisp_api::Client) -> Result<(), crisp_api::Error> {
    /// client
    ///     .put_raw(["website", "8c842203-7ed8-4e29-a608-7cf78a7d2fcc", "conversation", "session_x", "meta"])
    ///     .json(&serde_json::json!({"nickname": "Jo"}))
    ///     .await?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn put_raw<I>(&self, segments: I) -> RawCall
    where
        I: IntoIterator,
        I::Item: AsRef<str>,
    {
        self.raw(Method::PUT, segments)
    }

    /// [`raw`](Self::raw) with `DELETE`.
    ///
    /// ```no_run
    /// # async fn run(client: crisp_api::Client) -> Result<(), crisp_api::Error> {
    /// client
    ///     .delete_raw(["website", "8c842203-7ed8-4e29-a608-7cf78a7d2fcc", "conversation", "session_x"])
    ///     .await?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn delete_raw<I>(&self, segments: I) -> RawCall
    where
        I: IntoIterator,
        I::Item: AsRef<str>,
    {
        self.raw(Method::DELETE, segments)
    }
}

/// A call of a route the spec does not have, made by [`Client::raw`] (or `get_raw`, …);
/// await it for `Result<T, crisp_api::Error>`, `T` being the answer's `data`
/// ([`serde_json::Value`] unless [`decode`](Self::decode) names another type).
///
/// `Debug` shows the method and the path, never the body, the header values or the key.
///
/// ```
/// let client = crisp_api::Client::builder().credentials("i", "k").build()?;
/// let call = client.get_raw(["website", "w", "visitors", "count"]).query("range", 7);
/// assert!(format!("{call:?}").contains("visitors"));
/// # Ok::<(), crisp_api::Error>(())
/// ```
pub struct RawCall<T = serde_json::Value> {
    client: Client,
    method: Method,
    segments: Vec<String>,
    query: Vec<(String, String)>,
    /// The JSON body, serialized when it was given.
    body: Option<Vec<u8>>,
    headers: crate::transport::ExtraHeaders,
    /// Why the call is refused before sending (the first problem): a body that could not be
    /// serialized, an invalid header.
    refused: Option<String>,
    decode: PhantomData<fn() -> T>,
}

impl<T> RawCall<T> {
    /// Adds a query parameter (`?name=value`), percent-encoded; a name given twice is sent
    /// twice.
    ///
    /// ```
    /// # let client = crisp_api::Client::builder().credentials("i", "k").build().unwrap();
    /// let call = client.get_raw(["website", "w", "conversations", "1"]).query("per_page", 50);
    /// # let _ = call;
    /// ```
    pub fn query(mut self, name: impl Into<String>, value: impl fmt::Display) -> Self {
        self.query.push((name.into(), value.to_string()));
        self
    }

    /// Sends `body` as JSON (`Content-Type: application/json`). A body that cannot be
    /// serialized makes the call fail before sending, with an
    /// [`InvalidRequest`](crate::ErrorKind::InvalidRequest) error.
    ///
    /// ```
    /// # let client = crisp_api::Client::builder().credentials("i", "k").build().unwrap();
    /// let call = client
    ///     .patch_raw(["website", "w", "conversation", "s", "state"])
    ///     .json(&serde_json::json!({"state": "resolved"}));
    /// # let _ = call;
    /// ```
    pub fn json<B: serde::Serialize + ?Sized>(mut self, body: &B) -> Self {
        match serde_json::to_vec(body) {
            Ok(bytes) => self.body = Some(bytes),
            Err(e) => {
                self.refused
                    .get_or_insert_with(|| format!("the body cannot be encoded as JSON: {e}"));
            }
        }
        self
    }

    /// Adds a header to this call (over the client's [default
    /// headers](crate::ClientBuilder::default_header) of that name). The headers the SDK or
    /// HTTP sets (`Authorization`, `X-Crisp-Tier`, `User-Agent`, `Content-Type`, …) and
    /// invalid names or values make the call fail before sending, with an
    /// [`InvalidRequest`](crate::ErrorKind::InvalidRequest) error.
    ///
    /// ```
    /// # let client = crisp_api::Client::builder().credentials("i", "k").build().unwrap();
    /// let call = client.get_raw(["website", "w"]).header("X-Request-Id", "42");
    /// # let _ = call;
    /// ```
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.add(name, value);
        self
    }

    /// Decodes the answer's `data` into `U` instead.
    ///
    /// ```
    /// # let client = crisp_api::Client::builder().credentials("i", "k").build().unwrap();
    /// #[derive(serde::Deserialize)]
    /// struct Count {
    ///     count: u64,
    /// }
    /// let call = client.get_raw(["website", "w", "visitors", "count"]).decode::<Count>();
    /// # let _ = call;
    /// ```
    pub fn decode<U>(self) -> RawCall<U> {
        RawCall {
            client: self.client,
            method: self.method,
            segments: self.segments,
            query: self.query,
            body: self.body,
            headers: self.headers,
            refused: self.refused,
            decode: PhantomData,
        }
    }

    /// The request of one attempt: the URL from the base URL and the encoded segments, the
    /// query, the headers and the body.
    fn prepare(&self) -> Prepared {
        let unsent = |e: Error| e.finish(OPERATION, 0);
        if let Some(refused) = &self.refused {
            return Err(unsent(Error::unsent(refused.clone())));
        }
        let headers = self.headers.check(OPERATION)?;
        let mut url = progenitor_client::ClientInfo::baseurl(&self.client).to_string();
        for (index, segment) in self.segments.iter().enumerate() {
            match segment.as_str() {
                "" => {
                    return Err(unsent(Error::unsent(format!(
                        "path segment {} is empty",
                        index + 1
                    ))))
                }
                "." | ".." => {
                    return Err(unsent(Error::unsent(format!(
                        "path segment {} cannot be `.` or `..`: it would not reach Crisp as \
                         one path segment",
                        index + 1
                    ))))
                }
                _ => {
                    url.push('/');
                    url.push_str(&crate::path::encode_path(segment));
                }
            }
        }
        let mut url = reqwest::Url::parse(&url)
            .map_err(|e| unsent(Error::unsent(format!("the URL cannot be built: {e}"))))?;
        if !self.query.is_empty() {
            url.query_pairs_mut().extend_pairs(&self.query);
        }
        let mut request = reqwest::Request::new(self.method.clone(), url);
        request
            .headers_mut()
            .insert(ACCEPT, HeaderValue::from_static("application/json"));
        if let Some(body) = &self.body {
            request
                .headers_mut()
                .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
            *request.body_mut() = Some(body.clone().into());
        }
        crate::transport::add_headers(&mut request, headers);
        Ok((self.client.clone(), request))
    }
}

impl<T: DeserializeOwned + Send + 'static> RawCall<T> {
    /// Sends the call: the same as awaiting it.
    ///
    /// ```no_run
    /// # async fn run(client: crisp_api::Client) -> Result<(), crisp_api::Error> {
    /// let data = client.get_raw(["website", "8c842203-7ed8-4e29-a608-7cf78a7d2fcc"]).send().await?;
    /// # let _ = data;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn send(self) -> Result<T, Error> {
        let operation = Operation {
            id: OPERATION,
            method: self.method.clone(),
            path: TRACED_PATH,
        };
        crate::transport::send_with_status::<Envelope<T>, _>(&operation, || self.prepare())
            .await
            .map(|(data, _status)| data)
    }
}

impl<T: DeserializeOwned + Send + 'static> IntoFuture for RawCall<T> {
    type Output = Result<T, Error>;
    type IntoFuture = Pin<Box<dyn Future<Output = Result<T, Error>> + Send>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}

impl<T> fmt::Debug for RawCall<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RawCall")
            .field("method", &self.method)
            .field("segments", &self.segments)
            .field("query", &self.query)
            .field(
                "body",
                &self.body.as_ref().map(|b| format!("{} bytes", b.len())),
            )
            .field("headers", &self.headers)
            .field("decode", &std::any::type_name::<T>())
            .finish()
    }
}

//! A Crisp plugin web hook endpoint that replies: `POST /webhook` is verified with
//! [`crisp_api::webhook::Verifier`], decoded into a typed event and dispatched on its kind; a
//! visitor's text message gets an operator reply through the REST API. It answers `200 OK`;
//! a request that fails verification gets `401 Unauthorized` (and a correctly signed body
//! that is not a web hook, `400 Bad Request`).
//!
//! The signing secret comes from `CRISP_WEBHOOK_SECRET` (the plugin's web hook secret in
//! the Crisp Marketplace), or a demo secret when it is unset. Replies go through
//! `Client::from_env()` (`CRISP_IDENTIFIER`, `CRISP_KEY`, …); without credentials, through the
//! embedded mock Crisp server.
//!
//! ```text
//! # Serve on an address until stopped (point your plugin's web hook URL at it):
//! CRISP_WEBHOOK_SECRET=... cargo run -p crisp-api --example webhook_server -- 0.0.0.0:8080
//!
//! # No argument: offline self-test. Binds 127.0.0.1 on a free port, posts itself a
//! # correctly signed visitor message and a forged one, checks that the first got a reply
//! # (in the embedded mock) and the second was refused, and exits.
//! cargo run -p crisp-api --example webhook_server
//! ```

use std::sync::Arc;

use axum::{body::Bytes, extract::State, http::HeaderMap, http::StatusCode, routing::post, Router};
use crisp_api::events::Event;
use crisp_api::prelude::*;
use crisp_api::webhook::{self, Verifier};

#[tokio::main]
async fn main() -> Result<(), Failure> {
    // setup:start (the secret, the client: the mock's without credentials)
    let secret = match std::env::var("CRISP_WEBHOOK_SECRET") {
        Ok(secret) if !secret.is_empty() => secret,
        Ok(_) => return Err("CRISP_WEBHOOK_SECRET is set but empty".into()),
        Err(_) => {
            println!("CRISP_WEBHOOK_SECRET is unset: using the demo secret");
            DEMO_SECRET.to_owned()
        }
    };
    let (client, mock) = match std::env::var("CRISP_IDENTIFIER") {
        Ok(_) => (Client::from_env()?, None),
        Err(_) => {
            let mock = crisp_mock::MockServer::start().await;
            let client = Client::builder()
                .base_url(mock.url())
                .credentials(mock.identifier(), mock.key())
                .build()?;
            (client, Some(mock))
        }
    };
    // setup:end
    let verifier = Arc::new(Verifier::new(&secret));
    let app = Router::new()
        .route("/webhook", post(receive))
        .with_state((verifier.clone(), client.clone()));
    if let Some(address) = std::env::args().nth(1) {
        let listener = tokio::net::TcpListener::bind(&address).await?;
        println!("Listening on http://{}/webhook", listener.local_addr()?);
        return Ok(axum::serve(listener, app).await?);
    }
    // setup:start (no address: the offline self-test)
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}/webhook", listener.local_addr()?);
    println!("Self-test: web hook endpoint at {url}");
    let server = tokio::spawn(async move { axum::serve(listener, app).await });
    let outcome = self_test(&verifier, &client, mock.is_some(), &url).await;
    server.abort();
    outcome
    // setup:end
}

/// The endpoint: verify, decode, dispatch. A hook whose reply failed is a 500: Crisp sends
/// it again.
async fn receive(
    State((verifier, client)): State<(Arc<Verifier>, Client)>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    let event = match verifier.parse(&headers, &body) {
        Ok(event) => event,
        Err(error) => {
            eprintln!("[server] rejected: {error}");
            return error.status();
        }
    };
    if let Err(error) = dispatch(&client, &event).await {
        eprintln!("[server] could not reply: {error}");
        return StatusCode::INTERNAL_SERVER_ERROR;
    }
    StatusCode::OK
}

async fn dispatch(client: &Client, event: &webhook::Event) -> crisp_api::Result<()> {
    let website = &event.website_id;
    match &event.kind {
        Event::MessageSend(message) => {
            let session = &message.session_id;
            let Some(text) = message.content.as_text() else {
                println!("[server] {website}: visitor sent {}", message.content);
                return Ok(());
            };
            println!("[server] {website}: visitor wrote in {session}: {text}");
            let reply = MessageNew::operator_text(format!("Thanks! We got: \"{text}\""));
            client
                .send_message_in_conversation(website, session, reply)
                .await?;
            println!("[server] replied in {session}");
        }
        Event::SessionSetState(set) => {
            println!("[server] {website}: {} is {:?}", set.session_id, set.state)
        }
        Event::PeopleProfileCreated(profile) => {
            println!("[server] {website}: new contact {:?}", profile.people_id)
        }
        other => println!("[server] {website}: {} (not handled here)", other.name()),
    }
    Ok(())
}

// setup:start (the self-test: what Crisp would send, and a forgery)
/// Used when `CRISP_WEBHOOK_SECRET` is unset; fine for the self-test, useless in production.
const DEMO_SECRET: &str = "demo-webhook-signing-secret";

type Failure = Box<dyn std::error::Error + Send + Sync>;

/// Posts a signed visitor message and a forged one to the endpoint, and checks the answers
/// and (against the mock) that the reply was sent.
async fn self_test(
    verifier: &Verifier,
    crisp: &Client,
    against_mock: bool,
    url: &str,
) -> Result<(), Failure> {
    // The SDK's TLS backend: with its default (rustls with ring, set per client), a bare
    // `reqwest::Client::builder()` has no crypto provider.
    let client = crisp_api::tls::client_builder()?.build()?;
    let website_id = "8c842203-7ed8-4e29-a608-7cf78a7d2fcc";
    // A conversation for the visitor to write in (in the mock; with real credentials, the
    // self-test would write in the website of CRISP_WEBSITE_ID).
    let website_id = std::env::var("CRISP_WEBSITE_ID").unwrap_or_else(|_| website_id.to_string());
    let session_id = crisp.create_new_conversation(&website_id).await?.session_id;
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_millis();
    let body = serde_json::json!({
        "website_id": website_id,
        "event": "message:send",
        "data": {
            "website_id": website_id,
            "session_id": session_id,
            "type": "text",
            "content": "Hello from the self-test!",
            "from": "user",
            "origin": "chat",
            "stamped": true,
            "timestamp": now_ms,
            "fingerprint": 170000000012345_i64,
            "user": { "nickname": "visitor1", "user_id": session_id }
        },
        "timestamp": now_ms
    })
    .to_string()
    .into_bytes();

    // What Crisp would send: signed with the shared secret, stamped now.
    let signed = verifier.sign_now(&body);
    let genuine = deliver(&client, url, &signed.timestamp, &signed.signature, &body).await?;
    println!("[client] signed event -> {genuine}");

    // A forgery: same body and timestamp, signed with a secret the server does not know.
    let forged_signature = webhook::sign("not-the-secret", &signed.timestamp, &body);
    let forged = deliver(&client, url, &signed.timestamp, &forged_signature, &body).await?;
    println!("[client] forged event -> {forged}");

    let replies = crisp
        .get_messages_in_conversation(&website_id, &session_id)
        .await?
        .into_iter()
        .filter(|m| m.from == Some(MessageFrom::Operator))
        .count();
    println!("[client] operator replies in the conversation: {replies}");
    let replied = replies == 1 || !against_mock;
    if genuine == StatusCode::OK && forged == StatusCode::UNAUTHORIZED && replied {
        println!("Self-test passed: the signed event was answered, the forged one refused");
        Ok(())
    } else {
        Err(
            format!("self-test failed: signed -> {genuine}, forged -> {forged}, replies {replies}")
                .into(),
        )
    }
}

async fn deliver(
    client: &reqwest::Client,
    url: &str,
    timestamp: &str,
    signature: &str,
    body: &[u8],
) -> Result<StatusCode, Failure> {
    let response = client
        .post(url)
        .header("content-type", "application/json")
        .header(webhook::TIMESTAMP_HEADER, timestamp)
        .header(webhook::SIGNATURE_HEADER, signature)
        .body(body.to_vec())
        .send()
        .await?;
    Ok(response.status())
}
// setup:end

//! A Crisp plugin web hook endpoint: `POST /webhook` is verified with
//! [`crisp_api::webhook::Verifier`], decoded into a typed event, dispatched on its kind, and
//! answered `200 OK`; a request that fails verification gets `401 Unauthorized` (and a
//! correctly signed body that is not a web hook, `400 Bad Request`).
//!
//! The signing secret comes from `CRISP_WEBHOOK_SECRET` (the plugin's web hook secret in
//! the Crisp Marketplace), or a demo secret when it is unset.
//!
//! ```text
//! # Serve on an address until stopped (point your plugin's web hook URL at it):
//! CRISP_WEBHOOK_SECRET=... cargo run -p crisp-api --example webhook_server -- 0.0.0.0:8080
//!
//! # No argument: offline self-test. Binds 127.0.0.1 on a free port, posts itself a
//! # correctly signed event and a forged one, prints what happened, and exits.
//! cargo run -p crisp-api --example webhook_server
//! ```

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::Router;
use crisp_api::webhook::{sign, Event, EventKind, Verifier, SIGNATURE_HEADER, TIMESTAMP_HEADER};
use tokio::net::TcpListener;

/// Used when `CRISP_WEBHOOK_SECRET` is unset; fine for the self-test, useless in production.
const DEMO_SECRET: &str = "demo-webhook-signing-secret";

type Failure = Box<dyn std::error::Error + Send + Sync>;

#[tokio::main]
async fn main() -> Result<(), Failure> {
    let secret = match std::env::var("CRISP_WEBHOOK_SECRET") {
        Ok(secret) if !secret.is_empty() => secret,
        Ok(_) => return Err("CRISP_WEBHOOK_SECRET is set but empty".into()),
        Err(_) => {
            println!("CRISP_WEBHOOK_SECRET is unset: using the demo secret");
            DEMO_SECRET.to_owned()
        }
    };
    let verifier = Arc::new(Verifier::new(&secret));
    let app = Router::new()
        .route("/webhook", post(receive))
        .with_state(Arc::clone(&verifier));

    if let Some(address) = std::env::args().nth(1) {
        let listener = TcpListener::bind(&address).await?;
        println!("Listening on http://{}/webhook", listener.local_addr()?);
        axum::serve(listener, app).await?;
        return Ok(());
    }

    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}/webhook", listener.local_addr()?);
    println!("Self-test: web hook endpoint at {url}");
    let server = tokio::spawn(async move { axum::serve(listener, app).await });
    let outcome = self_test(&verifier, &url).await;
    server.abort();
    outcome
}

/// The endpoint: verify, decode, dispatch.
async fn receive(
    State(verifier): State<Arc<Verifier>>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    match verifier.parse(&headers, &body) {
        Ok(event) => {
            dispatch(&event);
            StatusCode::OK
        }
        Err(error) => {
            eprintln!("[server] rejected: {error}");
            error.status()
        }
    }
}

fn dispatch(event: &Event) {
    let website = &event.website_id;
    match &event.kind {
        EventKind::MessageSend(message) => println!(
            "[server] {website}: visitor wrote in {}: {}",
            message.session_id,
            message.text().unwrap_or("<non-text message>")
        ),
        EventKind::MessageReceived(message) => println!(
            "[server] {website}: operator replied in {} ({} message)",
            message.session_id, message.message_type
        ),
        EventKind::SessionSetState(change) => println!(
            "[server] {website}: conversation {} is now {}",
            change.session_id, change.state
        ),
        EventKind::SessionSetEmail(change) => println!(
            "[server] {website}: conversation {} email set to {:?}",
            change.session_id, change.email
        ),
        EventKind::PeopleProfileCreated(profile) => println!(
            "[server] {website}: new contact {} ({:?})",
            profile.people_id, profile.email
        ),
        other => println!("[server] {website}: {} (not handled here)", other.name()),
    }
}

/// Posts a signed event and a forged one to the endpoint and checks the answers.
async fn self_test(verifier: &Verifier, url: &str) -> Result<(), Failure> {
    let client = reqwest::Client::builder().build()?;
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_millis();
    let body = serde_json::json!({
        "website_id": "8c842203-7ed8-4e29-a608-7cf78a7d2fcc",
        "event": "message:send",
        "data": {
            "website_id": "8c842203-7ed8-4e29-a608-7cf78a7d2fcc",
            "session_id": "session_700c65e1-85e2-465a-b9ac-ecb5ec2c9881",
            "type": "text",
            "content": "Hello from the self-test!",
            "from": "user",
            "origin": "chat",
            "stamped": true,
            "timestamp": now_ms,
            "fingerprint": 170000000012345_i64,
            "user": { "nickname": "visitor1", "user_id": "session_700c65e1-85e2-465a-b9ac-ecb5ec2c9881" }
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
    let forged_signature = sign("not-the-secret", &signed.timestamp, &body);
    let forged = deliver(&client, url, &signed.timestamp, &forged_signature, &body).await?;
    println!("[client] forged event -> {forged}");

    if genuine == StatusCode::OK && forged == StatusCode::UNAUTHORIZED {
        println!("Self-test passed: the signed event was accepted, the forged one refused");
        Ok(())
    } else {
        Err(format!("self-test failed: signed -> {genuine}, forged -> {forged}").into())
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
        .header(TIMESTAMP_HEADER, timestamp)
        .header(SIGNATURE_HEADER, signature)
        .body(body.to_vec())
        .send()
        .await?;
    Ok(response.status())
}

//! An MCP server for Hugo, Crisp's AI agent, that only answers requests Crisp signed:
//! `POST /mcp` is verified with [`crisp_api::signed_request::Verifier`] (the
//! `X-Crisp-Website-Id`, `X-Crisp-Timestamp` and `X-Crisp-Signature` headers, over the raw
//! body) before its JSON-RPC message is read. A verified request is answered (`initialize`,
//! `tools/list`, and `tools/call` of one tool, `order_status`); any other gets
//! `401 Unauthorized` and is never parsed.
//!
//! The signing secret comes from `CRISP_MCP_SIGNING_SECRET` (the MCP integration's secret,
//! `mcp_sec_…`, in Hugo > Integrations), or a demo secret when it is unset.
//!
//! ```text
//! # Serve on an address until stopped (point the MCP integration's URL at it):
//! CRISP_MCP_SIGNING_SECRET=mcp_sec_... cargo run -p crisp-api --example hugo_mcp_server -- 0.0.0.0:8080
//!
//! # No argument: offline self-test. Binds 127.0.0.1 on a free port, sends itself a request
//! # signed as Crisp signs it and a forged one, checks that the first was answered and the
//! # second refused, and exits.
//! cargo run -p crisp-api --example hugo_mcp_server
//! ```

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use crisp_api::signed_request::{
    sign, SignedRequest, Verifier, SESSION_ID_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER,
    WEBSITE_ID_HEADER,
};
use serde_json::{json, Value};
use tokio::net::TcpListener;

/// Used when `CRISP_MCP_SIGNING_SECRET` is unset; fine for the self-test, useless in
/// production.
const DEMO_SECRET: &str = "mcp_sec_demo-signing-secret";

type Failure = Box<dyn std::error::Error + Send + Sync>;

#[tokio::main]
async fn main() -> Result<(), Failure> {
    let secret = match std::env::var("CRISP_MCP_SIGNING_SECRET") {
        Ok(secret) if !secret.is_empty() => secret,
        Ok(_) => return Err("CRISP_MCP_SIGNING_SECRET is set but empty".into()),
        Err(_) => {
            println!("CRISP_MCP_SIGNING_SECRET is unset: using the demo secret");
            DEMO_SECRET.to_owned()
        }
    };
    let verifier = Arc::new(Verifier::new(&secret));
    let app = Router::new()
        .route("/mcp", post(receive))
        .with_state(Arc::clone(&verifier));

    if let Some(address) = std::env::args().nth(1) {
        let listener = TcpListener::bind(&address).await?;
        println!("Listening on http://{}/mcp", listener.local_addr()?);
        axum::serve(listener, app).await?;
        return Ok(());
    }

    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}/mcp", listener.local_addr()?);
    println!("Self-test: MCP endpoint at {url}");
    let server = tokio::spawn(async move { axum::serve(listener, app).await });
    let outcome = self_test(&verifier, &url).await;
    server.abort();
    outcome
}

/// The endpoint: verify first, then read the JSON-RPC message.
async fn receive(
    State(verifier): State<Arc<Verifier>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let request = match verifier.verify_headers(&headers, &body) {
        Ok(request) => request,
        Err(error) => {
            eprintln!("[server] refused: {error}");
            return error.status().into_response();
        }
    };
    let Ok(message) = serde_json::from_slice::<Value>(&body) else {
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({"jsonrpc": "2.0", "id": null, "error": {"code": -32700, "message": "parse error"}})),
        )
            .into_response();
    };
    Json(answer(&request, &message)).into_response()
}

/// The JSON-RPC answer to a verified MCP message.
fn answer(request: &SignedRequest, message: &Value) -> Value {
    let id = message.get("id").cloned().unwrap_or(Value::Null);
    let method = message.get("method").and_then(Value::as_str).unwrap_or("");
    println!(
        "[server] {method} for website {} (conversation {:?})",
        request.website_id, request.session_id
    );
    let result = match method {
        "initialize" => json!({
            "protocolVersion": "2025-06-18",
            "capabilities": {"tools": {}},
            "serverInfo": {"name": "crisp-api-example", "version": "0.1.0"}
        }),
        "tools/list" => json!({
            "tools": [{
                "name": "order_status",
                "description": "Where an order is, by its number",
                "inputSchema": {
                    "type": "object",
                    "properties": {"order_id": {"type": "string"}},
                    "required": ["order_id"]
                }
            }]
        }),
        "tools/call" => {
            let order = message
                .pointer("/params/arguments/order_id")
                .and_then(Value::as_str)
                .unwrap_or("unknown");
            json!({
                "content": [{"type": "text", "text": format!("Order {order} left the warehouse today.")}]
            })
        }
        _ => {
            return json!({
                "jsonrpc": "2.0", "id": id,
                "error": {"code": -32601, "message": "method not found"}
            })
        }
    };
    json!({"jsonrpc": "2.0", "id": id, "result": result})
}

/// Sends the endpoint a request signed as Crisp signs it and a forged one, and checks the
/// answers.
async fn self_test(verifier: &Verifier, url: &str) -> Result<(), Failure> {
    // The SDK's TLS backend: with its default (rustls with ring, set per client), a bare
    // `reqwest::Client::builder()` has no crypto provider.
    let client = crisp_api::tls::client_builder()?.build()?;
    let website_id = "8c842203-7ed8-4e29-a608-7cf78a7d2fcc";
    let body = json!({
        "jsonrpc": "2.0", "id": 7, "method": "tools/call",
        "params": {"name": "order_status", "arguments": {"order_id": "A-1042"}}
    })
    .to_string()
    .into_bytes();

    // What Hugo would send: signed with the integration's secret, stamped now.
    let signed = verifier.sign_now(website_id, &body);
    let (genuine, answer) = deliver(
        &client,
        url,
        website_id,
        &signed.timestamp,
        &signed.signature,
        &body,
    )
    .await?;
    println!("[client] signed request -> {genuine}: {answer}");

    // A forgery: same body, website and time, signed with a secret the server does not know.
    let forged_signature = sign(
        "mcp_sec_not-the-secret",
        &signed.timestamp,
        website_id,
        &body,
    );
    let (forged, _) = deliver(
        &client,
        url,
        website_id,
        &signed.timestamp,
        &forged_signature,
        &body,
    )
    .await?;
    println!("[client] forged request -> {forged}");

    let text = answer
        .pointer("/result/content/0/text")
        .and_then(Value::as_str)
        .unwrap_or("");
    if genuine == StatusCode::OK
        && answer["id"] == 7
        && text.contains("A-1042")
        && forged == StatusCode::UNAUTHORIZED
    {
        println!("Self-test passed: the signed request was answered, the forged one refused");
        Ok(())
    } else {
        Err(format!("self-test failed: signed -> {genuine} {answer}, forged -> {forged}").into())
    }
}

async fn deliver(
    client: &reqwest::Client,
    url: &str,
    website_id: &str,
    timestamp: &str,
    signature: &str,
    body: &[u8],
) -> Result<(StatusCode, Value), Failure> {
    let response = client
        .post(url)
        .header("content-type", "application/json")
        .header(WEBSITE_ID_HEADER, website_id)
        .header(TIMESTAMP_HEADER, timestamp)
        .header(SIGNATURE_HEADER, signature)
        .header(
            SESSION_ID_HEADER,
            "session_700c65e1-85e2-465a-b9ac-ecb5ec2c9881",
        )
        .body(body.to_vec())
        .send()
        .await?;
    let status = response.status();
    let answer = response.json::<Value>().await.unwrap_or(Value::Null);
    Ok((status, answer))
}

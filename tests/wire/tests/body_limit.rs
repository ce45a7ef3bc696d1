//! `max_response_bytes`: a body past the limit is an error whether its length is declared
//! (`Content-Length`) or not (chunked), and a body within it decodes. The SDK skips the
//! counting wrapper when the declared length is within the limit (benchmarks), so both
//! framings are tested on both sides of the limit.

use crisp_api::{Client, ErrorKind, RetryPolicy};
use crisp_mock::{Reply, ScriptedServer};
use crisp_wire_tests::WEBSITE;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A conversation answer whose body is exactly `len` bytes (padded inside `last_message`).
fn answer_of_len(len: usize) -> String {
    let head = r#"{"error":false,"reason":"resolved","data":{"session_id":"session_x","website_id":"w","last_message":""#;
    let tail = r#""}}"#;
    assert!(len >= head.len() + tail.len());
    format!("{head}{}{tail}", "a".repeat(len - head.len() - tail.len()))
}

fn client(url: &str, max: usize) -> Client {
    Client::builder()
        .base_url(url)
        .credentials(crisp_mock::DEFAULT_IDENTIFIER, crisp_mock::DEFAULT_KEY)
        .retry_policy(RetryPolicy::none())
        .max_response_bytes(max)
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap()
}

async fn get(client: &Client) -> Result<crisp_api::types::Conversation, crisp_api::Error> {
    client.get_conversation(WEBSITE, "session_x").await
}

fn assert_too_large(result: Result<crisp_api::types::Conversation, crisp_api::Error>) {
    let err = result.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidResponse, "{err}");
    assert!(err.to_string().contains("(max_response_bytes)"), "{err}");
}

#[tokio::test]
async fn declared_lengths_up_to_the_limit_pass_and_past_it_fail() {
    let max = 4096;
    for (len, fits) in [
        (max - 1, true),
        (max, true),
        (max + 1, false),
        (max * 4, false),
    ] {
        let body = answer_of_len(len);
        let server = ScriptedServer::start(vec![
            Reply::raw(200, body).header("content-type", "application/json")
        ])
        .await;
        let result = get(&client(&server.url(), max)).await;
        if fits {
            let conversation = result.unwrap_or_else(|e| panic!("{len} bytes: {e}"));
            assert_eq!(conversation.session_id, "session_x");
        } else {
            assert_too_large(result);
        }
    }
}

#[tokio::test]
async fn an_error_answer_past_the_limit_fails_too() {
    let server = ScriptedServer::start(vec![Reply::raw(404, "x".repeat(10_000))]).await;
    let err = get(&client(&server.url(), 1000)).await.unwrap_err();
    // The status decides the kind of an error answer; the message says the body was cut.
    assert_eq!(err.kind(), ErrorKind::NotFound, "{err}");
    assert_eq!(err.status(), Some(404));
    assert!(err.to_string().contains("(max_response_bytes)"), "{err}");
}

/// A one-shot HTTP/1.1 server answering `body` in chunks of 1000 bytes, with no
/// Content-Length.
async fn chunked_server(body: String) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.unwrap();
        let mut request = Vec::new();
        let mut buf = [0u8; 4096];
        while !request.windows(4).any(|w| w == b"\r\n\r\n") {
            let n = socket.read(&mut buf).await.unwrap();
            if n == 0 {
                return;
            }
            request.extend_from_slice(&buf[..n]);
        }
        let mut answer = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n\
            transfer-encoding: chunked\r\nconnection: close\r\n\r\n"
            .to_vec();
        for chunk in body.as_bytes().chunks(1000) {
            answer.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
            answer.extend_from_slice(chunk);
            answer.extend_from_slice(b"\r\n");
        }
        answer.extend_from_slice(b"0\r\n\r\n");
        let _ = socket.write_all(&answer).await;
        let _ = socket.shutdown().await;
    });
    format!("http://{addr}/v1")
}

#[tokio::test]
async fn chunked_bodies_are_counted() {
    let max = 4096;
    let url = chunked_server(answer_of_len(max)).await;
    let conversation = get(&client(&url, max)).await.unwrap();
    assert_eq!(conversation.session_id, "session_x");

    let url = chunked_server(answer_of_len(max + 1)).await;
    assert_too_large(get(&client(&url, max)).await);
}

#[tokio::test]
async fn a_declared_body_that_stalls_still_times_out() {
    let body = answer_of_len(2000);
    let server = ScriptedServer::start(vec![Reply::raw(200, body)
        .header("content-type", "application/json")
        .header("content-length", "2000")
        .stall_after(100)])
    .await;
    let client = Client::builder()
        .base_url(server.url())
        .credentials(crisp_mock::DEFAULT_IDENTIFIER, crisp_mock::DEFAULT_KEY)
        .retry_policy(RetryPolicy::none())
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let err = get(&client).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout, "{err}");
}

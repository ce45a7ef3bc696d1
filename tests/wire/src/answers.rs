//! Support for the generated answer tests (`tests/answers.rs`): an operation's call, made
//! through the SDK against a scripted server giving the answers Crisp may send.

use crisp_api::{Client, Error, ErrorKind, RetryPolicy};
use crisp_mock::{Reply, ScriptedServer};
use std::future::Future;

async fn client(replies: Vec<Reply>) -> (ScriptedServer, Client) {
    let server = ScriptedServer::start(replies).await;
    let client = Client::builder()
        .base_url(server.url())
        .credentials(crisp_mock::DEFAULT_IDENTIFIER, crisp_mock::DEFAULT_KEY)
        .retry_policy(RetryPolicy::none())
        .build()
        .expect("a client for the scripted server");
    (server, client)
}

/// The empty answers: `200` with `Content-Length: 0`, and `204 No Content`.
fn empty_answers() -> [(u16, Reply); 2] {
    [(200, Reply::raw(200, "")), (204, Reply::raw(204, ""))]
}

/// The 2XX example with only its required (identity) fields, in an envelope without
/// `reason`, decodes.
pub async fn minimal_answer_decodes<T, F, Fut>(operation: &str, minimal: &str, call: F)
where
    F: Fn(Client) -> Fut,
    Fut: Future<Output = Result<T, Error>>,
{
    let data: serde_json::Value =
        serde_json::from_str(minimal).expect("the minimal example is JSON");
    let answer = Reply::json(200, serde_json::json!({"error": false, "data": data}));
    let (_server, client) = client(vec![answer]).await;
    if let Err(e) = call(client).await {
        panic!("{operation}: the answer with only its required fields ({minimal}) does not decode: {e}");
    }
}

/// An operation that returns data fails on an empty answer, with a typed error and the status.
pub async fn empty_answers_fail<T: std::fmt::Debug, F, Fut>(operation: &str, call: F)
where
    F: Fn(Client) -> Fut,
    Fut: Future<Output = Result<T, Error>>,
{
    for (status, reply) in empty_answers() {
        let (_server, client) = client(vec![reply]).await;
        match call(client).await {
            Err(e) => {
                assert_eq!(
                    e.kind(),
                    ErrorKind::InvalidResponse,
                    "{operation}, empty {status}: {e}"
                );
                assert_eq!(e.status(), Some(status), "{operation}, empty {status}: {e}");
            }
            Ok(data) => panic!("{operation}: an empty {status} gave data: {data:?}"),
        }
    }
}

/// An operation without data succeeds on an empty answer.
pub async fn empty_answers_succeed<F, Fut>(operation: &str, call: F)
where
    F: Fn(Client) -> Fut,
    Fut: Future<Output = Result<(), Error>>,
{
    for (status, reply) in empty_answers() {
        let (_server, client) = client(vec![reply]).await;
        if let Err(e) = call(client).await {
            panic!("{operation}: an empty {status} answer is an error: {e}");
        }
    }
}

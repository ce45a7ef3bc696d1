//! A user's program that depends on crisp-api (default features) and builds its own
//! `reqwest::Client` with reqwest's default features, and so its TLS features, off.
//!
//! Cargo unifies features across a binary: whatever TLS set-up crisp-api asks of reqwest is
//! the one this program's own client gets. Before crisp-api 0.2 the default `rustls` feature
//! turned on reqwest's `rustls-no-provider`, and `reqwest::Client::new()` below panicked with
//! "No rustls crypto provider is configured". A dependency must never change whether other
//! code in the binary panics: this program exits 0, or CI fails (`.ci/run`).

fn main() {
    // The program's own clients, before and after the SDK's, built as a user would.
    let before = reqwest::Client::new();
    let sdk = crisp_api::Client::builder()
        .credentials("identifier", "key")
        .build()
        .unwrap_or_else(|e| fail(&format!("the SDK's client was not built: {e}")));
    let after = reqwest::Client::builder()
        .build()
        .unwrap_or_else(|e| fail(&format!("a client of the program's own was not built: {e}")));
    // A client of the program's own handed to the SDK, as `ClientBuilder::http_client` allows.
    let shared = crisp_api::Client::builder()
        .credentials("identifier", "key")
        .http_client(after.clone())
        .build()
        .unwrap_or_else(|e| {
            fail(&format!(
                "the SDK's client on the program's own reqwest client was not built: {e}"
            ))
        });
    drop((before, after, sdk, shared));
    println!(
        "own-reqwest-client: the program's own reqwest clients and the SDK's were built, no panic"
    );
}

fn fail(message: &str) -> ! {
    eprintln!("own-reqwest-client: {message}");
    std::process::exit(1)
}

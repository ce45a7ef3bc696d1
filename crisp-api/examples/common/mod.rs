//! What every example starts with: a client for the real API when `CRISP_IDENTIFIER`,
//! `CRISP_KEY` and `CRISP_WEBSITE_ID` are set (and `CRISP_TIER`, `CRISP_API_URL` if needed),
//! or the embedded mock Crisp server on a loopback port otherwise.

use crisp_api::{Client, Tier};

/// What the examples' `main` may fail with.
pub type Failure = Box<dyn std::error::Error + Send + Sync>;

/// Where an example runs: the client, the website, and the mock (kept alive while it runs).
pub struct Playground {
    pub client: Client,
    pub website_id: String,
    pub mock: Option<crisp_mock::MockServer>,
}

/// The real API with credentials; the mock, prepared by `seed`, without (with a user token,
/// which reaches every route).
#[allow(dead_code)] // each example uses this or `playground_as`
pub async fn playground(
    seed: impl FnOnce(&mut crisp_mock::Store, &str),
) -> Result<Playground, Failure> {
    playground_as(Tier::User, seed).await
}

/// [`playground`], the mock's client on `tier` (the real API's comes from `CRISP_TIER`).
pub async fn playground_as(
    tier: Tier,
    seed: impl FnOnce(&mut crisp_mock::Store, &str),
) -> Result<Playground, Failure> {
    if std::env::var("CRISP_IDENTIFIER").is_ok() {
        let website_id = std::env::var("CRISP_WEBSITE_ID")
            .map_err(|_| "CRISP_WEBSITE_ID must be set to run against the real API")?;
        println!("Using the real Crisp API (credentials from CRISP_*)");
        let client = Client::from_env()?;
        return Ok(Playground {
            client,
            website_id,
            mock: None,
        });
    }
    let mock = crisp_mock::MockServer::start().await;
    let website_id = crisp_mock::README_WEBSITE_ID.to_string();
    mock.with_store(|store| seed(store, &website_id));
    println!(
        "No CRISP_IDENTIFIER: using the embedded mock Crisp server at {}",
        mock.url()
    );
    let client = Client::builder()
        .base_url(mock.url())
        .credentials(mock.identifier(), mock.key())
        .tier(tier)
        .build()?;
    Ok(Playground {
        client,
        website_id,
        mock: Some(mock),
    })
}

//! Publishes a helpdesk (knowledge base) page: checks that the website has a helpdesk, adds
//! its `en` locale if missing, creates a page in the locale's article tree, saves its Markdown content, publishes
//! it through its metadata, then reads the metadata, content and public page back.
//!
//! With `CRISP_IDENTIFIER`, `CRISP_KEY` and `CRISP_WEBSITE_ID` set (and optionally
//! `CRISP_TIER`, `CRISP_API_URL`), it runs against the real Crisp API and really publishes the
//! page `getting-started/hello-from-rust.md` in the website's helpdesk. Without them it starts
//! the embedded mock Crisp server on a loopback port and runs the same flow against it. The
//! mock keeps no helpdesk state: it answers each call with the spec's example, so what is read
//! back there is that example, not the page just saved; the example prints it and checks
//! nothing that only a stateful server could give.
//!
//! ```text
//! cargo run -p crisp-api --example helpdesk_publish
//! ```

mod common;

use crisp_api::types::{
    HelpdeskContentType, HelpdeskLocaleAdd, HelpdeskTreeContentSave, HelpdeskTreeMetadata,
    HelpdeskTreeState,
};
use crisp_api::ErrorKind;

/// The locale the page is written in.
const LOCALE: &str = "en";
/// The page's path in the locale's article tree.
const PATH: &str = "getting-started/hello-from-rust.md";
/// The page's Markdown content.
const CONTENT: &str = "# Hello from Rust\n\nThis page was published with crisp-api.\n";

#[tokio::main]
async fn main() -> Result<(), common::Failure> {
    // The mock (without credentials) lives until `_mock` is dropped, at the end.
    let common::Playground {
        client,
        website_id,
        mock: _mock,
    } = common::playground(|_, _| {}).await?;

    // 1. The website needs a helpdesk before it can hold pages.
    let exists = client.check_helpdesk_exists(&website_id).await?;
    if !exists {
        // Creating a helpdesk picks its public sub-domain: leave that choice to the user.
        return Err(
            "the website has no helpdesk: create it in the Crisp app, or with \
                    initialize_helpdesk (a name and a crisp.help sub-domain), then run again"
                .into(),
        );
    }
    let helpdesk = client.resolve_helpdesk(&website_id).await?;
    println!(
        "1. the helpdesk: {} at {}",
        helpdesk.name.as_deref().unwrap_or("(no name)"),
        helpdesk.url.as_deref().unwrap_or("(no URL)")
    );

    // 2. The page is written in a locale, which must exist too.
    let has_locale = client
        .check_helpdesk_locale_exists(&website_id, LOCALE)
        .await?;
    if !has_locale {
        client
            .add_helpdesk_locale(&website_id, HelpdeskLocaleAdd::new(LOCALE))
            .await?;
        println!("2. added the locale `{LOCALE}`");
    }
    let locale = client.resolve_helpdesk_locale(&website_id, LOCALE).await?;
    println!(
        "2. locale `{}` ({}) at {}",
        locale.locale,
        locale.locale_id,
        locale.url.as_deref().unwrap_or("(no URL)")
    );

    // 3. Create the page in the article tree unless something is already at its path.
    match client
        .resolve_helpdesk_tree_path(&website_id, LOCALE, HelpdeskContentType::Articles, PATH)
        .await
    {
        Ok(entry) => println!(
            "3. an entry is already at {PATH}: {:?} ({})",
            entry.title.as_deref().unwrap_or("untitled"),
            entry.type_.as_deref().unwrap_or("?")
        ),
        Err(e) if e.kind() == ErrorKind::NotFound => {
            client
                .create_helpdesk_tree_path(&website_id, LOCALE, HelpdeskContentType::Articles, PATH)
                .await?;
            println!("3. created the page at {PATH}");
        }
        Err(e) => return Err(e.into()),
    }

    // 4. Save its content, then publish it by setting its title and state.
    client
        .save_helpdesk_tree_content(
            &website_id,
            LOCALE,
            HelpdeskContentType::Articles,
            PATH,
            HelpdeskTreeContentSave::new(CONTENT),
        )
        .await?;
    println!("4. saved {} bytes of Markdown", CONTENT.len());
    client
        .update_helpdesk_tree_metadata(
            &website_id,
            LOCALE,
            HelpdeskContentType::Articles,
            PATH,
            HelpdeskTreeMetadata::new()
                .title("Hello from Rust")
                .description("A page published with crisp-api.")
                .state(HelpdeskTreeState::new().published(true)),
        )
        .await?;
    println!("5. published it (state.published = true)");

    // 5. Read the page back: its metadata, its content and its public page.
    let metadata = client
        .resolve_helpdesk_tree_metadata(&website_id, LOCALE, HelpdeskContentType::Articles, PATH)
        .await?;
    let published = metadata.state.as_ref().and_then(|s| s.published);
    println!(
        "6. read back: title {:?}, published {}",
        metadata.title.as_deref().unwrap_or(""),
        published.map_or("unknown".to_string(), |p| p.to_string())
    );
    let content = client
        .resolve_helpdesk_tree_content(&website_id, LOCALE, HelpdeskContentType::Articles, PATH)
        .await?;
    let text = content.content.unwrap_or_default();
    println!(
        "   content: {} bytes, first line {:?}",
        text.len(),
        text.lines().next().unwrap_or("")
    );
    let page = client
        .resolve_helpdesk_tree_page(&website_id, LOCALE, HelpdeskContentType::Articles, PATH)
        .await?;
    println!(
        "   public page: {}",
        page.url.as_deref().unwrap_or("(not published yet)")
    );
    println!("Done.");
    Ok(())
}

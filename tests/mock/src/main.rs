//! `crisp-mock`: the embedded Crisp mock as a standalone server, for any language's client.
//!
//! ```text
//! cargo run -p crisp-mock -- --port 8080 [--identifier ID] [--key KEY]
//! cargo run -p crisp-mock -- --port 8080 --fixed   # fixed answers for benchmarks
//! ```
//!
//! `--fixed` serves [`crisp_mock::bench::FixedServer`] (default credentials only) instead of
//! the stateful mock.

use crisp_mock::{MockConfig, MockServer};

#[tokio::main]
async fn main() {
    let mut config = MockConfig::default();
    let mut fixed = false;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = |name: &str| {
            args.next().unwrap_or_else(|| {
                eprintln!("crisp-mock: {name} needs a value");
                std::process::exit(2)
            })
        };
        match arg.as_str() {
            "--port" => {
                config.port = value("--port").parse().unwrap_or_else(|_| {
                    eprintln!("crisp-mock: --port takes a number");
                    std::process::exit(2)
                })
            }
            "--identifier" => config.identifier = value("--identifier"),
            "--key" => config.key = value("--key"),
            "--fixed" => fixed = true,
            "-h" | "--help" => {
                println!("usage: crisp-mock [--port N] [--identifier ID] [--key KEY] [--fixed]");
                return;
            }
            other => {
                eprintln!("crisp-mock: unknown argument {other}");
                std::process::exit(2)
            }
        }
    }
    if fixed {
        let server = match crisp_mock::bench::FixedServer::start_on(config.port).await {
            Ok(server) => server,
            Err(e) => {
                eprintln!("crisp-mock: cannot bind: {e}");
                std::process::exit(1)
            }
        };
        println!(
            "crisp-mock (fixed answers) listening on {} (identifier {}, key {})",
            server.url(),
            server.identifier(),
            server.key()
        );
        server.wait().await;
        return;
    }
    let server = match MockServer::start_with(config).await {
        Ok(server) => server,
        Err(e) => {
            eprintln!("crisp-mock: cannot bind: {e}");
            std::process::exit(1)
        }
    };
    println!(
        "crisp-mock listening on {} (identifier {}, key {})",
        server.url(),
        server.identifier(),
        server.key()
    );
    server.wait().await;
}

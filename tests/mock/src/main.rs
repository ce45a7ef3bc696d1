//! `crisp-mock`: the embedded Crisp mock as a standalone server, for any language's client.
//!
//! ```text
//! cargo run -p crisp-mock -- --port 8080 [--identifier ID] [--key KEY]
//! cargo run -p crisp-mock -- --port 8080 --examples  # the spec's examples everywhere
//! cargo run -p crisp-mock -- --port 8080 --fixed     # fixed answers for benchmarks
//! ```
//!
//! `--examples` answers every operation with its spec example (no state); `--fixed` serves
//! [`crisp_mock::fixed::FixedServer`] (default credentials only) instead of the spec-driven
//! mock.

use crisp_mock::{MockConfig, MockServer, Mode};

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
            "--examples" => config.mode = Mode::Examples,
            "--fixed" => fixed = true,
            "-h" | "--help" => {
                println!(
                    "usage: crisp-mock [--port N] [--identifier ID] [--key KEY] [--examples | --fixed]"
                );
                return;
            }
            other => {
                eprintln!("crisp-mock: unknown argument {other}");
                std::process::exit(2)
            }
        }
    }
    if fixed {
        let server = match crisp_mock::fixed::FixedServer::start_on(config.port).await {
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
            eprintln!("crisp-mock: cannot start: {e}");
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

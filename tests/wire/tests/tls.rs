//! The default TLS backend (rustls with aws-lc-rs, reqwest's own, `crisp_api::tls`) over loopback:
//! a certificate the platform's roots trust completes the handshake and the answer decodes;
//! a self-signed certificate and a certificate for another host name are refused with a
//! typed error before any request is sent. The roots are the platform's, read from
//! `SSL_CERT_FILE` as on any Linux machine, so this one test sets that variable itself; it is
//! alone in its test binary for that reason.

use crisp_api::{Client, ErrorKind, RetryPolicy};
use crisp_wire_tests::WEBSITE;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const ANSWER: &str = r#"{"error":false,"reason":"resolved","data":{"state":"resolved"}}"#;

/// A certificate authority and a server certificate it signed for `localhost`.
struct Pki {
    ca_pem: String,
    server: (
        Vec<rustls::pki_types::CertificateDer<'static>>,
        rustls::pki_types::PrivateKeyDer<'static>,
    ),
}

fn new_pki(ca_name: &str) -> Pki {
    let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, ca_name);
    let ca_key = rcgen::KeyPair::generate().unwrap();
    let ca = ca_params.self_signed(&ca_key).unwrap();
    let server_key = rcgen::KeyPair::generate().unwrap();
    let server_params = rcgen::CertificateParams::new(vec!["localhost".to_string()]).unwrap();
    let issuer = rcgen::Issuer::new(ca_params, ca_key);
    let server = server_params.signed_by(&server_key, &issuer).unwrap();
    Pki {
        ca_pem: ca.pem(),
        server: (
            vec![server.der().clone(), ca.der().clone()],
            rustls::pki_types::PrivateKeyDer::Pkcs8(server_key.serialize_der().into()),
        ),
    }
}

/// An HTTPS server on 127.0.0.1 that answers every request with [`ANSWER`]; counts the
/// handshakes that completed.
async fn https_server(pki: &Pki) -> (u16, Arc<AtomicUsize>) {
    let mut config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(pki.server.0.clone(), pki.server.1.clone_key())
    .unwrap();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let handshakes = Arc::new(AtomicUsize::new(0));
    let count = handshakes.clone();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            let count = count.clone();
            tokio::spawn(async move {
                let Ok(mut tls) = acceptor.accept(tcp).await else {
                    return;
                };
                count.fetch_add(1, Ordering::SeqCst);
                let mut head = Vec::new();
                let mut buf = [0u8; 1024];
                while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                    match tls.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => head.extend_from_slice(&buf[..n]),
                    }
                }
                let response = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{ANSWER}",
                    ANSWER.len()
                );
                let _ = tls.write_all(response.as_bytes()).await;
                let _ = tls.shutdown().await;
            });
        }
    });
    (port, handshakes)
}

async fn get_state(host: &str, port: u16) -> Result<Option<String>, crisp_api::Error> {
    let client = Client::builder()
        .base_url(format!("https://{host}:{port}/v1"))
        .credentials("identifier", "tls-test-secret")
        .retry_policy(RetryPolicy::none())
        .timeout(Duration::from_secs(10))
        .build()?;
    let state = client
        .get_conversation_state(WEBSITE, "session_tls")
        .await?;
    Ok(state.state.map(|s| s.as_str().to_string()))
}

/// The error and its sources, as one text.
fn chain(error: &crisp_api::Error) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(s) = source {
        text.push_str(" / ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

#[tokio::test]
async fn the_default_backend_verifies_the_certificate_and_its_host_name() {
    let pki = new_pki("crisp-api test CA");
    let (port, handshakes) = https_server(&pki).await;
    let dir = std::env::temp_dir().join(format!("crisp-api-tls-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();

    // The test CA is a platform root: the handshake completes, the answer decodes.
    let roots = dir.join("roots.pem");
    std::fs::write(&roots, &pki.ca_pem).unwrap();
    std::env::set_var("SSL_CERT_FILE", &roots);
    std::env::remove_var("SSL_CERT_DIR");
    let state = get_state("localhost", port)
        .await
        .expect("a trusted server");
    assert_eq!(state.as_deref(), Some("resolved"));
    assert_eq!(handshakes.load(Ordering::SeqCst), 1);

    // The same trusted certificate, for another name (`localhost`, not `127.0.0.1`).
    let error = get_state("127.0.0.1", port).await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Transport, "{error}");
    let text = chain(&error);
    assert!(text.contains("certificate not valid for name"), "{text}");

    // Roots without the test CA (any other certificate): the server is not trusted.
    let other = new_pki("another CA");
    std::fs::write(&roots, &other.ca_pem).unwrap();
    let error = get_state("localhost", port).await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Transport, "{error}");
    let text = chain(&error);
    assert!(
        text.contains("invalid peer certificate: UnknownIssuer"),
        "{text}"
    );
    assert!(
        !text.contains("tls-test-secret"),
        "the key is not in the error: {text}"
    );
    // Neither refused handshake got as far as a request.
    assert_eq!(handshakes.load(Ordering::SeqCst), 1);
    let _ = std::fs::remove_dir_all(&dir);
}

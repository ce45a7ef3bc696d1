//! The runner, the counters behind the summary table, client helpers and a capturing
//! tracing subscriber.

use crate::log_capture::MemoryWriter;
use crisp_api::{Client, ClientBuilder, Error, ErrorKind, RetryPolicy};
use crisp_mock::ScriptedServer;
use futures::FutureExt as _;
use std::collections::BTreeMap;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

// ---------------------------------------------------------------------------------------
// Counters

/// What the suite saw, for the summary table.
pub struct Stats {
    pub calls: AtomicU64,
    pub ok: AtomicU64,
    pub typed_errors: AtomicU64,
    pub retries: AtomicU64,
    pub panics: AtomicU64,
    pub duplicates: AtomicU64,
    pub streams: AtomicU64,
    pub streamed: AtomicU64,
    pub streams_failed: AtomicU64,
    pub streams_cut: AtomicU64,
    pub by_kind: Mutex<BTreeMap<String, u64>>,
}

pub static STATS: Stats = Stats {
    calls: AtomicU64::new(0),
    ok: AtomicU64::new(0),
    typed_errors: AtomicU64::new(0),
    retries: AtomicU64::new(0),
    panics: AtomicU64::new(0),
    duplicates: AtomicU64::new(0),
    streams: AtomicU64::new(0),
    streamed: AtomicU64::new(0),
    streams_failed: AtomicU64::new(0),
    streams_cut: AtomicU64::new(0),
    by_kind: Mutex::new(BTreeMap::new()),
};

/// Runs one SDK call: a panic inside it is counted (and re-raised, failing the case); the
/// outcome, typed error kind and retries (from `Error::attempts`) are counted.
pub async fn call<T>(fut: impl Future<Output = Result<T, Error>>) -> Result<T, Error> {
    let result = guarded(fut).await;
    match &result {
        Ok(_) => {
            STATS.ok.fetch_add(1, Relaxed);
        }
        Err(e) => count_error(e),
    }
    result
}

/// [`call`] against a scripted server: retries of a successful call are counted from the
/// requests the server saw, and duplicate non-idempotent requests are counted (and fail the
/// case).
pub async fn call_on<T>(
    server: &ScriptedServer,
    fut: impl Future<Output = Result<T, Error>>,
) -> Result<T, Error> {
    let before = server.served().len();
    let result = guarded(fut).await;
    let seen = server.served().len() - before;
    match &result {
        Ok(_) => {
            STATS.ok.fetch_add(1, Relaxed);
            STATS
                .retries
                .fetch_add(seen.saturating_sub(1) as u64, Relaxed);
        }
        Err(e) => count_error(e),
    }
    let duplicates = server.duplicates_since(before);
    STATS.duplicates.fetch_add(duplicates as u64, Relaxed);
    assert_eq!(duplicates, 0, "duplicate non-idempotent requests");
    result
}

async fn guarded<T>(fut: impl Future<Output = Result<T, Error>>) -> Result<T, Error> {
    STATS.calls.fetch_add(1, Relaxed);
    match AssertUnwindSafe(fut).catch_unwind().await {
        Ok(result) => result,
        Err(panic) => {
            STATS.panics.fetch_add(1, Relaxed);
            std::panic::resume_unwind(panic)
        }
    }
}

/// Drains a paged stream, at most `limit` items (a stream still going then is counted as
/// cut, which no case expects): its items and the errors ending it are counted (apart from
/// the calls' rows), and a panic inside it too.
pub async fn counted_stream<T>(
    mut stream: impl futures::Stream<Item = Result<T, Error>> + Unpin,
    limit: usize,
) -> Vec<Result<T, Error>> {
    use futures::StreamExt as _;
    STATS.streams.fetch_add(1, Relaxed);
    let mut items = Vec::new();
    let drained = AssertUnwindSafe(async {
        while items.len() < limit {
            match stream.next().await {
                Some(item) => items.push(item),
                None => return true,
            }
        }
        false
    })
    .catch_unwind()
    .await;
    let ended = match drained {
        Ok(ended) => ended,
        Err(panic) => {
            STATS.panics.fetch_add(1, Relaxed);
            std::panic::resume_unwind(panic)
        }
    };
    if !ended {
        STATS.streams_cut.fetch_add(1, Relaxed);
    }
    for item in &items {
        match item {
            Ok(_) => STATS.streamed.fetch_add(1, Relaxed),
            Err(_) => STATS.streams_failed.fetch_add(1, Relaxed),
        };
    }
    items
}

/// Calls answered with data and typed errors so far, to report what a fuzz run exercised.
pub fn outcomes() -> (u64, u64) {
    (STATS.ok.load(Relaxed), STATS.typed_errors.load(Relaxed))
}

/// Prints what happened since `before` (from [`outcomes`]).
pub fn report_since(before: (u64, u64), what: &str) {
    let (ok, errors) = outcomes();
    println!(
        "    ({what}: {} decoded, {} typed errors)",
        ok - before.0,
        errors - before.1
    );
}

fn count_error(e: &Error) {
    STATS.typed_errors.fetch_add(1, Relaxed);
    STATS
        .retries
        .fetch_add(u64::from(e.attempts().saturating_sub(1)), Relaxed);
    *STATS
        .by_kind
        .lock()
        .unwrap()
        .entry(format!("{:?}", e.kind()))
        .or_default() += 1;
}

// ---------------------------------------------------------------------------------------
// Runner

pub struct Case {
    pub name: &'static str,
    pub run: fn(),
}

/// Runs the cases whose name contains one of the filters (all without filters), prints a
/// libtest-like line per case, the summary table and a closing `N passed, N failed` line.
pub fn run(cases: &[Case]) -> std::process::ExitCode {
    let mut args = std::env::args().skip(1);
    let (mut filters, mut skips, mut list) = (Vec::new(), Vec::new(), false);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--list" => list = true,
            "--skip" => skips.extend(args.next()),
            "--test-threads" | "--format" | "--color" | "-Z" => {
                args.next();
            }
            a if a.starts_with('-') => {}
            a => filters.push(a.to_string()),
        }
    }
    let selected: Vec<&Case> = cases
        .iter()
        .filter(|c| filters.is_empty() || filters.iter().any(|f| c.name.contains(f.as_str())))
        .filter(|c| !skips.iter().any(|s| c.name.contains(s.as_str())))
        .collect();
    if list {
        for c in &selected {
            println!("{}: test", c.name);
        }
        return std::process::ExitCode::SUCCESS;
    }
    tracing_log::LogTracer::init().expect("the log bridge is installed once");
    println!(
        "\nrunning {} fault-injection cases (proptest seed {}: FAULTS_SEED={} replays it)",
        selected.len(),
        seed(),
        seed()
    );
    let started = Instant::now();
    let mut failed = Vec::new();
    for case in &selected {
        let began = Instant::now();
        let outcome = std::panic::catch_unwind(case.run);
        let ms = began.elapsed().as_millis();
        match outcome {
            Ok(()) => println!("test {} ... ok ({ms} ms)", case.name),
            Err(_) => {
                println!("test {} ... FAILED ({ms} ms)", case.name);
                failed.push(case.name);
            }
        }
    }
    print_table(selected.len());
    let passed = selected.len() - failed.len();
    if !failed.is_empty() {
        println!("\nfailures:");
        for name in &failed {
            println!("    {name}");
        }
    }
    println!(
        "\ntest result: {}. {passed} passed; {} failed; 0 ignored; 0 measured; {} filtered out; finished in {:.2}s",
        if failed.is_empty() { "ok" } else { "FAILED" },
        failed.len(),
        cases.len() - selected.len(),
        started.elapsed().as_secs_f64()
    );
    println!("faults: {passed} passed, {} failed", failed.len());
    let panics = STATS.panics.load(Relaxed);
    let duplicates = STATS.duplicates.load(Relaxed);
    if failed.is_empty() && panics == 0 && duplicates == 0 {
        std::process::ExitCode::SUCCESS
    } else {
        std::process::ExitCode::FAILURE
    }
}

fn print_table(cases: usize) {
    let s = &STATS;
    let rows = [
        ("cases (scenarios)", cases as u64),
        ("calls made through the SDK", s.calls.load(Relaxed)),
        ("  answered with data", s.ok.load(Relaxed)),
        (
            "  typed errors (crisp_api::Error)",
            s.typed_errors.load(Relaxed),
        ),
        ("retries made", s.retries.load(Relaxed)),
        ("paged streams drained", s.streams.load(Relaxed)),
        ("  items streamed", s.streamed.load(Relaxed)),
        ("  ended by a typed error", s.streams_failed.load(Relaxed)),
        ("  cut short, never ending", s.streams_cut.load(Relaxed)),
        ("panics", s.panics.load(Relaxed)),
        (
            "duplicate non-idempotent requests",
            s.duplicates.load(Relaxed),
        ),
    ];
    println!("\n+------------------------------------+---------+");
    println!("| fault-injection summary            |   count |");
    println!("+------------------------------------+---------+");
    for (name, n) in rows {
        println!("| {name:<34} | {n:>7} |");
    }
    println!("+------------------------------------+---------+");
    for (kind, n) in s.by_kind.lock().unwrap().iter() {
        println!("| {:<34} | {n:>7} |", format!("  errors of kind {kind}"));
    }
    println!("+------------------------------------+---------+");
}

/// Runs a future on a fresh single-threaded runtime: the server and the client share the
/// thread, so a thread-local tracing subscriber sees both.
pub fn block_on<F: Future>(fut: F) -> F::Output {
    runtime().block_on(fut)
}

/// The proptest seed of this run: `FAULTS_SEED` when set (to replay a failure), else random.
pub fn seed() -> u64 {
    static SEED: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
    *SEED.get_or_init(|| {
        std::env::var("FAULTS_SEED")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| {
                let now = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .unwrap_or_default();
                now.as_nanos() as u64 ^ u64::from(std::process::id())
            })
    })
}

/// A proptest runner with `cases` cases, the run's seed and no regression files.
pub fn prop_runner(cases: u32) -> proptest::test_runner::TestRunner {
    use proptest::test_runner::{Config, RngSeed, TestRunner};
    TestRunner::new(Config {
        cases,
        failure_persistence: None,
        max_shrink_iters: 500,
        rng_seed: RngSeed::Fixed(seed()),
        ..Config::default()
    })
}

pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

// ---------------------------------------------------------------------------------------
// Clients

pub const IDENTIFIER: &str = crisp_mock::DEFAULT_IDENTIFIER;
pub const KEY: &str = crisp_mock::DEFAULT_KEY;

/// Fast retries for tests: `attempts` attempts, waits of at most 5 ms, 5 s in all.
pub fn fast(attempts: u32) -> RetryPolicy {
    RetryPolicy::default()
        .max_attempts(attempts)
        .initial_backoff(Duration::from_millis(1))
        .max_backoff(Duration::from_millis(5))
        .max_elapsed(Duration::from_secs(5))
}

/// A builder for a scripted server with fast retries (`attempts` attempts).
pub fn builder(url: &str, attempts: u32) -> ClientBuilder {
    Client::builder()
        .base_url(url)
        .credentials(IDENTIFIER, KEY)
        .retry_policy(fast(attempts))
        .timeout(Duration::from_secs(5))
}

pub fn client(url: &str, attempts: u32) -> Client {
    builder(url, attempts).build().expect("client")
}

/// A base URL where nothing listens: a port bound, then released.
pub fn dead_url() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    format!("http://{addr}/v1")
}

/// The error, or a panic naming what came instead.
pub fn expect_err<T: std::fmt::Debug>(result: Result<T, Error>) -> Error {
    match result {
        Ok(v) => panic!("expected an error, got {v:?}"),
        Err(e) => e,
    }
}

pub fn assert_kind(e: &Error, kind: ErrorKind) {
    assert_eq!(e.kind(), kind, "{e} / {e:?}");
}

/// A valid conversation, as `data`.
pub fn conversation(session: &str) -> serde_json::Value {
    serde_json::json!({
        "session_id": session,
        "website_id": crisp_wire_tests::WEBSITE,
        "state": "pending",
        "created_at": 1_700_000_000_000_i64,
    })
}

/// A text message body for `send_message_in_conversation`.
pub fn text(content: &str) -> crisp_api::types::MessageNew {
    use crisp_api::types::{MessageContent, MessageFrom, MessageNew};
    MessageNew::new(MessageFrom::Operator, "chat", MessageContent::text(content))
}

// ---------------------------------------------------------------------------------------
// Capturing tracing output

/// One closed span: its name and its fields as text.
#[derive(Debug, Clone)]
pub struct SpanRecord {
    pub name: String,
    pub level: tracing::Level,
    pub fields: BTreeMap<String, String>,
}

/// Everything a subscriber saw on this thread while installed: formatted text (TRACE level,
/// with span fields, including `log` records from reqwest) and the closed spans.
#[derive(Clone, Default)]
pub struct Capture {
    pub text: Arc<Mutex<Vec<u8>>>,
    pub spans: Arc<Mutex<Vec<SpanRecord>>>,
}

impl Capture {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.text.lock().unwrap()).into_owned()
    }

    pub fn spans(&self, name: &str) -> Vec<SpanRecord> {
        self.spans
            .lock()
            .unwrap()
            .iter()
            .filter(|s| s.name == name)
            .cloned()
            .collect()
    }

    /// Installs a subscriber for this thread at `level`; dropping the guard removes it.
    pub fn install(&self, level: tracing::Level) -> tracing::subscriber::DefaultGuard {
        use tracing_subscriber::fmt::format::FmtSpan;
        use tracing_subscriber::layer::SubscriberExt as _;
        let writer = self.text.clone();
        let fmt = tracing_subscriber::fmt::layer()
            .with_ansi(false)
            .with_span_events(FmtSpan::FULL)
            .with_writer(move || MemoryWriter(writer.clone()));
        let subscriber = tracing_subscriber::registry()
            .with(tracing_subscriber::filter::LevelFilter::from_level(level))
            .with(fmt)
            .with(SpanLayer(self.spans.clone()));
        tracing::subscriber::set_default(subscriber)
    }
}

struct Fields(BTreeMap<String, String>);

impl tracing::field::Visit for Fields {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        self.0
            .insert(field.name().to_string(), format!("{value:?}"));
    }
    fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
        self.0.insert(field.name().to_string(), value.to_string());
    }
}

struct SpanLayer(Arc<Mutex<Vec<SpanRecord>>>);

impl<S> tracing_subscriber::Layer<S> for SpanLayer
where
    S: tracing::Subscriber + for<'a> tracing_subscriber::registry::LookupSpan<'a>,
{
    fn on_new_span(
        &self,
        attrs: &tracing::span::Attributes<'_>,
        id: &tracing::span::Id,
        ctx: tracing_subscriber::layer::Context<'_, S>,
    ) {
        let mut fields = Fields(BTreeMap::new());
        attrs.record(&mut fields);
        if let Some(span) = ctx.span(id) {
            span.extensions_mut().insert(fields);
        }
    }

    fn on_record(
        &self,
        id: &tracing::span::Id,
        values: &tracing::span::Record<'_>,
        ctx: tracing_subscriber::layer::Context<'_, S>,
    ) {
        if let Some(span) = ctx.span(id) {
            if let Some(fields) = span.extensions_mut().get_mut::<Fields>() {
                values.record(fields);
            }
        }
    }

    fn on_close(&self, id: tracing::span::Id, ctx: tracing_subscriber::layer::Context<'_, S>) {
        if let Some(span) = ctx.span(&id) {
            let fields = span
                .extensions()
                .get::<Fields>()
                .map(|f| f.0.clone())
                .unwrap_or_default();
            self.0.lock().unwrap().push(SpanRecord {
                name: span.name().to_string(),
                level: *span.metadata().level(),
                fields,
            });
        }
    }
}

/// The GET every case uses: `get_conversation` of `session_1`.
pub async fn get(client: &Client) -> crisp_api::Result<crisp_api::types::Conversation> {
    client
        .get_conversation(crisp_wire_tests::WEBSITE, "session_1")
        .await
}

/// The POST without a message body: `create_new_conversation`.
pub async fn create(client: &Client) -> crisp_api::Result<crisp_api::types::ConversationNew> {
    client
        .create_new_conversation(crisp_wire_tests::WEBSITE)
        .await
}

//! Shared by the benchmarks: the fixed server on its own runtime, the SDK client, the
//! hand-written reqwest + serde_json baseline, interleaved A/B measurement and an
//! allocation counter.
#![allow(dead_code)]

use crisp_api::types::{Conversation, ConversationStateData};
use crisp_api::{Client, Tier};
use crisp_mock::fixed::{FixedServer, SESSION, WEBSITE};
use futures::StreamExt as _;
use reqwest::header::{HeaderValue, ACCEPT, AUTHORIZATION, USER_AGENT};
use serde::Deserialize;
use std::alloc::{GlobalAlloc, Layout, System};
use std::future::Future;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed};
use std::time::{Duration, Instant};

/// The request a benchmark sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// `list_conversations`, page 1: 20 conversations, ~26 KB.
    List,
    /// `get_conversation_state`: a tiny answer (`{"state": ...}` in the envelope).
    Small,
}

impl Op {
    pub fn name(self) -> &'static str {
        match self {
            Op::List => "list_conversations (26 KB)",
            Op::Small => "get_conversation_state (small)",
        }
    }
}

/// The fixed server, on its own runtime and threads so that it does not share the
/// client's scheduler.
pub struct Server {
    pub server: FixedServer,
    _runtime: tokio::runtime::Runtime,
}

impl Server {
    pub fn start() -> Server {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("fixed-server")
            .enable_all()
            .build()
            .expect("server runtime");
        let server = runtime.block_on(FixedServer::start());
        Server {
            server,
            _runtime: runtime,
        }
    }

    pub fn url(&self) -> String {
        self.server.url()
    }
}

/// The client's runtime: what `#[tokio::main]` gives an application (multi-thread).
pub fn client_runtime() -> tokio::runtime::Runtime {
    mark_client_thread();
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .on_thread_start(mark_client_thread)
        .enable_all()
        .build()
        .expect("client runtime")
}

/// The SDK as an application builds it: defaults (10 s timeout, retries, 16 MiB limit).
pub fn sdk(url: &str) -> Client {
    Client::builder()
        .base_url(url)
        .tier(Tier::Plugin)
        .credentials(crisp_mock::DEFAULT_IDENTIFIER, crisp_mock::DEFAULT_KEY)
        .build()
        .expect("client")
}

/// What the SDK sends, written by hand: the same URL, the same headers (prepared once),
/// the same per-request timeout, and the answer decoded into the same types through a
/// derived envelope.
#[derive(Clone)]
pub struct Baseline {
    http: reqwest::Client,
    base: String,
    authorization: HeaderValue,
    tier: HeaderValue,
    user_agent: HeaderValue,
}

/// `{"error", "reason", "data"}` the plain serde way.
#[derive(Deserialize)]
pub struct PlainEnvelope<T> {
    pub error: bool,
    pub reason: Option<String>,
    pub data: Option<T>,
}

#[derive(Debug)]
pub struct BaselineError(pub String);

impl Baseline {
    pub fn new(url: &str) -> Baseline {
        use base64::Engine as _;
        let token = base64::engine::general_purpose::STANDARD.encode(format!(
            "{}:{}",
            crisp_mock::DEFAULT_IDENTIFIER,
            crisp_mock::DEFAULT_KEY
        ));
        let mut authorization = HeaderValue::from_str(&format!("Basic {token}")).unwrap();
        authorization.set_sensitive(true);
        Baseline {
            // The SDK's TLS setup (no TLS is used: the server is plain HTTP).
            http: crisp_api::tls::client_builder()
                .unwrap()
                .connect_timeout(Duration::from_secs(5))
                .build()
                .unwrap(),
            base: url.trim_end_matches('/').to_string(),
            authorization,
            tier: HeaderValue::from_static("plugin"),
            user_agent: HeaderValue::from_static(concat!(
                "crisp-api-rust/",
                env!("CARGO_PKG_VERSION")
            )),
        }
    }

    async fn get<T: serde::de::DeserializeOwned>(&self, url: String) -> Result<T, BaselineError> {
        let response = self
            .http
            .get(url)
            .header(ACCEPT, HeaderValue::from_static("application/json"))
            .header(AUTHORIZATION, self.authorization.clone())
            .header("x-crisp-tier", self.tier.clone())
            .header(USER_AGENT, self.user_agent.clone())
            .timeout(Duration::from_secs(10))
            .send()
            .await
            .map_err(|e| BaselineError(e.to_string()))?;
        let status = response.status();
        let body = response
            .bytes()
            .await
            .map_err(|e| BaselineError(e.to_string()))?;
        if !status.is_success() {
            return Err(BaselineError(format!("status {status}")));
        }
        let envelope: PlainEnvelope<T> =
            serde_json::from_slice(&body).map_err(|e| BaselineError(e.to_string()))?;
        if envelope.error {
            return Err(BaselineError(envelope.reason.unwrap_or_default()));
        }
        envelope.data.ok_or_else(|| BaselineError("no data".into()))
    }

    pub async fn list_conversations(&self, page: u32) -> Result<Vec<Conversation>, BaselineError> {
        self.get(format!(
            "{}/website/{WEBSITE}/conversations/{page}",
            self.base
        ))
        .await
    }

    pub async fn get_conversation_state(&self) -> Result<ConversationStateData, BaselineError> {
        self.get(format!(
            "{}/website/{WEBSITE}/conversation/{SESSION}/state",
            self.base
        ))
        .await
    }
}

/// One SDK call; panics on failure (a benchmark must not time errors).
pub async fn sdk_call(client: &Client, op: Op) -> usize {
    match op {
        Op::List => client
            .list_conversations(WEBSITE, 1)
            .await
            .expect("sdk list")
            .len(),
        Op::Small => client
            .get_conversation_state(WEBSITE, SESSION)
            .await
            .expect("sdk get state")
            .state
            .map_or(0, |s| s.as_str().len()),
    }
}

/// One baseline call.
pub async fn baseline_call(client: &Baseline, op: Op) -> usize {
    match op {
        Op::List => client
            .list_conversations(1)
            .await
            .expect("baseline list")
            .len(),
        Op::Small => client
            .get_conversation_state()
            .await
            .expect("baseline get state")
            .state
            .map_or(0, |s| s.as_str().len()),
    }
}

/// Runs `n` calls one after the other; returns the elapsed time.
pub async fn sequential<F, Fut>(n: usize, call: F) -> Duration
where
    F: Fn() -> Fut,
    Fut: Future<Output = usize>,
{
    let started = Instant::now();
    for _ in 0..n {
        std::hint::black_box(call().await);
    }
    started.elapsed()
}

/// Runs `n` calls with `in_flight` of them in flight at all times; returns the elapsed time.
pub async fn concurrent<F, Fut>(n: usize, in_flight: usize, call: F) -> Duration
where
    F: Fn() -> Fut,
    Fut: Future<Output = usize>,
{
    let started = Instant::now();
    let mut results = futures::stream::iter(0..n)
        .map(|_| call())
        .buffer_unordered(in_flight);
    while let Some(r) = results.next().await {
        std::hint::black_box(r);
    }
    started.elapsed()
}

/// The ratio of one measured pair: SDK throughput over baseline throughput.
pub struct Ratios {
    pub name: String,
    pub per_round: Vec<f64>,
    pub sdk_ops_per_s: Vec<f64>,
    pub baseline_ops_per_s: Vec<f64>,
}

fn median(values: &[f64]) -> f64 {
    let mut v = values.to_vec();
    v.sort_by(|a, b| a.total_cmp(b));
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

impl Ratios {
    pub fn median(&self) -> f64 {
        median(&self.per_round)
    }
    /// The `q` quantile (0..=1) of the per-round ratios.
    pub fn quantile(&self, q: f64) -> f64 {
        let mut v = self.per_round.clone();
        v.sort_by(|a, b| a.total_cmp(b));
        v[((v.len() - 1) as f64 * q).round() as usize]
    }
}

/// Interleaved A/B: `rounds` short rounds, each timing `ops` operations of the SDK and of the
/// baseline back to back (the order alternates every round, to cancel drift). Each round
/// gives one ratio; the median is the result and the machine's noise shows as their
/// spread. Short rounds, many of them, keep both sides under the same load.
pub fn interleaved(
    name: impl Into<String>,
    rounds: usize,
    ops: usize,
    mut sdk: impl FnMut() -> Duration,
    mut baseline: impl FnMut() -> Duration,
) -> Ratios {
    // Warm both (connections, caches, lazy statics).
    sdk();
    baseline();
    let mut ratios = Ratios {
        name: name.into(),
        per_round: Vec::new(),
        sdk_ops_per_s: Vec::new(),
        baseline_ops_per_s: Vec::new(),
    };
    for round in 0..rounds {
        let (s, b) = if round % 2 == 0 {
            let s = sdk();
            (s, baseline())
        } else {
            let b = baseline();
            (sdk(), b)
        };
        ratios.per_round.push(b.as_secs_f64() / s.as_secs_f64());
        ratios.sdk_ops_per_s.push(ops as f64 / s.as_secs_f64());
        ratios.baseline_ops_per_s.push(ops as f64 / b.as_secs_f64());
    }
    ratios
}

/// Prints the ratio table.
pub fn print_table(title: &str, rows: &[(Ratios, Option<f64>)]) {
    println!();
    println!("{title}");
    println!(
        "| {:<52} | {:>10} | {:>10} | {:>8} | {:>13} | {:>6} | {:>4} |",
        "benchmark", "sdk ops/s", "base ops/s", "sdk/base", "IQR", "target", "met"
    );
    println!(
        "|{:-<54}|{:->12}|{:->12}|{:->10}|{:->15}|{:->8}|{:->6}|",
        "", "", "", "", "", "", ""
    );
    for (r, target) in rows {
        let (target_s, met) = match target {
            Some(t) => (
                format!("≥{t:.2}"),
                if r.median() >= *t { "yes" } else { "NO" },
            ),
            None => ("-".to_string(), "-"),
        };
        println!(
            "| {:<52} | {:>10.0} | {:>10.0} | {:>8.3} | {:>6.3}–{:<6.3} | {:>6} | {:>4} |",
            r.name,
            median(&r.sdk_ops_per_s),
            median(&r.baseline_ops_per_s),
            r.median(),
            r.quantile(0.25),
            r.quantile(0.75),
            target_s,
            met
        );
    }
    println!(
        "(sdk/base = baseline time / SDK time for the same work: the median of {} interleaved \
         rounds, IQR = their 25th–75th percentiles; > 1 means the SDK is faster)",
        rows.first().map_or(0, |(r, _)| r.per_round.len())
    );
}

/// Counts allocations while enabled: all of them, their bytes, and those of at least
/// [`LARGE`] bytes (a copy of a whole 26 KB body would be one).
pub struct Counting;

pub const LARGE: usize = 16 * 1024;
static ENABLED: AtomicBool = AtomicBool::new(false);
static COUNT: AtomicU64 = AtomicU64::new(0);
static BYTES: AtomicU64 = AtomicU64::new(0);
static LARGE_COUNT: AtomicU64 = AtomicU64::new(0);

thread_local! {
    // Only the client's threads count: the server runs in the same process.
    static CLIENT_THREAD: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Marks this thread as the client's (the main thread, and the client runtime's workers).
pub fn mark_client_thread() {
    CLIENT_THREAD.with(|c| c.set(true));
}

fn record(size: usize) {
    if ENABLED.load(Relaxed) && CLIENT_THREAD.try_with(|c| c.get()).unwrap_or(false) {
        COUNT.fetch_add(1, Relaxed);
        BYTES.fetch_add(size as u64, Relaxed);
        if size >= LARGE {
            LARGE_COUNT.fetch_add(1, Relaxed);
        }
    }
}

// SAFETY: every call is forwarded to the system allocator unchanged.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        record(layout.size());
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        record(layout.size());
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // A grown buffer counts as a new allocation of its new size.
        if new_size > layout.size() {
            record(new_size);
        }
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

/// Allocations per call, measured over `n` sequential calls.
#[derive(Debug, Clone, Copy)]
pub struct AllocStats {
    pub count: f64,
    pub bytes: f64,
    pub large: f64,
}

pub fn count_allocations(n: usize, mut run: impl FnMut(usize)) -> AllocStats {
    COUNT.store(0, Relaxed);
    BYTES.store(0, Relaxed);
    LARGE_COUNT.store(0, Relaxed);
    ENABLED.store(true, Relaxed);
    run(n);
    ENABLED.store(false, Relaxed);
    AllocStats {
        count: COUNT.load(Relaxed) as f64 / n as f64,
        bytes: BYTES.load(Relaxed) as f64 / n as f64,
        large: LARGE_COUNT.load(Relaxed) as f64 / n as f64,
    }
}

/// A number from the environment, or a default.
pub fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

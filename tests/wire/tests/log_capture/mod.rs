//! Captures, in memory, every tracing record made on the current thread (TRACE and up, no
//! colours), so that a test can read what a program would have logged. Shared by
//! `realtime.rs` and `realtime_hostile_server.rs`; the fault suite's own capture
//! (`faults/support.rs`, which also records spans) writes through [`MemoryWriter`].

#![allow(dead_code)] // each test binary uses its own share of it

use std::sync::{Arc, Mutex};
use tracing_subscriber::layer::SubscriberExt as _;

/// The records captured since [`capture`]; capturing stops when this is dropped.
pub struct CapturedLogs {
    bytes: Arc<Mutex<Vec<u8>>>,
    _guard: tracing::subscriber::DefaultGuard,
}

impl CapturedLogs {
    /// Everything written so far, as text.
    pub fn text(&self) -> String {
        String::from_utf8(self.bytes.lock().unwrap().clone()).unwrap()
    }
}

/// An `io::Write` that appends to a shared buffer (a tracing `fmt` layer's writer).
#[derive(Clone, Default)]
pub struct MemoryWriter(pub Arc<Mutex<Vec<u8>>>);

impl std::io::Write for MemoryWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Makes a subscriber that writes every record to memory the current thread's default,
/// until the returned value is dropped. With a current-thread runtime, tasks spawned on
/// this thread (such as RTM's connection task) log under it too; servers run on threads of
/// their own stay outside it.
pub fn capture() -> CapturedLogs {
    let writer = MemoryWriter::default();
    let bytes = writer.0.clone();
    let subscriber = tracing_subscriber::registry()
        .with(tracing_subscriber::filter::LevelFilter::TRACE)
        .with(
            tracing_subscriber::fmt::layer()
                .with_ansi(false)
                .with_writer(move || writer.clone()),
        );
    CapturedLogs {
        bytes,
        _guard: tracing::subscriber::set_default(subscriber),
    }
}

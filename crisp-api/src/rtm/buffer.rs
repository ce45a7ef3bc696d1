//! The bounded queue between the socket task and the consumer of an
//! [`EventStream`](super::EventStream).
//!
//! The socket task never waits for the consumer: it must keep answering the server's pings,
//! or the server drops the connection. So when the queue is full, the oldest event is
//! dropped to make room for the newest, and the number dropped is handed to the consumer
//! as a [`Lagged`](super::RtmErrorKind::Lagged) error before the events that follow, as
//! `tokio::sync::broadcast` does.
//!
//! The queue is bounded twice: in events (its capacity) and in bytes. Events wait as the
//! JSON text they arrived as (a name and the data's text, never a parsed tree), and an
//! event's cost is the length of both plus the fixed size of a queue entry; the total never
//! exceeds the byte limit, except for one event larger than the limit on its own, which is
//! kept alone (the connection's message limit bounds it).
//!
//! A reconnection is a mark in the queue, handed to the consumer in order as a
//! [`Reconnected`](super::RtmErrorKind::Reconnected) error; marks in a row are merged into
//! one (the earliest loss), so they cannot grow the queue without events between them.

use super::{RawEvent, RtmError};
use std::collections::VecDeque;
use std::sync::Mutex;
use std::task::{Context, Poll, Waker};
use std::time::SystemTime;

pub(crate) struct Buffer {
    capacity: usize,
    max_bytes: usize,
    inner: Mutex<Inner>,
}

enum Entry {
    Event(RawEvent),
    /// The connection was lost at this time and opened again.
    Reconnected(SystemTime),
}

struct Inner {
    queue: VecDeque<Entry>,
    /// Events in the queue (marks not counted).
    events: usize,
    /// What the queued events cost, in bytes (see [`cost`]).
    bytes: usize,
    /// Events dropped since the consumer last heard of it.
    unreported: u64,
    /// A reconnection mark dropped with the events around it: reported after the lag.
    unreported_reconnection: Option<SystemTime>,
    /// Events dropped since the start.
    dropped_total: u64,
    /// Set once the task has ended: the error that ended it, if any, is handed out after
    /// the queued events, then the stream ends.
    ended: Option<Option<RtmError>>,
    waker: Option<Waker>,
}

/// What the consumer gets next.
pub(crate) enum Next {
    Event(RawEvent),
    Lagged(u64),
    Reconnected(SystemTime),
    Failed(RtmError),
    End,
}

/// The memory an event holds while it waits: its text and its queue entry.
pub(crate) fn cost(event: &RawEvent) -> usize {
    event.name.len() + event.data.get().len() + std::mem::size_of::<Entry>()
}

impl Buffer {
    pub(crate) fn new(capacity: usize, max_bytes: usize) -> Self {
        let capacity = capacity.max(1);
        Buffer {
            capacity,
            max_bytes,
            inner: Mutex::new(Inner {
                // The queue grows to `capacity` as needed rather than reserving it all up
                // front: most streams never hold more than a few events.
                queue: VecDeque::with_capacity(capacity.min(64)),
                events: 0,
                bytes: 0,
                unreported: 0,
                unreported_reconnection: None,
                dropped_total: 0,
                ended: None,
                waker: None,
            }),
        }
    }

    pub(crate) fn capacity(&self) -> usize {
        self.capacity
    }

    pub(crate) fn max_bytes(&self) -> usize {
        self.max_bytes
    }

    /// Events waiting for the consumer.
    pub(crate) fn len(&self) -> usize {
        self.lock().events
    }

    /// What the waiting events cost, in bytes.
    pub(crate) fn bytes(&self) -> usize {
        self.lock().bytes
    }

    /// Events dropped since the start because the consumer was behind.
    pub(crate) fn dropped(&self) -> u64 {
        self.lock().dropped_total
    }

    /// Queues an event, dropping the oldest while it would not fit.
    pub(crate) fn push(&self, event: RawEvent) {
        let size = cost(&event);
        let waker = {
            let mut inner = self.lock();
            if inner.ended.is_some() {
                return;
            }
            while inner.events > 0
                && (inner.events >= self.capacity || inner.bytes + size > self.max_bytes)
            {
                inner.drop_oldest();
            }
            inner.queue.push_back(Entry::Event(event));
            inner.events += 1;
            inner.bytes += size;
            inner.waker.take()
        };
        if let Some(waker) = waker {
            waker.wake();
        }
    }

    /// Marks a reconnection after the connection was lost at `lost_at`.
    pub(crate) fn reconnected(&self, lost_at: SystemTime) {
        let waker = {
            let mut inner = self.lock();
            if inner.ended.is_some() {
                return;
            }
            if !matches!(inner.queue.back(), Some(Entry::Reconnected(_))) {
                inner.queue.push_back(Entry::Reconnected(lost_at));
            }
            inner.waker.take()
        };
        if let Some(waker) = waker {
            waker.wake();
        }
    }

    /// Marks the end of the stream, with the error that ended it if any.
    pub(crate) fn finish(&self, error: Option<RtmError>) {
        let waker = {
            let mut inner = self.lock();
            if inner.ended.is_none() {
                inner.ended = Some(error);
            }
            inner.waker.take()
        };
        if let Some(waker) = waker {
            waker.wake();
        }
    }

    pub(crate) fn poll_next(&self, cx: &mut Context<'_>) -> Poll<Next> {
        let mut inner = self.lock();
        if inner.unreported > 0 {
            let dropped = std::mem::take(&mut inner.unreported);
            return Poll::Ready(Next::Lagged(dropped));
        }
        if let Some(lost_at) = inner.unreported_reconnection.take() {
            return Poll::Ready(Next::Reconnected(lost_at));
        }
        match inner.queue.pop_front() {
            Some(Entry::Event(event)) => {
                inner.events -= 1;
                inner.bytes -= cost(&event);
                return Poll::Ready(Next::Event(event));
            }
            Some(Entry::Reconnected(lost_at)) => return Poll::Ready(Next::Reconnected(lost_at)),
            None => {}
        }
        match &mut inner.ended {
            Some(error) => match error.take() {
                Some(error) => Poll::Ready(Next::Failed(error)),
                None => Poll::Ready(Next::End),
            },
            None => {
                inner.waker = Some(cx.waker().clone());
                Poll::Pending
            }
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // A panic while holding the lock cannot leave the queue inconsistent (every change
        // is a single push or pop with its counters), so a poisoned lock is still usable.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Inner {
    /// Drops the oldest event (and the marks before it, remembering the earliest).
    fn drop_oldest(&mut self) {
        while let Some(entry) = self.queue.pop_front() {
            match entry {
                Entry::Reconnected(lost_at) => {
                    self.unreported_reconnection.get_or_insert(lost_at);
                }
                Entry::Event(event) => {
                    self.events -= 1;
                    self.bytes -= cost(&event);
                    self.unreported += 1;
                    self.dropped_total += 1;
                    return;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rtm::RtmErrorKind;
    use serde_json::value::RawValue;
    use std::task::Waker;

    fn event(i: u64) -> RawEvent {
        sized(&i.to_string())
    }

    fn sized(data: &str) -> RawEvent {
        RawEvent {
            name: "message:send".into(),
            data: RawValue::from_string(data.to_string()).unwrap(),
        }
    }

    fn next(buffer: &Buffer) -> Poll<Next> {
        buffer.poll_next(&mut Context::from_waker(Waker::noop()))
    }

    fn data(next: Poll<Next>) -> String {
        match next {
            Poll::Ready(Next::Event(e)) => e.data.get().to_string(),
            _ => panic!("expected an event"),
        }
    }

    #[test]
    fn keeps_the_newest_and_reports_how_many_were_dropped() {
        let buffer = Buffer::new(3, usize::MAX);
        for i in 0..10 {
            buffer.push(event(i));
            assert!(buffer.len() <= 3);
        }
        assert_eq!(buffer.len(), 3);
        assert_eq!(buffer.dropped(), 7);
        assert!(matches!(next(&buffer), Poll::Ready(Next::Lagged(7))));
        // Reported once; the total stays.
        assert_eq!(buffer.dropped(), 7);
        for i in 7..10 {
            assert_eq!(data(next(&buffer)), i.to_string());
        }
        assert!(next(&buffer).is_pending());
        assert_eq!(buffer.bytes(), 0);
    }

    #[test]
    fn the_bytes_held_stay_within_the_limit() {
        let one = cost(&sized(&format!("\"{}\"", "x".repeat(998))));
        let buffer = Buffer::new(1_000_000, 10 * one);
        for _ in 0..1000 {
            buffer.push(sized(&format!("\"{}\"", "x".repeat(998))));
            assert!(buffer.bytes() <= 10 * one);
        }
        assert_eq!(buffer.len(), 10);
        assert_eq!(buffer.bytes(), 10 * one);
        assert!(matches!(next(&buffer), Poll::Ready(Next::Lagged(990))));
        // An event larger than the limit on its own is kept alone.
        buffer.push(sized(&format!("\"{}\"", "y".repeat(20 * one))));
        assert_eq!(buffer.len(), 1);
        assert!(matches!(next(&buffer), Poll::Ready(Next::Lagged(10))));
        assert!(data(next(&buffer)).starts_with("\"yyy"));
    }

    #[test]
    fn reconnections_are_marked_in_order_and_merged() {
        let buffer = Buffer::new(8, usize::MAX);
        let first = SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1);
        let second = SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(2);
        buffer.push(event(1));
        buffer.reconnected(first);
        buffer.reconnected(second);
        buffer.push(event(2));
        assert_eq!(buffer.len(), 2);
        assert_eq!(data(next(&buffer)), "1");
        assert!(matches!(next(&buffer), Poll::Ready(Next::Reconnected(t)) if t == first));
        assert_eq!(data(next(&buffer)), "2");
        assert!(next(&buffer).is_pending());

        // A mark dropped with the events around it is still reported, after the lag.
        let buffer = Buffer::new(1, usize::MAX);
        buffer.push(event(1));
        buffer.reconnected(first);
        buffer.push(event(2));
        assert!(matches!(next(&buffer), Poll::Ready(Next::Lagged(1))));
        assert!(matches!(next(&buffer), Poll::Ready(Next::Reconnected(t)) if t == first));
        assert_eq!(data(next(&buffer)), "2");
    }

    #[test]
    fn hands_out_queued_events_then_the_error_then_the_end() {
        let buffer = Buffer::new(8, usize::MAX);
        buffer.push(event(1));
        buffer.finish(Some(RtmError::new(RtmErrorKind::Authentication, "refused")));
        // Pushed after the end: ignored.
        buffer.push(event(2));
        assert!(matches!(next(&buffer), Poll::Ready(Next::Event(_))));
        match next(&buffer) {
            Poll::Ready(Next::Failed(e)) => assert_eq!(e.kind(), RtmErrorKind::Authentication),
            _ => panic!("expected the error"),
        }
        assert!(matches!(next(&buffer), Poll::Ready(Next::End)));
        assert!(matches!(next(&buffer), Poll::Ready(Next::End)));
    }

    #[test]
    fn an_entry_costs_what_the_docs_say() {
        // RtmBuilder::buffer_bytes documents the fixed part of an event's cost.
        assert_eq!(std::mem::size_of::<Entry>(), super::super::ENTRY_BYTES);
        assert_eq!(
            cost(&event(7)),
            "message:send".len() + 1 + super::super::ENTRY_BYTES
        );
    }

    #[test]
    fn a_capacity_of_zero_holds_one() {
        let buffer = Buffer::new(0, usize::MAX);
        assert_eq!(buffer.capacity(), 1);
        buffer.push(event(1));
        buffer.push(event(2));
        assert_eq!(buffer.len(), 1);
    }
}

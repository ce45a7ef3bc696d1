//! The bounded queue between the socket task and the consumer of an
//! [`EventStream`](super::EventStream).
//!
//! The socket task never waits for the consumer: it must keep answering the server's pings,
//! or the server drops the connection. So when the queue is full, the oldest event is
//! dropped to make room for the newest, and the number dropped is handed to the consumer
//! as a [`Lagged`](super::RtmErrorKind::Lagged) error before the events that follow, as
//! `tokio::sync::broadcast` does. The queue never holds more than its capacity.

use super::{RawEvent, RtmError};
use std::collections::VecDeque;
use std::sync::Mutex;
use std::task::{Context, Poll, Waker};

pub(crate) struct Buffer {
    capacity: usize,
    inner: Mutex<Inner>,
}

struct Inner {
    queue: VecDeque<RawEvent>,
    /// Events dropped since the consumer last heard of it.
    unreported: u64,
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
    Failed(RtmError),
    End,
}

impl Buffer {
    pub(crate) fn new(capacity: usize) -> Self {
        let capacity = capacity.max(1);
        Buffer {
            capacity,
            inner: Mutex::new(Inner {
                // The queue grows to `capacity` as needed rather than reserving it all up
                // front: most streams never hold more than a few events.
                queue: VecDeque::with_capacity(capacity.min(64)),
                unreported: 0,
                dropped_total: 0,
                ended: None,
                waker: None,
            }),
        }
    }

    pub(crate) fn capacity(&self) -> usize {
        self.capacity
    }

    /// Events waiting for the consumer.
    pub(crate) fn len(&self) -> usize {
        self.lock().queue.len()
    }

    /// Events dropped since the start because the consumer was behind.
    pub(crate) fn dropped(&self) -> u64 {
        self.lock().dropped_total
    }

    /// Queues an event, dropping the oldest when full.
    pub(crate) fn push(&self, event: RawEvent) {
        let waker = {
            let mut inner = self.lock();
            if inner.ended.is_some() {
                return;
            }
            if inner.queue.len() >= self.capacity {
                inner.queue.pop_front();
                inner.unreported += 1;
                inner.dropped_total += 1;
            }
            inner.queue.push_back(event);
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
        if let Some(event) = inner.queue.pop_front() {
            return Poll::Ready(Next::Event(event));
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
        // is a single push or pop), so a poisoned lock is still usable.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rtm::RtmErrorKind;
    use std::task::Waker;

    fn event(i: u64) -> RawEvent {
        RawEvent {
            name: "message:send".into(),
            data: serde_json::json!(i),
        }
    }

    fn next(buffer: &Buffer) -> Poll<Next> {
        buffer.poll_next(&mut Context::from_waker(Waker::noop()))
    }

    #[test]
    fn keeps_the_newest_and_reports_how_many_were_dropped() {
        let buffer = Buffer::new(3);
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
            match next(&buffer) {
                Poll::Ready(Next::Event(e)) => assert_eq!(e.data, serde_json::json!(i)),
                _ => panic!("expected event {i}"),
            }
        }
        assert!(next(&buffer).is_pending());
    }

    #[test]
    fn hands_out_queued_events_then_the_error_then_the_end() {
        let buffer = Buffer::new(8);
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
    fn a_capacity_of_zero_holds_one() {
        let buffer = Buffer::new(0);
        assert_eq!(buffer.capacity(), 1);
        buffer.push(event(1));
        buffer.push(event(2));
        assert_eq!(buffer.len(), 1);
    }
}

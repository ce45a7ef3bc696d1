//! When a failed attempt is tried again, and after how long.

use crate::{Error, ErrorKind};
use std::time::Duration;

/// How failed calls are retried: exponential backoff with full jitter, a cap per wait, a
/// maximum number of attempts and a maximum total time.
///
/// Retried: connection failures (refused, connect timeout), Crisp's rate limits (429 and
/// 420), 5xx answers, timeouts and connections lost mid-answer. POST and PATCH requests are
/// retried only when they surely were not processed (no connection could be opened, or
/// Crisp rate-limited them), never after a 5xx, a timeout or a lost answer.
///
/// `Retry-After` (seconds or an HTTP date) replaces the computed backoff when present, even
/// beyond [`max_backoff`](Self::max_backoff); when it would end past
/// [`max_elapsed`](Self::max_elapsed) the call gives up at once and the error's
/// [`retry_after`](crate::Error::retry_after) tells the wait Crisp asked for.
///
/// ```
/// use crisp_api::RetryPolicy;
/// use std::time::Duration;
///
/// let policy = RetryPolicy::default()
///     .max_attempts(5)
///     .initial_backoff(Duration::from_millis(100))
///     .max_backoff(Duration::from_secs(5))
///     .max_elapsed(Duration::from_secs(60));
/// assert_eq!(policy.get_max_attempts(), 5);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    max_attempts: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
    max_elapsed: Duration,
}

impl Default for RetryPolicy {
    /// 3 attempts, backoff from 250 ms, at most 10 s per wait and 30 s in all.
    fn default() -> Self {
        Self {
            max_attempts: 3,
            initial_backoff: Duration::from_millis(250),
            max_backoff: Duration::from_secs(10),
            max_elapsed: Duration::from_secs(30),
        }
    }
}

impl RetryPolicy {
    /// No retries: every call is attempted once.
    pub fn none() -> Self {
        Self::default().max_attempts(1)
    }

    /// The number of attempts, the first included (at least 1).
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// The ceiling of the first wait; it doubles with every attempt.
    pub fn initial_backoff(mut self, wait: Duration) -> Self {
        self.initial_backoff = wait;
        self
    }

    /// The longest single wait.
    pub fn max_backoff(mut self, wait: Duration) -> Self {
        self.max_backoff = wait;
        self
    }

    /// No retry starts once this much time has passed since the first attempt (waits
    /// included).
    pub fn max_elapsed(mut self, total: Duration) -> Self {
        self.max_elapsed = total;
        self
    }

    /// The configured number of attempts.
    pub fn get_max_attempts(&self) -> u32 {
        self.max_attempts
    }

    /// How long to wait before attempt `attempts + 1`, or `None` to give up.
    pub(crate) fn next_wait(
        &self,
        error: &Error,
        idempotent: bool,
        attempts: u32,
        elapsed: Duration,
    ) -> Option<Duration> {
        self.decide(error, idempotent, attempts, elapsed, fastrand::f64())
    }

    /// [`next_wait`](Self::next_wait) with the random draw (0..1) given, for tests.
    fn decide(
        &self,
        error: &Error,
        idempotent: bool,
        attempts: u32,
        elapsed: Duration,
        draw: f64,
    ) -> Option<Duration> {
        if attempts >= self.max_attempts || !retryable(error, idempotent) {
            return None;
        }
        let wait = match error.retry_after() {
            Some(asked) => asked,
            None => {
                let exp = self
                    .initial_backoff
                    .saturating_mul(1u32 << (attempts - 1).min(20))
                    .min(self.max_backoff);
                exp.mul_f64(draw.clamp(0.0, 1.0))
            }
        };
        // `Retry-After` may be huge: never overflow, give up instead.
        let ends = elapsed.checked_add(wait)?;
        (ends <= self.max_elapsed).then_some(wait)
    }
}

fn retryable(error: &Error, idempotent: bool) -> bool {
    match error.kind() {
        // Crisp refused the request: it was not processed.
        ErrorKind::RateLimited => true,
        // No connection was opened (refused, or the connect timeout): nothing was sent.
        ErrorKind::Transport | ErrorKind::Timeout if error.is_connect() => true,
        // The request may have been processed: only a request that can be repeated safely.
        ErrorKind::Server | ErrorKind::Timeout | ErrorKind::Transport => idempotent,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(status: u16) -> Error {
        Error::from_answer(status, None, None, &crate::server_text::Scrubber::default())
    }

    #[test]
    fn quota_plan_and_budget_refusals_are_never_retried() {
        let p = RetryPolicy::default();
        for status in [423, 402] {
            assert!(p
                .decide(&answer(status), true, 1, Duration::ZERO, 0.5)
                .is_none());
        }
        let budget = Error::new(ErrorKind::BudgetExhausted, "spent");
        assert!(p.decide(&budget, true, 1, Duration::ZERO, 0.5).is_none());
    }

    #[test]
    fn rate_limits_are_retried_for_every_method() {
        let p = RetryPolicy::default();
        for status in [420, 429] {
            assert!(p
                .decide(&answer(status), false, 1, Duration::ZERO, 0.5)
                .is_some());
            assert!(p
                .decide(&answer(status), true, 1, Duration::ZERO, 0.5)
                .is_some());
        }
    }

    #[test]
    fn server_errors_are_retried_only_when_idempotent() {
        let p = RetryPolicy::default();
        assert!(p
            .decide(&answer(503), true, 1, Duration::ZERO, 0.5)
            .is_some());
        assert_eq!(p.decide(&answer(503), false, 1, Duration::ZERO, 0.5), None);
        let timeout = Error::new(ErrorKind::Timeout, "");
        assert_eq!(p.decide(&timeout, false, 1, Duration::ZERO, 0.5), None);
        let connect = Error::new(ErrorKind::Transport, "").with_connect();
        assert!(p.decide(&connect, false, 1, Duration::ZERO, 0.5).is_some());
    }

    #[test]
    fn client_errors_are_never_retried() {
        let p = RetryPolicy::default();
        for status in [400, 401, 403, 404] {
            assert_eq!(
                p.decide(&answer(status), true, 1, Duration::ZERO, 0.5),
                None
            );
        }
    }

    #[test]
    fn backoff_is_exponential_capped_and_jittered() {
        let p = RetryPolicy::default()
            .max_attempts(10)
            .initial_backoff(Duration::from_millis(100))
            .max_backoff(Duration::from_millis(1000))
            .max_elapsed(Duration::from_secs(100));
        let e = answer(503);
        assert_eq!(
            p.decide(&e, true, 1, Duration::ZERO, 1.0),
            Some(Duration::from_millis(100))
        );
        assert_eq!(
            p.decide(&e, true, 3, Duration::ZERO, 1.0),
            Some(Duration::from_millis(400))
        );
        assert_eq!(
            p.decide(&e, true, 8, Duration::ZERO, 1.0),
            Some(Duration::from_millis(1000))
        );
        assert_eq!(
            p.decide(&e, true, 3, Duration::ZERO, 0.5),
            Some(Duration::from_millis(200))
        );
        assert_eq!(
            p.decide(&e, true, 3, Duration::ZERO, 0.0),
            Some(Duration::ZERO)
        );
    }

    #[test]
    fn attempts_and_total_time_are_bounded() {
        let p = RetryPolicy::default()
            .max_attempts(3)
            .max_elapsed(Duration::from_secs(1));
        let e = answer(429);
        assert_eq!(p.decide(&e, true, 3, Duration::ZERO, 0.5), None);
        assert_eq!(p.decide(&e, true, 1, Duration::from_secs(2), 0.5), None);
        assert_eq!(
            RetryPolicy::none().decide(&e, true, 1, Duration::ZERO, 0.5),
            None
        );
    }

    #[test]
    fn retry_after_is_honoured() {
        let p = RetryPolicy::default().max_elapsed(Duration::from_secs(60));
        let e = answer(429).with_retry_after(Some(Duration::from_secs(7)));
        assert_eq!(
            p.decide(&e, false, 1, Duration::ZERO, 0.1),
            Some(Duration::from_secs(7))
        );
        let late = answer(429).with_retry_after(Some(Duration::from_secs(70)));
        assert_eq!(p.decide(&late, false, 1, Duration::ZERO, 0.1), None);
    }

    #[test]
    fn huge_retry_after_gives_up_without_overflow() {
        let p = RetryPolicy::default();
        for asked in [Duration::MAX, Duration::from_secs(u64::MAX)] {
            let e = answer(429).with_retry_after(Some(asked));
            assert_eq!(p.decide(&e, true, 1, Duration::from_secs(2), 0.5), None);
        }
    }

    #[test]
    fn connect_timeouts_are_retried_for_every_method() {
        let p = RetryPolicy::default();
        let connect_timeout = Error::new(ErrorKind::Timeout, "").with_connect();
        assert!(p
            .decide(&connect_timeout, false, 1, Duration::ZERO, 0.5)
            .is_some());
    }
}

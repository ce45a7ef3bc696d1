//! The quota meter: what a client sent this UTC day, and its optional daily budget.
//!
//! Crisp counts a token's requests per day: a website token may send 10,000 a day, a plugin
//! token 5,000 (configurable in the Crisp Marketplace); past that, Crisp answers 423
//! `quota_limit_exceeded` ([`ErrorKind::QuotaExceeded`](crate::ErrorKind::QuotaExceeded))
//! until the next day. A [`Client`](crate::Client) counts what it sends, so that a job can
//! see what it spent ([`Client::usage`](crate::Client::usage)) and, with
//! [`ClientBuilder::daily_budget`](crate::ClientBuilder::daily_budget), keep within a share
//! of the quota so that jobs sharing one token cannot starve each other.

use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

const DAY: u64 = 24 * 60 * 60;

/// What a client and its clones sent since the start of the current UTC day, and the
/// answers by class. Every attempt counts, retries included (each spends quota); a request
/// refused before sending (a missing parameter, the budget) does not.
///
/// ```
/// # async fn run(client: crisp_api::Client) {
/// let usage = client.usage();
/// println!(
///     "{} requests today: {} answered 2xx, {} 4xx, {} 5xx, {} without an answer",
///     usage.requests, usage.success, usage.client_errors, usage.server_errors, usage.failures
/// );
/// # }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Usage {
    /// The start of the UTC day these counts cover (00:00:00 UTC).
    pub day_start: SystemTime,
    /// Requests sent (every attempt, retries included).
    pub requests: u64,
    /// Answers with a 2xx status (an envelope with `error: true` included).
    pub success: u64,
    /// Answers with a 4xx status (rate limits, quota and plan refusals included).
    pub client_errors: u64,
    /// Answers with a 5xx status.
    pub server_errors: u64,
    /// Answers with another status (1xx, 3xx: redirects are not followed).
    pub other_statuses: u64,
    /// Requests that got no complete answer: the connection failed, was lost (the body cut
    /// short included), or timed out.
    pub failures: u64,
    /// Requests refused by the daily budget (not sent, not in `requests`).
    pub refused: u64,
    /// The budget set with [`daily_budget`](crate::ClientBuilder::daily_budget), if any.
    pub budget: Option<u64>,
}

impl Usage {
    /// Nothing counted yet on the day starting at `day_start`.
    fn empty(day_start: SystemTime, budget: Option<u64>) -> Self {
        Usage {
            day_start,
            requests: 0,
            success: 0,
            client_errors: 0,
            server_errors: 0,
            other_statuses: 0,
            failures: 0,
            refused: 0,
            budget,
        }
    }
}

#[derive(Debug)]
struct Counts {
    /// Days since the epoch, in UTC, that `usage` counts.
    day: u64,
    usage: Usage,
}

/// The meter shared (in an `Arc`) by a client, its clones and the clients made from it with
/// other settings.
#[derive(Debug)]
pub(crate) struct Meter {
    counts: Mutex<Counts>,
    budget: Option<u64>,
}

/// How an attempt ended, for the meter.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Outcome {
    /// An answer with this status arrived.
    Status(u16),
    /// No complete answer: the connection failed, was lost or timed out.
    NoAnswer,
}

impl Outcome {
    /// How a failed attempt ended: no complete answer when the connection failed or the
    /// answer was cut short or timed out (even after its status arrived); else its status.
    pub(crate) fn of(error: &crate::Error) -> Outcome {
        use crate::ErrorKind::{Timeout, Transport};
        match (error.kind(), error.status()) {
            (Transport | Timeout, _) | (_, None) => Outcome::NoAnswer,
            (_, Some(status)) => Outcome::Status(status),
        }
    }
}

impl Meter {
    pub(crate) fn new(budget: Option<u64>) -> Self {
        Meter {
            // No real day: the first count starts the day it is made on.
            counts: Mutex::new(Counts {
                day: u64::MAX,
                usage: Usage::empty(UNIX_EPOCH, budget),
            }),
            budget,
        }
    }

    /// The counts of today (UTC).
    pub(crate) fn usage(&self) -> Usage {
        self.usage_on(today())
    }

    /// Counts a request about to be sent, or refuses it when the budget of today is spent:
    /// `Err(budget)`.
    pub(crate) fn admit(&self) -> Result<(), u64> {
        self.admit_on(today())
    }

    /// Counts how an attempt ended.
    pub(crate) fn record(&self, outcome: Outcome) {
        self.record_on(today(), outcome);
    }

    fn with_day<R>(&self, day: u64, f: impl FnOnce(&mut Usage) -> R) -> R {
        // A panic elsewhere while counting cannot leave the counts half-updated: every
        // update is a single addition. Recover the data rather than failing every call.
        let mut counts = self.counts.lock().unwrap_or_else(|p| p.into_inner());
        if counts.day != day {
            counts.day = day;
            let day_start = UNIX_EPOCH + Duration::from_secs(day.saturating_mul(DAY));
            counts.usage = Usage::empty(day_start, self.budget);
        }
        f(&mut counts.usage)
    }

    fn usage_on(&self, day: u64) -> Usage {
        self.with_day(day, |usage| *usage)
    }

    fn admit_on(&self, day: u64) -> Result<(), u64> {
        let budget = self.budget;
        self.with_day(day, |usage| match budget {
            Some(budget) if usage.requests >= budget => {
                usage.refused += 1;
                Err(budget)
            }
            _ => {
                usage.requests += 1;
                Ok(())
            }
        })
    }

    fn record_on(&self, day: u64, outcome: Outcome) {
        self.with_day(day, |usage| {
            let class = match outcome {
                Outcome::Status(200..=299) => &mut usage.success,
                Outcome::Status(400..=499) => &mut usage.client_errors,
                Outcome::Status(500..=599) => &mut usage.server_errors,
                Outcome::Status(_) => &mut usage.other_statuses,
                Outcome::NoAnswer => &mut usage.failures,
            };
            *class += 1;
        });
    }
}

/// Days since the epoch, in UTC (a clock before 1970 counts as day 0).
fn today() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |since| since.as_secs() / DAY)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_by_class_and_resets_when_the_utc_day_changes() {
        let meter = Meter::new(None);
        let day = 20_000;
        for outcome in [
            Outcome::Status(200),
            Outcome::Status(206),
            Outcome::Status(404),
            Outcome::Status(503),
            Outcome::Status(302),
            Outcome::NoAnswer,
        ] {
            meter.admit_on(day).unwrap();
            meter.record_on(day, outcome);
        }
        let usage = meter.usage_on(day);
        assert_eq!(
            (usage.requests, usage.success, usage.client_errors),
            (6, 2, 1)
        );
        assert_eq!(
            (usage.server_errors, usage.other_statuses, usage.failures),
            (1, 1, 1)
        );
        assert_eq!(
            usage.day_start,
            UNIX_EPOCH + Duration::from_secs(20_000 * DAY)
        );
        // The next UTC day starts from zero.
        let next = meter.usage_on(day + 1);
        assert_eq!((next.requests, next.success), (0, 0));
        assert_eq!(next.day_start, usage.day_start + Duration::from_secs(DAY));
    }

    #[test]
    fn the_budget_refuses_once_spent_and_comes_back_the_next_day() {
        let meter = Meter::new(Some(2));
        let day = 20_000;
        assert_eq!(meter.admit_on(day), Ok(()));
        assert_eq!(meter.admit_on(day), Ok(()));
        assert_eq!(meter.admit_on(day), Err(2));
        assert_eq!(meter.admit_on(day), Err(2));
        let usage = meter.usage_on(day);
        assert_eq!(
            (usage.requests, usage.refused, usage.budget),
            (2, 2, Some(2))
        );
        assert_eq!(meter.admit_on(day + 1), Ok(()));
    }

    #[test]
    fn today_is_after_2024() {
        // 2024-01-01 is day 19,723 since the epoch.
        assert!(today() > 19_723);
    }
}

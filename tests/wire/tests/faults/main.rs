//! The fault-injection suite: retries, timeouts, path escaping, hostile answers, base URLs
//! and credentials, paged streams, secrets, concurrency and tracing, against
//! `crisp_mock::ScriptedServer` (and the mock for load).
//!
//! Its own runner (`harness = false`) runs the cases in order and ends with a summary table:
//! cases, calls, typed errors, retries made, paged streams, panics and duplicate
//! non-idempotent requests.
//! `cargo test -p crisp-wire-tests --test faults [FILTER]`.

mod concurrency;
mod configuration;
mod hostile;
#[path = "../log_capture/mod.rs"]
mod log_capture;
mod observability;
mod paging;
mod paths;
mod retries;
mod secrets;
mod support;
mod timeouts;

use support::Case;

macro_rules! cases {
    ($($module:ident :: $name:ident),* $(,)?) => {
        &[$(Case { name: concat!(stringify!($module), "::", stringify!($name)), run: $module::$name }),*]
    };
}

fn main() -> std::process::ExitCode {
    support::run(cases![
        retries::rate_limits_are_retried_for_get_and_post,
        retries::retry_after_seconds_is_honoured,
        retries::retry_after_http_date_is_honoured,
        retries::retry_after_beyond_the_budget_gives_up_at_once,
        retries::server_errors_are_retried_for_get_only,
        retries::connect_errors_are_retried_for_post_too,
        retries::timeouts_are_retried_for_get_only,
        retries::truncated_answers_are_retried_for_get_only,
        retries::exhausted_attempts_say_how_many,
        retries::max_total_time_is_respected,
        retries::per_call_retry_policy_overrides_the_builder,
        timeouts::slow_headers_time_out_per_builder_setting,
        timeouts::per_call_timeout_overrides_the_builder,
        timeouts::stalled_body_times_out_instead_of_hanging,
        timeouts::connect_timeout_is_applied_and_retried,
        paths::dot_and_empty_ids_are_refused_before_sending,
        paths::nasty_ids_one_by_one,
        paths::arbitrary_ids_travel_as_one_segment,
        hostile::non_json_and_html_pages,
        hostile::truncated_body,
        hostile::wrong_envelopes,
        hostile::unexpected_statuses,
        hostile::bodies_over_the_limit,
        hostile::error_envelopes_are_read_leniently,
        hostile::fuzz_arbitrary_bytes,
        hostile::fuzz_mutated_envelopes,
        hostile::fuzz_json_shapes,
        hostile::fuzz_retry_after,
        hostile::server_text_is_sanitised_on_every_path,
        hostile::empty_success_answers,
        hostile::error_envelopes_with_any_data_keep_their_reason,
        hostile::display_shows_the_cause_chain,
        configuration::base_urls_are_normalised_or_refused,
        configuration::unsendable_credentials_are_refused,
        paging::repeated_pages_end_the_stream_with_an_error,
        paging::timestamp_streams_without_progress_end_with_an_error,
        secrets::the_key_never_shows,
        secrets::echoed_credentials_are_scrubbed,
        observability::one_span_per_attempt,
        observability::nothing_without_a_subscriber,
        concurrency::clones_and_overrides_share_one_pool,
        concurrency::a_thousand_concurrent_calls,
    ])
}

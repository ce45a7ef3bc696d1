//! People routes.

use crate::Shared;
use axum::Router;
use std::sync::Arc;

/// This part of a website's state.
#[derive(Debug, Clone, Default)]
pub struct People {}

pub(crate) fn routes() -> Router<Arc<Shared>> {
    Router::new()
}

//! Website, batch, availability, operator, settings, visitor and bucket routes.

use crate::Shared;
use axum::Router;
use std::sync::Arc;

/// This part of a website's state.
#[derive(Debug, Clone, Default)]
pub struct Site {}

pub(crate) fn routes() -> Router<Arc<Shared>> {
    Router::new()
}

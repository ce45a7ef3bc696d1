//! Decoding helpers the generated types use.

use serde::{Deserialize, Deserializer};

/// An optional collection that Crisp may send as `null`: decoded as empty, like an absent one.
pub(crate) fn null_as_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}

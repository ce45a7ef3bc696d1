//! Ids travel as exactly one path segment: progenitor percent-encodes them; what no encoding
//! can carry is refused here before sending.

use crate::{Error, ErrorKind};

/// Refuses an id that cannot be one path segment: empty, or `.`/`..`, which every URL
/// parser folds into the neighbouring segments.
pub(crate) fn check_segment<V: AsRef<str>>(
    name: &str,
    value: &Result<V, String>,
) -> Result<(), Error> {
    // A missing or unconvertible value is reported by progenitor's own check at send time.
    let Ok(value) = value else { return Ok(()) };
    match value.as_ref() {
        "" => Err(Error::new(
            ErrorKind::InvalidRequest,
            format!("`{name}` is empty"),
        )),
        "." | ".." => Err(Error::new(
            ErrorKind::InvalidRequest,
            format!("`{name}` cannot be `.` or `..`: it would not reach Crisp as one path segment"),
        )),
        _ => Ok(()),
    }
}

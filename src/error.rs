//! The crate's error type: every failure the user can cause has a message, never a panic.

use std::fmt;

/// What went wrong, with a message meant for the person who caused it.
#[derive(Debug, Clone, PartialEq)]
pub enum ExplrError {
    /// A hyper-parameter or option outside its valid range.
    OutOfRange(String),
    /// A combination of options that cannot work (e.g. InstanceNorm on the MLP).
    Unsupported(String),
    /// A dataset that could not be read or generated.
    Data(String),
    /// Training produced NaN or ±∞.
    NonFinite(String),
}

impl fmt::Display for ExplrError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExplrError::OutOfRange(m) => write!(f, "out of range: {m}"),
            ExplrError::Unsupported(m) => write!(f, "unsupported: {m}"),
            ExplrError::Data(m) => write!(f, "data: {m}"),
            ExplrError::NonFinite(m) => write!(f, "non-finite values: {m}"),
        }
    }
}

impl std::error::Error for ExplrError {}

//! A setting's description — key, kind, range, one line of help — and the checks and parsers
//! that read values against it: the leaf that the experiment's settings ([`crate::settings`])
//! and the toy panel's ([`crate::toy`]) are both written in.

use crate::error::ExplrError;

/// What kind of value a field holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FieldKind {
    /// A real number in [min, max].
    Number,
    /// A whole number in [min, max].
    Int,
    /// One of `values`.
    Enum,
    /// true / false.
    Bool,
    /// Up to 8 whole numbers in [min, max].
    List,
    /// Up to 8 real numbers in [min, max] (may be empty).
    Numbers,
}

/// One setting's key, kind, range and help (its default is its owner's `Default`).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Field {
    /// The URL key (and CLI flag).
    pub key: &'static str,
    /// The kind of value.
    pub kind: FieldKind,
    /// Smallest value (numbers, lists).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    /// Largest value (numbers, lists).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
    /// The allowed values (enums).
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    pub values: &'static [&'static str],
    /// One line saying what it sets (the CLI's help).
    #[serde(skip)]
    pub help: &'static str,
}

/// A number, whole number or list field in [`min`, `max`].
pub const fn num(
    key: &'static str,
    kind: FieldKind,
    min: f64,
    max: f64,
    help: &'static str,
) -> Field {
    Field {
        key,
        kind,
        min: Some(min),
        max: Some(max),
        values: &[],
        help,
    }
}

/// A field taking one of `values`.
pub const fn one_of(
    key: &'static str,
    values: &'static [&'static str],
    help: &'static str,
) -> Field {
    Field {
        key,
        kind: FieldKind::Enum,
        min: None,
        max: None,
        values,
        help,
    }
}

/// A true/false field.
pub const fn flag(key: &'static str, help: &'static str) -> Field {
    Field {
        key,
        kind: FieldKind::Bool,
        min: None,
        max: None,
        values: &[],
        help,
    }
}

/// Checks `v` against the range of field `key` in `fields`, with a message naming it.
pub fn check_range(fields: &[Field], key: &str, v: f64) -> Result<(), ExplrError> {
    let f = fields.iter().find(|f| f.key == key).expect("a known field");
    let (lo, hi) = (f.min.unwrap_or(f64::MIN), f.max.unwrap_or(f64::MAX));
    if v.is_finite() && (lo..=hi).contains(&v) {
        Ok(())
    } else {
        Err(ExplrError::OutOfRange(format!(
            "{key} = {v}: expected {lo} to {hi}"
        )))
    }
}

/// A comma-separated list, each item parsed by `item` (None if any item does not parse).
pub fn parse_list<T>(raw: &str, item: impl Fn(&str) -> Option<T>) -> Option<Vec<T>> {
    raw.split(',').filter(|s| !s.is_empty()).map(item).collect()
}

/// A plain decimal number (no hex, no "inf", no "NaN").
pub fn parse_decimal(raw: &str) -> Option<f64> {
    let ok = !raw.is_empty()
        && raw
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '+' | '-'))
        && raw.chars().any(|c| c.is_ascii_digit());
    ok.then(|| raw.parse::<f64>().ok())
        .flatten()
        .filter(|v| v.is_finite())
}

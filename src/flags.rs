//! The command line's settings flags, derived from [`FIELDS`]: one flag per URL key
//! (`--sweep-eta`, or `--sweep_eta` as a link spells it), read by the links' own parser
//! ([`Settings::from_pairs`]) and defaulting to [`Settings::default`]. The older names stay
//! accepted: `--mode scale-invariant|standard` for `--net invariant|standard`, `--dtype` for
//! `--precision`.

use clap::{Arg, ArgMatches, Args, Command, FromArgMatches};

use crate::error::ExplrError;
use crate::fields::{Field, FieldKind};
use crate::settings::{FIELDS, Settings};

/// The settings flags given on the command line, as a link's key/value pairs.
#[derive(Debug, Clone, PartialEq)]
pub struct SettingsArgs {
    pairs: Vec<(&'static str, String)>,
}

impl SettingsArgs {
    /// The settings, as a link with the same keys would give them (an error names the flag),
    /// and the one choice a link cannot make: GroupNorm's number of groups (`--norm group:G`;
    /// the page's GroupNorm has 4).
    pub fn settings(&self) -> Result<(Settings, Option<usize>), ExplrError> {
        let mut pairs = self.pairs.clone();
        let mut groups = None;
        for (key, value) in pairs.iter_mut() {
            if let ("norm", Some(g)) = (*key, value.strip_prefix("group:")) {
                groups = Some(g.parse().map_err(|_| {
                    ExplrError::OutOfRange(format!(
                        "--norm {value}: GroupNorm's groups must be a whole number"
                    ))
                })?);
                *value = "group".into();
            }
        }
        let given = |key: &str| pairs.iter().any(|(k, _)| *k == key);
        if given("milestones") && !given("schedule") {
            pairs.push(("schedule", "step".into()));
        }
        let settings = Settings::from_pairs(pairs.iter().map(|(k, v)| (*k, v.as_str())))?;
        Ok((settings, groups))
    }
}

impl Args for SettingsArgs {
    fn augment_args(cmd: Command) -> Command {
        let defaults = serde_json::to_value(Settings::default()).expect("settings serialize");
        let cmd = FIELDS
            .iter()
            .fold(cmd, |cmd, f| cmd.arg(flag_for(f, &defaults[f.key])));
        cmd.arg(
            Arg::new("mode")
                .long("mode")
                .hide(true)
                .conflicts_with("net")
                .help("Old name of --net: scale-invariant or standard"),
        )
    }

    fn augment_args_for_update(cmd: Command) -> Command {
        Self::augment_args(cmd)
    }
}

impl FromArgMatches for SettingsArgs {
    fn from_arg_matches(m: &ArgMatches) -> Result<Self, clap::Error> {
        let given = |key: &str| m.get_one::<String>(key).cloned();
        let mut pairs: Vec<(&'static str, String)> = FIELDS
            .iter()
            .filter_map(|f| given(f.key).map(|v| (f.key, v)))
            .collect();
        if let Some(mode) = given("mode") {
            let net = if mode == "scale-invariant" {
                "invariant".into()
            } else {
                mode
            };
            pairs.push(("net", net));
        }
        Ok(SettingsArgs { pairs })
    }

    fn update_from_arg_matches(&mut self, m: &ArgMatches) -> Result<(), clap::Error> {
        *self = Self::from_arg_matches(m)?;
        Ok(())
    }
}

/// The flag of field `f`, its help ending in its values and its default.
fn flag_for(f: &Field, default: &serde_json::Value) -> Arg {
    let kebab: &'static str = Box::leak(f.key.replace('_', "-").into_boxed_str());
    let shown = match default {
        serde_json::Value::Array(items) if items.is_empty() => "none".to_string(),
        serde_json::Value::Array(items) => items
            .iter()
            .map(|v| v.to_string())
            .collect::<Vec<_>>()
            .join(","),
        serde_json::Value::String(s) => s.clone(),
        v => v.to_string(),
    };
    let values = if f.values.is_empty() {
        String::new()
    } else {
        format!(" [values: {}]", f.values.join(", "))
    };
    let mut arg = Arg::new(f.key)
        .long(kebab)
        .help(format!("{}{values} [default: {shown}]", f.help));
    if kebab != f.key {
        arg = arg.alias(f.key);
    }
    if f.key == "precision" {
        arg = arg.alias("dtype");
    }
    match f.kind {
        FieldKind::Bool => arg
            .num_args(0..=1)
            .default_missing_value("true")
            .value_name("true|false"),
        FieldKind::Enum => arg.value_name("NAME"),
        FieldKind::List | FieldKind::Numbers => {
            arg.allow_negative_numbers(true).value_name("A,B,…")
        }
        FieldKind::Number | FieldKind::Int => arg.allow_negative_numbers(true).value_name("N"),
    }
}

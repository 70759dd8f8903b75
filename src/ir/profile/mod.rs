//! The archgen property profile: the little languages of `archgen:fields`,
//! `archgen:metric`, `archgen:retention`, `archgen:compliance`,
//! `archgen:role` and `archgen:path` (see `docs/blueprint-profile.md`).
//!
//! In: a property value. Out: its parsed form, or a [`ProfileError`] that the
//! IR builder turns into a diagnostic on the property's line.

use serde::Serialize;

mod metric;
#[cfg(test)]
mod tests;

pub use metric::*;

/// What is wrong with a property value, and what to write instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileError {
    pub message: String,
    pub help: String,
}

fn err<T>(message: impl Into<String>, help: impl Into<String>) -> Result<T, ProfileError> {
    Err(ProfileError {
        message: message.into(),
        help: help.into(),
    })
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum FieldKind {
    Uuid,
    Text,
    String,
    Integer,
    Bigint,
    Numeric,
    Boolean,
    Date,
    Timestamp,
    Json,
}

impl FieldKind {
    pub fn is_integer(self) -> bool {
        matches!(self, Self::Integer | Self::Bigint)
    }

    pub fn is_number(self) -> bool {
        matches!(self, Self::Integer | Self::Bigint | Self::Numeric)
    }

    pub fn is_time(self) -> bool {
        matches!(self, Self::Timestamp | Self::Date)
    }
}

/// A field type with its parameters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct FieldType {
    pub kind: FieldKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub length: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub precision: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scale: Option<u32>,
}

impl FieldType {
    pub fn simple(kind: FieldKind) -> Self {
        FieldType {
            kind,
            length: None,
            precision: None,
            scale: None,
        }
    }
}

/// One entry of `archgen:fields`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldSpec {
    pub name: String,
    pub ty: FieldType,
    pub pk: bool,
    pub index: bool,
    pub unique: bool,
    pub nullable: bool,
    pub pii: bool,
    pub reference: Option<String>,
}

const TYPES_HELP: &str =
    "types: uuid, text, string(N), integer, bigint, numeric(P,S), boolean, date, timestamp, json; flags: pk, index, unique, nullable, pii, ref=<entity>";

/// `archgen:fields` as read: the entries that parse, one error for each
/// that does not (it is left out), and the names of those left out, so that
/// what refers to them is not reported a second time.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Fields {
    pub specs: Vec<FieldSpec>,
    pub errors: Vec<ProfileError>,
    pub broken: Vec<String>,
}

/// Parses `name type [pk] [index] [unique] [nullable] [pii] [ref=<entity>]; …`.
/// A bad entry is one error; the rest of the list still loads.
pub fn parse_fields(value: &str) -> Fields {
    let mut out = Fields::default();
    for (i, entry) in value.split(';').enumerate() {
        let entry = entry.trim();
        if entry.is_empty() {
            continue;
        }
        match parse_field(i + 1, entry) {
            Ok(f)
                if out
                    .specs
                    .iter()
                    .any(|o| o.name.eq_ignore_ascii_case(&f.name)) =>
            {
                out.errors.push(ProfileError {
                    message: format!("field `{}` is listed twice", f.name),
                    help: "list each field once".into(),
                });
            }
            Ok(f) => out.specs.push(f),
            Err((name, e)) => {
                out.errors.push(e);
                out.broken.extend(name);
            }
        }
    }
    if out.specs.is_empty() && out.errors.is_empty() {
        out.errors.push(ProfileError {
            message: "archgen:fields lists no field".into(),
            help: "write entries such as `id uuid pk; name text; created_at timestamp`".into(),
        });
    }
    let mut pks = out.specs.iter_mut().filter(|f| f.pk).skip(1).peekable();
    if pks.peek().is_some() {
        // Only the first keeps the mark, so nothing else fails for it.
        pks.for_each(|f| f.pk = false);
        out.errors.push(ProfileError {
            message: "more than one field is marked pk".into(),
            help: "mark exactly one field pk (archgen adds `id uuid pk` when none is)".into(),
        });
    }
    out
}

/// One entry, the `n`th; on error, the field's name when it has a usable
/// one.
fn parse_field(n: usize, entry: &str) -> Result<FieldSpec, (Option<String>, ProfileError)> {
    let mut words = entry.split_whitespace();
    let name = words.next().unwrap_or_default();
    if !is_plain_ident(name) {
        return Err((
            None,
            ProfileError {
                message: format!(
                    "field {} in entry {n} is not a plain name",
                    crate::diagnostic::shown(name)
                ),
                help: "field names are letters, digits and underscores, starting with a letter or an underscore, e.g. `user_id text`".into(),
            },
        ));
    }
    let fail = |message: String| {
        Err((
            Some(name.to_owned()),
            ProfileError {
                message,
                help: TYPES_HELP.into(),
            },
        ))
    };
    let Some(ty_text) = words.next() else {
        return fail(format!("field `{name}` has no type"));
    };
    let Some(ty) = parse_type(ty_text) else {
        return fail(format!(
            "field `{name}` has the unknown type {}",
            crate::diagnostic::shown(ty_text)
        ));
    };
    let mut f = FieldSpec {
        name: name.to_owned(),
        ty,
        pk: false,
        index: false,
        unique: false,
        nullable: false,
        pii: false,
        reference: None,
    };
    for flag in words {
        let lower = flag.to_ascii_lowercase();
        match lower.as_str() {
            "pk" => f.pk = true,
            "index" => f.index = true,
            "unique" => f.unique = true,
            "nullable" => f.nullable = true,
            "pii" => f.pii = true,
            _ if lower.starts_with("ref=") && is_plain_ident(&flag[4..]) => {
                f.reference = Some(flag[4..].to_owned())
            }
            _ => {
                return fail(format!(
                    "field `{name}` has the unknown flag {}",
                    crate::diagnostic::shown(flag)
                ))
            }
        }
    }
    Ok(f)
}

fn parse_type(t: &str) -> Option<FieldType> {
    let lower = t.to_ascii_lowercase();
    let (base, args) = match lower.split_once('(') {
        Some((b, rest)) => (b, Some(rest.strip_suffix(')')?)),
        None => (lower.as_str(), None),
    };
    let nums =
        |s: &str| -> Option<Vec<u32>> { s.split(',').map(|n| n.trim().parse().ok()).collect() };
    Some(match (base, args) {
        ("uuid", None) => FieldType::simple(FieldKind::Uuid),
        ("text", None) => FieldType::simple(FieldKind::Text),
        ("string", Some(a)) => match nums(a)?.as_slice() {
            [n] if (1..=10_000).contains(n) => FieldType {
                length: Some(*n),
                ..FieldType::simple(FieldKind::String)
            },
            _ => return None,
        },
        ("integer", None) => FieldType::simple(FieldKind::Integer),
        ("bigint", None) => FieldType::simple(FieldKind::Bigint),
        ("numeric", Some(a)) => match nums(a)?.as_slice() {
            [p, s] if (1..=38).contains(p) && s <= p => FieldType {
                precision: Some(*p),
                scale: Some(*s),
                ..FieldType::simple(FieldKind::Numeric)
            },
            _ => return None,
        },
        ("boolean", None) => FieldType::simple(FieldKind::Boolean),
        ("date", None) => FieldType::simple(FieldKind::Date),
        ("timestamp", None) => FieldType::simple(FieldKind::Timestamp),
        ("json", None) => FieldType::simple(FieldKind::Json),
        _ => return None,
    })
}

/// Letters, digits and underscores (ASCII), starting with a letter or an
/// underscore and holding at least one letter, at most 63 bytes: `user_id`,
/// `_private`.
fn is_plain_ident(s: &str) -> bool {
    s.chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && s.chars().any(|c| c.is_ascii_alphabetic())
        && s.len() <= 63
}

/// `30d`, `12m`, `7y`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Retention {
    pub amount: u32,
    pub unit: RetentionUnit,
    /// The period in days (months count 30 days, years 365).
    pub days: u32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum RetentionUnit {
    Days,
    Months,
    Years,
}

/// What a metric's values are measured in (`archgen:unit`): how the
/// dashboard writes them. Not part of what is computed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Unit {
    /// An ISO 4217 currency; `minor`: the values are in its minor unit
    /// (cents), so 226400 USD cents reads $2,264.00.
    Currency { currency: String, minor: bool },
    /// A duration; `base` is `ms` or `s`.
    Duration { base: String },
    /// A percentage (values already ×100).
    Percent,
    /// A plain count.
    Count,
}

/// `archgen:unit`: `USD`, `USD cents`, `EUR`, `ms`, `s`, `%`, `count` (any
/// ISO 4217 code, with or without `cents`).
pub fn parse_unit(value: &str) -> Result<Unit, ProfileError> {
    let help = "write a currency code (`USD`, `EUR`), a currency code and `cents` (`USD cents`), `ms`, `s`, `%` or `count`";
    let words: Vec<String> = value
        .split_whitespace()
        .map(str::to_ascii_lowercase)
        .collect();
    let words: Vec<&str> = words.iter().map(String::as_str).collect();
    match words.as_slice() {
        ["ms" | "millisecond" | "milliseconds"] => Ok(Unit::Duration { base: "ms".into() }),
        ["s" | "sec" | "second" | "seconds"] => Ok(Unit::Duration { base: "s".into() }),
        ["%" | "percent"] => Ok(Unit::Percent),
        ["count" | "number"] => Ok(Unit::Count),
        [code] | [code, "cents" | "cent" | "minor"]
            if code.len() == 3 && code.bytes().all(|b| b.is_ascii_alphabetic()) =>
        {
            Ok(Unit::Currency {
                currency: code.to_ascii_uppercase(),
                minor: words.len() == 2,
            })
        }
        _ => err(
            format!(
                "unit {} is not one archgen knows",
                crate::diagnostic::shown(value)
            ),
            help,
        ),
    }
}

pub fn parse_retention(value: &str) -> Result<Retention, ProfileError> {
    let v = value.trim().to_ascii_lowercase();
    let help = "write a whole number and a unit: `30d` (days), `12m` (months) or `7y` (years)";
    let (num, unit) = v.split_at(v.len().saturating_sub(1));
    let unit = match unit {
        "d" => RetentionUnit::Days,
        "m" => RetentionUnit::Months,
        "y" => RetentionUnit::Years,
        _ => {
            return err(
                format!("retention {} has no unit", crate::diagnostic::shown(value)),
                help,
            )
        }
    };
    let amount: u32 = match num.parse() {
        Ok(n) if (1..=100_000).contains(&n) => n,
        _ => {
            return err(
                format!(
                    "retention {} is not a positive whole number of {unit:?}",
                    crate::diagnostic::shown(value)
                ),
                help,
            )
        }
    };
    let per = match unit {
        RetentionUnit::Days => 1,
        RetentionUnit::Months => 30,
        RetentionUnit::Years => 365,
    };
    let days = amount
        .checked_mul(per)
        .filter(|d| *d <= 36_500 * 10)
        .ok_or_else(|| ProfileError {
            message: format!("retention {} is too long", crate::diagnostic::shown(value)),
            help: help.into(),
        })?;
    Ok(Retention { amount, unit, days })
}

/// A compliance framework archgen knows.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, schemars::JsonSchema,
)]
pub enum Framework {
    #[serde(rename = "SOC2")]
    Soc2,
    #[serde(rename = "GDPR")]
    Gdpr,
    #[serde(rename = "HIPAA")]
    Hipaa,
    #[serde(rename = "ISO27001")]
    Iso27001,
    #[serde(rename = "PCI-DSS")]
    PciDss,
}

impl Framework {
    pub const ALL: [Framework; 5] = [
        Self::Soc2,
        Self::Gdpr,
        Self::Hipaa,
        Self::Iso27001,
        Self::PciDss,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Self::Soc2 => "SOC2",
            Self::Gdpr => "GDPR",
            Self::Hipaa => "HIPAA",
            Self::Iso27001 => "ISO27001",
            Self::PciDss => "PCI-DSS",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Self::Soc2 => "SOC 2",
            Self::Gdpr => "GDPR",
            Self::Hipaa => "HIPAA",
            Self::Iso27001 => "ISO/IEC 27001",
            Self::PciDss => "PCI DSS",
        }
    }

    /// Reads one framework name in any usual spelling.
    pub fn parse(s: &str) -> Option<Self> {
        let n: String = s
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .collect::<String>()
            .to_ascii_uppercase();
        Some(match n.as_str() {
            "SOC2" => Self::Soc2,
            "GDPR" => Self::Gdpr,
            "HIPAA" => Self::Hipaa,
            "ISO27001" | "ISOIEC27001" => Self::Iso27001,
            "PCIDSS" | "PCI" => Self::PciDss,
            _ => return None,
        })
    }

    /// The frameworks a free text names ("… HIPAA and SOC 2 …").
    pub fn mentioned_in(text: &str) -> Vec<Self> {
        let squashed: String = text
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .collect::<String>()
            .to_ascii_uppercase();
        let words: Vec<String> = text
            .split(|c: char| !c.is_ascii_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_ascii_uppercase)
            .collect();
        let has_word = |w: &str| words.iter().any(|x| x == w);
        let mut out = Vec::new();
        if squashed.contains("SOC2") && (has_word("SOC2") || has_word("SOC")) {
            out.push(Self::Soc2);
        }
        if has_word("GDPR") {
            out.push(Self::Gdpr);
        }
        if has_word("HIPAA") {
            out.push(Self::Hipaa);
        }
        if squashed.contains("ISO27001") || squashed.contains("IEC27001") {
            out.push(Self::Iso27001);
        }
        if squashed.contains("PCIDSS") {
            out.push(Self::PciDss);
        }
        out
    }
}

/// Parses `SOC2, GDPR` (commas, semicolons or spaces between names).
pub fn parse_compliance(value: &str) -> Result<Vec<Framework>, ProfileError> {
    let mut out = Vec::new();
    for part in value
        .split([',', ';'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        // Allow "SOC 2" and "PCI DSS" with a space, and space-separated lists.
        let f = Framework::parse(part).map(|f| vec![f]).or_else(|| {
            part.split_whitespace()
                .map(Framework::parse)
                .collect::<Option<Vec<_>>>()
        });
        match f {
            Some(fs) => out.extend(fs),
            None => {
                return err(
                    format!(
                        "unknown compliance framework {}",
                        crate::diagnostic::shown(part)
                    ),
                    "use any of SOC2, GDPR, HIPAA, ISO27001, PCI-DSS, separated by commas",
                )
            }
        }
    }
    out.sort();
    out.dedup();
    Ok(out)
}

/// A component's role.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Api,
    Aggregator,
    Ingestion,
    Auth,
    Frontend,
    Worker,
}

impl Role {
    pub fn parse(s: &str) -> Result<Self, ProfileError> {
        Ok(match s.trim().to_ascii_lowercase().as_str() {
            "api" => Self::Api,
            "aggregator" => Self::Aggregator,
            "ingestion" => Self::Ingestion,
            "auth" => Self::Auth,
            "frontend" => Self::Frontend,
            "worker" => Self::Worker,
            _ => {
                return err(
                    format!("unknown role {}", crate::diagnostic::shown(s)),
                    "use one of api, aggregator, ingestion, auth, frontend, worker",
                )
            }
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Api => "api",
            Self::Aggregator => "aggregator",
            Self::Ingestion => "ingestion",
            Self::Auth => "auth",
            Self::Frontend => "frontend",
            Self::Worker => "worker",
        }
    }
}

/// Checks an `archgen:path` and returns it normalised (no trailing slash).
pub fn parse_path(value: &str) -> Result<String, ProfileError> {
    let v = value.trim();
    let help = "write an absolute URL path of letters (any script), digits, `-`, `_` and `/`, e.g. `/api/dashboard/overview`";
    if !v.starts_with('/') || v.len() > 200 {
        return err(
            format!(
                "path {} does not start with `/`",
                crate::diagnostic::shown(value)
            ),
            help,
        );
    }
    if v.split('/').any(|seg| seg == "." || seg == "..")
        || !v
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '/' | '-' | '_'))
        || v.contains("//")
    {
        return err(
            format!(
                "path {} has characters a route cannot hold",
                crate::diagnostic::shown(value)
            ),
            help,
        );
    }
    let t = v.trim_end_matches('/');
    Ok(if t.is_empty() {
        "/".into()
    } else {
        t.to_owned()
    })
}

//! The archgen property profile: the little languages of `archgen:fields`,
//! `archgen:metric`, `archgen:retention`, `archgen:compliance`,
//! `archgen:role` and `archgen:path` (see `docs/blueprint-profile.md`).
//!
//! In: a property value. Out: its parsed form, or a [`ProfileError`] that the
//! IR builder turns into a diagnostic on the property's line.

use serde::Serialize;

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

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
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
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
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
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Retention {
    pub amount: u32,
    pub unit: RetentionUnit,
    /// The period in days (months count 30 days, years 365).
    pub days: u32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RetentionUnit {
    Days,
    Months,
    Years,
}

/// What a metric's values are measured in (`archgen:unit`): how the
/// dashboard writes them. Not part of what is computed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
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
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
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
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
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

/// The grain of a metric: the length of its periods (UTC; weeks start Monday).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Grain {
    Day,
    Week,
    Month,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    Count,
    CountDistinct,
    Sum,
    Avg,
    Min,
    Max,
    /// Of an actor field, over an `active from … to …` interval: the share
    /// of actors active at a period's start who are no longer at its end.
    Churn,
    /// Of an actor field: members by the period of their first qualifying
    /// event, and how many are active 0…N periods later.
    Cohort,
    /// Of an actor field: how many reached each step, in order.
    Funnel,
    /// One metric divided by another.
    Ratio,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", content = "value", rename_all = "lowercase")]
pub enum Literal {
    Text(String),
    Number(f64),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Op {
    #[serde(rename = "=")]
    Eq,
    #[serde(rename = "!=")]
    Ne,
    #[serde(rename = ">")]
    Gt,
    #[serde(rename = ">=")]
    Ge,
    #[serde(rename = "<")]
    Lt,
    #[serde(rename = "<=")]
    Le,
    #[serde(rename = "in")]
    In,
    #[serde(rename = "is null")]
    IsNull,
    #[serde(rename = "is not null")]
    IsNotNull,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Condition {
    pub field: String,
    pub op: Op,
    /// The operand: one literal, the list for `in`, nothing for `is (not) null`.
    pub values: Vec<Literal>,
}

/// A parsed `archgen:metric`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MetricDef {
    pub measure: Measure,
    /// The measured field; `None` for `count(*)` and ratios.
    pub field: Option<String>,
    /// `sum(amount / months)`: what the field is divided by, row by row.
    pub divisor: Option<Operand>,
    /// The entity read; for a ratio, empty.
    pub source: String,
    pub conditions: Vec<Condition>,
    pub grain: Grain,
    pub time_field: Option<String>,
    pub dimensions: Vec<String>,
    pub kind: KindDef,
}

/// A field or a number.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", content = "value", rename_all = "lowercase")]
pub enum Operand {
    Field(String),
    Number(f64),
}

/// What kind of metric a definition makes, with what that kind needs.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum KindDef {
    /// One measure over one entity per calendar period.
    Simple,
    /// `numerator / denominator [* scale]`: two metrics' values divided,
    /// per period and dimensions; null where the denominator is 0.
    Ratio {
        numerator: String,
        denominator: String,
        scale: f64,
    },
    /// `… over N days per day`: the measure over the N days ending on each day.
    Rolling { days: u32 },
    /// `… active from <start> to <end> …`: over the rows whose interval
    /// holds the period's end (started on or before it, ended after it or
    /// never).
    Snapshot {
        start_field: String,
        end_field: String,
    },
    /// `cohort(actor) … first where … then where … per <grain> over N <grain>s`.
    Cohort {
        first: Vec<Condition>,
        then: Vec<Condition>,
        periods: u32,
    },
    /// `funnel(actor) … steps <cond>, <cond>[, …] within N days per <grain>`.
    Funnel {
        steps: Vec<Vec<Condition>>,
        within_days: u32,
    },
}

impl KindDef {
    pub fn name(&self) -> &'static str {
        match self {
            Self::Simple => "simple",
            Self::Ratio { .. } => "ratio",
            Self::Rolling { .. } => "rolling",
            Self::Snapshot { .. } => "snapshot",
            Self::Cohort { .. } => "cohort",
            Self::Funnel { .. } => "funnel",
        }
    }
}

const METRIC_HELP: &str = "write `<measure> from <entity> [where <cond> [and <cond>]…] per <day|week|month> [of <timestamp field>] [by <field>[, <field>]]`, e.g. `count_distinct(user_id) from events where name = 'login' per day`; the other kinds are in docs/blueprint-profile.md (ratio `a / b * 100`, rolling `… over 30 days per day`, snapshot `… active from started_at to ended_at …`, churn, cohort, funnel)";

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Word(String),
    Str(String),
    Num(f64),
    Sym(&'static str),
}

fn lex(s: &str) -> Result<Vec<Tok>, ProfileError> {
    let mut out = Vec::new();
    let cs: Vec<char> = s.chars().collect();
    let mut i = 0;
    while i < cs.len() {
        let c = cs[i];
        if c.is_whitespace() {
            i += 1;
        } else if c.is_ascii_alphabetic() || c == '_' {
            let st = i;
            while i < cs.len() && (cs[i].is_ascii_alphanumeric() || cs[i] == '_') {
                i += 1;
            }
            out.push(Tok::Word(cs[st..i].iter().collect()));
        } else if c.is_ascii_digit()
            || (c == '-' && cs.get(i + 1).is_some_and(char::is_ascii_digit))
        {
            let st = i;
            i += 1;
            while i < cs.len() && (cs[i].is_ascii_digit() || cs[i] == '.') {
                i += 1;
            }
            let t: String = cs[st..i].iter().collect();
            match t.parse::<f64>() {
                Ok(n) if n.is_finite() => out.push(Tok::Num(n)),
                _ => {
                    return err(
                        format!("{} is not a number", crate::diagnostic::shown(&t)),
                        METRIC_HELP,
                    )
                }
            }
        } else if c == '\'' {
            let mut text = String::new();
            i += 1;
            loop {
                match cs.get(i) {
                    None => {
                        return err(
                            "a quoted text is not closed",
                            "close it with `'` (write `''` for a quote inside)",
                        )
                    }
                    Some('\'') if cs.get(i + 1) == Some(&'\'') => {
                        text.push('\'');
                        i += 2;
                    }
                    Some('\'') => {
                        i += 1;
                        break;
                    }
                    Some(&ch) => {
                        text.push(ch);
                        i += 1;
                    }
                }
            }
            out.push(Tok::Str(text));
        } else {
            let two: String = cs[i..(i + 2).min(cs.len())].iter().collect();
            let sym = match two.as_str() {
                "!=" => Some("!="),
                ">=" => Some(">="),
                "<=" => Some("<="),
                "<>" => Some("!="),
                _ => None,
            };
            if let Some(sym) = sym {
                out.push(Tok::Sym(sym));
                i += 2;
                continue;
            }
            let sym = match c {
                '(' => "(",
                ')' => ")",
                ',' => ",",
                '*' => "*",
                '/' => "/",
                '=' => "=",
                '>' => ">",
                '<' => "<",
                _ => return err(format!("unexpected character `{c}`"), METRIC_HELP),
            };
            out.push(Tok::Sym(sym));
            i += 1;
        }
    }
    Ok(out)
}

struct P {
    toks: Vec<Tok>,
    i: usize,
}

impl P {
    fn peek_word(&self, w: &str) -> bool {
        matches!(self.toks.get(self.i), Some(Tok::Word(x)) if x.eq_ignore_ascii_case(w))
    }
    fn word(&mut self, w: &str) -> Result<(), ProfileError> {
        if self.peek_word(w) {
            self.i += 1;
            Ok(())
        } else {
            err(format!("expected `{w}` {}", self.here()), METRIC_HELP)
        }
    }
    fn sym(&mut self, s: &str) -> Result<(), ProfileError> {
        if self.toks.get(self.i) == Some(&Tok::Sym(static_sym(s))) {
            self.i += 1;
            Ok(())
        } else {
            err(format!("expected `{s}` {}", self.here()), METRIC_HELP)
        }
    }
    fn is_sym(&self, s: &str) -> bool {
        self.toks.get(self.i) == Some(&Tok::Sym(static_sym(s)))
    }
    fn ident(&mut self, what: &str) -> Result<String, ProfileError> {
        match self.toks.get(self.i) {
            Some(Tok::Word(w)) if !is_keyword(w) => {
                self.i += 1;
                Ok(w.clone())
            }
            _ => err(format!("expected {what} {}", self.here()), METRIC_HELP),
        }
    }
    /// A field name: keywords are allowed here (a field may be called `from`).
    fn field(&mut self) -> Result<String, ProfileError> {
        match self.toks.get(self.i) {
            Some(Tok::Word(w)) => {
                self.i += 1;
                Ok(w.clone())
            }
            _ => err(
                format!("expected a field name {}", self.here()),
                METRIC_HELP,
            ),
        }
    }

    fn here(&self) -> String {
        match self.toks.get(self.i) {
            None => "at the end".into(),
            Some(Tok::Word(w)) => format!("before {}", crate::diagnostic::shown(w)),
            Some(Tok::Str(s)) => format!("before '{}'", crate::naming::truncate(s, 30)),
            Some(Tok::Num(n)) => format!("before {n}"),
            Some(Tok::Sym(s)) => format!("before `{s}`"),
        }
    }
    fn literal(&mut self) -> Result<Literal, ProfileError> {
        let t = self.toks.get(self.i).cloned();
        self.i += 1;
        match t {
            Some(Tok::Str(s)) => Ok(Literal::Text(s)),
            Some(Tok::Num(n)) => Ok(Literal::Number(n)),
            _ => {
                self.i -= 1;
                err(
                    format!("expected a quoted text or a number {}", self.here()),
                    METRIC_HELP,
                )
            }
        }
    }
}

fn static_sym(s: &str) -> &'static str {
    ["(", ")", ",", "*", "/", "=", ">", "<", "!=", ">=", "<="]
        .into_iter()
        .find(|x| *x == s)
        .unwrap_or("")
}

fn is_keyword(w: &str) -> bool {
    [
        "from", "where", "and", "per", "of", "by", "in", "is", "not", "null",
    ]
    .iter()
    .any(|k| k.eq_ignore_ascii_case(w))
}

/// `archgen:metric` as read: the definition when its frame (the measure,
/// `from`, `per`) reads, without the terms (conditions, dimensions) that do
/// not, and one error for each of those. A metric with errors is not
/// generated, but its good terms are still checked.
#[derive(Clone, Debug, PartialEq)]
pub struct ParsedMetric {
    pub def: Option<MetricDef>,
    pub errors: Vec<ProfileError>,
}

impl ParsedMetric {
    /// The definition, or the first error.
    pub fn into_result(mut self) -> Result<MetricDef, ProfileError> {
        match self.def {
            Some(d) if self.errors.is_empty() => Ok(d),
            _ => Err(self.errors.remove(0)),
        }
    }
}

impl Fields {
    /// The fields, or the first error.
    pub fn into_result(mut self) -> Result<Vec<FieldSpec>, ProfileError> {
        if self.errors.is_empty() {
            Ok(self.specs)
        } else {
            Err(self.errors.remove(0))
        }
    }
}

impl P {
    /// Skips to the next word in `stops` (or the end): past a bad term.
    fn skip_to(&mut self, stops: &[&str]) {
        while self.i < self.toks.len() && !stops.iter().any(|w| self.peek_word(w)) {
            self.i += 1;
        }
    }

    /// Skips to the next `,` (or the end).
    fn skip_to_comma(&mut self) {
        while self.i < self.toks.len() && !self.is_sym(",") {
            self.i += 1;
        }
    }

    fn condition(&mut self) -> Result<Condition, ProfileError> {
        let f = self.field()?;
        if self.peek_word("is") {
            self.i += 1;
            let not = self.peek_word("not");
            if not {
                self.i += 1;
            }
            self.word("null")?;
            return Ok(Condition {
                field: f,
                op: if not { Op::IsNotNull } else { Op::IsNull },
                values: vec![],
            });
        }
        if self.peek_word("in") {
            self.i += 1;
            self.sym("(")?;
            let mut vs = vec![self.literal()?];
            while self.is_sym(",") {
                self.i += 1;
                vs.push(self.literal()?);
            }
            self.sym(")")?;
            return Ok(Condition {
                field: f,
                op: Op::In,
                values: vs,
            });
        }
        let op = match self.toks.get(self.i) {
            Some(Tok::Sym("=")) => Op::Eq,
            Some(Tok::Sym("!=")) => Op::Ne,
            Some(Tok::Sym(">")) => Op::Gt,
            Some(Tok::Sym(">=")) => Op::Ge,
            Some(Tok::Sym("<")) => Op::Lt,
            Some(Tok::Sym("<=")) => Op::Le,
            _ => {
                return err(
                    format!(
                        "expected a comparison (=, !=, >, >=, <, <=, in, is null) {}",
                        self.here()
                    ),
                    METRIC_HELP,
                )
            }
        };
        self.i += 1;
        let v = self.literal()?;
        if matches!(op, Op::Gt | Op::Ge | Op::Lt | Op::Le) && !matches!(v, Literal::Number(_)) {
            return err(
                format!("`{f}` is compared with {op:?} to a text"),
                "compare with a number: `f > 10`",
            );
        }
        Ok(Condition {
            field: f,
            op,
            values: vec![v],
        })
    }
}

/// Parses an `archgen:metric` definition. A bad condition or dimension is
/// one error, and the rest is still read.
pub fn parse_metric(value: &str) -> ParsedMetric {
    let mut errors = Vec::new();
    let def = match lex(value) {
        Ok(toks) => match ratio(&toks) {
            Some(def) => Ok(def),
            None => metric_frame(&mut P { toks, i: 0 }, &mut errors),
        },
        Err(e) => Err(e),
    };
    let def = def.map_err(|e| errors.push(e)).ok();
    ParsedMetric { def, errors }
}

/// `a / b` or `a / b * 100`: a ratio of two metrics (by key).
fn ratio(toks: &[Tok]) -> Option<MetricDef> {
    let (num, den, scale) = match toks {
        [Tok::Word(a), Tok::Sym("/"), Tok::Word(b)] => (a, b, 1.0),
        [Tok::Word(a), Tok::Sym("/"), Tok::Word(b), Tok::Sym("*"), Tok::Num(n)] => (a, b, *n),
        _ => return None,
    };
    Some(MetricDef {
        measure: Measure::Ratio,
        field: None,
        divisor: None,
        source: String::new(),
        conditions: vec![],
        grain: Grain::Day,
        time_field: None,
        dimensions: vec![],
        kind: KindDef::Ratio {
            numerator: num.clone(),
            denominator: den.clone(),
            scale,
        },
    })
}

impl P {
    /// `<cond> [and <cond>]…`, a bad condition reported and skipped up to
    /// one of `stops`.
    fn conditions(&mut self, errors: &mut Vec<ProfileError>, stops: &[&str]) -> Vec<Condition> {
        let mut out = Vec::new();
        loop {
            match self.condition() {
                Ok(c) => out.push(c),
                Err(e) => {
                    errors.push(e);
                    let mut all = vec!["and"];
                    all.extend_from_slice(stops);
                    self.skip_to(&all);
                }
            }
            if self.peek_word("and") {
                self.i += 1;
            } else {
                return out;
            }
        }
    }

    /// A whole number from 1 to `max`.
    fn count(&mut self, what: &str, max: u32) -> Result<u32, ProfileError> {
        match self.toks.get(self.i) {
            Some(Tok::Num(n)) if n.fract() == 0.0 && *n >= 1.0 && *n <= f64::from(max) => {
                self.i += 1;
                // Whole and within 1..=max, so the cast is exact.
                Ok(*n as u32)
            }
            _ => err(
                format!(
                    "expected {what}, a whole number from 1 to {max}, {}",
                    self.here()
                ),
                METRIC_HELP,
            ),
        }
    }

    fn peek_two(&self, a: &str, b: &str) -> bool {
        self.peek_word(a)
            && matches!(self.toks.get(self.i + 1), Some(Tok::Word(x)) if x.eq_ignore_ascii_case(b))
    }
}

/// The measure, `from`, `per` and `of` (an error there ends the reading);
/// the bad conditions and dimensions go to `errors`.
fn metric_frame(p: &mut P, errors: &mut Vec<ProfileError>) -> Result<MetricDef, ProfileError> {
    let m = p.ident("a measure such as count(*)")?;
    let measure = match m.to_ascii_lowercase().as_str() {
        "count" => Measure::Count,
        "count_distinct" => Measure::CountDistinct,
        "sum" => Measure::Sum,
        "avg" => Measure::Avg,
        "min" => Measure::Min,
        "max" => Measure::Max,
        "churn" => Measure::Churn,
        "cohort" => Measure::Cohort,
        "funnel" => Measure::Funnel,
        _ => {
            return err(
                format!("unknown measure {}", crate::diagnostic::shown(&m)),
                "measures: count(*), count_distinct(f), sum(f), avg(f), min(f), max(f), churn(actor), cohort(actor), funnel(actor); a ratio is `metric_a / metric_b`",
            )
        }
    };
    p.sym("(")?;
    let field = if measure == Measure::Count {
        p.sym("*").map_err(|_| ProfileError {
            message: "count takes `*`: write count(*), or count_distinct(field)".into(),
            help: METRIC_HELP.into(),
        })?;
        None
    } else {
        Some(p.field()?)
    };
    let mut divisor = None;
    if p.is_sym("/") {
        p.i += 1;
        divisor = Some(match p.toks.get(p.i) {
            Some(Tok::Num(n)) if *n != 0.0 => {
                p.i += 1;
                Operand::Number(*n)
            }
            _ => Operand::Field(p.field()?),
        });
        if !matches!(
            measure,
            Measure::Sum | Measure::Avg | Measure::Min | Measure::Max
        ) {
            errors.push(ProfileError {
                message: "only sum, avg, min and max take `field / divisor`".into(),
                help: "write e.g. `sum(amount_cents / interval_months)`".into(),
            });
        }
    }
    p.sym(")")?;
    p.word("from")?;
    let source = p.ident("the entity to read")?;
    let mut kind = KindDef::Simple;
    if p.peek_two("active", "from") {
        p.i += 2;
        let from = p.field()?;
        p.word("to")?;
        let to = p.field()?;
        kind = KindDef::Snapshot {
            start_field: from,
            end_field: to,
        };
    }
    let mut conditions = Vec::new();
    match measure {
        Measure::Cohort => {
            p.word("first")?;
            p.word("where")?;
            let first = p.conditions(errors, &["then"]);
            p.word("then")?;
            p.word("where")?;
            let then = p.conditions(errors, &["per"]);
            kind = KindDef::Cohort {
                first,
                then,
                periods: 0,
            };
        }
        Measure::Funnel => {
            p.word("steps")?;
            let mut steps = vec![p.conditions(errors, &["within"])];
            while p.is_sym(",") {
                p.i += 1;
                steps.push(p.conditions(errors, &["within"]));
            }
            p.word("within")?;
            let within_days = p.count("the days a funnel may take", 3660)?;
            p.word("days")?;
            if steps.len() < 2 {
                errors.push(ProfileError {
                    message: "a funnel needs two steps or more".into(),
                    help: "write `steps name = 'signup', name = 'purchase' within 14 days`".into(),
                });
            }
            kind = KindDef::Funnel { steps, within_days };
        }
        _ => {
            if p.peek_word("where") {
                p.i += 1;
                conditions = p.conditions(errors, &["per", "over"]);
            }
        }
    }
    if p.peek_word("over") {
        p.i += 1;
        let days = p.count("the window's days", 3660)?;
        p.word("days")?;
        if kind != KindDef::Simple {
            errors.push(ProfileError {
                message: "`over N days` makes a rolling window of a plain measure".into(),
                help: "write e.g. `count_distinct(user_id) from events over 30 days per day`"
                    .into(),
            });
        }
        kind = KindDef::Rolling { days };
    }
    if measure == Measure::Churn && !matches!(kind, KindDef::Snapshot { .. }) {
        errors.push(ProfileError {
            message: "churn needs the interval its actors are active in".into(),
            help: "write e.g. `churn(customer_id) from subscriptions active from started_at to ended_at per month`".into(),
        });
    }
    p.word("per")?;
    let g = p.ident("day, week or month")?;
    let grain = match g.to_ascii_lowercase().as_str() {
        "day" => Grain::Day,
        "week" => Grain::Week,
        "month" => Grain::Month,
        _ => {
            return err(
                format!("unknown period {}", crate::diagnostic::shown(&g)),
                "periods: day, week, month",
            )
        }
    };
    if matches!(kind, KindDef::Rolling { .. })
        && !matches!(
            measure,
            Measure::Count | Measure::CountDistinct | Measure::Sum | Measure::Avg
        )
    {
        errors.push(ProfileError {
            message: "a rolling window adds up count, count_distinct, sum or avg".into(),
            help: "write e.g. `sum(amount) from events over 7 days per day`".into(),
        });
    }
    if matches!(kind, KindDef::Rolling { .. }) && grain != Grain::Day {
        errors.push(ProfileError {
            message: "a rolling window is computed per day".into(),
            help: "write `… over 30 days per day`".into(),
        });
    }
    let mut time_field = None;
    if p.peek_word("of") {
        p.i += 1;
        time_field = Some(p.field()?);
    }
    if let KindDef::Cohort { periods, .. } = &mut kind {
        p.word("over")?;
        *periods = p.count("how many periods the cohorts are followed", 366)?;
        let unit = p.ident("weeks, months or days")?;
        let plural = match grain {
            Grain::Day => "days",
            Grain::Week => "weeks",
            Grain::Month => "months",
        };
        if !unit.eq_ignore_ascii_case(plural)
            && !unit.eq_ignore_ascii_case(&plural[..plural.len() - 1])
        {
            errors.push(ProfileError {
                message: format!("a cohort per {grain:?} is followed over {plural}, not {unit}")
                    .to_lowercase(),
                help: "write e.g. `… per week over 12 weeks`".into(),
            });
        }
    }
    let mut dimensions = Vec::new();
    if p.peek_word("by") {
        p.i += 1;
        loop {
            match p.field() {
                Ok(d) => dimensions.push(d),
                Err(e) => {
                    errors.push(e);
                    p.skip_to_comma();
                }
            }
            if !p.is_sym(",") {
                break;
            }
            p.i += 1;
        }
    }
    if p.i < p.toks.len() {
        errors.push(ProfileError {
            message: format!("unexpected text {}", p.here()),
            help: METRIC_HELP.into(),
        });
    }
    Ok(MetricDef {
        measure,
        field,
        divisor,
        source,
        conditions,
        grain,
        time_field,
        dimensions,
        kind,
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_metric_kind_reads() {
        let kind = |t: &str| parse_metric(t).into_result().map(|d| d.kind.name());
        assert_eq!(kind("count(*) from events per day"), Ok("simple"));
        assert_eq!(kind("feature_users / active_users * 100"), Ok("ratio"));
        assert_eq!(kind("a / b"), Ok("ratio"));
        assert_eq!(
            kind("count_distinct(user_id) from events where name = 'login' over 30 days per day"),
            Ok("rolling")
        );
        assert_eq!(
            kind("sum(amount_cents / interval_months) from subscriptions active from started_at to ended_at per month by plan"),
            Ok("snapshot")
        );
        assert_eq!(
            kind("churn(customer_id) from subscriptions active from started_at to ended_at per month"),
            Ok("snapshot")
        );
        assert_eq!(
            kind("cohort(user_id) from events first where name = 'signup' then where name = 'login' per week over 12 weeks"),
            Ok("cohort")
        );
        assert_eq!(
            kind("funnel(user_id) from events steps name = 'signup', name = 'activation' and plan = 'pro', name = 'purchase' within 14 days per week"),
            Ok("funnel")
        );
        let f = parse_metric("funnel(user_id) from events steps name = 'a', name = 'b' and plan = 'pro' within 14 days per week")
            .into_result()
            .unwrap();
        match f.kind {
            KindDef::Funnel { steps, within_days } => {
                assert_eq!((steps.len(), steps[1].len(), within_days), (2, 2, 14));
            }
            other => panic!("{other:?}"),
        }
        let s = parse_metric("sum(amount / 12) from subs active from a to b per month")
            .into_result()
            .unwrap();
        assert_eq!(s.divisor, Some(Operand::Number(12.0)));
    }

    #[test]
    fn a_kind_used_wrongly_says_how_to_write_it() {
        let first = |t: &str| parse_metric(t).into_result().unwrap_err().message;
        assert!(first("count(*) from events over 7 days per week").contains("per day"));
        assert!(first("churn(customer_id) from subscriptions per month").contains("interval"));
        assert!(
            first("funnel(user_id) from events steps name = 'a' within 14 days per week")
                .contains("two steps")
        );
        assert!(
            first("max(amount) from events over 7 days per day").contains("rolling window adds up")
        );
        assert!(first("cohort(user_id) from events first where name = 'a' then where name = 'b' per week over 12 months").contains("weeks"));
        assert!(
            first("count(user_id / 2) from events per day").contains("divisor")
                || first("count(user_id / 2) from events per day").contains("count takes")
        );
        assert!(first("cohort(user_id) from events first where name = 'a' then where name = 'b' per week over 0 weeks").contains("whole number"));
    }

    #[test]
    fn units_read_as_the_dashboard_writes_them() {
        let cur = |c: &str, minor| Unit::Currency {
            currency: c.into(),
            minor,
        };
        assert_eq!(parse_unit("USD cents"), Ok(cur("USD", true)));
        assert_eq!(parse_unit(" eur "), Ok(cur("EUR", false)));
        assert_eq!(parse_unit("ms"), Ok(Unit::Duration { base: "ms".into() }));
        assert_eq!(
            parse_unit("Seconds"),
            Ok(Unit::Duration { base: "s".into() })
        );
        assert_eq!(parse_unit("%"), Ok(Unit::Percent));
        assert_eq!(parse_unit("count"), Ok(Unit::Count));
        for bad in ["", "dollars", "US cents", "USD cents extra", "12%"] {
            assert!(parse_unit(bad).is_err(), "{bad}");
        }
    }

    use super::*;

    #[test]
    fn fields_parse() {
        let f = parse_fields("id uuid pk; email string(255) unique pii; amount numeric(12,2) nullable; org_ref uuid ref=orgs index").into_result().unwrap();
        assert_eq!(f.len(), 4);
        assert!(f[0].pk);
        assert_eq!(f[1].ty.length, Some(255));
        assert!(f[1].unique && f[1].pii);
        assert_eq!(f[2].ty.precision, Some(12));
        assert_eq!(f[3].reference.as_deref(), Some("orgs"));
        assert!(parse_fields("id uuid pk; x varchar")
            .into_result()
            .unwrap_err()
            .message
            .contains("unknown type"));
        assert!(parse_fields("id uuid pk; x text shiny")
            .into_result()
            .unwrap_err()
            .message
            .contains("unknown flag"));
        assert!(parse_fields("a uuid pk; b uuid pk").into_result().is_err());
        assert!(parse_fields("../x text").into_result().is_err());
        assert!(parse_fields("x string(0)").into_result().is_err());
    }

    #[test]
    fn a_bad_field_entry_is_one_error_and_the_rest_still_loads() {
        let f = parse_fields("id uuid pk; name strng(100); user_id text; name2 text shiny; 9x text; user_id uuid; a uuid pk");
        let names: Vec<&str> = f.specs.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["id", "user_id", "a"]);
        assert!(f.specs[0].pk && !f.specs[2].pk);
        let messages: Vec<&str> = f.errors.iter().map(|e| e.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                "field `name` has the unknown type `strng(100)`",
                "field `name2` has the unknown flag `shiny`",
                "field `9x` in entry 5 is not a plain name",
                "field `user_id` is listed twice",
                "more than one field is marked pk",
            ]
        );
        assert_eq!(f.broken, ["name", "name2"]);
        assert_eq!(parse_fields(" ; ").errors.len(), 1);
    }

    #[test]
    fn a_bad_metric_term_is_one_error_and_the_rest_is_still_read() {
        let m = parse_metric(
            "sum(amount) from orders where a = = 1 and b = 'x' and c in 2 per day by d, 3, e",
        );
        assert_eq!(m.errors.len(), 3, "{:?}", m.errors);
        let def = m.def.unwrap();
        assert_eq!(def.conditions.len(), 1);
        assert_eq!(def.conditions[0].field, "b");
        assert_eq!(def.dimensions, ["d", "e"]);
        // A character that is no token: the lexer stops, one error.
        let m = parse_metric("sum(amount) from orders where c ~ 2 and d ~ 3 per day");
        assert_eq!((m.def, m.errors.len()), (None, 1));
        // A broken frame: one error, nothing else.
        let m = parse_metric("sum(amount) form orders where a = = 1 per day");
        assert_eq!((m.def, m.errors.len()), (None, 1));
    }

    #[test]
    fn metrics_parse() {
        let m = parse_metric("count_distinct(user_id) from events where name = 'login' per day")
            .into_result()
            .unwrap();
        assert_eq!(m.measure, Measure::CountDistinct);
        assert_eq!(m.field.as_deref(), Some("user_id"));
        assert_eq!(m.conditions[0].values, vec![Literal::Text("login".into())]);
        let m = parse_metric(
            "sum(amount) from orders where status in ('paid','shipped') and amount > 0 and note is not null per month of paid_at by plan, region",
        ).into_result().unwrap();
        assert_eq!(m.grain, Grain::Month);
        assert_eq!(m.time_field.as_deref(), Some("paid_at"));
        assert_eq!(m.dimensions, vec!["plan", "region"]);
        assert_eq!(m.conditions.len(), 3);
        assert_eq!(m.conditions[2].op, Op::IsNotNull);
        assert!(parse_metric("count(user_id) from events per day")
            .into_result()
            .is_err());
        assert!(parse_metric("count(*) from events per year")
            .into_result()
            .is_err());
        assert!(parse_metric("count(*) from events where x > 'a' per day")
            .into_result()
            .is_err());
        assert!(parse_metric("count(*) from events per day extra")
            .into_result()
            .is_err());
        assert!(parse_metric("median(x) from events per day")
            .into_result()
            .is_err());
        let m =
            parse_metric("sum(from) from e where select > 3 and per is null per week by from, by")
                .into_result()
                .unwrap();
        assert_eq!(m.field.as_deref(), Some("from"));
        assert_eq!(m.conditions[1].field, "per");
        assert_eq!(m.dimensions, vec!["from", "by"]);
        let m = parse_metric("count(*) from e where n = 'it''s' per week")
            .into_result()
            .unwrap();
        assert_eq!(m.conditions[0].values, vec![Literal::Text("it's".into())]);
    }

    #[test]
    fn small_values_parse() {
        assert_eq!(parse_retention("12m").unwrap().days, 360);
        assert!(parse_retention("12").is_err());
        assert!(parse_retention("0d").is_err());
        assert_eq!(
            parse_compliance("SOC 2, gdpr; PCI DSS").unwrap(),
            vec![Framework::Soc2, Framework::Gdpr, Framework::PciDss]
        );
        assert!(parse_compliance("SOX").is_err());
        assert_eq!(
            Framework::mentioned_in("Meet HIPAA and SOC 2 controls"),
            vec![Framework::Soc2, Framework::Hipaa]
        );
        assert!(Framework::mentioned_in("SOCIAL media").is_empty());
        assert_eq!(parse_path("/api/x/").unwrap(), "/api/x");
        assert!(parse_path("api").is_err());
        assert!(parse_path("/api/../x").is_err());
        assert!(parse_path("/api/{x}").is_err());
        assert_eq!(Role::parse(" API ").unwrap(), Role::Api);
    }
}

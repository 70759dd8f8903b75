//! `archgen:metric`: its lexer and parser, and what a definition makes
//! (measure, grain, conditions, dimensions and the metric's kind).

use super::*;

/// The grain of a metric: the length of its periods (UTC; weeks start Monday).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Grain {
    Day,
    Week,
    Month,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
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

#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(tag = "kind", content = "value", rename_all = "lowercase")]
pub enum Literal {
    Text(String),
    Number(f64),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
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

#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Condition {
    pub field: String,
    pub op: Op,
    /// The operand: one literal, the list for `in`, nothing for `is (not) null`.
    pub values: Vec<Literal>,
}

/// A parsed `archgen:metric`.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
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
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(tag = "kind", content = "value", rename_all = "lowercase")]
pub enum Operand {
    Field(String),
    Number(f64),
}

/// What kind of metric a definition makes, with what that kind needs.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
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

//! The configuration file, `.sitelint.yaml`: the nearest one from the current
//! folder up (or the one `--config` names), read with serde-saphyr, which
//! keeps spans so that every problem is reported inside the file.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use clap::ValueEnum;
use miette::{LabeledSpan, MietteDiagnostic, Report};
use serde::Deserialize;
use serde_saphyr::Spanned;

use crate::date::Date;
use crate::finding::Severity;
use crate::load::limits::{ByteSize, DEPTH_CEILING, Limit, Limits};
use crate::rules::engine::DEFAULT_TIME_LIMIT;
use crate::source::{SourceFile, Span};
use crate::typed_yaml::one_of;

const FILE_NAME: &str = ".sitelint.yaml";

/// Where the configuration comes from: the command line's say.
#[derive(Debug, clap::Args)]
pub struct ConfigArgs {
    /// The configuration file [default: .sitelint.yaml in the current folder or the nearest parent].
    #[arg(long, value_name = "FILE", conflicts_with = "no_config")]
    config: Option<PathBuf>,
    /// Use no configuration file.
    #[arg(long)]
    no_config: bool,
}

/// The limits on snapshot files, from the command line: each flag wins over
/// the config file's `limits`.
#[derive(Debug, clap::Args)]
pub struct LimitArgs {
    /// Skip (SL001) a snapshot file bigger than SIZE: bytes, or a number with KB, MB, GB, KiB,
    /// MiB or GiB [default: 256MiB].
    #[arg(long, value_name = "SIZE", value_parser = |s: &str| s.parse::<ByteSize>())]
    max_file_size: Option<ByteSize>,
    /// The deepest nesting of lists and mappings a file may have, 1 to 255 [default: 255].
    #[arg(long, value_name = "N", value_parser = |s: &str| parse_count(Limit::Depth, s))]
    max_depth: Option<usize>,
    /// The most nodes (keys, values, list items) one file may have [default: 10000000].
    #[arg(long, value_name = "N", value_parser = |s: &str| parse_count(Limit::Nodes, s))]
    max_nodes: Option<usize>,
    /// The most nodes YAML aliases may add to one file [default: 1000000].
    #[arg(long, value_name = "N", value_parser = |s: &str| parse_count(Limit::AliasNodes, s))]
    max_alias_nodes: Option<usize>,
}

/// The limit on a rule's time, from the command line, for the commands that
/// run rules (`access` runs none).
#[derive(Debug, clap::Args)]
pub struct RuleTimeArgs {
    /// Stop a rule whose items have taken SECONDS, added up over the threads (reported as an
    /// error; 0: no limit) [default: 60]. Checked between items: an item being evaluated is not
    /// interrupted.
    #[arg(long, value_name = "SECONDS", value_parser = |s: &str| parse_seconds(s).map(RuleTime))]
    max_rule_time: Option<RuleTime>,
}

/// `--max-rule-time` as given: `None` for no limit. (A newtype, because clap
/// reads `Option<Option<_>>` as a flag whose value is optional.)
#[derive(Debug, Clone, Copy)]
struct RuleTime(Option<Duration>);

impl LimitArgs {
    /// The limits in effect: these flags, else the config file's, else the defaults.
    pub fn limits(&self, config: Option<&Config>) -> Limits {
        let file = config.map_or_else(Limits::default, |c| c.limits);
        Limits {
            max_file_size: self.max_file_size.unwrap_or(file.max_file_size),
            max_depth: self.max_depth.unwrap_or(file.max_depth),
            max_nodes: self.max_nodes.unwrap_or(file.max_nodes),
            max_alias_nodes: self.max_alias_nodes.unwrap_or(file.max_alias_nodes),
        }
    }
}

impl RuleTimeArgs {
    /// How long a rule may run: this flag, else the config file's, else the
    /// engine's default; `None` for no limit.
    pub fn rule_time(&self, config: Option<&Config>) -> Option<Duration> {
        let file = config.map_or(Some(DEFAULT_TIME_LIMIT), |c| c.rule_time);
        self.max_rule_time.map_or(file, |flag| flag.0)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FailOn {
    Error,
    Warning,
    Info,
    Never,
}

impl FailOn {
    pub fn threshold(self) -> Option<Severity> {
        match self {
            FailOn::Error => Some(Severity::Error),
            FailOn::Warning => Some(Severity::Warning),
            FailOn::Info => Some(Severity::Info),
            FailOn::Never => None,
        }
    }
}

/// The file as written. Unknown keys are errors.
#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct ConfigFile {
    #[serde(default)]
    select: Option<Vec<Spanned<String>>>,
    #[serde(default)]
    extend_select: Vec<Spanned<String>>,
    #[serde(default)]
    ignore: Vec<Spanned<String>>,
    #[serde(default)]
    severity: HashMap<Spanned<String>, Spanned<String>>,
    #[serde(default)]
    rules: Vec<Spanned<String>>,
    #[serde(default)]
    fail_on: Option<FailOn>,
    #[serde(default)]
    suppressions: Vec<Spanned<SuppressionFile>>,
    #[serde(default)]
    limits: LimitsFile,
}

/// `limits:`, every key optional: what is not written keeps its default.
/// Values are read as text and checked here, so that a bad one gets a
/// message that says what to write.
#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct LimitsFile {
    #[serde(default)]
    max_file_size: Option<Spanned<String>>,
    #[serde(default)]
    max_depth: Option<Spanned<String>>,
    #[serde(default)]
    max_nodes: Option<Spanned<String>>,
    #[serde(default)]
    max_alias_nodes: Option<Spanned<String>>,
    #[serde(default)]
    max_rule_time: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SuppressionFile {
    /// Required, as are `entity` and `reason`; optional here so that an
    /// absence is reported at the entry, not at the entry's last key.
    #[serde(default)]
    code: Option<Spanned<String>>,
    #[serde(default)]
    entity: Option<Spanned<String>>,
    #[serde(default)]
    reason: Option<Spanned<String>>,
    #[serde(default)]
    expires: Option<Spanned<String>>,
}

/// A string written in the config file, and where.
#[derive(Debug, Clone)]
pub struct Written {
    pub text: String,
    pub span: Span,
}

impl From<&Spanned<String>> for Written {
    fn from(s: &Spanned<String>) -> Written {
        Written { text: s.value.clone(), span: span(&s.referenced) }
    }
}

impl AsRef<str> for Written {
    fn as_ref(&self) -> &str {
        &self.text
    }
}

fn span(location: &serde_saphyr::Location) -> Span {
    let span = location.span();
    let start = span.byte_offset().unwrap_or(0) as usize;
    Span::new(start, start + span.byte_len().unwrap_or(0) as usize)
}

/// A finding someone decided to live with, for a reason, maybe until a date.
#[derive(Debug)]
pub struct Suppression {
    pub code: Written,
    pub entity: Written,
    pub reason: String,
    pub expires: Option<(Date, Span)>,
    /// The entry (from its first key to its entity): where an unused
    /// suppression is reported.
    pub span: Span,
}

/// A configuration file, checked: every value is usable, except selectors
/// and codes, which are checked against the rules the file's `rules` add.
#[derive(Debug)]
pub struct Config {
    /// The path as found or named: what diagnostics print.
    path: PathBuf,
    text: Arc<str>,
    pub select: Option<Vec<Written>>,
    pub extend_select: Vec<Written>,
    pub ignore: Vec<Written>,
    /// Severity overrides by selector, in file order.
    pub severity: Vec<(Written, Severity)>,
    /// Rule folders, as paths from the current folder.
    pub rules: Vec<PathBuf>,
    pub fail_on: Option<FailOn>,
    pub suppressions: Vec<Suppression>,
    /// The file's `limits`, the defaults where it says nothing.
    pub limits: Limits,
    /// `limits.max-rule-time`: how long a rule may run (`None`: no limit).
    pub rule_time: Option<Duration>,
}

impl ConfigArgs {
    /// The configuration in effect: the named file, the discovered one, or
    /// none.
    pub fn load(&self) -> Result<Option<Config>, Vec<Report>> {
        if self.no_config {
            return Ok(None);
        }
        let Some(path) = self.config.clone().or_else(discover) else { return Ok(None) };
        let text = crate::source::read_text(&path, "config file").map_err(|e| vec![e])?;
        Config::parse(path, text.into()).map(Some)
    }
}

/// The nearest `.sitelint.yaml` from the current folder up, as a path from
/// the current folder (`../.sitelint.yaml`) so diagnostics stay short.
fn discover() -> Option<PathBuf> {
    let cwd = std::env::current_dir().ok()?;
    let mut up = PathBuf::new();
    for dir in cwd.ancestors() {
        if dir.join(FILE_NAME).is_file() {
            return Some(up.join(FILE_NAME));
        }
        up.push("..");
    }
    None
}

impl Config {
    /// Reads a config file's text; reports every problem it can find.
    fn parse(path: PathBuf, text: Arc<str>) -> Result<Config, Vec<Report>> {
        let mut config = Config {
            path,
            text,
            select: None,
            extend_select: Vec::new(),
            ignore: Vec::new(),
            severity: Vec::new(),
            rules: Vec::new(),
            fail_on: None,
            suppressions: Vec::new(),
            limits: Limits::default(),
            rule_time: Some(DEFAULT_TIME_LIMIT),
        };
        // An empty file (or one with only comments) configures nothing.
        let file: Option<ConfigFile> =
            serde_saphyr::from_str(&config.text).map_err(|e| vec![config.yaml_error(&e)])?;
        let Some(file) = file else { return Ok(config) };
        let mut errors = Vec::new();
        let written = |list: &[Spanned<String>]| list.iter().map(Written::from).collect::<Vec<_>>();
        config.select = file.select.as_deref().map(written);
        config.extend_select = written(&file.extend_select);
        config.ignore = written(&file.ignore);
        config.fail_on = file.fail_on;
        let mut severity: Vec<_> =
            file.severity.iter().map(|(k, v)| (Written::from(k), Written::from(v))).collect();
        severity.sort_by_key(|(k, _)| k.span.start());
        for (selector, level) in severity {
            match Severity::parse(&level.text) {
                Some(s) => config.severity.push((selector, s)),
                None => errors.push(config.error(
                    level.span,
                    "not a severity",
                    format!("unknown severity `{}`", level.text),
                    Some(one_of(&level.text, &["error", "warning", "info"])),
                )),
            }
        }
        // Rule folders are relative to the config file, so the file works
        // from any folder below it.
        let base = config.path.parent().unwrap_or(Path::new("")).to_path_buf();
        for dir in written(&file.rules) {
            let path = base.join(&dir.text);
            if path.is_dir() {
                config.rules.push(path);
            } else if path.exists() {
                errors.push(config.error(
                    dir.span,
                    "not a folder",
                    format!("rule folder `{}` is not a folder", path.display()),
                    Some("`rules` lists folders of rule files: name the folder that holds this one".into()),
                ));
            } else {
                errors.push(config.error(
                    dir.span,
                    "no such folder",
                    format!("rule folder `{}` does not exist", path.display()),
                    Some("`rules` folders are relative to the folder of the config file".into()),
                ));
            }
        }
        for entry in &file.suppressions {
            match config.suppression(entry) {
                Ok(s) => config.suppressions.push(s),
                Err(e) => errors.push(e),
            }
        }
        config.read_limits(&file.limits, &mut errors);
        if errors.is_empty() { Ok(config) } else { Err(errors) }
    }

    /// Sets each limit the file writes; a value that is not one is an error
    /// at the value.
    fn read_limits(&mut self, file: &LimitsFile, errors: &mut Vec<Report>) {
        let max_file_size = self.limit(&file.max_file_size, str::parse, errors);
        let max_depth = self.limit(&file.max_depth, |text| parse_count(Limit::Depth, text), errors);
        let max_nodes = self.limit(&file.max_nodes, |text| parse_count(Limit::Nodes, text), errors);
        let max_alias_nodes =
            self.limit(&file.max_alias_nodes, |text| parse_count(Limit::AliasNodes, text), errors);
        if let Some(rule_time) = self.limit(&file.max_rule_time, parse_seconds, errors) {
            self.rule_time = rule_time;
        }
        let default = Limits::default();
        self.limits = Limits {
            max_file_size: max_file_size.unwrap_or(default.max_file_size),
            max_depth: max_depth.unwrap_or(default.max_depth),
            max_nodes: max_nodes.unwrap_or(default.max_nodes),
            max_alias_nodes: max_alias_nodes.unwrap_or(default.max_alias_nodes),
        };
    }

    /// One limit's value, if written and valid.
    fn limit<T>(
        &self,
        value: &Option<Spanned<String>>,
        parse: impl Fn(&str) -> Result<T, String>,
        errors: &mut Vec<Report>,
    ) -> Option<T> {
        let value = Written::from(value.as_ref()?);
        parse(&value.text)
            .map_err(|message| errors.push(self.error(value.span, "not a limit", message, None)))
            .ok()
    }

    fn suppression(&self, entry: &Spanned<SuppressionFile>) -> Result<Suppression, Report> {
        let s = &entry.value;
        let start = span(&entry.referenced).start();
        let Some(code) = s.code.as_ref().map(Written::from) else {
            // From the entry's start to the end of its first value.
            let values =
                [&s.entity, &s.reason, &s.expires].into_iter().flatten().map(|v| span(&v.referenced));
            let first = values.min_by_key(|at| at.start()).map_or(start, |at| at.end());
            let at = Span::new(start, first);
            let help = "name the code of the finding to hide, e.g. code: AC001".to_string();
            return Err(self.error(at, "no `code`", "a suppression has no code", Some(help)));
        };
        let Some(entity) = s.entity.as_ref().map(Written::from) else {
            let at = Span::new(start, code.span.end());
            let message = format!("the suppression of {} has no entity", code.text);
            return Err(self.error(at, "no `entity`", message, Some(ENTITY_HELP.into())));
        };
        let span = Span::new(start, code.span.end().max(entity.span.end()));
        self.said(&entity, "entity", ENTITY_HELP)?;
        let reason = match &s.reason {
            None => {
                let message = format!("the suppression of {} for {} has no reason", code.text, entity.text);
                return Err(self.error(span, "no `reason`", message, Some(REASON_HELP.into())));
            }
            Some(reason) => Written::from(reason),
        };
        self.said(&reason, "reason", REASON_HELP)?;
        let expires = match &s.expires {
            None => None,
            Some(expires) => {
                let at = Written::from(expires);
                let date = Date::parse(&at.text).ok_or_else(|| {
                    self.error(
                        at.span,
                        "not a date",
                        format!("`expires` must be a date, YYYY-MM-DD, not `{}`", at.text),
                        Some("the suppression works through that day, e.g. expires: 2027-01-31".into()),
                    )
                })?;
                Some((date, at.span))
            }
        };
        Ok(Suppression { code, entity, reason: reason.text, expires, span })
    }

    /// A suppression's `field` must say something.
    fn said(&self, value: &Written, field: &str, help: &str) -> Result<(), Report> {
        if !value.text.trim().is_empty() {
            return Ok(());
        }
        Err(self.error(value.span, "empty", format!("a suppression's {field} is empty"), Some(help.into())))
    }

    /// A problem at `span` of the file, reported inside it: the run exits 2.
    pub fn error(&self, span: Span, label: &str, message: impl Into<String>, help: Option<String>) -> Report {
        self.error_with(span, label, None, message, help)
    }

    /// [`error`](Self::error), with another place (and its label) marked too.
    fn error_with(
        &self,
        span: Span,
        label: &str,
        related: Option<(Span, String)>,
        message: impl Into<String>,
        help: Option<String>,
    ) -> Report {
        // A label marks the first line of what it points at (an entry).
        let line = self.text.get(span.start()..span.end()).and_then(|t| t.find('\n'));
        let span = line.map_or(span, |n| Span::new(span.start(), span.start() + n));
        let mut diagnostic = MietteDiagnostic::new(message)
            .with_code("sitelint::config")
            // Primary: the excerpt's header gives its place, not the related one's.
            .with_label(LabeledSpan::new_primary_with_span(Some(label.into()), span));
        if let Some((at, label)) = related {
            diagnostic = diagnostic.and_label(LabeledSpan::new_with_span(Some(label), at));
        }
        if let Some(help) = help {
            diagnostic = diagnostic.with_help(help);
        }
        Report::new(diagnostic)
            // sitelint's own source code: columns count characters.
            .with_source_code(SourceFile::new(
                self.path.clone(),
                self.path.display().to_string(),
                self.text.to_string(),
            ))
    }

    /// The file as a source findings can point into. Its name stands for
    /// its path in what must not depend on how the path was found or
    /// written (`./`, `../`, absolute): SARIF fingerprints, JUnit names.
    pub fn source_file(&self) -> SourceFile {
        let name = self
            .path
            .file_name()
            .map_or_else(|| self.path.display().to_string(), |n| n.to_string_lossy().into_owned());
        SourceFile::new(self.path.clone(), name, self.text.to_string())
    }

    fn yaml_error(&self, error: &serde_saphyr::Error) -> Report {
        let problem = crate::typed_yaml::problem(&self.text, error);
        let help = crate::typed_yaml::choices_help(error)
            .unwrap_or_else(|| "the README's Configuration section describes the file".into());
        self.error_with(
            problem.span,
            &problem.label,
            problem.related,
            format!("invalid config file: {}", problem.message),
            Some(help),
        )
    }
}

/// A count limit as written in the config file or on the command line: a
/// whole number, and for `max-depth` 1 to 255.
pub fn parse_count(limit: Limit, text: &str) -> Result<usize, String> {
    let key = limit.key();
    let (least, most) = match limit {
        Limit::Depth => (1, DEPTH_CEILING),
        _ => (0, usize::MAX),
    };
    // `10_000_000` reads as YAML writes big numbers.
    let digits = text.trim().replace('_', "");
    let n: usize = digits.parse().map_err(|_| format!("{key} must be a whole number, not `{text}`"))?;
    if !(least..=most).contains(&n) {
        let why = match limit {
            Limit::Depth => " (saphyr-parser, the YAML parser, allows no deeper flow nesting)",
            _ => "",
        };
        return Err(format!("{key} must be from {least} to {most}{why}, not {n}"));
    }
    Ok(n)
}

/// `max-rule-time` as written: seconds, a whole or decimal number; 0 is no
/// limit.
pub fn parse_seconds(text: &str) -> Result<Option<Duration>, String> {
    let seconds: f64 = text
        .trim()
        .trim_end_matches('s')
        .parse()
        .map_err(|_| format!("max-rule-time must be a number of seconds, not `{text}`"))?;
    match Duration::try_from_secs_f64(seconds) {
        Ok(d) if d.is_zero() => Ok(None),
        Ok(d) => Ok(Some(d)),
        // Positive, but longer than a `Duration` holds (1e20, inf).
        Err(_) if seconds > 0.0 => Err(format!(
            "max-rule-time `{text}` is more seconds than sitelint can time (about 1.8e19); write 0 for no limit"
        )),
        Err(_) => {
            Err(format!("max-rule-time must be 0 (no limit) or a positive number of seconds, not `{text}`"))
        }
    }
}

const REASON_HELP: &str = "every suppression says why the finding is acceptable: reason: \"...\"";
const ENTITY_HELP: &str = "the entity is what the finding is about: the `entity` of its JSON output";

//! Rendering an access explanation (`sitelint access`): for people, the
//! answer first, then each thing the person may try with the chain of
//! facts that decides it; for programs, the same as one JSON document.

use serde::Serialize;

use crate::access::{Action, Answer, Effect, Explanation, Fact, Person, ProjectAccess};
use crate::model::site::AccountType;
use crate::source::{Location, SourceSet};

/// How many blocking reasons the headline names before "and N more".
const HEADLINE_REASONS: usize = 3;

/// The answer to the person's question for one project, as one sentence:
/// what they cannot do and why, then what they can do.
pub fn headline(person: &Person, project: &ProjectAccess) -> String {
    let headline = Headline::new(person, project);
    let mut sentence = headline.answer;
    if !headline.reasons.is_empty() {
        sentence += &format!(" {}", headline.reasons.join("; "));
        if headline.more > 0 {
            sentence += &format!("; and {} more", headline.more);
        }
        sentence.push('.');
    }
    if let Some(also) = headline.also {
        sentence += &format!(" {also}");
    }
    sentence
}

/// The parts of a headline: the answer ("X cannot ... in P:" or "X can
/// ... ."), the first reasons, how many more there are, and what the
/// person can do besides.
struct Headline {
    answer: String,
    reasons: Vec<String>,
    more: usize,
    also: Option<String>,
}

impl Headline {
    fn new(person: &Person, project: &ProjectAccess) -> Headline {
        let who = person_label(person);
        let key = project.key.as_str();
        let asked =
            project.answers.iter().filter(|a| a.action != Action::WorkAsAgent || project.meant_as_agent);
        let (yes, no): (Vec<&Answer>, Vec<&Answer>) = asked.partition(|a| a.allowed());
        if no.is_empty() {
            let answer = format!("{who} can {}.", phrases(&yes, key, "and"));
            return Headline { answer, reasons: Vec::new(), more: 0, also: None };
        }
        let mut reasons = reasons(&no);
        let more = reasons.len().saturating_sub(HEADLINE_REASONS);
        reasons.truncate(HEADLINE_REASONS);
        Headline {
            answer: format!("{who} cannot {}:", phrases(&no, key, "or")),
            reasons,
            more,
            also: (!yes.is_empty()).then(|| format!("They can {}.", phrases(&yes, key, "and"))),
        }
    }
}

/// The question an answer answers, e.g. "see HELP in the portal".
pub fn question(action: Action, key: &str) -> String {
    Phrase::of(action).text(key, true)
}

/// How actions read in a sentence; the two ways of raising a request read
/// as one when they share a verdict.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Phrase {
    See,
    RaiseBoth,
    RaisePortal,
    RaiseEmail,
    Added,
    Agent,
}

impl Phrase {
    fn of(action: Action) -> Phrase {
        match action {
            Action::SeeInPortal => Phrase::See,
            Action::RaiseInPortal => Phrase::RaisePortal,
            Action::RaiseByEmail => Phrase::RaiseEmail,
            Action::BeAddedAsCustomer => Phrase::Added,
            Action::WorkAsAgent => Phrase::Agent,
        }
    }

    /// The first phrase of a sentence names the project; later ones don't.
    fn text(self, key: &str, first: bool) -> String {
        let (named, plain) = match self {
            Phrase::See => (format!("see {key} in the portal"), "see it in the portal"),
            Phrase::RaiseBoth => (format!("raise requests in {key}"), "raise requests"),
            Phrase::RaisePortal => {
                (format!("raise requests in {key} from the portal"), "raise requests from the portal")
            }
            Phrase::RaiseEmail => (format!("raise requests in {key} by email"), "raise requests by email"),
            Phrase::Added => {
                (format!("be added to {key} as a customer by an agent"), "be added as a customer by an agent")
            }
            Phrase::Agent => (format!("work as an agent in {key}"), "work as an agent"),
        };
        if first { named } else { plain.to_string() }
    }
}

fn phrases(answers: &[&Answer], key: &str, conjunction: &str) -> String {
    let mut kinds: Vec<Phrase> = answers.iter().map(|a| Phrase::of(a.action)).collect();
    if kinds.contains(&Phrase::RaisePortal) && kinds.contains(&Phrase::RaiseEmail) {
        kinds.retain(|k| *k != Phrase::RaiseEmail);
        kinds.iter_mut().filter(|k| **k == Phrase::RaisePortal).for_each(|k| *k = Phrase::RaiseBoth);
    }
    let texts: Vec<String> = kinds.iter().enumerate().map(|(i, k)| k.text(key, i == 0)).collect();
    join(&texts, conjunction)
}

/// `a`, `a or b`, `a, b or c`.
fn join(items: &[String], conjunction: &str) -> String {
    match items {
        [] => String::new(),
        [only] => only.clone(),
        [init @ .., last] => format!("{} {conjunction} {last}", init.join(", ")),
    }
}

/// The distinct blocking facts of the answers, in order, with their rules.
/// Facts at one place are one problem, however each answer words it; the
/// wording that names a rule wins.
fn reasons(answers: &[&Answer]) -> Vec<String> {
    let mut seen: Vec<&Fact> = Vec::new();
    for fact in answers.iter().flat_map(|a| &a.facts).filter(|f| f.effect == Effect::Blocks) {
        // One reason per setting and rule: a scheme without two grants
        // blocks for two rules at one place, each once.
        let here = |s: &Fact| s.at == fact.at;
        if seen.iter().any(|s| here(s) && (fact.rule.is_none() || s.rule == fact.rule)) {
            continue;
        }
        match seen.iter().position(|s| here(s) && s.rule.is_none()) {
            Some(i) => seen[i] = fact,
            None => seen.push(fact),
        }
    }
    seen.iter().map(|f| with_rule(f)).collect()
}

fn with_rule(fact: &Fact) -> String {
    match fact.rule {
        Some(rule) => format!("{} ({rule})", fact.text),
        None => fact.text.clone(),
    }
}

fn person_label(person: &Person) -> &str {
    match person {
        Person::Account { account, .. } => account.email.as_deref().unwrap_or(&account.account_id),
        Person::NoAccount { email } => email,
    }
}

// ---- human ----

/// The explanation for a terminal `width` columns wide: per project, the
/// headline, then each answer with its facts, each fact with the place it
/// is set (`file:line:col`) and, for a fact that blocks, that line.
pub fn human(explanation: &Explanation, sources: &SourceSet, width: usize) -> String {
    let sections: Vec<String> = explanation
        .projects
        .iter()
        .map(|p| project_section(&explanation.person, p, sources, width))
        .collect();
    // The snapshot's names and lines are shown: none of its control
    // characters reaches the terminal as it is. (Wrapped texts are escaped
    // already; this catches the rest, the headline and the excerpts.)
    super::visible(&sections.join("\n")).into_owned()
}

fn project_section(person: &Person, project: &ProjectAccess, sources: &SourceSet, width: usize) -> String {
    let headline = Headline::new(person, project);
    // The answer is one line, however long: it is what the reader came for.
    let mut out = format!("{}\n", headline.answer);
    for reason in &headline.reasons {
        out += &wrap(reason, width, "  ✗ ", "    ");
    }
    if headline.more > 0 {
        out += &format!("  and {} more below\n", headline.more);
    }
    if let Some(also) = &headline.also {
        out += &wrap(also, width, "", "");
    }
    out.push('\n');
    let name = project.name.as_deref().map_or_else(String::new, |n| format!(" ({n})"));
    out += &format!("{}{name}\n", project.key);
    let mut previous: Option<&Answer> = None;
    for answer in &project.answers {
        let verdict = if answer.allowed() { "yes" } else { "no " };
        out += &wrap(&question(answer.action, &project.key), width, &format!("  {verdict} "), "      ");
        // An answer that repeats the previous one's chain and adds to it
        // (raising in the portal is seeing it, plus CREATE_ISSUES) says so
        // instead of printing the chain twice.
        let facts = match previous.filter(|p| answer.facts.starts_with(&p.facts)) {
            Some(p) => {
                let added = if answer.facts.len() > p.facts.len() { ", and:" } else { "" };
                let text = format!("as for \"{}\"{added}", question(p.action, &project.key));
                out += &wrap(&text, width, "      … ", "        ");
                &answer.facts[p.facts.len()..]
            }
            None => &answer.facts[..],
        };
        for fact in facts {
            out += &fact_lines(fact, sources, width);
        }
        previous = Some(answer);
    }
    out
}

fn fact_lines(fact: &Fact, sources: &SourceSet, width: usize) -> String {
    let mark = match fact.effect {
        Effect::Allows => "✓",
        Effect::Blocks => "✗",
        Effect::Note => "·",
    };
    let mut out = wrap(&with_rule(fact), width, &format!("      {mark} "), "        ");
    let Some(at) = fact.at else { return out };
    out += &format!("        at {}\n", place(sources, at));
    if fact.effect == Effect::Blocks {
        out += &excerpt(sources, at, width);
    }
    out
}

/// The line a blocking fact points at, trimmed to fit.
fn excerpt(sources: &SourceSet, at: Location, width: usize) -> String {
    let file = sources.get(at.file);
    let line = file.line_col(at.span.start()).line;
    let start = file.offset_of(line, 1).unwrap_or(0);
    let rest = file.text.get(start..).unwrap_or("");
    let text = rest.lines().next().unwrap_or("").trim();
    let prefix = "        │ ";
    let room = width.saturating_sub(prefix.chars().count()).max(10);
    let shown = if text.chars().count() > room {
        text.chars().take(room - 1).chain(['…']).collect()
    } else {
        text.to_string()
    };
    format!("{prefix}{shown}\n")
}

fn place(sources: &SourceSet, at: Location) -> String {
    let start = sources.get(at.file).line_col(at.span.start());
    format!("{}:{}:{}", sources.path(at.file).display(), start.line, start.column)
}

/// Wraps as all output does ([`super::wrapping`]): paths and rule names keep
/// their hyphens.
fn wrap(text: &str, width: usize, first: &str, rest: &str) -> String {
    let options = super::wrapping(width).initial_indent(first).subsequent_indent(rest);
    // Escaped before it is wrapped, so that the escapes count in the width.
    let mut out = textwrap::fill(&super::visible(text), options);
    out.push('\n');
    out
}

// ---- JSON ----

#[derive(Serialize)]
struct JsonExplanation<'a> {
    person: JsonPerson<'a>,
    projects: Vec<JsonProject<'a>>,
}

#[derive(Serialize)]
struct JsonPerson<'a> {
    /// The email (or account id) the explanation is about.
    name: &'a str,
    /// The account they use; `null` when they have none.
    account: Option<JsonAccount<'a>>,
    /// Other accounts with the same email.
    same_email: Vec<JsonAccount<'a>>,
}

#[derive(Serialize)]
struct JsonAccount<'a> {
    account_id: &'a str,
    email: Option<&'a str>,
    account_type: &'static str,
    #[serde(flatten)]
    place: JsonPlace,
}

#[derive(Serialize)]
struct JsonPlace {
    file: String,
    line: usize,
    column: usize,
}

#[derive(Serialize)]
struct JsonProject<'a> {
    key: &'a str,
    name: Option<&'a str>,
    #[serde(flatten)]
    place: JsonPlace,
    /// The headline: the answer to the person's question.
    summary: String,
    meant_as_agent: bool,
    answers: Vec<JsonAnswer<'a>>,
}

#[derive(Serialize)]
struct JsonAnswer<'a> {
    action: &'static str,
    question: String,
    allowed: bool,
    facts: Vec<JsonFact<'a>>,
}

#[derive(Serialize)]
struct JsonFact<'a> {
    effect: &'static str,
    text: &'a str,
    rule: Option<&'static str>,
    /// Where the setting is; `null`s for a default nobody wrote down, so
    /// every fact has the same keys.
    file: Option<String>,
    line: Option<usize>,
    column: Option<usize>,
}

/// The explanation as one JSON document (lines and columns 1-based, `file`
/// the path as opened, as in `check --format json`).
pub fn json(explanation: &Explanation, sources: &SourceSet) -> String {
    let document = JsonExplanation {
        person: json_person(&explanation.person, sources),
        projects: explanation
            .projects
            .iter()
            .map(|p| json_project(&explanation.person, p, sources))
            .collect(),
    };
    // Plain structs of strings and numbers always serialize.
    let mut out = super::json::escape_controls(serde_json::to_string_pretty(&document).unwrap_or_default());
    out.push('\n');
    out
}

fn json_person<'a>(person: &'a Person, sources: &SourceSet) -> JsonPerson<'a> {
    match person {
        Person::Account { account, same_email } => JsonPerson {
            name: person_label(person),
            account: Some(json_account(account, sources)),
            same_email: same_email.iter().map(|a| json_account(a, sources)).collect(),
        },
        Person::NoAccount { email } => JsonPerson { name: email, account: None, same_email: Vec::new() },
    }
}

fn json_account<'a>(account: &'a crate::access::Account, sources: &SourceSet) -> JsonAccount<'a> {
    JsonAccount {
        account_id: &account.account_id,
        email: account.email.as_deref(),
        account_type: match account.account_type {
            AccountType::Atlassian => "atlassian",
            AccountType::Customer => "customer",
            AccountType::App => "app",
        },
        place: json_place(sources, account.at),
    }
}

fn json_project<'a>(person: &Person, project: &'a ProjectAccess, sources: &SourceSet) -> JsonProject<'a> {
    JsonProject {
        key: &project.key,
        name: project.name.as_deref(),
        place: json_place(sources, project.at),
        summary: headline(person, project),
        meant_as_agent: project.meant_as_agent,
        answers: project
            .answers
            .iter()
            .map(|a| JsonAnswer {
                action: a.action.id(),
                question: question(a.action, &project.key),
                allowed: a.allowed(),
                facts: a
                    .facts
                    .iter()
                    .map(|f| {
                        let place = f.at.map(|at| json_place(sources, at));
                        JsonFact {
                            effect: f.effect.id(),
                            text: &f.text,
                            rule: f.rule,
                            file: place.as_ref().map(|p| p.file.clone()),
                            line: place.as_ref().map(|p| p.line),
                            column: place.as_ref().map(|p| p.column),
                        }
                    })
                    .collect(),
            })
            .collect(),
    }
}

fn json_place(sources: &SourceSet, at: Location) -> JsonPlace {
    let start = sources.get(at.file).line_col(at.span.start());
    JsonPlace { file: sources.path(at.file).display().to_string(), line: start.line, column: start.column }
}

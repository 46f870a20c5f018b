//! The admin.atlassian.com "Export users" CSV: accounts, their status, app
//! access (roles) and group memberships. Columns are found by name, in any
//! order, so both header generations read:
//!
//! - since September 2021: `User id`, `User name`, `email`, `User status`,
//!   `Added to org`, `Org role`, `Last seen in <app> - <site>`,
//!   `<app> - <site>` (the role, or Yes/No), and `Group name` (a
//!   comma-separated list, or pivoted: one group per `Group name` column);
//! - before: `group_name` (one row per group), `username`, `full_name`,
//!   `email`, `active` (Yes/No), `last_login`, `last_session`, and one
//!   Yes/No column per app (`Jira Service Desk`, `Jira Software`, ...).
//!
//! Rows of the same account are merged when they differ only in groups;
//! one that says otherwise is unmapped.

use std::collections::BTreeMap;

use super::gather::{Gathered, Source, Target, fill};
use super::input::{InputError, InputFile};
use crate::source::SourceFile;

const JSM: &str = "jira-servicemanagement";

/// App names as the export writes them, without the ` - <site>` suffix.
const APPS: &[&str] = &[
    "jira service management",
    "jira service desk",
    "jira software",
    "jira work management",
    "jira core",
    "jira",
    "jira product discovery",
    "confluence",
    "opsgenie",
    "statuspage",
    "bitbucket",
    "trello",
    "compass",
    "loom",
];

/// Columns read for information only: nothing in the snapshot holds them.
const IGNORED: &[&str] = &["added to org", "last login", "last session", "last active", "last seen"];

#[derive(Debug, Clone, PartialEq)]
enum Column {
    Id,
    Name,
    Email,
    Status,
    Active,
    OrgRole,
    Groups,
    App(String),
    Ignored,
    Unused,
}

/// What the summary says about a CSV file.
pub struct CsvRead {
    pub generation: &'static str,
    pub rows: usize,
    pub users: usize,
    /// Column names nothing reads, as written.
    pub unused: Vec<String>,
}

pub fn add_user_csv(g: &mut Gathered, file: &InputFile) -> Result<CsvRead, InputError> {
    // The csv crate reads an unclosed quote to the end of the file without
    // an error, swallowing every row after it into one value.
    // Lines as the csv crate reads them (at LF, CRLF or a lone CR), found
    // through one index: a row's line was a scan from the file's start.
    let lines = SourceFile::new(file.name.clone().into(), file.name.clone(), file.text.clone());
    // The csv crate ends a row at its CR, so the next row's position can be
    // the LF of a CRLF: its line is that of the row's first character.
    let line_of = |offset: u64| {
        let offset = offset as usize;
        let rest = file.text.as_bytes().get(offset..).unwrap_or_default();
        let start = offset + rest.iter().take_while(|&&b| b == b'\n').count().min(1);
        lines.line_col(start).line
    };
    if let Some(offset) = unclosed_quote(&file.text) {
        let at = lines.line_col(offset);
        return Err(InputError::new(&file.name, "not a readable CSV file: this quote is never closed")
            .at(at.line, Some(at.column))
            .help("a value in double quotes must end with a double quote; a quote inside it is written twice (\"\")"));
    }
    let mut reader =
        csv::ReaderBuilder::new().flexible(true).trim(csv::Trim::All).from_reader(file.text.as_bytes());
    let headers = reader.headers().map_err(|e| csv_error(file, &e, line_of))?.clone();
    let columns: Vec<Column> = headers.iter().map(|h| classify(g, h)).collect();
    let id_column = columns.iter().position(|c| *c == Column::Id);
    if id_column.is_none() || !columns.contains(&Column::Email) {
        let found: Vec<&str> = headers.iter().take(8).collect();
        return Err(InputError::new(
            &file.name,
            "not the admin \"Export users\" CSV: it needs a `User id` and an `email` column",
        )
        .at(1, None)
        .help(format!(
            "its columns are: {}; export it from admin.atlassian.com > Directory > Users > Export users",
            found.join(", ")
        )));
    }
    let legacy = headers.iter().any(|h| normalize(h) == "username");
    let mut read = CsvRead {
        generation: if legacy {
            "the site admin \"Export users\" CSV (before September 2021)"
        } else {
            "the admin.atlassian.com \"Export users\" CSV"
        },
        rows: 0,
        users: 0,
        unused: headers
            .iter()
            .zip(&columns)
            .filter(|(_, c)| **c == Column::Unused)
            .map(|(h, _)| h.to_string())
            .collect(),
    };
    let mut seen = std::collections::BTreeSet::new();
    let mut first_rows = BTreeMap::new();
    for record in reader.records() {
        let record = record.map_err(|e| csv_error(file, &e, line_of))?;
        if record.iter().all(str::is_empty) {
            continue;
        }
        read.rows += 1;
        let line = record.position().map(|p| line_of(p.byte()));
        if record.len() != headers.len() {
            return Err(ragged_row(file, record.len(), headers.len(), line));
        }
        if let Some(id) = add_row(g, file, &headers, &columns, &record, line, &mut first_rows) {
            seen.insert(id);
        }
    }
    read.users = seen.len();
    if let Some(missing) = missing_product_access(&columns) {
        g.notes.push((Source::new(&file.name, Some(1)), missing.to_string()));
    }
    if legacy {
        g.notes.push((
            Source::new(&file.name, Some(1)),
            "this export predates account ids: its `username` is used as the account id, so accounts named in \
             REST exports (by account id) will not match; export the users again from admin.atlassian.com"
                .to_string(),
        ));
    }
    Ok(read)
}

/// A row with more or fewer values than the header has columns. `flexible`
/// reads both: values past the last column would be read by nothing, and a
/// row that ends early would read as empty cells (no JSM role, no groups),
/// so both are errors.
fn ragged_row(file: &InputFile, values: usize, columns: usize, line: Option<usize>) -> InputError {
    let help = if values > columns {
        "a value holding a comma must be in double quotes"
    } else {
        "values are missing: every row has a value for each column, an empty one too (`a,,b`)"
    };
    InputError::new(
        &file.name,
        format!(
            "not a readable CSV file: this row has {values} values, but the header has {columns} columns"
        ),
    )
    .at(line.unwrap_or(1), None)
    .help(help)
}

/// Without the Jira Service Management column the CSV says nothing of JSM
/// roles: every account would read as holding none, and `check` would
/// report agents and customers as lacking one (AC001, AC005).
fn missing_product_access(columns: &[Column]) -> Option<&'static str> {
    if columns.contains(&Column::App(JSM.to_string())) {
        return None;
    }
    Some(if columns.iter().any(|c| matches!(c, Column::App(_))) {
        "the CSV has no Jira Service Management column, so no JSM role (agent, customer, \
         collaborator) was imported: if the site has JSM, export the users again and keep its column"
    } else {
        "the CSV has no product access columns (`<app> - <site>`), so no JSM role (agent, customer, \
         collaborator) was imported: export the users again with product access included"
    })
}

/// The values of an account's first row that rows repeating it must
/// match, with where that row is.
type FirstRows = BTreeMap<String, (Source, Vec<String>)>;

/// One row: the account, merged with earlier rows and files.
fn add_row(
    g: &mut Gathered,
    file: &InputFile,
    headers: &csv::StringRecord,
    columns: &[Column],
    record: &csv::StringRecord,
    line: Option<usize>,
    first_rows: &mut FirstRows,
) -> Option<String> {
    let source = Source::new(&file.name, line);
    let cell = |wanted: &Column| {
        columns
            .iter()
            .zip(record.iter())
            .find(|(c, v)| *c == wanted && !v.is_empty())
            .map(|(_, v)| v.to_string())
    };
    let Some(account_id) = cell(&Column::Id) else {
        let who = cell(&Column::Email).or_else(|| cell(&Column::Name)).unwrap_or_else(|| "(no email)".into());
        let what = format!("user {who}: the row has no user id; it says {}", said(headers, record));
        g.unmapped(source, Target::Site, what);
        return None;
    };
    // The older generation repeats an account's row once per group, the
    // values other than the group the same. A row that disagrees is
    // another record under the same id: kept as a comment, not merged.
    let compared = |i: usize| !matches!(columns[i], Column::Groups | Column::Ignored | Column::Unused);
    let values: Vec<String> = (0..columns.len())
        .filter(|&i| compared(i))
        .map(|i| record.get(i).unwrap_or("").to_string())
        .collect();
    match first_rows.get(&account_id) {
        None => {
            first_rows.insert(account_id.clone(), (source.clone(), values));
        }
        Some((first, first_values)) if *first_values != values => {
            let at = first.line.map(|l| format!(" at line {l}")).unwrap_or_default();
            let what = format!(
                "user {account_id}: this row disagrees with the account's row{at}, which is kept; it says {}",
                said(headers, record)
            );
            g.unmapped(source, Target::User(account_id.clone()), what);
            return Some(account_id);
        }
        Some(_) => {}
    }
    let mut problems = Vec::new();
    let user = g.user(&account_id, &source);
    fill(&mut user.email, cell(&Column::Email));
    fill(&mut user.name, cell(&Column::Name));
    for (column, (header, value)) in columns.iter().zip(headers.iter().zip(record.iter())) {
        let result = match column {
            Column::Status => status(value).map(|(status, access)| {
                fill(&mut user.status, status);
                fill(&mut user.site_access, access);
            }),
            Column::Active => active(value).map(|status| fill(&mut user.status, status)),
            Column::OrgRole => org_role(value).map(|role| {
                user.admin_roles.extend(role);
            }),
            Column::App(app) => app_role(app, value).map(|role| {
                if let Some((role, admin)) = role {
                    user.roles.entry(app.clone()).or_insert(role);
                    if admin {
                        user.admin_roles.insert("product-admin");
                    }
                }
            }),
            _ => Ok(()),
        };
        if result.is_err() {
            problems.push(format!("{header} is {value:?}, which the snapshot format cannot say"));
        }
    }
    // One `Group name` column holds a comma-separated list; pivoted
    // columns hold one group each (which may hold a comma).
    let pivoted = columns.iter().filter(|c| **c == Column::Groups).count() > 1;
    let groups: Vec<String> = columns
        .iter()
        .zip(record.iter())
        .filter(|(c, _)| **c == Column::Groups)
        .flat_map(|(_, v)| if pivoted { vec![v] } else { v.split(',').collect() })
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    user.groups.extend(groups.iter().cloned());
    for group in &groups {
        g.group(group, None);
    }
    for problem in problems {
        g.unmapped(source.clone(), Target::User(account_id.clone()), problem);
    }
    Some(account_id)
}

/// A row's non-empty values, each after its column's name, for a comment
/// that keeps the row. Rows have as many values as the header (else an
/// error).
fn said(headers: &csv::StringRecord, record: &csv::StringRecord) -> String {
    let values: Vec<String> = headers
        .iter()
        .zip(record.iter())
        .filter(|(_, v)| !v.is_empty())
        .map(|(h, v)| format!("{h} {v:?}"))
        .collect();
    values.join(", ")
}

fn classify(g: &mut Gathered, header: &str) -> Column {
    let name = normalize(header);
    match name.as_str() {
        "user id" | "id" | "account id" | "atlassian id" | "username" => return Column::Id,
        "user name" | "name" | "full name" | "display name" => return Column::Name,
        "email" | "email address" => return Column::Email,
        "user status" | "status" => return Column::Status,
        "active" => return Column::Active,
        "org role" | "organization role" | "organisation role" => return Column::OrgRole,
        _ => {}
    }
    if name.starts_with("group") {
        return Column::Groups;
    }
    // `Jira Service Management - acme`, `Last seen in Jira - acme`: the
    // suffix is the site's name.
    let (app, site) = name.split_once(" - ").map_or((name.as_str(), None), |(a, s)| (a, Some(s)));
    // The site's name as written (the normalized header is lower case).
    if let Some((_, site)) =
        header.trim().split_once(" - ").map(|(a, s)| (a, s.trim())).filter(|(_, s)| !s.is_empty())
    {
        g.site_names.insert(site.split('.').next().unwrap_or(site).to_string());
    }
    if IGNORED.iter().any(|i| app.starts_with(i)) {
        return Column::Ignored;
    }
    if APPS.contains(&app) || site.is_some() {
        return Column::App(app_key(app));
    }
    Column::Unused
}

/// Lower case, `_` as a space, single spaces.
fn normalize(header: &str) -> String {
    header.replace('_', " ").split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

/// The snapshot's app key for an app name.
fn app_key(app: &str) -> String {
    match app {
        "jira service management" | "jira service desk" => JSM.to_string(),
        other => other.replace(' ', "-"),
    }
}

/// `User status`: Active, Suspended (access to the org's apps removed) or
/// Deactivated. Returns `(status, site_access)` to set.
#[allow(clippy::type_complexity)]
fn status(value: &str) -> Result<(Option<&'static str>, Option<bool>), ()> {
    match value.to_lowercase().as_str() {
        "" | "active" | "invited" | "pending" => Ok((None, None)),
        "suspended" | "suspended access" => Ok((None, Some(false))),
        "deactivated" | "inactive" | "disabled" => Ok((Some("inactive"), None)),
        "closed" | "deleted" => Ok((Some("closed"), None)),
        _ => Err(()),
    }
}

/// The old `active` column: Yes or No.
fn active(value: &str) -> Result<Option<&'static str>, ()> {
    match value.to_lowercase().as_str() {
        "" | "yes" | "true" => Ok(None),
        "no" | "false" => Ok(Some("inactive")),
        _ => Err(()),
    }
}

fn org_role(value: &str) -> Result<Option<&'static str>, ()> {
    match value.to_lowercase().as_str() {
        "" | "member" | "basic" | "user" | "none" | "-" => Ok(None),
        "org admin" | "organization admin" | "organisation admin" | "admin" => Ok(Some("org-admin")),
        "site admin" => Ok(Some("site-admin")),
        "user access admin" => Ok(Some("user-access-admin")),
        _ => Err(()),
    }
}

/// An app column's cell: the role (and whether it makes a product admin),
/// or `None` for no access. For Jira Service Management, Atlassian's "User"
/// (and the old Yes) is an agent.
fn app_role(app: &str, value: &str) -> Result<Option<(String, bool)>, ()> {
    let value = value.to_lowercase();
    let role = |r: &str, admin| Ok(Some((r.to_string(), admin)));
    match value.as_str() {
        "" | "no" | "false" | "none" | "no access" | "-" => return Ok(None),
        "product admin" | "admin" | "administrator" if app == JSM => return role("agent", true),
        "product admin" | "admin" | "administrator" => return role("user", true),
        _ => {}
    }
    if app == JSM {
        return match value.as_str() {
            "agent" | "user" | "yes" | "true" | "has access" => role("agent", false),
            "customer" => role("customer", false),
            "collaborator" => role("collaborator", false),
            _ => Err(()),
        };
    }
    match value.as_str() {
        "yes" | "true" | "user" | "has access" => role("user", false),
        // Other apps' roles (a Confluence guest, ...) are free-form.
        other => role(&other.replace(' ', "-"), false),
    }
}

fn csv_error(file: &InputFile, e: &csv::Error, line_of: impl Fn(u64) -> usize) -> InputError {
    let error = InputError::new(&file.name, format!("not a readable CSV file: {e}"));
    match e.position() {
        Some(p) => error.at(line_of(p.byte()), None),
        None => error,
    }
}

/// The byte offset of a quote that opens a value and is never closed. A
/// quote opens a value only at its start; inside, `""` is a quote.
fn unclosed_quote(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut open = None;
    let mut at_start = true;
    let mut i = 0;
    while i < bytes.len() {
        match (open, bytes[i]) {
            (Some(_), b'"') if bytes.get(i + 1) == Some(&b'"') => i += 1,
            (Some(_), b'"') => {
                open = None;
                at_start = false;
            }
            (Some(_), _) => {}
            (None, b'"') if at_start => open = Some(i),
            (None, b',' | b'\n' | b'\r') => at_start = true,
            (None, _) => at_start = false,
        }
        i += 1;
    }
    open
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::input::Content;

    fn read(text: &str) -> (Gathered, Result<CsvRead, InputError>) {
        let mut g = Gathered::default();
        let file = InputFile::new("u.csv".into(), "u.csv".into(), text.into(), Content::Csv);
        let read = add_user_csv(&mut g, &file);
        (g, read)
    }

    #[test]
    fn current_generation_with_quoted_commas_and_crlf() {
        let text = "User id,User name,email,User status,Added to org,Org role,Last seen in Jira Service Management - acme,Jira Service Management - acme,Jira - acme,Group name\r\n\
            712020:a,\"Ng, Alice\",alice@acme.com,Active,2024-01-02,Org admin,Never accessed,Agent,User,\"jsm-agents, jira-admins\"\r\n\
            712020:b,Bob,bob@acme.com,Suspended,,Member,,Customer,,\r\n\
            712020:c,Carol,carol@acme.com,Deactivated,,,,Collaborator,No,jsm-agents\r\n";
        let (g, read) = read(text);
        let read = read.unwrap();
        assert_eq!((read.rows, read.users), (3, 3));
        assert!(read.unused.is_empty(), "{:?}", read.unused);
        let alice = &g.users["712020:a"];
        assert_eq!(alice.name.as_deref(), Some("Ng, Alice"));
        assert_eq!(alice.roles.get(JSM).map(String::as_str), Some("agent"));
        assert_eq!(alice.roles.get("jira").map(String::as_str), Some("user"));
        assert_eq!(alice.groups.iter().collect::<Vec<_>>(), ["jira-admins", "jsm-agents"]);
        assert!(alice.admin_roles.contains("org-admin"));
        assert_eq!(g.users["712020:b"].site_access, Some(false));
        assert_eq!(g.users["712020:b"].roles.get(JSM).map(String::as_str), Some("customer"));
        assert_eq!(g.users["712020:c"].status, Some("inactive"));
        assert!(!g.users["712020:c"].roles.contains_key("jira"));
        assert_eq!(g.site_names.iter().collect::<Vec<_>>(), ["acme"]);
        assert_eq!(g.groups.len(), 2);
    }

    #[test]
    fn pivoted_groups_and_old_generation_rows_per_group() {
        let pivoted =
            "User id,email,Group name,Group name,Group name\n712020:a,a@x.com,g1,\"g2, with a comma\",\n";
        let (g, _) = read(pivoted);
        assert_eq!(g.users["712020:a"].groups.iter().collect::<Vec<_>>(), ["g1", "g2, with a comma"]);
        let legacy = "group_name,username,full_name,email,active,last_login,last_session,Jira Service Desk,Jira Software,Jira Core,Confluence\n\
            group2,fgambale,Frank Gambale,frank@ggam.test,Yes,14 Dec 2012 15:31:57,,Yes,Yes,No,Yes\n\
            group1,fgambale,Frank Gambale,frank@ggam.test,Yes,14 Dec 2012 15:31:57,,Yes,Yes,No,Yes\n\
            group1,dtrucks,Derek Trucks,derek@ggam.test,No,,23 Oct 2015 02:53:20,No,Yes,No,No\n";
        let (g, read) = read(legacy);
        let read = read.unwrap();
        assert_eq!((read.rows, read.users), (3, 2));
        assert!(read.generation.contains("before September 2021"));
        let frank = &g.users["fgambale"];
        assert_eq!(frank.groups.len(), 2);
        assert_eq!(frank.roles.get(JSM).map(String::as_str), Some("agent"));
        assert_eq!(frank.roles.get("confluence").map(String::as_str), Some("user"));
        assert!(!frank.roles.contains_key("jira-core"));
        assert_eq!(g.users["dtrucks"].status, Some("inactive"));
        assert_eq!(g.notes.len(), 1);
    }

    #[test]
    fn values_it_cannot_map_are_unmapped_at_the_user() {
        let text = "User id,email,User status,Jira Service Management - acme\n712020:a,a@x.com,Frozen,Basic\n,b@x.com,Active,Agent\n";
        let (g, _) = read(text);
        let what: Vec<String> =
            g.unmapped.iter().map(|u| format!("{} {:?} {}", u.source, u.target, u.what)).collect();
        assert_eq!(
            what,
            [
                "u.csv:2 User(\"712020:a\") User status is \"Frozen\", which the snapshot format cannot say",
                "u.csv:2 User(\"712020:a\") Jira Service Management - acme is \"Basic\", which the snapshot format cannot say",
                "u.csv:3 Site user b@x.com: the row has no user id; it says email \"b@x.com\", User status \"Active\", Jira Service Management - acme \"Agent\"",
            ]
        );
    }

    #[test]
    fn a_csv_without_the_columns_is_an_error() {
        let (_, read) = read("name,phone\nA,1\n");
        let e = read.err().expect("an error");
        assert!(e.to_string().starts_with("u.csv:1: not the admin \"Export users\" CSV"), "{e}");
    }
}

//! `sitelint import`: saved Atlassian exports to a snapshot folder.
//!
//! The flow: read every `*.json` and `*.csv` of the input folder
//! (`input`), recognise each by its content (`detect`, with `hints` for
//! what only links or file names tell), gather the records of all files
//! (`rest`, `jsm`, `user_csv` into `gather`), turn what the snapshot could
//! not load into unmapped items (`resolve`), write the snapshot files
//! (`emit`, `yaml`, `output`) and report (`summary`, on standard output).
//! Errors go to standard error and exit 2; nothing is written then.

mod detect;
mod emit;
mod gather;
mod hints;
mod input;
mod jsm;
mod output;
mod resolve;
mod rest;
mod summary;
mod user_csv;
mod yaml;

use std::path::PathBuf;

use serde_json::Value;

use crate::cli::write_stderr;

use detect::Export;
use std::collections::BTreeSet;

use gather::{Gathered, Source};
use input::{Content, InputError, InputFile};
use summary::Summary;

const EXIT_UNUSABLE: u8 = 2;

const SUPPORTED: &str = "sitelint imports GET /rest/api/3/permissionscheme?expand=all, /project/search, \
    /project/{key}/role, /project/{key}/role/{id}, /project/{key}/permissionscheme, /role, \
    /rest/servicedeskapi/servicedesk, /servicedesk/{id}/customer, /servicedesk/{id}/organization, \
    /organization, /organization/{id}/user, and the admin \"Export users\" CSV; move other files out of \
    the folder, or pass --skip-unrecognized";

/// A page of users says whose it is only in its links or file name: a
/// page saved without the links is recognised once renamed.
const RENAME_USER_PAGE: &str = "a page of customers or members is recognised by its file name when its \
    links do not say whose it is: rename it servicedesk-{id or KEY}-customer.json (customers of a service \
    desk) or organization-{id}-user.json (members of an organization), or pass --skip-unrecognized";
const RENAME_USER_PAGE_SHORT: &str =
    "to import it, rename it servicedesk-{id or KEY}-customer.json or organization-{id}-user.json";

#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// The folder of saved exports: REST responses (*.json) and the admin "Export users" CSV
    /// (*.csv). One file works too.
    pub input: PathBuf,
    /// The snapshot folder to write (created when missing).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Write into a folder that is not empty: its snapshot files (*.yaml, *.yml, *.json) are
    /// replaced, other files are kept. A folder holding input files or a saved export is
    /// refused all the same.
    #[arg(long)]
    pub force: bool,
    /// Import what is recognised even when some JSON files are not (they are listed).
    #[arg(long)]
    pub skip_unrecognized: bool,
}

pub fn run(args: &ImportArgs) -> u8 {
    match import(args) {
        // The snapshot is written by now; a summary that cannot be printed
        // still fails the run, as a check's report does.
        Ok(summary) => crate::cli::print(&summary.render()),
        Err(errors) => {
            let mut text: String = errors.iter().map(|error| format!("error: {error}\n")).collect();
            if errors.len() > 1 {
                text += &format!("{} problems; nothing was written\n", errors.len());
            } else {
                text += "nothing was written\n";
            }
            write_stderr(&text);
            EXIT_UNUSABLE
        }
    }
}

fn import(args: &ImportArgs) -> Result<Summary, Vec<String>> {
    let inputs = input::read_inputs(&args.input).map_err(|e| vec![e.to_string()])?;
    let stale = output::prepare(&args.out, &args.input, &inputs.paths, args.force).map_err(|e| vec![e])?;
    let mut errors: Vec<InputError> = inputs.errors;
    let mut summary = Summary {
        input: output::shown(&args.input),
        out: output::shown(&args.out),
        skipped: inputs.skipped.into_iter().map(|s| s.name).collect(),
        ..Summary::default()
    };
    if inputs.files.is_empty() && errors.is_empty() {
        let message = format!("no *.json or *.csv files in {}", summary.input);
        return Err(vec![
            message + "\n  help: save the REST responses and the user export CSV into that folder",
        ]);
    }
    let mut gathered = Gathered::default();
    let mut exports: Vec<(usize, &InputFile, Option<Export>)> = Vec::new();
    for file in &inputs.files {
        match &file.content {
            Content::Csv => exports.push((0, file, None)),
            Content::Json(json) => {
                collect_site_urls(json, &mut gathered);
                match detect::detect(&file.relative, json) {
                    Ok(export) => exports.push((rank(&export), file, Some(export))),
                    Err(reason) if args.skip_unrecognized => {
                        // Skipped, a page of users is still one rename away.
                        let reason = if detect::is_user_page(json) {
                            format!("{reason}; {RENAME_USER_PAGE_SHORT}")
                        } else {
                            reason
                        };
                        summary.unrecognized.push((file.name.clone(), reason))
                    }
                    Err(reason) => {
                        let help = if detect::is_user_page(json) { RENAME_USER_PAGE } else { SUPPORTED };
                        errors.push(
                            InputError::new(&file.name, format!("not an export sitelint knows: {reason}"))
                                .help(help),
                        )
                    }
                }
            }
        }
    }
    let mut what_read = std::collections::BTreeMap::new();
    // Files that others depend on come first: the user CSV (the richest
    // account data), service desk and project listings, role names.
    exports.sort_by_key(|(rank, file, _)| (*rank, file.name.clone()));
    for (_, file, export) in &exports {
        match export {
            None => match user_csv::add_user_csv(&mut gathered, file) {
                Ok(read) => {
                    let mut what =
                        format!("{}: {} in {} rows", read.generation, plural(read.users, "user"), read.rows);
                    if !read.unused.is_empty() {
                        what += &format!("; columns not read: {}", read.unused.join(", "));
                    }
                    what_read.insert(file.name.clone(), what);
                }
                Err(e) => errors.push(e),
            },
            Some(export) => {
                apply(&mut gathered, file, export);
                what_read.insert(file.name.clone(), export.describe());
            }
        }
    }
    if !errors.is_empty() {
        return Err(errors.iter().map(ToString::to_string).collect());
    }
    let recognised: Vec<&InputFile> = exports.iter().map(|(_, file, _)| *file).collect();
    gathered.notes.extend(missing_pages(&recognised));
    summary.read = what_read.into_iter().collect();
    resolve::resolve(&mut gathered);
    let files = emit::emit(&gathered, &summary.input);
    summary.removed = output::write(&args.out, &files, &stale).map_err(|e| vec![e])?;
    summary.written =
        files.iter().map(|f| (output::shown(&args.out.join(&f.path)), f.what.clone())).collect();
    summary.unmapped = gathered
        .unmapped
        .iter()
        .map(|u| {
            let kept = output::shown(&args.out.join(emit::target_file(&u.target)));
            (u.source.clone(), u.what.clone(), kept)
        })
        .collect();
    // Listed by input file and line, whatever order they were found in.
    summary.unmapped.sort();
    summary.notes = gathered.notes;
    summary.notes.sort();
    Ok(summary)
}

/// The order exports are applied in (lower first).
fn rank(export: &Export) -> usize {
    match export {
        Export::ServiceDesks(_) => 1,
        Export::Projects(_) => 2,
        Export::RoleList(_) => 3,
        Export::RoleMap(_) => 4,
        Export::RoleDetail(_) => 5,
        Export::PermissionSchemes(_) => 6,
        Export::ProjectScheme { .. } => 7,
        Export::Organizations(_) => 8,
        Export::OrganizationMembers { .. } => 9,
        Export::DeskOrganizations { .. } => 10,
        Export::DeskCustomers { .. } => 11,
        Export::Empty => 12,
    }
}

fn apply(g: &mut Gathered, file: &InputFile, export: &Export) {
    match export {
        Export::PermissionSchemes(schemes) => rest::add_schemes(g, file, schemes),
        Export::ProjectScheme { project, scheme } => rest::set_project_scheme(g, file, project, scheme),
        Export::Projects(projects) => rest::add_projects(g, file, projects),
        Export::RoleMap(links) => rest::add_role_map(g, file, links),
        Export::RoleDetail(role) => rest::add_role_detail(g, file, role),
        Export::RoleList(roles) => rest::add_role_list(g, roles),
        Export::ServiceDesks(desks) => jsm::add_service_desks(g, file, desks),
        Export::DeskCustomers { desk, users } => jsm::add_desk_customers(g, file, desk, users),
        Export::DeskOrganizations { desk, organizations } => {
            jsm::add_desk_organizations(g, file, desk, organizations)
        }
        Export::Organizations(organizations) => {
            jsm::add_organizations(g, file, organizations);
        }
        Export::OrganizationMembers { organization, users } => {
            jsm::add_organization_members(g, file, organization, users)
        }
        Export::Empty => {}
    }
}

/// The site's URL, from the `self` and `base` links the responses carry.
fn collect_site_urls(json: &Value, g: &mut Gathered) {
    match json {
        Value::Object(object) => {
            for (key, value) in object {
                match value {
                    Value::String(url) if key == "self" || key == "base" => {
                        g.site_urls.extend(hints::origin(url));
                    }
                    _ => collect_site_urls(value, g),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|item| collect_site_urls(item, g)),
        _ => {}
    }
}

/// Pages of a listing (JSM's `isLastPage`, Jira's `isLast`) whose next
/// or earlier page is not among the saved files: the snapshot lacks what
/// it holds.
fn missing_pages(files: &[&InputFile]) -> Vec<(Source, String)> {
    let pages: Vec<(&InputFile, &Value)> = files
        .iter()
        .filter_map(|file| match &file.content {
            Content::Json(page) if page.is_object() => Some((*file, page)),
            _ => None,
        })
        .collect();
    // Each saved page as its listing's URL (without the query) and its
    // first item's offset; every link a page carries names its listing.
    let saved: Saved = pages
        .iter()
        .filter_map(|(_, page)| Some((page, page_start(page)?)))
        .flat_map(|(page, start)| page_urls(page).map(move |url| (without_query(url), start)))
        .collect();
    let mut notes = Vec::new();
    // A missing page between two saved ones is the next of one and the
    // earlier of the other: one note says so.
    let mut noted: BTreeSet<(&str, u64)> = BTreeSet::new();
    for (file, page) in pages {
        let found = [
            (missing_next(page, &saved), ["isLastPage", "isLast"]),
            (missing_earlier(page, &saved), START_KEYS),
        ];
        for (missing, [key, or]) in found {
            let Some((what, linked)) = missing else { continue };
            if linked.is_none_or(|linked| noted.insert(linked)) {
                let line = file.line_of_string(key).or_else(|| file.line_of_string(or));
                notes.push((Source::new(&file.name, line), what));
            }
        }
    }
    notes
}

/// A missing page, as a note says it, and the page a link names (its
/// listing and offset) when the page links to it.
type Missing<'a> = (String, Option<(&'a str, u64)>);

/// The page a link names: its listing and offset.
fn linked(url: &str) -> Option<(&str, u64)> {
    Some((without_query(url), query_number(url, START)?))
}

/// Saved pages: their listing's URL without the query, and their offset.
type Saved<'a> = BTreeSet<(&'a str, u64)>;

const START_KEYS: [&str; 2] = ["start", "startAt"];
const START: &[&str] = &START_KEYS;

/// The offset of a page's first item (JSM's `start`, Jira's `startAt`).
fn page_start(page: &Value) -> Option<u64> {
    START.iter().find_map(|key| page.get(*key)).and_then(Value::as_u64)
}

/// The URLs a page carries: its `_links` (JSM), `self` and `nextPage` (Jira).
fn page_urls(page: &Value) -> impl Iterator<Item = &str> {
    let links = page.get("_links").and_then(Value::as_object).into_iter().flat_map(|l| l.values());
    let own = ["self", "nextPage"].into_iter().filter_map(|k| page.get(k));
    links.chain(own).filter_map(Value::as_str)
}

/// A page that is not the last, whose next page is not saved.
fn missing_next<'a>(page: &'a Value, saved: &Saved) -> Option<Missing<'a>> {
    let last = page.get("isLastPage").or_else(|| page.get("isLast")).and_then(Value::as_bool);
    if last != Some(false) {
        return None;
    }
    let next = page.get("_links").and_then(|l| l.get("next")).or_else(|| page.get("nextPage"));
    match next.and_then(Value::as_str) {
        Some(url) if is_saved(url, saved) => None,
        Some(url) => {
            Some((format!("the next page of this listing is not saved: save GET {url}"), linked(url)))
        }
        None => Some((
            "this page is not the last, and it does not link to the next: save the next page".to_string(),
            None,
        )),
    }
}

/// A page that is not the first, whose earlier page is not saved: JSM
/// links to it (`prev`); Jira links only forward, so there any saved page
/// of the listing before this one will do.
fn missing_earlier<'a>(page: &'a Value, saved: &Saved) -> Option<Missing<'a>> {
    let start = page_start(page).filter(|&start| start > 0)?;
    match page.get("_links").and_then(|l| l.get("prev")).and_then(Value::as_str) {
        Some(url) if is_saved(url, saved) => None,
        Some(url) => {
            Some((format!("the earlier page of this listing is not saved: save GET {url}"), linked(url)))
        }
        None if saved_before(page, start, saved) => None,
        None => Some((
            format!(
                "this page is not the first (it starts at {start}), and no saved page comes before it: save the earlier pages"
            ),
            None,
        )),
    }
}

/// Whether a page of the listing starting before `start` is saved.
fn saved_before(page: &Value, start: u64, saved: &Saved) -> bool {
    page_urls(page).any(|url| {
        let listing = without_query(url);
        saved.range((listing, 0)..(listing, start)).next().is_some()
    })
}

/// Whether the page a link names (its listing and offset) is saved.
fn is_saved(url: &str, saved: &Saved) -> bool {
    linked(url).is_some_and(|page| saved.contains(&page))
}

fn without_query(url: &str) -> &str {
    url.split(['?', '#']).next().unwrap_or(url)
}

/// The number a URL's query gives one of `names` (`?start=50&limit=50`).
fn query_number(url: &str, names: &[&str]) -> Option<u64> {
    let query = url.split_once('?')?.1.split('#').next()?;
    query.split('&').find_map(|pair| {
        let (name, value) = pair.split_once('=')?;
        names.contains(&name).then(|| value.parse().ok()).flatten()
    })
}

fn plural(n: usize, one: &str) -> String {
    format!("{n} {one}{}", if n == 1 { "" } else { "s" })
}

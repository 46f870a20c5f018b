//! `sitelint access`: why a person can or cannot reach a service project.

use std::path::PathBuf;

use clap::ValueEnum;
use miette::Report;

use crate::config::{ConfigArgs, LimitArgs};
use crate::finding::Severity;
use crate::load::LoadOptions;
use crate::tree::Document;
use crate::{load, model};

use super::{Stream, fail, plural_n, print, stderr_color, warn_unread, width, write_stderr};

#[derive(Debug, clap::Args)]
pub(super) struct AccessArgs {
    /// The snapshot: a directory or a single file.
    path: PathBuf,
    /// The person: an account's email (any case) or account id.
    #[arg(long)]
    user: String,
    /// A service project's key; without it, every service project.
    #[arg(long)]
    project: Option<String>,
    /// The person has no account yet: explain what happens for --user's email.
    #[arg(long)]
    no_account: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = AccessFormat::Human)]
    format: AccessFormat,
    // The configuration file's `limits` apply here too.
    #[command(flatten)]
    config: ConfigArgs,
    #[command(flatten)]
    limits: LimitArgs,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum AccessFormat {
    /// The answer first, then each answer's facts with file:line:col.
    Human,
    /// One JSON document.
    Json,
}

/// Explains a person's access offline: exit 0 when the explanation was
/// printed (whatever it says), 2 when the snapshot, the person or the
/// project can't be used.
pub(super) fn access(args: &AccessArgs) -> u8 {
    let config = match args.config.load() {
        Ok(config) => config,
        Err(errors) => return fail(&errors, stderr_color()),
    };
    let options = LoadOptions { limits: args.limits.limits(config.as_ref()), ..LoadOptions::default() };
    let decode = |document: Document| model::decode::decode_document(&document);
    let loaded = match load::load_path_map(&args.path, &options, decode) {
        Ok(loaded) => loaded,
        Err(error) => return fail(&[Report::new(error)], stderr_color()),
    };
    warn_unread(&loaded.unread);
    let (site, facts, model_findings) = model::build_parts(loaded.documents);
    let invalid =
        loaded.findings.iter().chain(&model_findings).filter(|f| f.severity == Severity::Error).count();
    if invalid > 0 {
        // The explanation still covers the valid parts, as check does.
        let errors = plural_n(invalid, "validation error");
        write_stderr(&format!("note: the snapshot has {errors}; `sitelint check` lists them\n"));
    }
    let query = crate::access::Query {
        user: args.user.clone(),
        project: args.project.clone(),
        no_account: args.no_account,
    };
    let explanation = match crate::access::explain(&site, &facts, &query) {
        Ok(explanation) => explanation,
        Err(error) => return fail(&[Report::new(error)], stderr_color()),
    };
    let text = match args.format {
        AccessFormat::Human => {
            crate::report::access::human(&explanation, &loaded.sources, width(Stream::Stdout))
        }
        AccessFormat::Json => crate::report::access::json(&explanation, &loaded.sources),
    };
    print(&text)
}

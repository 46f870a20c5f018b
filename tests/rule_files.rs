//! Broken rule files are reported inside the rule file, at the offending
//! place, and stop the run (exit 2).

use std::path::Path;

use sitelint::rules::RuleSet;
use sitelint::rules::error::RuleError;
use sitelint::source::SourceFile;

/// Loads one fixture as a rule folder of its own and returns the error's
/// message, 1-based line and column, and help.
fn load_error(name: &str) -> (String, usize, usize, Option<String>) {
    let dir = tempfile::tempdir().unwrap();
    let fixture = Path::new("tests/fixtures/rule-errors").join(name);
    std::fs::copy(&fixture, dir.path().join(name)).unwrap();
    let mut rules = RuleSet::builtin().expect("built-in rules load");
    let errors = rules.add_dir(dir.path()).expect_err("the rule file is broken");
    assert_eq!(errors.len(), 1, "{errors:?}");
    let error = errors[0].downcast_ref::<RuleError>().expect("a located rule error");
    let text = std::fs::read_to_string(&fixture).unwrap();
    let at = SourceFile::new(name.into(), name.into(), text).line_col(error.span.offset());
    (error.message.clone(), at.line, at.column, error.help.clone())
}

#[test]
fn misspelt_variable_points_at_it_with_a_suggestion() {
    let (message, line, column, help) = load_error("cel-typo.yaml");
    assert_eq!(message, "unknown variable `itm`");
    assert_eq!((line, column), (8, 3));
    assert_eq!(help.as_deref(), Some("did you mean `item`?"));
}

#[test]
fn cel_syntax_error_points_into_the_block_scalar() {
    let (message, line, column, _) = load_error("cel-syntax.yaml");
    assert!(message.starts_with("CEL syntax error"), "{message}");
    // The expression ends after `||` on line 9; the parser complains there.
    assert_eq!(line, 9, "{message}");
    assert!(column > 5, "column {column}");
}

#[test]
fn unknown_key_in_a_rule_file_is_located() {
    let (message, line, column, help) = load_error("unknown-field.yaml");
    assert!(message.contains("mesage"), "{message}");
    assert_eq!((line, column), (8, 1));
    assert_eq!(help.as_deref(), Some("did you mean `message`?"));
}

/// In a `related` entry too, the suggestion is from that entry's keys: the
/// help was the list of a rule's own keys.
#[test]
fn unknown_key_in_a_related_entry_is_suggested_from_its_keys() {
    let (message, line, column, help) = load_error("related-misspelt.yaml");
    assert!(message.contains("unknown field `mesage`, expected one of for_each, at, message"), "{message}");
    assert_eq!((line, column), (14, 5));
    assert_eq!(help.as_deref(), Some("did you mean `message`?"));
}

/// The YAML scanner's errors are placed in characters and, for a tab, after
/// it: the label was at 1:1 and the message said "line 7 column 7: ...".
#[test]
fn yaml_syntax_errors_are_located_where_the_problem_is() {
    let (message, line, column, _) = load_error("tab-indent.yaml");
    assert_eq!(
        message,
        "invalid rule file: a block scalar content cannot start with a tab: \
         YAML does not allow a tab here; indent and separate with spaces"
    );
    assert_eq!((line, column), (8, 1));
    let (message, line, column, _) = load_error("unclosed-quote.yaml");
    assert_eq!(message, "invalid rule file: unclosed quote");
    assert_eq!((line, column), (8, 10));
    let (message, line, column, _) = load_error("trailing-content.yaml");
    assert_eq!(message, "invalid rule file: invalid trailing content after double-quoted scalar");
    assert_eq!((line, column), (8, 29));
    let (message, line, column, _) = load_error("too-deep.yaml");
    assert_eq!(message, "invalid rule file: recursion limit exceeded");
    assert_eq!(line, 11);
    assert!(column > 200, "column {column}");
}

/// serde-saphyr places a missing key at the mapping's last key (`at:` on
/// line 10, `for_each:` on line 15).
#[test]
fn a_missing_key_is_reported_at_the_mapping_that_lacks_it() {
    let (message, line, column, help) = load_error("missing-url.yaml");
    assert_eq!(message, "invalid rule file: required key `url` is missing");
    assert_eq!((line, column), (2, 1));
    assert!(help.is_some_and(|h| h.starts_with("a rule file has: code, name")));
    // A rule's own keys are no help for an entry of its `related`.
    let (message, line, column, help) = load_error("missing-related-at.yaml");
    assert_eq!(message, "invalid rule file: required key `at` is missing");
    assert_eq!((line, column), (14, 5));
    assert_eq!(
        help.as_deref(),
        Some("the README's \"Writing rules\" section describes each key of a rule file")
    );
}

/// A rule file that starts with a byte order mark is still one whose own
/// keys are listed for a key missing from the rule.
#[test]
fn a_missing_key_after_a_byte_order_mark_lists_a_rules_keys() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string("tests/fixtures/rule-errors/missing-url.yaml").unwrap();
    // Without the fixture's opening comment, the rule starts right after the mark.
    let rule = text.split_once('\n').unwrap().1;
    assert!(rule.starts_with("code:"), "{rule}");
    std::fs::write(dir.path().join("missing-url.yaml"), format!("\u{feff}{rule}")).unwrap();
    let mut rules = RuleSet::builtin().unwrap();
    let errors = rules.add_dir(dir.path()).unwrap_err();
    let error = errors[0].downcast_ref::<RuleError>().expect("a located rule error");
    assert_eq!(error.message, "invalid rule file: required key `url` is missing");
    assert!(error.help.as_deref().is_some_and(|h| h.starts_with("a rule file has: code, name")), "{error:?}");
}

/// serde-saphyr's message was advice to its own callers ("set
/// DuplicateKeyPolicy in Options if acceptable").
#[test]
fn a_key_written_twice_is_reported_at_both() {
    let (message, line, column, _) = load_error("duplicate-key.yaml");
    assert_eq!(message, "invalid rule file: key `help` is written twice");
    assert_eq!((line, column), (10, 1));
    let dir = tempfile::tempdir().unwrap();
    let fixture = Path::new("tests/fixtures/rule-errors/duplicate-key.yaml");
    std::fs::copy(fixture, dir.path().join("duplicate-key.yaml")).unwrap();
    let errors = RuleSet::builtin().unwrap().add_dir(dir.path()).unwrap_err();
    let error = errors[0].downcast_ref::<RuleError>().unwrap();
    let text = std::fs::read_to_string(fixture).unwrap();
    let first = SourceFile::new(fixture.into(), String::new(), text).line_col(error.related[0].offset());
    assert_eq!((first.line, first.column, error.related[0].label()), (7, 1, Some("first written here")));
}

/// It said only "stream did not contain valid UTF-8".
#[test]
fn a_rule_file_that_is_not_utf8_says_where() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read("tests/fixtures/rule-errors/cel-typo.yaml").unwrap();
    // `help: Reactivate them.` in Latin-1, with an é.
    let at = text.windows(5).position(|w| w == b"help:").unwrap() + 6;
    let latin1 = [&text[..at], b"R\xe9activez-les.\n", b"at: item\n"].concat();
    std::fs::write(dir.path().join("latin1.yaml"), latin1).unwrap();
    let errors = RuleSet::builtin().unwrap().add_dir(dir.path()).unwrap_err();
    let path = dir.path().join("latin1.yaml");
    let offset = at + 1;
    assert_eq!(
        errors[0].to_string(),
        format!(
            "rule file {} is not UTF-8: invalid byte at offset {offset} (line 10, column 8)",
            path.display()
        )
    );
}

/// A rule file named `*.YAML` was left out without a word.
#[test]
fn a_rule_file_with_an_upper_case_extension_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let good =
        std::fs::read_to_string("tests/fixtures/rule-errors/cel-typo.yaml").unwrap().replace("itm", "item");
    std::fs::write(dir.path().join("ACME001.YAML"), good).unwrap();
    let errors = RuleSet::builtin().unwrap().add_dir(dir.path()).unwrap_err();
    let path = dir.path().join("ACME001.YAML");
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(
        errors[0].to_string(),
        format!(
            "rule file {} is not read: rule file extensions are .yaml and .yml, in lower case",
            path.display()
        )
    );
}

#[test]
fn unknown_function_in_a_template_is_located() {
    let (message, line, column, help) = load_error("unknown-function.yaml");
    assert_eq!(message, "unknown function `lower`");
    assert_eq!((line, column), (8, 14));
    assert!(help.unwrap().contains("lowerAscii"));
}

#[test]
fn unknown_collection_suggests_the_close_one() {
    let (message, line, column, help) = load_error("bad-collection.yaml");
    assert_eq!(message, "unknown collection `user`");
    assert_eq!((line, column), (6, 11));
    assert_eq!(help.as_deref(), Some("did you mean `users`?"));
}

#[test]
fn unknown_severity_lists_the_allowed_ones() {
    let (message, line, column, help) = load_error("bad-severity.yaml");
    assert_eq!(message, "unknown severity `fatal`");
    assert_eq!((line, column), (3, 11));
    assert_eq!(help.as_deref(), Some("severity is one of: error, warning, info"));
}

#[test]
fn a_code_defined_twice_is_an_error_in_the_later_file() {
    let (message, line, column, help) = load_error("duplicate-code.yaml");
    assert_eq!(message, "rule code PS001 is already defined");
    assert_eq!((line, column), (1, 7));
    assert!(help.unwrap().contains("<built-in>/PS001.yaml"));
}

#[test]
fn rendered_error_shows_the_rule_file_excerpt() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy("tests/fixtures/rule-errors/cel-typo.yaml", dir.path().join("cel-typo.yaml")).unwrap();
    let mut rules = RuleSet::builtin().unwrap();
    let errors = rules.add_dir(dir.path()).unwrap_err();
    let rendered = sitelint::cli::render_error(errors[0].as_ref(), false, 100);
    assert!(rendered.contains("cel-typo.yaml:8:3"), "{rendered}");
    assert!(rendered.contains("itm.status != \"active\""), "{rendered}");
    assert!(rendered.contains("did you mean `item`?"), "{rendered}");
}

/// Old Mac line endings (a lone CR): miette shows a rule file from its text
/// as it is and breaks lines at LF only, so the excerpt ran the lines
/// together; lone CRs are read as LFs, at the same offsets.
#[test]
fn a_rule_file_with_lone_cr_line_endings_shows_its_lines() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string("tests/fixtures/rule-errors/cel-typo.yaml").unwrap();
    std::fs::write(dir.path().join("cel-typo.yaml"), text.replace('\n', "\r")).unwrap();
    let mut rules = RuleSet::builtin().unwrap();
    let errors = rules.add_dir(dir.path()).unwrap_err();
    let rendered = sitelint::cli::render_error(errors[0].as_ref(), false, 100);
    assert!(rendered.contains("cel-typo.yaml:8:3"), "{rendered}");
    assert!(rendered.contains(" 8 │   itm.status != \"active\""), "{rendered}");
    assert!(!rendered.contains('\r'), "{rendered:?}");
}

#[test]
fn every_built_in_rule_loads() {
    let rules = RuleSet::builtin().expect("built-in rules load");
    let codes: Vec<&str> = rules.rules.iter().map(|r| &*r.reporter.code).collect();
    for code in ["PS001", "PS002", "PS007", "CA001", "AC001", "AC003", "CH001", "UA005"] {
        assert!(codes.contains(&code), "{code} missing from {codes:?}");
    }
}

#[test]
fn a_field_the_model_does_not_have_is_located_with_a_suggestion() {
    let (message, line, column, help) = load_error("model-field.yaml");
    assert_eq!(message, "unknown field `emial`");
    // `item.roles.confluence` is an app's role (data), not a field: accepted.
    assert_eq!((line, column), (7, 76));
    assert_eq!(help.as_deref(), Some("did you mean `email`?"));
}

#[test]
fn a_let_may_not_hide_a_variable() {
    let (message, line, column, _) = load_error("bad-let.yaml");
    assert_eq!(message, "`let` name `item` is already a variable");
    assert_eq!((line, column), (9, 3));
}

#[test]
fn a_field_another_collection_has_is_unknown_in_this_one() {
    let (message, line, column, help) = load_error("collection-field.yaml");
    assert_eq!(message, "unknown field `email`");
    assert_eq!((line, column), (7, 34));
    assert_eq!(
        help.as_deref(),
        Some(
            "the fields of a project: key, name, type, is_service_project, permission_scheme, lead, \
             roles, service_desk, channel_access, customers"
        )
    );
}

#[test]
fn a_field_of_a_related_element_is_checked_against_its_kind() {
    let (message, line, column, help) = load_error("it-field.yaml");
    assert_eq!(message, "unknown field `emial`");
    assert_eq!((line, column), (14, 21));
    assert_eq!(help.as_deref(), Some("did you mean `email`?"));
}

#[test]
fn a_field_of_a_text_is_an_error() {
    let (message, line, column, _) = load_error("text-field.yaml");
    assert_eq!(message, "unknown field `name`");
    assert_eq!((line, column), (7, 23));
}

#[test]
fn a_place_compared_as_a_value_is_an_error() {
    let (message, line, column, help) = load_error("place-compared.yaml");
    assert_eq!(message, "a place in the snapshot is compared as a value");
    assert_eq!((line, column), (7, 7));
    assert!(help.unwrap().contains("`item.internal == true`"));
}

/// With `in` or an ordering, or inside a list, a place is still compared.
#[test]
fn a_place_compared_with_in_or_in_a_list_is_an_error() {
    for (name, column) in [("place-compared-in.yaml", 8), ("place-compared-list.yaml", 8)] {
        let (message, line, at, _) = load_error(name);
        assert_eq!(message, "a place in the snapshot is compared as a value", "{name}");
        assert_eq!((line, at), (7, column), "{name}");
    }
}

#[test]
fn a_place_shown_in_a_message_is_an_error() {
    let (message, line, column, help) = load_error("place-shown.yaml");
    assert_eq!(message, "a place in the snapshot cannot be shown in a message");
    assert_eq!((line, column), (8, 33));
    assert!(help.unwrap().contains("read the field (`item.signup`)"));
}

/// The field `key_of`, `value_of` and `stated` name as text is checked
/// like `item.field`: a typo read as "not stated", or pointed at the whole
/// entity, with no error.
#[test]
fn a_field_named_as_text_is_checked() {
    let (message, line, column, help) = load_error("stated-typo.yaml");
    assert_eq!(message, "unknown field `leed`");
    assert_eq!((line, column), (7, 24));
    assert_eq!(help.as_deref(), Some("did you mean `lead`?"));
    let (message, line, column, help) = load_error("value-of-typo.yaml");
    assert_eq!(message, "unknown field `rolez`");
    assert_eq!((line, column), (10, 21));
    assert_eq!(help.as_deref(), Some("did you mean `roles`?"));
    let (message, line, column, _) = load_error("value-of-one-argument.yaml");
    assert_eq!(message, "`value_of` takes value_of(item, \"field\")");
    assert_eq!((line, column), (10, 5));
}

/// A finding shows the rule's name, summary, message and help, and links
/// its url (SARIF's `helpUri` must be a URI): each is checked when the rule
/// is read.
#[test]
fn names_urls_and_texts_are_checked() {
    let (message, line, column, _) = load_error("bad-url.yaml");
    assert_eq!(message, "`see the wiki` is not a web address");
    assert_eq!((line, column), (5, 6));
    let (message, line, column, _) = load_error("empty-message.yaml");
    assert_eq!(message, "`message` is empty");
    assert_eq!((line, column), (8, 10));
    let (message, line, column, _) = load_error("bad-name.yaml");
    assert_eq!(message, "rule name `Partner account` is not a name");
    assert_eq!((line, column), (2, 7));
}

/// Columns count characters, and an expression's characters are traced
/// through the YAML quoting around them: errors landed columns late after
/// characters of several bytes, and at the first `&&` of a double-quoted
/// expression with escaped quotes rather than the one at fault.
#[test]
fn errors_are_located_after_wide_characters_and_escapes() {
    let (message, line, column, _) = load_error("after-wide-characters.yaml");
    assert_eq!(message, "unknown field `emial`");
    assert_eq!((line, column), (7, 36));
    let (message, line, column, _) = load_error("template-after-accents.yaml");
    assert_eq!(message, "unknown field `nmae`");
    assert_eq!((line, column), (8, 25));
    let (message, line, column, _) = load_error("syntax-after-escapes.yaml");
    assert!(message.starts_with("CEL syntax error: extraneous input '&&'"), "{message}");
    assert_eq!((line, column), (7, 46));
}

/// A `when` that cannot be true or false, or an `at` that names no place,
/// is an error when the rule is read: it was one only on an item the rule
/// ran on, so a rule over an empty collection passed.
#[test]
fn when_and_at_of_the_wrong_kind_are_errors_in_the_file() {
    let (message, line, column, _) = load_error("when-not-a-condition.yaml");
    assert_eq!(message, "`when` must be true or false, not a text");
    assert_eq!((line, column), (7, 7));
    let (message, line, column, help) = load_error("at-not-a-place.yaml");
    assert_eq!(message, "`at` must name a place in the snapshot, not a boolean");
    assert_eq!((line, column), (10, 5));
    assert!(help.is_some_and(|h| h.contains("value_of(item, \"field\")")));
}

/// serde-saphyr's words ("expected sequence start", "invalid u64") are
/// said as the person writing the file would say them.
#[test]
fn type_errors_are_worded_for_the_rule_author() {
    let (message, line, column, _) = load_error("related-not-a-list.yaml");
    assert_eq!(message, "invalid rule file: expected a list (`- item` lines, or `[a, b]`)");
    assert_eq!((line, column), (11, 10));
    let (message, line, _, _) = load_error("line-in-words.yaml");
    assert_eq!(message, "invalid rule file: expected a whole number");
    assert_eq!(line, 14);
    let (message, ..) = load_error("empty.yaml");
    assert_eq!(message, "invalid rule file: the file is empty");
}

/// A rule file saved as UTF-16 (Windows PowerShell's `>`) is said to be
/// one, as a snapshot file is, with the conversion to run.
#[test]
fn a_utf16_rule_file_is_named_as_such() {
    let dir = tempfile::tempdir().unwrap();
    let text = "code: ACME1\n";
    let utf16: Vec<u8> =
        [0xFF, 0xFE].into_iter().chain(text.encode_utf16().flat_map(u16::to_le_bytes)).collect();
    std::fs::write(dir.path().join("ACME1.yaml"), utf16).unwrap();
    let mut rules = RuleSet::builtin().expect("built-in rules load");
    let errors = rules.add_dir(dir.path()).expect_err("a UTF-16 file is no rule file");
    let message = errors[0].to_string();
    assert!(message.ends_with("ACME1.yaml is UTF-16 text, not UTF-8"), "{message}");
    let help = errors[0].help().map(|h| h.to_string()).unwrap_or_default();
    assert!(help.contains("iconv -f UTF-16 -t UTF-8"), "{help}");
}

/// Every expression of a file is checked: three typos are three errors,
/// in the order they are written, not one per run. A `let` that does not
/// compile is still bound, so its uses are no further errors.
#[test]
fn every_error_of_a_file_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy("tests/fixtures/rule-errors/three-typos.yaml", dir.path().join("three-typos.yaml"))
        .unwrap();
    let mut rules = RuleSet::builtin().expect("built-in rules load");
    let errors = rules.add_dir(dir.path()).expect_err("the rule file is broken");
    let error = errors[0].downcast_ref::<RuleError>().expect("a located rule error");
    let text = std::fs::read_to_string("tests/fixtures/rule-errors/three-typos.yaml").unwrap();
    let file = SourceFile::new("r.yaml".into(), "r.yaml".into(), text);
    let seen: Vec<(String, usize, usize)> = std::iter::once(error)
        .chain(&error.others)
        .map(|e| {
            let at = file.line_col(e.span.offset());
            (e.message.clone(), at.line, at.column)
        })
        .collect();
    assert_eq!(
        seen,
        [
            ("unknown field `emial_domain`".to_string(), 8, 16),
            ("unknown field `actve`".to_string(), 9, 36),
            ("unknown field `nmae`".to_string(), 10, 19),
        ]
    );
}

/// A test case expects its own rule's findings and the SL checks', on
/// 1-based lines: another code, or line 0, could never be found, so the
/// case could never pass, whatever the rule does.
#[test]
fn a_case_expecting_what_cannot_run_is_an_error() {
    let (message, line, column, _) = load_error("expects-another-rule.yaml");
    assert_eq!(message, "the case expects PS001, but only ACME21 and the SL checks run in it");
    assert_eq!((line, column), (16, 9));
}

/// What the load-time checks must let through (a review found each
/// rejected): `has()` is a condition, and a key the snapshot writes that
/// the view has no field for can be stated and pointed at.
#[test]
fn valid_rules_pass_the_load_time_checks() {
    let rule = "code: ACME22\nname: valid\nseverity: warning\nsummary: s\nurl: https://example.com\nhelp: h\n\
                for_each: users\nlet: {conf: has(item.roles.confluence)}\n\
                when: has(item.email) && conf && stated(site, \"exported_at\")\nmessage: m\n\
                at: value_of(site, \"exported_at\")\n";
    let env = sitelint::rules::expr::env();
    let source = sitelint::rules::error::RuleSource { name: "r.yaml".into(), text: rule.into() };
    let parsed = sitelint::rules::Rule::parse(&env, source);
    assert!(parsed.is_ok(), "{:?}", parsed.err().map(|e| e.message));
}

/// A `let` whose name is refused is not bound, so the expressions using
/// the name it would hide are no further errors; every bad part of a
/// template is reported, and an empty text with the expressions' errors.
#[test]
fn errors_are_reported_once_each() {
    let rule = "code: ACME23\nname: t\nseverity: warning\nsummary: s\nurl: https://example.com\nhelp: \"\"\n\
                for_each: users\nlet: {item: item.email}\nwhen: item.active\n\
                message: \"{{ item.nmae }} {{ item.emial }}\"\nat: item\n";
    let env = sitelint::rules::expr::env();
    let source = sitelint::rules::error::RuleSource { name: "r.yaml".into(), text: rule.into() };
    let error = sitelint::rules::Rule::parse(&env, source).expect_err("a broken rule");
    let messages: Vec<&str> =
        std::iter::once(&*error).chain(&error.others).map(|e| e.message.as_str()).collect();
    assert_eq!(
        messages,
        [
            "`help` is empty",
            "`let` name `item` is already a variable",
            "unknown field `nmae`",
            "unknown field `emial`",
        ]
    );
}

/// A rule's name heads its findings and lists it: two rules of one name
/// read as one, so the second is an error at its name.
#[test]
fn a_name_already_used_is_an_error_at_it() {
    let (message, line, column, help) = load_error("duplicate-name.yaml");
    assert_eq!(message, "rule name customer-without-jsm-role is already used");
    assert_eq!((line, column), (2, 7));
    assert!(help.is_some_and(|h| h.starts_with("AC001 (<built-in>/AC001.yaml) has this name")));
}

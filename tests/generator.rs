//! The synthetic site generator (`sitelint::dev`, compiled for tests through
//! the crate's dev-dependency on itself with the `dev` feature): its output
//! is deterministic, valid, healthy without problems, and with problems
//! makes every rule of the catalogue fire.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use sitelint::cli::run_check;
use sitelint::dev::{self, CODES, Format, Params};
use sitelint::rules::RuleSet;

/// A small site: every kind of entity, a few of each, several files per
/// chunked section.
fn small(format: Format, problems: f64) -> Params {
    Params {
        users: 40,
        customers: 60,
        groups: 8,
        projects: 6,
        schemes: 3,
        organizations: 6,
        files: 2,
        format,
        problems,
        seed: 7,
        only: None,
    }
}

/// The smallest coherent site, for the tests that lint what they generate:
/// rule evaluation cost grows faster than the site (see the README's
/// Performance section), and debug builds are slow at it.
fn tiny(problems: f64) -> Params {
    Params {
        users: 20,
        customers: 12,
        groups: 6,
        projects: 3,
        schemes: 2,
        organizations: 3,
        files: 1,
        ..small(Format::Yaml, problems)
    }
}

fn generate(params: &Params) -> (tempfile::TempDir, dev::Generated) {
    let dir = tempfile::tempdir().unwrap();
    let generated = dev::generate(params, dir.path()).unwrap_or_else(|e| panic!("{params:?}: {e}"));
    (dir, generated)
}

/// The codes of the findings `check` reports on the site, with counts.
fn codes(path: &Path) -> BTreeMap<String, usize> {
    static RULES: OnceLock<RuleSet> = OnceLock::new();
    let rules = RULES.get_or_init(|| RuleSet::builtin().unwrap());
    let output = run_check(path, rules).unwrap_or_else(|e| panic!("{}: {e:?}", path.display()));
    assert!(output.rule_errors.is_empty(), "rule errors: {:?}", output.rule_errors);
    let mut counts = BTreeMap::new();
    for finding in &output.findings {
        *counts.entry(finding.code().to_string()).or_insert(0) += 1;
    }
    counts
}

/// Every file of the folder, by relative path, with its bytes.
fn tree(root: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                files.insert(path.strip_prefix(root).unwrap().to_path_buf(), std::fs::read(&path).unwrap());
            }
        }
    }
    files
}

#[test]
fn the_same_seed_writes_the_same_bytes() {
    for format in [Format::Yaml, Format::Json] {
        let params = small(format, 0.1);
        let (a, generated) = generate(&params);
        let (b, _) = generate(&params);
        let (ta, tb) = (tree(a.path()), tree(b.path()));
        assert_eq!(ta.len(), generated.files);
        assert_eq!(ta.values().map(|bytes| bytes.len() as u64).sum::<u64>(), generated.bytes);
        assert!(ta == tb, "{format}: two runs with seed {} differ", params.seed);
    }
}

#[test]
fn another_seed_writes_other_bytes() {
    let params = small(Format::Yaml, 0.1);
    let (a, _) = generate(&params);
    let (b, _) = generate(&Params { seed: params.seed + 1, ..params.clone() });
    let (ta, tb) = (tree(a.path()), tree(b.path()));
    let same = ta.iter().filter(|(path, bytes)| tb.get(*path) == Some(*bytes)).count();
    // The roles file is the same for every seed; users, customers,
    // organizations and schemes are not.
    assert!(same <= 1, "{same} of {} files are the same for seeds 7 and 8", ta.len());
}

#[test]
fn the_site_is_split_over_chunked_files() {
    let (dir, generated) = generate(&Params { files: 3, ..small(Format::Json, 0.0) });
    let names: BTreeSet<String> =
        tree(dir.path()).keys().map(|path| path.to_string_lossy().replace('\\', "/")).collect();
    for name in [
        "site.json",
        "roles.json",
        "schemes.json",
        "groups.json",
        "users/users-0003.json",
        "customers/customers-0003.json",
        "organizations/organizations-0003.json",
    ] {
        assert!(names.contains(name), "{name} missing from {names:?}");
    }
    assert_eq!(names.iter().filter(|n| n.starts_with("projects/")).count(), generated.params.projects);
    // JSON schemes are the raw REST payload.
    let schemes = std::fs::read_to_string(dir.path().join("schemes.json")).unwrap();
    assert!(schemes.contains("\"permissionSchemes\"") && schemes.contains("\"self\""));
}

#[test]
fn a_healthy_site_has_no_findings() {
    for format in [Format::Yaml, Format::Json] {
        let (dir, generated) = generate(&Params { format, ..tiny(0.0) });
        assert!(generated.codes.is_empty() && generated.planted.is_empty());
        let found = codes(dir.path());
        assert!(found.is_empty(), "{format}: a healthy site has findings: {found:?}");
    }
}

#[test]
fn problems_make_every_rule_fire_and_no_snapshot_check() {
    let mut fired = BTreeSet::new();
    for format in [Format::Yaml, Format::Json] {
        // The default set, then the two codes it leaves out (they contradict
        // settings other codes need).
        for only in [None, Some(dev::NOT_BY_DEFAULT.map(String::from).to_vec())] {
            let params = Params { only: only.clone(), format, ..tiny(0.05) };
            let (dir, generated) = generate(&params);
            let found = codes(dir.path());
            let snapshot_checks: Vec<_> = found.keys().filter(|code| code.starts_with("SL")).collect();
            assert!(snapshot_checks.is_empty(), "{format} {only:?}: snapshot checks fired: {found:?}");
            for code in &generated.codes {
                assert!(
                    found.contains_key(*code),
                    "{format} {only:?}: {code} planted but not found: {found:?}"
                );
                assert!(generated.planted[code] >= 1, "{code}: {:?}", generated.planted);
            }
            fired.extend(found.into_keys());
        }
    }
    let all: BTreeSet<String> = CODES.iter().map(|code| code.to_string()).collect();
    assert_eq!(fired, all, "every rule code fires on some generated site");
}

/// Thirty checks: about two minutes in a debug build (rule evaluation is
/// slow unoptimised), half a minute in release.
#[test]
#[ignore = "slow in a debug build; run with `cargo test --release --test generator -- --ignored`"]
fn each_code_alone_fires_only_its_rule() {
    let check = |code: &str| {
        let (dir, _) = generate(&Params { only: Some(vec![code.to_string()]), ..tiny(0.05) });
        let found: BTreeSet<String> = codes(dir.path()).into_keys().collect();
        // With both customer account types off, every listed portal-only
        // customer is also CA004: the setting's own consequence.
        let expected: BTreeSet<String> = if code == "CA001" {
            ["CA001", "CA004"].map(String::from).into()
        } else {
            [code.to_string()].into()
        };
        assert_eq!(found, expected, "planting only {code}");
    };
    std::thread::scope(|scope| {
        let (even, odd): (Vec<_>, Vec<_>) = CODES.iter().enumerate().partition(|(i, _)| i % 2 == 0);
        for half in [even, odd] {
            scope.spawn(move || half.into_iter().for_each(|(_, code)| check(code)));
        }
    });
}

#[test]
fn a_fraction_plants_more_problems() {
    let (_, few) = generate(&Params { customers: 400, organizations: 10, ..small(Format::Yaml, 0.01) });
    let (_, many) = generate(&Params { customers: 400, organizations: 10, ..small(Format::Yaml, 0.5) });
    // Customer problems scale with the fraction; singleton settings stay at one.
    assert!(many.planted["CA004"] > 5 * few.planted["CA004"], "{:?} vs {:?}", few.planted, many.planted);
    for code in ["CA002", "CA003", "UA001", "UA002", "UA006"] {
        assert_eq!((few.planted[code], many.planted[code]), (1, 1), "{code}");
    }
}

#[test]
fn conflicting_codes_unknown_codes_and_used_folders_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let refused = |params: &Params, path: &Path| dev::generate(params, path).unwrap_err().to_string();
    let conflict = Params { only: Some(vec!["CA005".into(), "CA002".into()]), ..small(Format::Yaml, 0.1) };
    assert!(refused(&conflict, &dir.path().join("a")).contains("signup"));
    let unknown = Params { only: Some(vec!["PS999".into()]), ..small(Format::Yaml, 0.1) };
    assert!(refused(&unknown, &dir.path().join("b")).contains("PS999"));
    std::fs::write(dir.path().join("keep.yaml"), "site: {}\n").unwrap();
    assert!(refused(&small(Format::Yaml, 0.0), dir.path()).contains("not empty"));
    assert_eq!(std::fs::read_to_string(dir.path().join("keep.yaml")).unwrap(), "site: {}\n");
}

#[test]
fn sizes_parse_and_presets_scale() {
    assert_eq!(dev::parse_size("500MB"), Ok(500_000_000));
    assert_eq!(dev::parse_size("1.5GB"), Ok(1_500_000_000));
    assert_eq!(dev::parse_size("200kB"), Ok(200_000));
    assert_eq!(dev::parse_size("1MiB"), Ok(1 << 20));
    assert_eq!(dev::parse_size("1234"), Ok(1234));
    assert!(dev::parse_size("50 parsecs").is_err());
    let (one, fifty) = (Params::for_size(1_000_000), Params::for_size(50_000_000));
    assert_eq!(Params::default(), one);
    assert!(fifty.customers > 45 * one.customers && fifty.users > 45 * one.users);
    let big = Params::for_size(500_000_000);
    assert!(big.users >= 150_000 && big.customers >= 1_500_000, "{big:?}");
    // Below the minimum a coherent site needs, counts are raised.
    let tiny =
        Params { users: 0, projects: 1, schemes: 9, organizations: 0, ..Params::default() }.normalized();
    assert!(
        tiny.users >= 20 && tiny.projects >= 3 && tiny.schemes <= tiny.projects && tiny.organizations >= 2
    );
}

#[test]
fn a_size_preset_comes_out_near_its_size() {
    let (_, generated) = generate(&Params::for_size(2_000_000));
    let mb = generated.bytes as f64 / 1e6;
    assert!((1.6..2.4).contains(&mb), "a 2 MB preset wrote {mb:.2} MB");
}

//! Text comparison shared by decoding, resolution and the derived facts:
//! case folding for emails and domains, and "did you mean" suggestions.

use std::borrow::Cow;

/// Emails and domains compare case-insensitively (SNAPSHOT-FORMAT.md,
/// "References"); every map keyed by one uses this folded form. Most are
/// written in lower case already, and a site has millions, so those are
/// borrowed rather than copied.
pub fn fold(text: &str) -> Cow<'_, str> {
    // One pass that looks at every byte without stopping early, which the
    // compiler turns into vector instructions: a million emails are folded
    // in a big check, and a byte-by-byte search was 130 instructions each.
    let (upper, other) = text
        .bytes()
        .fold((false, false), |(upper, other), b| (upper | b.is_ascii_uppercase(), other | !b.is_ascii()));
    if other {
        Cow::Owned(text.to_lowercase())
    } else if upper {
        Cow::Owned(text.to_ascii_lowercase())
    } else {
        Cow::Borrowed(text)
    }
}

/// Whether `text` has an `@`: one pass over its bytes without stopping
/// early, which the compiler turns into vector instructions (`contains`
/// calls a search that costs a short text more than looking at it all;
/// every account id and every reference of a site is asked).
pub fn has_at(text: &str) -> bool {
    text.bytes().fold(false, |found, b| found | (b == b'@'))
}

/// The folded domain of an email (after its last `@`), if it has one.
pub fn email_domain(email: &str) -> Option<Cow<'_, str>> {
    email.rsplit_once('@').map(|(_, domain)| fold(domain)).filter(|d| !d.is_empty())
}

/// How alike two texts must be (1 - edit distance / longer length, case
/// folded) to suggest one for the other. 0.7 accepts a typo or two in a key
/// or a name (`acount_id`, `bob@contso.com`) but not a different word that
/// shares a long prefix (`Service Desk Team` for `Service Desk Customers`).
const MIN_SIMILARITY: f64 = 0.7;

/// Whether `candidate` can be close enough to `word` at all, judged by
/// length alone: a cheap filter before the edit distance.
pub fn may_be_close(word: &str, candidate: &str) -> bool {
    let (a, b) = (word.chars().count(), candidate.chars().count());
    let longer = a.max(b) as f64;
    (a.abs_diff(b) as f64) <= (1.0 - MIN_SIMILARITY) * longer
}

fn similarity(word: &str, candidate: &str) -> f64 {
    let (word, candidate) = (fold(word), fold(candidate));
    let (word, candidate) = (word.as_ref(), candidate.as_ref());
    let longer = word.chars().count().max(candidate.chars().count());
    if longer == 0 {
        return 0.0;
    }
    1.0 - strsim::osa_distance(word, candidate) as f64 / longer as f64
}

/// The candidate most like `word`, if one is close enough to be what was
/// meant. Ties go to the earlier candidate. `word` itself is never offered:
/// a reference can fail with the very text of a name (a role id that is
/// only a role name), and "did you mean" the same would not help.
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let mut best: Option<(f64, &str)> = None;
    for candidate in candidates.into_iter().filter(|c| *c != word && may_be_close(word, c)) {
        let score = similarity(word, candidate);
        if score >= MIN_SIMILARITY && best.is_none_or(|(top, _)| score > top) {
            best = Some((score, candidate));
        }
    }
    best.map(|(_, candidate)| candidate)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_typos_and_case_but_not_other_words() {
        let keys = ["account_id", "email", "name", "groups", "roles"];
        assert_eq!(closest("acount_id", keys), Some("account_id"));
        assert_eq!(closest("Email", keys), Some("email"));
        assert_eq!(closest("colour", keys), None);
        let roles = ["Service Desk Customers", "Administrators"];
        assert_eq!(closest("Service Desk Team", roles), None);
        assert_eq!(closest("Administrater", roles), Some("Administrators"));
    }

    #[test]
    fn has_at_finds_an_at_anywhere() {
        for text in ["@", "bob@contoso.com", "712020:x@", "@a", "é@é"] {
            assert!(has_at(text), "{text}");
        }
        for text in ["", "712020:ann", "qm:3f2a-ee", "élodie"] {
            assert!(!has_at(text), "{text}");
        }
    }

    #[test]
    fn fold_lowers_case_and_borrows_what_is_lower_already() {
        assert!(matches!(fold("bob@contoso.com"), Cow::Borrowed("bob@contoso.com")));
        assert_eq!(fold("Bob@Contoso.COM"), "bob@contoso.com");
        assert_eq!(fold("ÉLODIE@Exemple.fr"), "élodie@exemple.fr");
    }

    #[test]
    fn email_domain_is_folded_and_after_the_last_at() {
        assert_eq!(email_domain("Bob@Contoso.COM").as_deref(), Some("contoso.com"));
        assert_eq!(email_domain("a@b@c.org").as_deref(), Some("c.org"));
        assert_eq!(email_domain("no-at-sign"), None);
        assert_eq!(email_domain("trailing@"), None);
    }
}

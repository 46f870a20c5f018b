//! The problems the generator can plant: one per rule of the catalogue
//! (RULES.md), each a small, local change to an otherwise healthy site.

/// Every rule code, in catalogue order. A problem is addressed by its index
/// here (`PS001` is `CODES[PS001]`).
pub const CODES: [&str; 30] = [
    "PS001", "PS002", "PS003", "PS004", "PS005", "PS006", "PS007", "PS008", "PS009", "PS010", "PS011",
    "CA001", "CA002", "CA003", "CA004", "CA005", "CH001", "CH002", "AC001", "AC002", "AC003", "AC004",
    "AC005", "AC006", "UA001", "UA002", "UA003", "UA004", "UA005", "UA006",
];

pub(crate) const PS001: usize = 0;
pub(crate) const PS002: usize = 1;
pub(crate) const PS003: usize = 2;
pub(crate) const PS004: usize = 3;
pub(crate) const PS005: usize = 4;
pub(crate) const PS006: usize = 5;
pub(crate) const PS007: usize = 6;
pub(crate) const PS008: usize = 7;
pub(crate) const PS009: usize = 8;
pub(crate) const PS010: usize = 9;
pub(crate) const PS011: usize = 10;
pub(crate) const CA001: usize = 11;
pub(crate) const CA002: usize = 12;
pub(crate) const CA003: usize = 13;
pub(crate) const CA004: usize = 14;
pub(crate) const CA005: usize = 15;
pub(crate) const CH001: usize = 16;
pub(crate) const CH002: usize = 17;
pub(crate) const AC001: usize = 18;
pub(crate) const AC002: usize = 19;
pub(crate) const AC003: usize = 20;
pub(crate) const AC004: usize = 21;
pub(crate) const AC005: usize = 22;
pub(crate) const AC006: usize = 23;
pub(crate) const UA001: usize = 24;
pub(crate) const UA002: usize = 25;
pub(crate) const UA003: usize = 26;
pub(crate) const UA004: usize = 27;
pub(crate) const UA005: usize = 28;
pub(crate) const UA006: usize = 29;

/// Problems planted once, in a site-wide setting, whatever the fraction.
pub const SINGLETONS: [&str; 11] =
    ["CA001", "CA002", "CA003", "CA005", "UA001", "UA002", "UA003", "UA004", "UA005", "UA006", "PS011"];

/// Codes left out of the default set: each contradicts a setting another
/// problem needs. CA005 needs `signup: allow`, CA002 and CA003 need `deny`;
/// CA001 needs `internal: false`, UA003 needs `true` (and with
/// `external: false` every listed portal-only customer is also CA004).
/// Name them in `Params::only` to plant them.
pub const NOT_BY_DEFAULT: [&str; 2] = ["CA001", "CA005"];

/// Pairs that cannot be planted in one site (a singleton setting each
/// needs a different value of).
const CONFLICTS: [(usize, usize, &str); 3] = [
    (CA005, CA002, "customer_access.signup"),
    (CA005, CA003, "customer_access.signup"),
    (CA001, UA003, "customer_access.internal"),
];

/// Which problems to plant, by index into [`CODES`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ProblemSet(pub(crate) [bool; CODES.len()]);

impl ProblemSet {
    /// `only` (codes, any case), or every code but [`NOT_BY_DEFAULT`].
    pub(crate) fn new(only: Option<&[String]>) -> Result<ProblemSet, String> {
        let mut on = [false; CODES.len()];
        match only {
            None => {
                for (i, code) in CODES.iter().enumerate() {
                    on[i] = !NOT_BY_DEFAULT.contains(code);
                }
            }
            Some(codes) => {
                for code in codes {
                    let upper = code.trim().to_ascii_uppercase();
                    let Some(i) = CODES.iter().position(|c| *c == upper) else {
                        return Err(format!("unknown rule code {code:?}; known: {}", CODES.join(", ")));
                    };
                    on[i] = true;
                }
            }
        }
        for (a, b, setting) in CONFLICTS {
            if on[a] && on[b] {
                return Err(format!(
                    "{} and {} cannot be planted in one site: they need different values of {setting}",
                    CODES[a], CODES[b]
                ));
            }
        }
        Ok(ProblemSet(on))
    }

    pub(crate) fn codes(&self) -> Vec<&'static str> {
        CODES.iter().zip(self.0).filter(|(_, on)| *on).map(|(code, _)| *code).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indexes_match_codes() {
        let named = [
            (PS001, "PS001"),
            (PS011, "PS011"),
            (CA001, "CA001"),
            (CA005, "CA005"),
            (CH001, "CH001"),
            (CH002, "CH002"),
            (AC001, "AC001"),
            (AC006, "AC006"),
            (UA001, "UA001"),
            (UA006, "UA006"),
        ];
        for (index, code) in named {
            assert_eq!(CODES[index], code);
        }
    }

    #[test]
    fn default_set_leaves_out_the_conflicting_codes() {
        let set = ProblemSet::new(None).unwrap();
        assert_eq!(set.codes().len(), CODES.len() - NOT_BY_DEFAULT.len());
        assert!(!set.codes().contains(&"CA005"));
        let only = ProblemSet::new(Some(&["ca001".into(), "CA005".into()])).unwrap();
        assert_eq!(only.codes(), ["CA001", "CA005"]);
        assert!(ProblemSet::new(Some(&["CA005".into(), "CA002".into()])).is_err());
        assert!(ProblemSet::new(Some(&["XX001".into()])).is_err());
    }
}

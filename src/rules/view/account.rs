//! The record of an account the view keeps for the rules over big
//! collections, and the tests of it that the quick test compiles
//! comparisons of account fields into.

use super::{account_type, status};
use crate::model::site::{AccountType, JsmRole, Status};

/// An account's settings that rules test most often, one small record per
/// user in one array. Rules over customer references reach accounts in no
/// particular order, and a site's accounts (each in its own allocation,
/// a hundred bytes or more) do not fit in the processor's caches: reading
/// `account_type` from the account itself was a cache miss per reference
/// and rule, most of what those rules cost. These 12-byte records of a
/// 200,000-account site take 2.4 MB.
#[derive(Debug, Clone, Copy)]
pub(super) struct Account {
    pub account_type: AccountType,
    pub status: Status,
    pub site_access: bool,
    pub managed_by_other_org: bool,
    pub jsm_role: JsmRole,
    /// Whether another account has the same email (AC003 reads
    /// `same_email` on every account).
    pub shares_email: bool,
    /// The email's domain, numbered in the facts' `email_domains` (CA004
    /// reads `email_domain` on every customer reference): reading it from
    /// the email was two more cache misses, to the account and to its text.
    pub domain: u32,
}

impl Account {
    /// Whether the account can be used: active, and, for an Atlassian
    /// account, with access to the site.
    pub fn active(self) -> bool {
        self.status == Status::Active && (self.account_type != AccountType::Atlassian || self.site_access)
    }
}

/// A question about one field of an account's record: whether a field of
/// texts has a given text, or whether a boolean field is true. A user
/// node's fields of the same names give the same answers (a test holds them
/// to it), so the quick test can ask the record and skip reading the field
/// by name and comparing texts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountTest {
    AccountType(AccountType),
    Status(Status),
    JsmRole(JsmRole),
    SiteAccess,
    ManagedByOtherOrg,
    Active,
    /// A field of texts compared with a text none of its values has.
    Never,
}

const ACCOUNT_TYPES: [AccountType; 3] = [AccountType::Atlassian, AccountType::Customer, AccountType::App];
const STATUSES: [Status; 3] = [Status::Active, Status::Inactive, Status::Closed];

impl AccountTest {
    /// `user.<field> == text`, where `field` is one of the record's texts.
    pub fn equals(field: &str, text: &str) -> Option<AccountTest> {
        let test = match field {
            "account_type" => {
                ACCOUNT_TYPES.into_iter().find(|&t| account_type(t) == text).map(AccountTest::AccountType)
            }
            "status" => STATUSES.into_iter().find(|&s| status(s) == text).map(AccountTest::Status),
            "jsm_role" => JsmRole::parse(text).map(AccountTest::JsmRole),
            _ => return None,
        };
        Some(test.unwrap_or(AccountTest::Never))
    }

    /// `user.<field>`, where `field` is one of the record's booleans.
    pub fn flag(field: &str) -> Option<AccountTest> {
        match field {
            "site_access" => Some(AccountTest::SiteAccess),
            "managed_by_other_org" => Some(AccountTest::ManagedByOtherOrg),
            "active" => Some(AccountTest::Active),
            _ => None,
        }
    }

    pub(super) fn holds(self, account: Account) -> bool {
        match self {
            AccountTest::AccountType(t) => account.account_type == t,
            AccountTest::Status(s) => account.status == s,
            AccountTest::JsmRole(r) => account.jsm_role == r,
            AccountTest::SiteAccess => account.site_access,
            AccountTest::ManagedByOtherOrg => account.managed_by_other_org,
            AccountTest::Active => account.active(),
            AccountTest::Never => false,
        }
    }
}

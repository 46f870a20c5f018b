//! The record of an account the view keeps for the rules over big
//! collections, and the tests of it that the quick test compiles
//! comparisons of account fields into.

use super::fields::{account_type, status};
use crate::model::site::{AccountType, JsmRole, Status};

/// An account's settings that rules test most often, one small record per
/// user in one array. Rules over customer references reach accounts in no
/// particular order, and a site's accounts (each in its own allocation,
/// a hundred bytes or more) do not fit in the processor's caches: reading
/// `account_type` from the account itself was a cache miss per reference
/// and rule, most of what those rules cost. These 6-byte records of a
/// 200,000-account site take 1.2 MB. (The email's domain, which CA004 reads
/// for every customer reference, is numbered in the facts' own array.)
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

#[cfg(test)]
mod tests {
    use super::super::node::Of;
    use super::super::{Field, View};
    use super::AccountTest;
    use crate::{load, model};

    /// Each test answers as the user node's field of the same name does,
    /// on every account of the example and of a site with every kind and
    /// status of account.
    #[test]
    fn answers_as_the_fields_of_the_same_names() {
        let odd = "users:
  - {account_id: a1, email: A@X.com, account_type: atlassian, site_access: false}
  - {account_id: c1, email: c@y.org, account_type: customer, status: inactive, managed_by_other_org: true}
  - {account_id: p1, account_type: app, status: closed}
  - {account_id: a2, email: a2@x.com, roles: {jira-servicemanagement: collaborator}}
";
        let sites = [
            load::load_path("snapshots/example".as_ref()).unwrap(),
            load::load_text("odd.yaml", odd).unwrap(),
        ];
        let texts = [
            ("account_type", &["atlassian", "customer", "app", "Customer", ""][..]),
            ("status", &["active", "inactive", "closed", "gone"]),
            ("jsm_role", &["none", "customer", "collaborator", "agent", "user"]),
        ];
        let mut asked = 0;
        for loaded in sites {
            let (site, facts, findings) = model::build(&loaded.documents);
            assert!(findings.is_empty(), "{findings:?}");
            let view = View::build(&site, &facts);
            for user in (0..site.users.len()).map(Of::User) {
                for (field, values) in texts {
                    let Some(Field::Text(value)) = view.field_value(user, field) else { panic!("{field}") };
                    for &text in values {
                        let test = AccountTest::equals(field, text).unwrap();
                        assert_eq!(
                            view.test_account(user, test),
                            Some(value == text),
                            "{user:?}.{field} == {text}"
                        );
                        asked += 1;
                    }
                }
                for field in ["site_access", "managed_by_other_org", "active"] {
                    let Some(Field::Bool(value)) = view.field_value(user, field) else { panic!("{field}") };
                    let test = AccountTest::flag(field).unwrap();
                    assert_eq!(view.test_account(user, test), Some(value), "{user:?}.{field}");
                }
            }
        }
        assert!(asked > 100, "{asked}");
    }

    #[test]
    fn only_record_fields_are_tests_and_only_accounts_answer() {
        assert_eq!(AccountTest::equals("email", "a@x.com"), None);
        assert_eq!(AccountTest::flag("account_type"), None);
        assert_eq!(AccountTest::equals("status", "nope"), Some(AccountTest::Never));
        let loaded = load::load_path("snapshots/example".as_ref()).unwrap();
        let (site, facts, _) = model::build(&loaded.documents);
        let view = View::build(&site, &facts);
        assert_eq!(view.test_account(Of::Group(0), AccountTest::Active), None);
        assert_eq!(view.test_account(Of::Site, AccountTest::Never), None);
    }
}

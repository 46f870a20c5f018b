//! Word lists for realistic-looking names. Display names include accents
//! (snapshots are UTF-8); email local parts use the ASCII spelling.

/// (display, email spelling)
pub(crate) const FIRST: &[(&str, &str)] = &[
    ("Alice", "alice"),
    ("Bob", "bob"),
    ("Carmen", "carmen"),
    ("Dana", "dana"),
    ("Erik", "erik"),
    ("Fatima", "fatima"),
    ("Greg", "greg"),
    ("Henry", "henry"),
    ("Priya", "priya"),
    ("Tom", "tom"),
    ("Maria", "maria"),
    ("Li", "li"),
    ("Olivia", "olivia"),
    ("Samir", "samir"),
    ("Julia", "julia"),
    ("Marcus", "marcus"),
    ("Aiko", "aiko"),
    ("Ben", "ben"),
    ("Clara", "clara"),
    ("Raj", "raj"),
    ("Nina", "nina"),
    ("José", "jose"),
    ("Zoë", "zoe"),
    ("Björn", "bjorn"),
    ("Åsa", "asa"),
    ("Chloé", "chloe"),
    ("Mateus", "mateus"),
    ("Ngozi", "ngozi"),
    ("Hiroshi", "hiroshi"),
    ("Sofia", "sofia"),
    ("Liam", "liam"),
    ("Emma", "emma"),
    ("Noah", "noah"),
    ("Ava", "ava"),
    ("Lucas", "lucas"),
    ("Mia", "mia"),
    ("Yusuf", "yusuf"),
    ("Ingrid", "ingrid"),
    ("Pavel", "pavel"),
    ("Léa", "lea"),
];

pub(crate) const LAST: &[(&str, &str)] = &[
    ("Ng", "ng"),
    ("Martins", "martins"),
    ("Diaz", "diaz"),
    ("Larsen", "larsen"),
    ("Okafor", "okafor"),
    ("Cho", "cho"),
    ("Holt", "holt"),
    ("Whitfield", "whitfield"),
    ("Shah", "shah"),
    ("Baker", "baker"),
    ("Rossi", "rossi"),
    ("Wei", "wei"),
    ("Brandt", "brandt"),
    ("Haddad", "haddad"),
    ("Kowalski", "kowalski"),
    ("Reed", "reed"),
    ("Tanaka", "tanaka"),
    ("Mendes", "mendes"),
    ("Patel", "patel"),
    ("Volkova", "volkova"),
    ("Müller", "muller"),
    ("Núñez", "nunez"),
    ("Søndergaard", "sondergaard"),
    ("O'Brien", "obrien"),
    ("García", "garcia"),
    ("Nguyen", "nguyen"),
    ("Smith", "smith"),
    ("Johansson", "johansson"),
    ("Kim", "kim"),
    ("Dubois", "dubois"),
    ("Silva", "silva"),
    ("Ivanova", "ivanova"),
    ("Adeyemi", "adeyemi"),
    ("Fischer", "fischer"),
    ("Rahman", "rahman"),
    ("Costa", "costa"),
];

/// Site names (the site's own domain is `<name>.com`); disjoint from
/// [`COMPANIES`], so no customer domain is the site's.
pub(crate) const SITES: &[&str] = &["acme", "northwind", "umbrella", "hooli", "vandelay", "soylent"];

/// Customer and partner companies.
pub(crate) const COMPANIES: &[&str] = &[
    "contoso",
    "fabrikam",
    "tailspin",
    "globex",
    "initech",
    "wayne",
    "stark",
    "wonka",
    "cyberdyne",
    "tyrell",
    "oscorp",
    "aperture",
    "blackmesa",
    "gringotts",
    "monarch",
    "pied-piper",
    "dunder",
    "sterling",
    "nakatomi",
    "bluth",
    "massive-dynamic",
    "virtucon",
    "prestige",
    "krusty",
];

pub(crate) const TLDS: &[&str] = &["com", "io", "net", "co.uk", "de", "fr", "com.au", "nl"];

/// Organization name suffixes, so one company can have several.
pub(crate) const UNITS: &[&str] = &["Ltd", "EMEA", "Americas", "APAC", "Retail", "Labs", "Group", "Partners"];

pub(crate) const SERVICE_KEYS: &[(&str, &str)] = &[
    ("HELP", "Help Center"),
    ("IT", "IT Support"),
    ("HR", "People Team"),
    ("FAC", "Facilities"),
    ("SUP", "Partner Support"),
    ("SEC", "Security Desk"),
    ("LEGAL", "Legal Requests"),
    ("FIN", "Finance Help"),
    ("PAY", "Payroll"),
    ("CS", "Customer Service"),
];

pub(crate) const SOFTWARE_KEYS: &[(&str, &str)] = &[
    ("WEB", "Website"),
    ("APP", "Mobile App"),
    ("API", "Public API"),
    ("DATA", "Data Platform"),
    ("PLAT", "Platform Engineering"),
    ("INFRA", "Infrastructure"),
];

pub(crate) const BUSINESS_KEYS: &[(&str, &str)] =
    &[("MKT", "Marketing"), ("EVT", "Events"), ("PROC", "Procurement"), ("BRAND", "Brand")];

/// Team names for groups.
pub(crate) const TEAMS: &[&str] =
    &["tier1", "tier2", "emea", "americas", "apac", "payments", "identity", "platform", "mobile", "web"];

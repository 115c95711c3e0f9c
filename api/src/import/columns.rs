//! Which CSV column feeds which field: our field names by default, matched without regard to
//! case and punctuation, plus the names common CRM exports use; `--mapping` overrides.

use std::collections::HashMap;

use super::{ImportError, Kind};

/// A field of an import and the header names it answers to besides its own.
struct Field {
    name: &'static str,
    aliases: &'static [&'static str],
}

const fn field(name: &'static str, aliases: &'static [&'static str]) -> Field {
    Field { name, aliases }
}

const ACCOUNTS: &[Field] = &[
    field(
        "domain",
        &[
            "website",
            "company domain",
            "company domain name",
            "web site",
            "url",
            "account domain",
        ],
    ),
    field("name", &["account name", "company name", "company"]),
    field("industry", &[]),
    field(
        "employees",
        &[
            "number of employees",
            "employee count",
            "headcount",
            "company size",
        ],
    ),
    field("annual_revenue", &["revenue"]),
    field("country", &["billing country", "country/region"]),
    field("region", &[]),
    field("technologies", &["tech stack"]),
    field("segment", &[]),
    field("tier", &[]),
    field("lifecycle", &["lifecycle stage"]),
    field("named_account", &["target account"]),
    field(
        "owner_email",
        &["owner", "owner email", "account owner", "company owner"],
    ),
];

const CONTACTS: &[Field] = &[
    field(
        "email",
        &["email address", "e-mail", "work email", "business email"],
    ),
    field(
        "external_id",
        &["record id", "contact id", "lead id", "crm id"],
    ),
    field("name", &["full name", "contact name"]),
    field("first_name", &["first name", "given name"]),
    field("last_name", &["last name", "surname", "family name"]),
    field("title", &["job title"]),
    field("persona", &[]),
    field("seniority", &[]),
    field(
        "account_domain",
        &["company domain", "company domain name", "website", "domain"],
    ),
    field("source", &["lead source", "original source"]),
    field(
        "source_detail",
        &["lead source detail", "original source drill-down 1"],
    ),
    field("tags", &[]),
    field(
        "owner_email",
        &["owner", "owner email", "contact owner", "lead owner"],
    ),
];

const OPPORTUNITIES: &[Field] = &[
    field("external_id", &["opportunity id", "deal id", "record id"]),
    field("name", &["opportunity name", "deal name"]),
    field(
        "account_domain",
        &["company domain", "company domain name", "website", "domain"],
    ),
    field("amount", &["deal amount", "value", "deal value"]),
    field("currency", &["currency code", "currency iso code"]),
    field("stage", &["deal stage", "opportunity stage"]),
    field("close_date", &["expected close date"]),
    field("lost_reason", &["closed lost reason", "loss reason"]),
    field(
        "competitor",
        &["lost to", "primary competitor", "competitor name"],
    ),
    field("source", &["lead source", "deal source", "original source"]),
    field(
        "owner_email",
        &["owner", "owner email", "opportunity owner", "deal owner"],
    ),
];

/// Whether a field answers to a normalized header.
type Matcher = fn(&Field, &str) -> bool;

fn fields(kind: Kind) -> &'static [Field] {
    match kind {
        Kind::Accounts => ACCOUNTS,
        Kind::Contacts => CONTACTS,
        Kind::Opportunities => OPPORTUNITIES,
    }
}

/// A header reduced to lower-case letters and digits: `Company Domain`, `company_domain` and
/// `COMPANY-DOMAIN` are one name.
fn normalize(header: &str) -> String {
    header
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// The columns of one file, resolved to fields.
#[derive(Debug)]
pub struct Columns {
    headers: Vec<String>,
    by_field: HashMap<&'static str, usize>,
}

impl Columns {
    /// Maps `headers`: `--mapping` first (`column=field`, or `column=` to skip a column), then a
    /// header spelling a field's own name, then an alias; the first column wins a field.
    pub fn resolve(
        kind: Kind,
        headers: &[String],
        mapping: &[String],
    ) -> Result<Self, ImportError> {
        let catalogue = fields(kind);
        let known = |wanted: &str| {
            catalogue
                .iter()
                .find(|f| normalize(f.name) == normalize(wanted))
                .map(|f| f.name)
        };
        let position = |column: &str| {
            headers
                .iter()
                .position(|h| normalize(h) == normalize(column))
        };
        let mut by_field: HashMap<&'static str, usize> = HashMap::new();
        let mut taken = vec![false; headers.len()];
        for pair in mapping {
            let (column, target) = pair
                .split_once('=')
                .ok_or_else(|| ImportError::Mapping(format!("`{pair}` is not column=field")))?;
            let at = position(column).ok_or_else(|| {
                ImportError::Mapping(format!("the file has no column `{column}`"))
            })?;
            taken[at] = true;
            if target.trim().is_empty() {
                continue;
            }
            let name = known(target).ok_or_else(|| {
                let names: Vec<&str> = catalogue.iter().map(|f| f.name).collect();
                ImportError::Mapping(format!(
                    "`{target}` is not a field of {kind}: {}",
                    names.join(", ")
                ))
            })?;
            by_field.insert(name, at);
        }
        // Our own names first, then the aliases.
        let passes: [Matcher; 2] = [
            |f, h| normalize(f.name) == h,
            |f, h| f.aliases.iter().any(|a| normalize(a) == h),
        ];
        for matches in passes {
            for (at, header) in headers.iter().enumerate() {
                let header = normalize(header);
                if taken[at] {
                    continue;
                }
                if let Some(f) = catalogue
                    .iter()
                    .find(|f| !by_field.contains_key(f.name) && matches(f, &header))
                {
                    by_field.insert(f.name, at);
                    taken[at] = true;
                }
            }
        }
        let columns = Columns {
            headers: headers.to_vec(),
            by_field,
        };
        columns.check_key(kind)?;
        Ok(columns)
    }

    fn check_key(&self, kind: Kind) -> Result<(), ImportError> {
        let keys: &[&str] = match kind {
            Kind::Accounts => &["domain"],
            Kind::Contacts => &["email", "external_id"],
            Kind::Opportunities => &["external_id"],
        };
        if keys.iter().any(|k| self.by_field.contains_key(k)) {
            return Ok(());
        }
        Err(ImportError::Mapping(format!(
            "no column gives {kind} their key ({}); name one with --mapping COLUMN={}",
            keys.join(" or "),
            keys[0]
        )))
    }

    /// The column index of `field`, if a column feeds it.
    pub fn index_of(&self, field: &str) -> Option<usize> {
        self.by_field.get(field).copied()
    }

    /// How a row's error names a field: the file's header for it, else our name.
    pub fn header_of<'a>(&'a self, field: &'a str) -> &'a str {
        self.index_of(field)
            .map(|at| self.headers[at].as_str())
            .unwrap_or(field)
    }

    pub fn headers(&self) -> &[String] {
        &self.headers
    }

    /// One line per mapped column and one for the columns left out, for the person importing.
    pub fn describe(&self) -> String {
        let mut mapped: Vec<(usize, &str)> =
            self.by_field.iter().map(|(f, at)| (*at, *f)).collect();
        mapped.sort();
        let mut lines: Vec<String> = mapped
            .iter()
            .map(|(at, f)| format!("  {} -> {f}", self.headers[*at]))
            .collect();
        let skipped: Vec<&str> = (0..self.headers.len())
            .filter(|at| !mapped.iter().any(|(m, _)| m == at))
            .map(|at| self.headers[at].as_str())
            .collect();
        if !skipped.is_empty() {
            lines.push(format!("  not imported: {}", skipped.join(", ")));
        }
        lines.join("\n")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn headers_match_our_names_and_crm_aliases_whatever_the_case() {
        let columns = Columns::resolve(
            Kind::Contacts,
            &headers(&[
                "Email Address",
                "FIRST_NAME",
                "Job Title",
                "Company Domain",
                "Notes",
            ]),
            &[],
        )
        .unwrap();
        assert_eq!(columns.index_of("email"), Some(0));
        assert_eq!(columns.index_of("first_name"), Some(1));
        assert_eq!(columns.index_of("title"), Some(2));
        assert_eq!(columns.index_of("account_domain"), Some(3));
        assert_eq!(columns.header_of("email"), "Email Address");
        assert!(columns.describe().contains("not imported: Notes"));
    }

    #[test]
    fn an_exact_name_beats_an_alias_and_the_mapping_beats_both() {
        let names = headers(&["Website", "Domain", "Company"]);
        let columns = Columns::resolve(Kind::Accounts, &names, &[]).unwrap();
        assert_eq!(columns.index_of("domain"), Some(1));
        assert_eq!(columns.index_of("name"), Some(2));
        let mapped = Columns::resolve(
            Kind::Accounts,
            &names,
            &["website=domain".into(), "domain=".into()],
        )
        .unwrap();
        assert_eq!(mapped.index_of("domain"), Some(0));
    }

    #[test]
    fn aliases_belong_to_their_kind() {
        // A deal export's "Account Name" is the company's name, not the deal's.
        let columns = Columns::resolve(
            Kind::Opportunities,
            &headers(&[
                "Opportunity ID",
                "Account Name",
                "Amount",
                "Close Date",
                "Stage",
            ]),
            &[],
        )
        .unwrap();
        assert_eq!(columns.index_of("name"), None);
        assert_eq!(columns.index_of("close_date"), Some(3));
    }

    #[test]
    fn bad_mappings_and_missing_keys_are_refused() {
        let names = headers(&["Email"]);
        for mapping in ["email", "nope=email", "email=favourite_colour"] {
            let err = Columns::resolve(Kind::Contacts, &names, &[mapping.into()]).unwrap_err();
            assert!(matches!(err, ImportError::Mapping(_)), "{mapping}");
        }
        let err = Columns::resolve(Kind::Opportunities, &names, &[]).unwrap_err();
        assert!(err.to_string().contains("external_id"), "{err}");
    }
}

//! The API's answers told in the file's terms: fields as the file's columns, items as rows.

/// A message without the `field: ` the API puts in front of it.
pub fn plain_message(message: &str, field: &str) -> String {
    message
        .strip_prefix(field)
        .and_then(|rest| rest.strip_prefix(": "))
        .unwrap_or(message)
        .to_owned()
}

/// The import's name for a field the API named: `contacts[3].accountDomain` is
/// `account_domain`, an owner id is the `owner_email` column; the whole item is "".
pub fn csv_field(path: &str) -> String {
    let Some((_, rest)) = path.split_once("].") else {
        return String::new();
    };
    let first = rest.split(['.', '[']).next().unwrap_or(rest);
    if first == "ownerId" {
        return "owner_email".to_owned();
    }
    let mut snake = String::with_capacity(first.len() + 4);
    for c in first.chars() {
        if c.is_ascii_uppercase() {
            snake.push('_');
            snake.push(c.to_ascii_lowercase());
        } else {
            snake.push(c);
        }
    }
    snake
}

/// The API's `contacts[12]` (or `contacts[12].email`) in a message becomes the row the item
/// came from.
pub fn renumber(message: &str, noun: &str, numbers: &[u64]) -> String {
    let opening = format!("{noun}[");
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(at) = rest.find(&opening) {
        out.push_str(&rest[..at]);
        let after = &rest[at + opening.len()..];
        let index = after.split_once(']').and_then(|(digits, tail)| {
            let number = numbers.get(digits.parse::<usize>().ok()?)?;
            Some((number, tail))
        });
        match index {
            Some((number, tail)) => {
                out.push_str(&format!("row {number}"));
                let field_len = match tail.strip_prefix('.') {
                    Some(field) => {
                        1 + field
                            .find(|c: char| !c.is_alphanumeric())
                            .unwrap_or(field.len())
                    }
                    None => 0,
                };
                rest = &tail[field_len..];
            }
            None => {
                out.push_str(&opening);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_errors_are_told_in_the_file_s_terms() {
        assert_eq!(csv_field("contacts[3].accountDomain"), "account_domain");
        assert_eq!(csv_field("accounts[0].ownerId"), "owner_email");
        assert_eq!(
            csv_field("accounts[0].customAttributes.x"),
            "custom_attributes"
        );
        assert_eq!(csv_field("contacts[3]"), "");
        assert_eq!(
            plain_message(
                "contacts[3].email: is not a valid email address",
                "contacts[3].email"
            ),
            "is not a valid email address"
        );
        assert_eq!(
            renumber(
                "repeats accounts[1].domain in this batch",
                "accounts",
                &[7, 9]
            ),
            "repeats row 9 in this batch"
        );
        assert_eq!(
            renumber(
                "names the same person as contacts[0] in this batch",
                "contacts",
                &[4]
            ),
            "names the same person as row 4 in this batch"
        );
        assert_eq!(
            renumber("contacts[9] is odd", "contacts", &[4]),
            "contacts[9] is odd"
        );
    }
}

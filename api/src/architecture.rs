//! The shape of the code, checked: the invariants of `ARCHITECTURE.md` that the compiler cannot
//! see, read from the sources so that a change which breaks one fails here with the file and line.

use std::{fs, path::Path};

fn sources(under: &str) -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut found = Vec::new();
    let mut pending = vec![root.join(under)];
    while let Some(path) = pending.pop() {
        if path.is_dir() {
            let entries = fs::read_dir(&path).expect("a readable source folder");
            pending.extend(entries.map(|entry| entry.expect("a folder entry").path()));
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            let text = fs::read_to_string(&path).expect("a readable source file");
            found.push((relative(&root, &path), text));
        }
    }
    found.sort();
    found
}

fn relative(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .expect("under src")
        .to_string_lossy()
        .replace('\\', "/")
}

/// Lines of code (comments left out) that contain any of `needles`, as `file:line: text`.
fn offending_lines(
    files: &[(String, String)],
    needles: &[&str],
    allowed: impl Fn(&str) -> bool,
) -> Vec<String> {
    let mut found = Vec::new();
    for (file, text) in files {
        if allowed(file) {
            continue;
        }
        for (number, line) in text.lines().enumerate() {
            let code = line.trim_start();
            if code.starts_with("//") {
                continue;
            }
            if needles.iter().any(|needle| code.contains(needle)) {
                found.push(format!("{file}:{}: {}", number + 1, code));
            }
        }
    }
    found
}

#[test]
fn resolvers_never_reach_the_database() {
    let found = offending_lines(
        &sources("graphql"),
        &[
            "sea_orm",
            "begin_write",
            "Tenant::new",
            "UnitOfWork",
            ".conn()",
        ],
        |_| false,
    );
    assert!(
        found.is_empty(),
        "resolvers call a service, never sea-orm or a transaction:\n{}",
        found.join("\n")
    );
}

#[test]
fn only_the_unit_of_work_begins_commits_and_publishes() {
    let found = offending_lines(
        &sources(""),
        &[
            "begin_write(",
            "TransactionTrait",
            "txn.commit()",
            ".begin().await",
            "notices.publish(",
            ".publish(state",
            "state.publish(",
            "state().publish(",
            "publish_activity(",
            "state.wake_jobs()",
            "state().wake_jobs()",
        ],
        |file| {
            // Where each of these is defined, and the one caller of each.
            matches!(
                file,
                "services/unit_of_work.rs" | "services/notices.rs" | "store/mod.rs" | "state.rs"
            ) || file.starts_with("bus/")
                || file.starts_with("architecture")
        },
    );
    assert!(
        found.is_empty(),
        "writes go through services::unit_of_work::UnitOfWork:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_connection_stays_in_the_store() {
    // `Tenant::conn` and `Global::conn` are private to the store (the compiler checks them);
    // `Store::db` stays public for tests, benchmarks and the migrator, never for the app.
    let found = offending_lines(&sources(""), &["store.db()", "store().db()"], |file| {
        file.starts_with("store/") || file.starts_with("architecture")
    });
    assert!(
        found.is_empty(),
        "ask the store by name instead of holding its connection:\n{}",
        found.join("\n")
    );
}

/// Where a role of `entity::Role` is named by its variant (`Role::Rep`), not merely iterated.
fn names_a_role(code: &str) -> bool {
    const VARIANTS: [&str; 9] = [
        "Owner",
        "Admin",
        "MarketingLeader",
        "SalesLeader",
        "Revops",
        "Marketer",
        "SalesManager",
        "Rep",
        "Viewer",
    ];
    code.match_indices("Role::").any(|(at, _)| {
        let qualified = code[..at]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_alphanumeric() || c == '_');
        let rest = &code[at + "Role::".len()..];
        let variant: String = rest.chars().take_while(|c| c.is_alphanumeric()).collect();
        !qualified && VARIANTS.contains(&variant.as_str())
    })
}

#[test]
fn roles_are_named_only_in_the_permission_table() {
    let mut found = Vec::new();
    for (file, text) in sources("") {
        let exempt = file == "domain/permissions.rs"
            || file.starts_with("domain/permissions/")
            // The demo's cast gives fake people their seats and picks them by seat: data.
            || file.starts_with("demo/")
            || file.starts_with("architecture");
        if exempt {
            continue;
        }
        for (number, line) in text.lines().enumerate() {
            let code = line.trim_start();
            if !code.starts_with("//") && names_a_role(code) {
                found.push(format!("{file}:{}: {code}", number + 1));
            }
        }
    }
    assert!(
        found.is_empty(),
        "name a Permission in domain/permissions.rs instead of a role:\n{}",
        found.join("\n")
    );
}

#[test]
fn a_role_is_named_by_its_variant_only() {
    assert!(names_a_role("if role == Role::SalesLeader {"));
    assert!(names_a_role("matches!(r, Role::Rep | x)"));
    assert!(!names_a_role("ReviewRole::SalesLeader"));
    assert!(!names_a_role("for role in Role::iter() {"));
}

/// Each function of the ingestion service, with its length in lines.
fn function_lengths(text: &str) -> Vec<(String, usize)> {
    let lines: Vec<&str> = text.lines().collect();
    let mut found = Vec::new();
    let mut index = 0;
    while index < lines.len() {
        let line = lines[index].trim_start();
        let is_fn = [
            "fn ",
            "pub fn ",
            "async fn ",
            "pub async fn ",
            "pub(crate) async fn ",
        ]
        .iter()
        .chain(&["pub(crate) fn ", "pub(super) fn ", "pub(super) async fn "])
        .any(|start| line.starts_with(start));
        if !is_fn {
            index += 1;
            continue;
        }
        let name = line
            .split("fn ")
            .nth(1)
            .and_then(|rest| rest.split(['(', '<']).next())
            .unwrap_or_default()
            .to_owned();
        let (mut depth, mut opened, start) = (0i32, false, index);
        while index < lines.len() {
            for c in lines[index].chars() {
                match c {
                    '{' => {
                        depth += 1;
                        opened = true;
                    }
                    '}' => depth -= 1,
                    _ => {}
                }
            }
            index += 1;
            if opened && depth == 0 {
                break;
            }
            if !opened && lines[index - 1].trim_end().ends_with(';') {
                break;
            }
        }
        found.push((name, index - start));
    }
    found
}

#[test]
fn the_ingestion_service_reads_in_short_functions() {
    let mut long = Vec::new();
    for (file, text) in sources("services/ingest") {
        for (name, length) in function_lengths(&text) {
            if length >= 80 {
                long.push(format!("{file}: {name} is {length} lines"));
            }
        }
    }
    assert!(
        long.is_empty(),
        "keep each function of services/ingest under 80 lines (decisions belong in domain):\n{}",
        long.join("\n")
    );
}

#[test]
fn function_lengths_are_measured_from_brace_to_brace() {
    let text = "fn short() {\n    1;\n}\n\npub async fn longer(x: u8) -> u8 {\n    if x > 0 {\n        x\n    } else {\n        0\n    }\n}\n";
    assert_eq!(
        function_lengths(text),
        vec![("short".to_owned(), 3), ("longer".to_owned(), 7)]
    );
}

#[test]
fn nothing_points_outside_the_repository() {
    let found = offending_lines(
        &sources(""),
        &["DESIGN.md", "DESIGN §", "shared/seeds", "../shared"],
        |file| file.starts_with("architecture"),
    );
    let comments: Vec<String> = sources("")
        .iter()
        .filter(|(file, _)| !file.starts_with("architecture"))
        .flat_map(|(file, text)| {
            text.lines()
                .enumerate()
                .filter(|(_, line)| {
                    let line = line.trim_start();
                    line.starts_with("//")
                        && ["DESIGN.md", "DESIGN §", "shared/seeds", "../shared"]
                            .iter()
                            .any(|needle| line.contains(needle))
                })
                .map(move |(number, line)| format!("{file}:{}: {}", number + 1, line.trim()))
                .collect::<Vec<_>>()
        })
        .collect();
    assert!(
        found.is_empty() && comments.is_empty(),
        "cite docs/domain.md, ARCHITECTURE.md or the README instead:\n{}\n{}",
        found.join("\n"),
        comments.join("\n")
    );
}

//! `schema.graphql` is the exported SDL; it must match the code.

#[test]
fn schema_graphql_matches_the_code() {
    let committed = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/schema.graphql"))
        .expect("schema.graphql at the repository root");
    let generated = accord_api::graphql::sdl();
    assert!(
        committed == generated,
        "schema.graphql is stale: regenerate it with `cargo run -- schema > schema.graphql`"
    );
}

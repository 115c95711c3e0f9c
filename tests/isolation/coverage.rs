//! The matrix is derived from the schema: a root field (query, mutation or subscription) that
//! takes an id, as an argument or anywhere inside an input, must have a case, and every case
//! must aim at such a field. Adding an operation that takes an id without a case fails here.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use async_graphql::parser::{
    parse_query, parse_schema,
    types::{BaseType, DocumentOperations, Selection, Type, TypeKind, TypeSystemDefinition},
};

use super::cases::cases;

const SCHEMA: &str = include_str!("../../schema.graphql");

/// The root field a case's document calls (its first selection).
pub fn root_field(document: &str) -> String {
    let parsed = parse_query(document).unwrap_or_else(|err| panic!("{document}: {err}"));
    let operation = match parsed.operations {
        DocumentOperations::Single(operation) => operation,
        DocumentOperations::Multiple(_) => panic!("one operation per case: {document}"),
    };
    match &operation.node.selection_set.node.items[0].node {
        Selection::Field(field) => field.node.name.node.to_string(),
        _ => panic!("a case selects a root field first: {document}"),
    }
}

/// The name a type is built on (`[ID!]!` -> `ID`).
fn named(ty: &Type) -> &str {
    match &ty.base {
        BaseType::Named(name) => name.as_str(),
        BaseType::List(inner) => named(inner),
    }
}

/// Every root field that takes an id, with the paths of its id arguments
/// (`Mutation.createPlay` -> `input.cadenceId`, ...).
fn root_fields_taking_ids() -> BTreeMap<String, Vec<String>> {
    let document = parse_schema(SCHEMA).expect("schema.graphql parses");
    let mut inputs = HashMap::new();
    let mut objects = HashMap::new();
    for definition in &document.definitions {
        if let TypeSystemDefinition::Type(ty) = definition {
            let name = ty.node.name.node.to_string();
            match &ty.node.kind {
                TypeKind::InputObject(input) => {
                    let fields: Vec<(String, Type)> = input
                        .fields
                        .iter()
                        .map(|f| (f.node.name.node.to_string(), f.node.ty.node.clone()))
                        .collect();
                    inputs.insert(name, fields);
                }
                TypeKind::Object(object) => {
                    objects.insert(name, object.fields.clone());
                }
                _ => {}
            }
        }
    }
    // Paths to every ID inside a value of type `ty`.
    fn id_paths(
        ty: &str,
        inputs: &HashMap<String, Vec<(String, Type)>>,
        seen: &mut Vec<String>,
    ) -> Vec<String> {
        if ty == "ID" {
            return vec![String::new()];
        }
        let Some(fields) = inputs.get(ty) else {
            return Vec::new();
        };
        if seen.iter().any(|s| s == ty) {
            return Vec::new();
        }
        seen.push(ty.to_owned());
        let mut paths = Vec::new();
        for (name, field_ty) in fields {
            for rest in id_paths(named(field_ty), inputs, seen) {
                paths.push(format!(".{name}{rest}"));
            }
        }
        seen.pop();
        paths
    }
    let mut found = BTreeMap::new();
    for root in ["Query", "Mutation", "Subscription"] {
        for field in objects.get(root).into_iter().flatten() {
            let mut paths = Vec::new();
            for argument in &field.node.arguments {
                let name = argument.node.name.node.to_string();
                for rest in id_paths(named(&argument.node.ty.node), &inputs, &mut Vec::new()) {
                    paths.push(format!("{name}{rest}"));
                }
            }
            if !paths.is_empty() {
                found.insert(field.node.name.node.to_string(), paths);
            }
        }
    }
    found
}

#[test]
fn every_root_field_taking_an_id_has_a_case() {
    let taking_ids = root_fields_taking_ids();
    assert!(
        taking_ids.contains_key("lead") && taking_ids.contains_key("playTriggers"),
        "the schema walk finds queries and subscriptions: {taking_ids:?}"
    );
    let covered: BTreeSet<String> = cases().iter().map(|c| root_field(c.query)).collect();
    let missing: Vec<String> = taking_ids
        .iter()
        .filter(|(field, _)| !covered.contains(*field))
        .map(|(field, paths)| format!("{field} ({})", paths.join(", ")))
        .collect();
    assert!(
        missing.is_empty(),
        "root fields taking an id with no case in the isolation matrix: {missing:?}"
    );
    let stray: Vec<&String> = covered
        .iter()
        .filter(|field| !taking_ids.contains_key(*field))
        .collect();
    assert!(
        stray.is_empty(),
        "cases aimed at fields that take no id: {stray:?}"
    );
}

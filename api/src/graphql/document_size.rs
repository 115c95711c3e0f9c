//! The size of a parsed document as the caps see it: aliased fields, root fields and expensive
//! root fields of each operation, with fragments counted where they are spread (so a fragment
//! of 90 aliases spread twice counts 180). Each fragment is measured once, so a document of
//! fragments spreading fragments costs time linear in its text; a fragment that spreads itself
//! counts nothing here and is refused by validation afterwards.
//!
//! Depth is measured here too, for data fields only: the standard introspection query
//! (GraphiQL, codegen, Postman) nests `ofType` nine deep inside `__schema`, which no data limit
//! should refuse. Introspection (like any document) stays under async-graphql's recursion limit.

use std::collections::{HashMap, HashSet};

use async_graphql::{
    parser::types::{ExecutableDocument, FragmentDefinition, Selection, SelectionSet},
    Name, Positioned,
};

/// The largest counts over the document's operations (only one of them runs).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct DocumentSize {
    pub aliases: usize,
    pub root_fields: usize,
    pub expensive_root_fields: usize,
    /// The deepest nesting of data fields (`{ a { b } }` is 2); an introspection field counts 1.
    pub depth: usize,
}

fn is_introspection(name: &str) -> bool {
    name == "__schema" || name == "__type"
}

/// Measures `doc`, with `is_expensive` naming the expensive root fields.
pub fn measure(doc: &ExecutableDocument, is_expensive: impl Fn(&str) -> bool) -> DocumentSize {
    let mut walker = Walker {
        fragments: &doc.fragments,
        is_expensive: &is_expensive,
        measured: HashMap::new(),
        visiting: HashSet::new(),
    };
    doc.operations
        .iter()
        .map(|(_, operation)| walker.size_of(&operation.node.selection_set.node))
        .fold(DocumentSize::default(), |largest, size| DocumentSize {
            aliases: largest.aliases.max(size.aliases),
            root_fields: largest.root_fields.max(size.root_fields),
            expensive_root_fields: largest
                .expensive_root_fields
                .max(size.expensive_root_fields),
            depth: largest.depth.max(size.depth),
        })
}

struct Walker<'a> {
    fragments: &'a HashMap<Name, Positioned<FragmentDefinition>>,
    is_expensive: &'a dyn Fn(&str) -> bool,
    /// Each fragment's size as if it were a selection set of its own.
    measured: HashMap<&'a str, DocumentSize>,
    visiting: HashSet<&'a str>,
}

impl<'a> Walker<'a> {
    /// One walk of `set`: aliases at any depth, the fields at its top (through fragments) and how
    /// many of them are expensive, and its data depth (introspection fields count one level,
    /// whatever they hold).
    fn size_of(&mut self, set: &'a SelectionSet) -> DocumentSize {
        let mut size = DocumentSize::default();
        for item in &set.items {
            let part = match &item.node {
                Selection::Field(field) => {
                    let name = field.node.name.node.as_str();
                    let below = self.size_of(&field.node.selection_set.node);
                    DocumentSize {
                        aliases: below
                            .aliases
                            .saturating_add(usize::from(field.node.alias.is_some())),
                        root_fields: 1,
                        expensive_root_fields: usize::from((self.is_expensive)(name)),
                        depth: if is_introspection(name) {
                            1
                        } else {
                            below.depth.saturating_add(1)
                        },
                    }
                }
                Selection::InlineFragment(inline) => self.size_of(&inline.node.selection_set.node),
                Selection::FragmentSpread(spread) => {
                    self.fragment_size(spread.node.fragment_name.node.as_str())
                }
            };
            size = DocumentSize {
                aliases: size.aliases.saturating_add(part.aliases),
                root_fields: size.root_fields.saturating_add(part.root_fields),
                expensive_root_fields: size
                    .expensive_root_fields
                    .saturating_add(part.expensive_root_fields),
                depth: size.depth.max(part.depth),
            };
        }
        size
    }

    /// Fragment `name` measured once; nothing for an unknown fragment or one already being
    /// walked (a cycle).
    fn fragment_size(&mut self, name: &'a str) -> DocumentSize {
        if let Some(known) = self.measured.get(name) {
            return *known;
        }
        let Some(definition) = self.fragments.get(name) else {
            return DocumentSize::default();
        };
        if !self.visiting.insert(name) {
            return DocumentSize::default();
        }
        let size = self.size_of(&definition.node.selection_set.node);
        self.visiting.remove(name);
        self.measured.insert(name, size);
        size
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn size(query: &str) -> DocumentSize {
        let doc = async_graphql::parser::parse_query(query).expect("parses");
        measure(&doc, |name| name == "costly")
    }

    #[test]
    fn aliases_count_at_every_depth_and_through_fragments() {
        let found = size(
            "query { a: me { b: id } ...F ...F } fragment F on Query { c: me { id } d: costly }",
        );
        assert_eq!(found.aliases, 2 + 2 * 2);
        assert_eq!(found.root_fields, 1 + 2 * 2);
        assert_eq!(found.expensive_root_fields, 2);
    }

    #[test]
    fn inline_fragments_at_the_root_bring_their_fields() {
        let found = size("{ ... on Query { costly other: costly } __typename }");
        assert_eq!(
            found,
            DocumentSize {
                aliases: 1,
                root_fields: 3,
                expensive_root_fields: 2,
                depth: 1,
            }
        );
    }

    #[test]
    fn the_largest_operation_counts() {
        let found = size("query A { me } query B { a: me b: me c: me }");
        assert_eq!(found.root_fields, 3);
        assert_eq!(found.aliases, 3);
    }

    #[test]
    fn depth_counts_data_fields_only() {
        let found = size("{ me { workspace { id } } __typename }");
        assert_eq!(found.depth, 3);
        let found = size(
            "{ me { id } __schema { types { ...T } } } \
             fragment T on __Type { fields { type { ofType { ofType { ofType { name } } } } } }",
        );
        assert_eq!(
            found.depth, 2,
            "introspection adds nothing to the data depth"
        );
        let found = size("{ ...D } fragment D on Query { me { workspace { id } } }");
        assert_eq!(found.depth, 3, "fragments count where they are spread");
    }

    #[test]
    fn a_fragment_cycle_ends() {
        let found =
            size("{ ...A } fragment A on Query { x: me ...B } fragment B on Query { y: me ...A }");
        assert_eq!(found.aliases, 2);
    }

    #[test]
    fn nested_fragments_are_measured_once_each() {
        // 2^20 fields once expanded: counted without expanding.
        let mut query = String::from("{ ...F0 } fragment F20 on Query { a: me }");
        for i in 0..20 {
            query.push_str(&format!(
                " fragment F{i} on Query {{ ...F{n} ...F{n} }}",
                n = i + 1
            ));
        }
        assert_eq!(size(&query).aliases, 1 << 20);
    }
}

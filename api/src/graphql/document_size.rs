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
        aliases: HashMap::new(),
        roots: HashMap::new(),
        visiting: HashSet::new(),
        depths: HashMap::new(),
    };
    let mut size = DocumentSize::default();
    for (_, operation) in doc.operations.iter() {
        let set = &operation.node.selection_set.node;
        let (root_fields, expensive) = walker.roots_in(set);
        size.aliases = size.aliases.max(walker.aliases_in(set));
        size.root_fields = size.root_fields.max(root_fields);
        size.expensive_root_fields = size.expensive_root_fields.max(expensive);
        size.depth = size.depth.max(walker.depth_in(set));
    }
    size
}

struct Walker<'a> {
    fragments: &'a HashMap<Name, Positioned<FragmentDefinition>>,
    is_expensive: &'a dyn Fn(&str) -> bool,
    aliases: HashMap<&'a str, usize>,
    roots: HashMap<&'a str, (usize, usize)>,
    visiting: HashSet<&'a str>,
    depths: HashMap<&'a str, usize>,
}

impl<'a> Walker<'a> {
    /// Aliased fields at any depth of `set`.
    fn aliases_in(&mut self, set: &'a SelectionSet) -> usize {
        set.items.iter().fold(0usize, |count, item| {
            let inner = match &item.node {
                Selection::Field(field) => usize::from(field.node.alias.is_some())
                    .saturating_add(self.aliases_in(&field.node.selection_set.node)),
                Selection::InlineFragment(inline) => {
                    self.aliases_in(&inline.node.selection_set.node)
                }
                Selection::FragmentSpread(spread) => {
                    let name = spread.node.fragment_name.node.as_str();
                    if let Some(known) = self.aliases.get(name) {
                        *known
                    } else {
                        let counted = self
                            .fragment(name)
                            .map(|set| {
                                let n = self.aliases_in(set);
                                self.visiting.remove(name);
                                n
                            })
                            .unwrap_or(0);
                        self.aliases.insert(name, counted);
                        counted
                    }
                }
            };
            count.saturating_add(inner)
        })
    }

    /// Fields at the top of `set` (through fragments), and how many of them are expensive.
    fn roots_in(&mut self, set: &'a SelectionSet) -> (usize, usize) {
        set.items
            .iter()
            .fold((0usize, 0usize), |(all, expensive), item| {
                let (more, more_expensive) = match &item.node {
                    Selection::Field(field) => (
                        1,
                        usize::from((self.is_expensive)(field.node.name.node.as_str())),
                    ),
                    Selection::InlineFragment(inline) => {
                        self.roots_in(&inline.node.selection_set.node)
                    }
                    Selection::FragmentSpread(spread) => {
                        let name = spread.node.fragment_name.node.as_str();
                        if let Some(known) = self.roots.get(name) {
                            *known
                        } else {
                            let counted = self
                                .fragment(name)
                                .map(|set| {
                                    let n = self.roots_in(set);
                                    self.visiting.remove(name);
                                    n
                                })
                                .unwrap_or((0, 0));
                            self.roots.insert(name, counted);
                            counted
                        }
                    }
                };
                (
                    all.saturating_add(more),
                    expensive.saturating_add(more_expensive),
                )
            })
    }

    /// The data depth of `set`: introspection fields (`__schema`, `__type`) count one level,
    /// whatever they hold.
    fn depth_in(&mut self, set: &'a SelectionSet) -> usize {
        set.items.iter().fold(0, |deepest, item| {
            let depth = match &item.node {
                Selection::Field(field) if is_introspection(field.node.name.node.as_str()) => 1,
                Selection::Field(field) => self
                    .depth_in(&field.node.selection_set.node)
                    .saturating_add(1),
                Selection::InlineFragment(inline) => self.depth_in(&inline.node.selection_set.node),
                Selection::FragmentSpread(spread) => {
                    let name = spread.node.fragment_name.node.as_str();
                    if let Some(known) = self.depths.get(name) {
                        *known
                    } else {
                        let counted = self
                            .fragment(name)
                            .map(|set| {
                                let n = self.depth_in(set);
                                self.visiting.remove(name);
                                n
                            })
                            .unwrap_or(0);
                        self.depths.insert(name, counted);
                        counted
                    }
                }
            };
            deepest.max(depth)
        })
    }

    /// The selection of fragment `name`, marked as being walked; `None` when unknown or
    /// already being walked (a cycle).
    fn fragment(&mut self, name: &'a str) -> Option<&'a SelectionSet> {
        let definition = self.fragments.get(name)?;
        self.visiting
            .insert(name)
            .then_some(&definition.node.selection_set.node)
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

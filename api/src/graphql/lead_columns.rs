//! Which of a lead's columns a list must read: the `Lead` fields the query selects, each mapped
//! to the columns its resolver reads. A selection with any field outside [`FIELDS`] reads the
//! whole row, so a new field is correct before it is listed here, only slower.

use async_graphql::Context;
use entity::contact::{self, Column as C};

use crate::store::narrow::Narrow;

/// The `Lead` fields served from their own columns alone.
const FIELDS: &[(&str, &[C])] = &[
    ("__typename", &[]),
    ("id", &[C::Id]),
    ("email", &[C::Email]),
    ("externalId", &[C::ExternalId]),
    ("name", &[C::Name]),
    ("title", &[C::Title]),
    ("persona", &[C::Persona]),
    ("seniority", &[C::Seniority]),
    ("personalEmail", &[C::PersonalEmail]),
    ("account", &[C::AccountId]),
    ("source", &[C::SourceId]),
    ("sourceDetail", &[C::SourceDetail]),
    ("owner", &[C::OwnerId]),
    ("stage", &[C::Stage]),
    ("fitScore", &[C::FitScore]),
    ("fitBreakdown", &[C::FitBreakdown]),
    ("engagementScore", &[C::EngagementScore]),
    ("pqlScore", &[C::PqlScore]),
    ("mqlKind", &[C::MqlKind]),
    ("assignedAt", &[C::AssignedAt]),
    ("waitingSince", &[C::WaitingSince]),
    ("routing", &[C::Routing]),
    ("tags", &[C::Tags]),
    ("recycleTag", &[C::RecycleTag]),
    ("checkBackOn", &[C::CheckBackOn]),
    ("optedOutAt", &[C::OptedOutAt]),
    ("customAttributes", &[C::Custom]),
    ("createdAt", &[C::CreatedAt]),
    ("updatedAt", &[C::UpdatedAt]),
];

/// The columns a connection of leads (the field resolving now) needs for the `Lead` fields
/// selected under `edges.node` and `nodes`; `None` when one of them needs the whole row.
pub fn for_connection(ctx: &Context<'_>) -> Option<Narrow<contact::Entity>> {
    let look_ahead = ctx.look_ahead();
    let nodes = look_ahead.field("edges").field("node").selection_fields();
    let more = look_ahead.field("nodes").selection_fields();
    columns_of(
        nodes
            .iter()
            .chain(more.iter())
            .flat_map(|node| node.selection_set())
            .map(|field| field.name()),
    )
}

fn columns_of<'a>(fields: impl Iterator<Item = &'a str>) -> Option<Narrow<contact::Entity>> {
    let mut columns = Vec::new();
    for name in fields {
        let (_, reads) = FIELDS.iter().find(|(field, _)| *field == name)?;
        columns.extend_from_slice(reads);
    }
    Some(Narrow::new(columns))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(narrow: Option<Narrow<contact::Entity>>) -> Option<Vec<&'static str>> {
        narrow.map(|n| n.column_names())
    }

    #[test]
    fn listed_fields_read_their_columns_once() {
        let fields = ["id", "email", "account", "fitScore", "email", "__typename"];
        assert_eq!(
            names(columns_of(fields.into_iter())),
            Some(vec!["id", "email", "account_id", "fit_score"])
        );
    }

    #[test]
    fn a_field_not_listed_reads_the_whole_row() {
        let fields = ["id", "email", "scoreBreakdown"];
        assert_eq!(names(columns_of(fields.into_iter())), None);
    }

    /// Every listed field is a field of `Lead` in the schema.
    #[test]
    fn every_listed_field_exists() {
        let sdl = crate::graphql::sdl();
        let lead = sdl
            .split("\ntype Lead {")
            .nth(1)
            .and_then(|rest| rest.split("\n}").next())
            .expect("the schema has a Lead type");
        for (field, _) in FIELDS.iter().filter(|(f, _)| *f != "__typename") {
            assert!(
                lead.contains(&format!("\n\t{field}:")) || lead.contains(&format!("\n\t{field}(")),
                "Lead has no field {field}"
            );
        }
    }
}

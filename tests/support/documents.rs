//! GraphQL documents more than one test module sends, written once.

/// Ingests a batch of events; each result with everything a test may look at.
pub const INGEST: &str = "mutation($e: [EventInput!]!) { ingestEvents(events: $e) { results { index status eventId error { code field message } } } }";

/// One signature on a lead contract.
pub const SIGN_CONTRACT: &str = "mutation($id: ID!) { signLeadContract(id: $id) { status } }";

/// A routing rule sending every lead that has `field` to one member.
pub const ROUTE_EVERYONE: &str = "mutation($field: String!, $rep: ID!) { createRoutingRule(input: {name: \"Everyone\", position: 1, criteria: {field: $field, op: EXISTS}, targets: [{userId: $rep}]}) { id } }";

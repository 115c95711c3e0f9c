use super::*;

/// The expected table, written out by hand. Columns: OWNER, ADMIN, MARKETING_LEADER,
/// SALES_LEADER, REVOPS, MARKETER, SALES_MANAGER, REP, VIEWER. `A` all, `T` team (and own),
/// `O` own, `-` nothing.
const EXPECTED: &[(Permission, &str)] = &[
    (Permission::ReadWorkspace, "AAAAAAAAA"),
    (Permission::ManageMembers, "AA-------"),
    (Permission::ManageIntegrations, "AA-------"),
    (Permission::WatchActivity, "AAAAAAA-A"),
    (Permission::EditRevenueRules, "AAAAA----"),
    (Permission::WriteAccounts, "AAAAAAA--"),
    (Permission::WriteContacts, "AAAAAAA--"),
    (Permission::ManageCatalog, "AAA-AA---"),
    (Permission::ReadOpportunities, "AAAAAAAAA"),
    (Permission::WriteOpportunities, "AA-AA-AA-"),
    (Permission::IngestEvents, "AAAAAAA--"),
    (Permission::ReadLeads, "AAAAAAAAA"),
    (Permission::ReadAccounts, "AAAAAAAAA"),
    (Permission::ReadMetrics, "AAAAAAAAA"),
    (Permission::ReadTriggers, "AAAAAAAAA"),
    (Permission::RunRevenueReview, "AAAAA----"),
    (Permission::ManageWebhooks, "AA--A----"),
    (Permission::OrganiseTeams, "AA-AA----"),
    (Permission::DisputeRejection, "AAA-AA---"),
    (Permission::ResolveDispute, "AAAA-----"),
    (Permission::SignContractForMarketing, "--A------"),
    (Permission::SignContractForSales, "---A-----"),
    (Permission::ReceiveLeads, "AA-A--AA-"),
    (Permission::UpdateDeal, "AA-AA-TO-"),
    (Permission::DeleteDeal, "AA-AA----"),
    (Permission::WorkLead, "AA-AA-TO-"),
    (Permission::AssignLead, "AA-AA-T--"),
    (Permission::FollowTriggers, "AAOAAOTOO"),
    (Permission::WatchTriggers, "AAAAA-T--"),
    (Permission::SetAvailability, "AAOAAOTOO"),
    (Permission::HearOfPausedSources, "--A------"),
    (Permission::HearOfUnroutableLeads, "----A-A--"),
    (Permission::ReceiveSlaEscalations, "---A-----"),
    (Permission::ReceiveDisputes, "---A-----"),
    (Permission::OwnGoalForMarketing, "--A--A---"),
    (Permission::OwnGoalForSales, "---A--AA-"),
    (Permission::EditGoal, "AAAAAOOO-"),
    (Permission::HoldReviewQuorumForMarketing, "--A------"),
    (Permission::HoldReviewQuorumForSales, "---A-----"),
];

fn letter(reach: Reach) -> char {
    match reach {
        Reach::Nothing => '-',
        Reach::Own => 'O',
        Reach::Team => 'T',
        Reach::All => 'A',
    }
}

#[test]
fn every_role_and_permission_is_as_written_out() {
    let roles: Vec<Role> = Role::iter().collect();
    assert_eq!(roles.len(), 9, "a new role needs its column in EXPECTED");
    let listed: Vec<Permission> = EXPECTED.iter().map(|(p, _)| *p).collect();
    assert_eq!(
        listed,
        Permission::iter().collect::<Vec<_>>(),
        "EXPECTED lists every permission, in order"
    );
    for (permission, row) in EXPECTED {
        let row: Vec<char> = row.chars().collect();
        for (role, expected) in roles.iter().zip(&row) {
            assert_eq!(
                letter(reach(*role, *permission)),
                *expected,
                "{role:?} × {permission:?}"
            );
        }
    }
}

#[test]
fn every_role_permission_and_relation_is_decided_by_the_reach() {
    for role in Role::iter() {
        for permission in Permission::iter() {
            let reach = reach(role, permission);
            if !permission.is_record_level() {
                assert!(
                    matches!(reach, Reach::All | Reach::Nothing),
                    "{role:?} × {permission:?}: only record-level permissions reach part of the records"
                );
            }
            let decided: Vec<bool> = Relation::iter()
                .map(|relation| allows(role, permission, relation))
                .collect();
            let expected = match reach {
                Reach::Nothing => [false, false, false],
                Reach::Own => [true, false, false],
                Reach::Team => [true, true, false],
                Reach::All => [true, true, true],
            };
            assert_eq!(decided, expected, "{role:?} × {permission:?}");
            assert_eq!(role_allows(role, permission), reach != Reach::Nothing);
        }
    }
}

#[test]
fn reps_work_their_own_records_managers_their_team_leaders_all() {
    use Relation::*;
    for permission in [Permission::UpdateDeal, Permission::WorkLead] {
        assert!(allows(Role::Rep, permission, Own));
        assert!(!allows(Role::Rep, permission, Team));
        assert!(!allows(Role::Rep, permission, Other));
        assert!(allows(Role::SalesManager, permission, Team));
        assert!(!allows(Role::SalesManager, permission, Other));
        assert!(allows(Role::SalesLeader, permission, Other));
        assert!(allows(Role::Revops, permission, Other));
    }
    assert!(!allows(Role::Rep, Permission::DeleteDeal, Own));
    assert!(!allows(Role::SalesManager, Permission::DeleteDeal, Own));
    assert!(allows(Role::Admin, Permission::DeleteDeal, Other));
    assert!(!allows(Role::SalesManager, Permission::AssignLead, Other));
    assert!(!allows(
        Role::SalesManager,
        Permission::FollowTriggers,
        Other
    ));
    assert!(allows(Role::Rep, Permission::FollowTriggers, Own));
}

#[test]
fn the_relation_comes_from_the_owner_and_their_manager() {
    let (me, rep, boss) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
    assert_eq!(Relation::between(me, Some(me), None), Relation::Own);
    assert_eq!(Relation::between(me, Some(me), Some(boss)), Relation::Own);
    assert_eq!(Relation::between(me, Some(rep), Some(me)), Relation::Team);
    assert_eq!(
        Relation::between(me, Some(rep), Some(boss)),
        Relation::Other
    );
    assert_eq!(Relation::between(me, Some(rep), None), Relation::Other);
    assert_eq!(
        Relation::between(me, None, Some(me)),
        Relation::Other,
        "nobody's record is nobody's team's"
    );
}

#[test]
fn admins_cannot_make_owners() {
    assert!(may_grant(Role::Owner, Role::Owner));
    assert!(!may_grant(Role::Admin, Role::Owner));
    assert!(may_grant(Role::Admin, Role::Rep));
    assert!(!may_grant(Role::SalesLeader, Role::Rep));
}

#[test]
fn people_only_permissions_have_no_scope() {
    assert_eq!(Permission::ManageMembers.scope(), None);
    assert_eq!(Permission::WorkLead.scope(), None);
    assert_eq!(Permission::IngestEvents.scope(), Some("events:write"));
    assert_eq!(Permission::DeleteDeal.scope(), Some("opportunities:write"));
}

/// `docs/permissions.md` is the table printed; `ACCORD_UPDATE_DOCS=1` rewrites it.
#[test]
fn the_committed_matrix_is_the_table() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/permissions.md");
    let printed = markdown();
    if std::env::var("ACCORD_UPDATE_DOCS").is_ok_and(|v| v == "1") {
        std::fs::write(&path, &printed).expect("write docs/permissions.md");
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == printed,
        "docs/permissions.md drifted from the permission table: run \
         `ACCORD_UPDATE_DOCS=1 cargo test -p accord-api the_committed_matrix`"
    );
}

#[test]
fn escalations_and_disputes_reach_the_sales_leaders() {
    for permission in [
        Permission::ReceiveSlaEscalations,
        Permission::ReceiveDisputes,
    ] {
        assert_eq!(roles_with(permission), vec![Role::SalesLeader]);
    }
}

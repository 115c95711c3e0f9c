//! Seats go only to people who proved the invited address (issue 14, item 7): `addMember`
//! invites, the invited person confirms their address and accepts; sign-up, invitations and
//! password resets answer the same for known and unknown addresses.

use chrono::{Duration, Utc};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{json, Value};

use crate::support::{Reply, Session, TestApp};

const INVITE: &str = "mutation($email: String!, $role: Role!) { addMember(input: {email: $email, role: $role}) { id email role createdAt expiresAt acceptedAt revokedAt } }";
const SIGN_UP: &str = "mutation($email: String!) { signUp(input: {email: $email, password: \"a different password\", name: \"Someone\"}) { accessToken refreshToken expiresAt user { id email name emailVerified } workspace { id } } }";
const RESET_REQUEST: &str = "mutation($email: String!) { requestPasswordReset(email: $email) }";
const RESET: &str =
    "mutation($token: String!, $password: String!) { resetPassword(token: $token, newPassword: $password) }";
const MEMBERS: &str = "{ members(first: 50) { totalCount edges { node { id user { id } } } } }";

async fn invite(app: &TestApp, owner: &Session, email: &str) -> Reply {
    app.gql(
        Some(&owner.access),
        INVITE,
        json!({"email": email, "role": "REP"}),
    )
    .await
}

/// The body with every value that differs between any two calls (ids, times, tokens, the
/// caller's remaining rate budget) masked,
/// so two answers compare equal exactly when they tell the same.
fn shape(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(key, v)| {
                    let masked = match key.as_str() {
                        "id" | "createdAt" | "expiresAt" | "accessToken" | "refreshToken"
                        | "email" | "remaining" | "resetAfter" => json!("<varies>"),
                        _ => shape(v),
                    };
                    (key.clone(), masked)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(shape).collect()),
        other => other.clone(),
    }
}

#[actix_web::test]
async fn a_squatter_cannot_take_the_seat_of_an_address_registered_first() {
    let app = TestApp::start().await;
    let owner = app.owner("Acme").await;
    // Mallory signs up as Alice before Alice does.
    let squatter = app.sign_up("alice@acme.com").await;
    let invited = invite(&app, &owner, "alice@acme.com").await;
    let invitation = invited.data("addMember");
    // The answer is the invitation, not the account behind the address.
    assert_eq!(invitation["email"], "alice@acme.com");
    assert!(invitation.get("name").is_none() && invitation.get("user").is_none());
    assert_eq!(invitation["acceptedAt"], json!(null));
    assert!(!invited.raw.contains(&squatter.user_id));
    // No seat yet: the owner is alone.
    let members = app.gql(Some(&owner.access), MEMBERS, json!({})).await;
    assert_eq!(members.data("members")["totalCount"], 1);

    // Even holding the link, the squatter's unverified account cannot accept it.
    let token = app.mailed_token("alice@acme.com", "invitation").await;
    assert_eq!(app.accept(&squatter, &token).await.code(), "FORBIDDEN");
    // The squatter cannot verify the address: the link went to Alice's mailbox, and
    // resending only mails it there again.
    let resend = app
        .gql(
            Some(&squatter.access),
            "mutation { resendVerification }",
            json!({}),
        )
        .await;
    assert_eq!(resend.data("resendVerification"), true);

    // Alice signs up too (the same answer as any sign-up), proves the address and accepts.
    let alice = app.sign_up("alice@acme.com").await;
    assert_ne!(alice.user_id, squatter.user_id);
    let verified = app
        .gql(
            None,
            "mutation($t: String!) { verifyEmail(token: $t) { id emailVerified } }",
            json!({"t": app.mailed_token("alice@acme.com", "verify_email").await}),
        )
        .await;
    assert_eq!(verified.data("verifyEmail")["id"], json!(alice.user_id));
    let accepted = app.accept(&alice, &token).await;
    assert_eq!(accepted.data("acceptInvitation")["role"], "REP");
    let members = app.gql(Some(&owner.access), MEMBERS, json!({})).await;
    let seats: Vec<&Value> = members.data("members")["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|edge| &edge["node"]["user"]["id"])
        .collect();
    assert!(seats.contains(&&json!(alice.user_id)));
    assert!(!seats.contains(&&json!(squatter.user_id)));

    // The squatter's own verification links (mailed to Alice) can no longer take the address.
    let mail = app.mail_to("alice@acme.com").await;
    let first_link = mail
        .iter()
        .find(|(kind, _)| kind == "verify_email")
        .map(|(_, body)| crate::support::token_in(body))
        .unwrap();
    let late = app
        .gql(
            None,
            "mutation($t: String!) { verifyEmail(token: $t) { id } }",
            json!({"t": first_link}),
        )
        .await;
    assert_eq!(late.code(), "CONFLICT", "{}", late.raw);
    // And a later sign-up with the address warns its owner instead of mailing a link.
    app.sign_up("alice@acme.com").await;
    let last = app.mail_to("alice@acme.com").await.pop().unwrap();
    assert_eq!(last.0, "address_in_use");
    assert!(!last.1.contains("token="));
}

#[actix_web::test]
async fn an_invitation_is_accepted_only_by_the_verified_invited_address() {
    let app = TestApp::start().await;
    let owner = app.owner("Globex").await;
    invite(&app, &owner, "bob@globex.com")
        .await
        .data("addMember");
    let token = app.mailed_token("bob@globex.com", "invitation").await;

    // A verified account with another address is refused.
    let carol = app.sign_up("carol@globex.com").await;
    app.verify("carol@globex.com").await;
    assert_eq!(app.accept(&carol, &token).await.code(), "FORBIDDEN");
    // Bob's account, before he confirms the address, is refused.
    let bob = app.sign_up("bob@globex.com").await;
    assert_eq!(app.accept(&bob, &token).await.code(), "FORBIDDEN");
    // A partner's API token is nobody's address.
    let (api_token, _) = app.api_token(&owner, &["leads:read"]).await;
    let reply = app
        .gql(
            Some(&api_token),
            "mutation($t: String!) { acceptInvitation(token: $t) { id } }",
            json!({"t": token}),
        )
        .await;
    assert_eq!(reply.code(), "FORBIDDEN");

    // Once Bob proves it, the invitation seats him with its role.
    app.verify("bob@globex.com").await;
    let accepted = app.accept(&bob, &token).await;
    assert_eq!(accepted.data("acceptInvitation")["role"], "REP");
    let in_workspace = app
        .log_in("bob@globex.com", owner.workspace_id.as_deref())
        .await;
    assert_eq!(
        in_workspace.data("logIn")["workspace"]["id"],
        json!(owner.workspace_id)
    );
    // The owner sees the invitation accepted.
    let listed = app
        .gql(
            Some(&owner.access),
            "{ invitations { totalCount edges { node { email acceptedAt revokedAt } } } }",
            json!({}),
        )
        .await;
    let node = &listed.data("invitations")["edges"][0]["node"];
    assert_eq!(node["email"], "bob@globex.com");
    assert!(node["acceptedAt"].is_string());
    // Members other than owners and admins do not see invitations.
    let rep = app.member(&owner, "REP").await;
    let hidden = app
        .gql(
            Some(&rep.access),
            "{ invitations { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(hidden.code(), "FORBIDDEN");
}

#[actix_web::test]
async fn used_revoked_expired_and_unknown_tokens_are_refused() {
    let app = TestApp::start().await;
    let owner = app.owner("Initech").await;
    let dana = app.sign_up("dana@initech.com").await;
    app.verify("dana@initech.com").await;

    // Revoked.
    let revoked = invite(&app, &owner, "dana@initech.com").await;
    let revoked_id = revoked.data("addMember")["id"].as_str().unwrap().to_owned();
    let revoked_token = app.mailed_token("dana@initech.com", "invitation").await;
    let revoke = app
        .gql(
            Some(&owner.access),
            "mutation($id: ID!) { revokeInvitation(id: $id) { id revokedAt } }",
            json!({"id": revoked_id}),
        )
        .await;
    assert!(revoke.data("revokeInvitation")["revokedAt"].is_string());
    let refused = app.accept(&dana, &revoked_token).await;
    assert_eq!(refused.code(), "BAD_USER_INPUT");
    assert_eq!(refused.field(), Some("token"));

    // Expired: seven days have passed (the row is back-dated; auth runs on the system clock).
    invite(&app, &owner, "dana@initech.com")
        .await
        .data("addMember");
    let expired_token = app.mailed_token("dana@initech.com", "invitation").await;
    entity::invitation::Entity::update_many()
        .col_expr(
            entity::invitation::Column::ExpiresAt,
            (Utc::now() - Duration::seconds(1)).into(),
        )
        .filter(entity::invitation::Column::AcceptedAt.is_null())
        .filter(entity::invitation::Column::RevokedAt.is_null())
        .exec(app.db())
        .await
        .unwrap();
    assert_eq!(
        app.accept(&dana, &expired_token).await.field(),
        Some("token")
    );

    // Unknown.
    let unknown = app.accept(&dana, "aci_0123456789abcdef").await;
    assert_eq!(unknown.code(), "BAD_USER_INPUT");

    // Used: a fresh one works once; it cannot then be revoked, only the member removed.
    let fresh = invite(&app, &owner, "dana@initech.com").await;
    let fresh_id = fresh.data("addMember")["id"].as_str().unwrap().to_owned();
    let token = app.mailed_token("dana@initech.com", "invitation").await;
    app.accept(&dana, &token).await.data("acceptInvitation");
    let again = app.accept(&dana, &token).await;
    assert_eq!(again.code(), "BAD_USER_INPUT");
    assert_eq!(again.field(), Some("token"));
    let late_revoke = app
        .gql(
            Some(&owner.access),
            "mutation($id: ID!) { revokeInvitation(id: $id) { id } }",
            json!({"id": fresh_id}),
        )
        .await;
    assert_eq!(late_revoke.code(), "BAD_USER_INPUT");
    // A second invitation for someone already seated does not seat them twice.
    invite(&app, &owner, "dana@initech.com")
        .await
        .data("addMember");
    let twice = app
        .accept(
            &dana,
            &app.mailed_token("dana@initech.com", "invitation").await,
        )
        .await;
    assert_eq!(twice.code(), "CONFLICT");
    let members = app.gql(Some(&owner.access), MEMBERS, json!({})).await;
    assert_eq!(members.data("members")["totalCount"], 2);

    // Verification links are one-time and expire too.
    let erin = app.sign_up("erin@initech.com").await;
    let link = app.mailed_token("erin@initech.com", "verify_email").await;
    entity::email_token::Entity::update_many()
        .col_expr(
            entity::email_token::Column::ExpiresAt,
            (Utc::now() - Duration::seconds(1)).into(),
        )
        .filter(entity::email_token::Column::Email.eq("erin@initech.com"))
        .exec(app.db())
        .await
        .unwrap();
    let stale = app
        .gql(
            None,
            "mutation($t: String!) { verifyEmail(token: $t) { id } }",
            json!({"t": link}),
        )
        .await;
    assert_eq!(stale.field(), Some("token"));
    app.gql(
        Some(&erin.access),
        "mutation { resendVerification }",
        json!({}),
    )
    .await
    .data("resendVerification");
    let reply = app.verify("erin@initech.com").await;
    let token = app.mailed_token("erin@initech.com", "verify_email").await;
    let reused = app
        .gql(
            None,
            "mutation($t: String!) { verifyEmail(token: $t) { id } }",
            json!({"t": token}),
        )
        .await;
    assert_eq!(reused.field(), Some("token"), "{}", reply.raw);
}

#[actix_web::test]
async fn known_and_unknown_addresses_get_the_same_answers() {
    let app = TestApp::start().await;
    let owner = app.owner("Hooli").await;
    app.sign_up("known@hooli.com").await;
    app.verify("known@hooli.com").await;

    // addMember
    let known = invite(&app, &owner, "known@hooli.com").await;
    let unknown = invite(&app, &owner, "nobody@hooli.com").await;
    assert_eq!(known.status, unknown.status);
    assert!(known.body.get("errors").is_none());
    assert_eq!(shape(&known.body), shape(&unknown.body));

    // signUp
    let known = app
        .gql(None, SIGN_UP, json!({"email": "known@hooli.com"}))
        .await;
    let unknown = app
        .gql(None, SIGN_UP, json!({"email": "stranger@hooli.com"}))
        .await;
    assert_eq!(known.status, unknown.status);
    assert!(known.body.get("errors").is_none(), "{}", known.raw);
    assert_eq!(shape(&known.body), shape(&unknown.body));
    assert_eq!(known.data("signUp")["user"]["emailVerified"], false);

    // requestPasswordReset
    let known = app
        .gql(None, RESET_REQUEST, json!({"email": "known@hooli.com"}))
        .await;
    let unknown = app
        .gql(None, RESET_REQUEST, json!({"email": "ghost@hooli.com"}))
        .await;
    assert_eq!(known.status, unknown.status);
    assert_eq!(shape(&known.body), shape(&unknown.body));
    assert_eq!(known.data("requestPasswordReset"), true);
    // Only the mailboxes differ.
    assert!(app.mail_to("ghost@hooli.com").await.is_empty());
    assert!(app
        .mail_to("known@hooli.com")
        .await
        .iter()
        .any(|(kind, _)| kind == "password_reset"));
}

#[actix_web::test]
async fn a_password_reset_works_once_and_ends_every_session() {
    let app = TestApp::start().await;
    let fay = app.sign_up("fay@example.com").await;
    let other_session = app.log_in("fay@example.com", None).await;
    let other_refresh = other_session.data("logIn")["refreshToken"]
        .as_str()
        .unwrap()
        .to_owned();
    app.gql(None, RESET_REQUEST, json!({"email": "FAY@example.com"}))
        .await
        .data("requestPasswordReset");
    let token = app.mailed_token("fay@example.com", "password_reset").await;

    // A weak password is refused at its field and leaves the link usable.
    let weak = app
        .gql(None, RESET, json!({"token": token, "password": "short"}))
        .await;
    assert_eq!(weak.field(), Some("newPassword"));

    let done = app
        .gql(
            None,
            RESET,
            json!({"token": token, "password": "a brand new passphrase"}),
        )
        .await;
    assert_eq!(done.data("resetPassword"), true);
    // One-time.
    let again = app
        .gql(
            None,
            RESET,
            json!({"token": token, "password": "yet another passphrase"}),
        )
        .await;
    assert_eq!(again.code(), "BAD_USER_INPUT");
    assert_eq!(again.field(), Some("token"));

    // Every earlier session is over.
    for refresh in [&fay.refresh, &other_refresh] {
        let reply = app
            .gql(
                None,
                "mutation($t: String!) { refreshSession(refreshToken: $t) { accessToken } }",
                json!({"t": refresh}),
            )
            .await;
        assert_eq!(reply.code(), "UNAUTHENTICATED");
    }
    // The old password is gone, the new one works, and the link proved the address.
    assert_eq!(
        app.log_in("fay@example.com", None).await.code(),
        "UNAUTHENTICATED"
    );
    let signed_in = app
        .gql(
            None,
            "mutation { logIn(input: {email: \"fay@example.com\", password: \"a brand new passphrase\"}) { accessToken user { emailVerified } } }",
            json!({}),
        )
        .await;
    assert_eq!(signed_in.data("logIn")["user"]["emailVerified"], true);
}

#[actix_web::test]
async fn log_in_finds_the_account_whose_password_matches() {
    let app = TestApp::start().await;
    // Two accounts share an address (the second a would-be squatter with its own password).
    let first = app.sign_up("gus@example.com").await;
    let second = app
        .gql(None, SIGN_UP, json!({"email": "gus@example.com"}))
        .await;
    let second_id = second.data("signUp")["user"]["id"].clone();
    let mine = app.log_in("gus@example.com", None).await;
    assert_eq!(mine.data("logIn")["user"]["id"], json!(first.user_id));
    let theirs = app
        .gql(
            None,
            "mutation { logIn(input: {email: \"gus@example.com\", password: \"a different password\"}) { user { id } } }",
            json!({}),
        )
        .await;
    assert_eq!(theirs.data("logIn")["user"]["id"], second_id);
}

/// The migration that makes addresses unique among verified accounts only rebuilds `users` on
/// SQLite: the people, their seats and their sessions survive it, and each starts unverified.
#[actix_web::test]
async fn existing_people_keep_their_seats_through_the_migration() {
    use migration::{Migrator, MigratorTrait};
    use sea_orm::{ConnectionTrait, PaginatorTrait, Set};

    let backend = crate::support::Backend::fresh();
    let db = accord_api::db::connect_url(
        &backend.database_url,
        2,
        backend.database_schema.as_deref(),
        std::time::Duration::from_secs(10),
    )
    .await
    .unwrap();
    // Everything before this migration (the tenth and earlier).
    Migrator::up(&db, Some(10)).await.unwrap();
    let user_id = uuid::Uuid::now_v7();
    let now = Utc::now();
    let insert = sea_orm::sea_query::Query::insert()
        .into_table(sea_orm::sea_query::Alias::new("users"))
        .columns(
            [
                "id",
                "email",
                "name",
                "password_hash",
                "created_at",
                "updated_at",
            ]
            .map(sea_orm::sea_query::Alias::new),
        )
        .values_panic([
            user_id.into(),
            "old@example.com".into(),
            "Old Timer".into(),
            "x".into(),
            now.into(),
            now.into(),
        ])
        .to_owned();
    db.execute(&insert).await.unwrap();
    let workspace_id = uuid::Uuid::now_v7();
    entity::workspace::Entity::insert(entity::workspace::ActiveModel {
        id: Set(workspace_id),
        name: Set("Old".into()),
        slug: Set("old".into()),
        created_at: Set(now),
    })
    .exec(&db)
    .await
    .unwrap();
    entity::membership::Entity::insert(entity::membership::ActiveModel {
        id: Set(uuid::Uuid::now_v7()),
        workspace_id: Set(workspace_id),
        user_id: Set(user_id),
        role: Set(entity::Role::Owner),
        manager_id: Set(None),
        out_of_office: Set(false),
        created_at: Set(now),
    })
    .exec(&db)
    .await
    .unwrap();

    Migrator::up(&db, None).await.unwrap();

    let user = entity::user::Entity::find_by_id(user_id)
        .one(&db)
        .await
        .unwrap()
        .expect("the person is still there");
    assert_eq!(user.email, "old@example.com");
    assert_eq!(user.email_verified_at, None);
    assert_eq!(
        entity::membership::Entity::find().count(&db).await.unwrap(),
        1
    );
    // Foreign keys to the rebuilt table still hold.
    let orphan = entity::membership::Entity::insert(entity::membership::ActiveModel {
        id: Set(uuid::Uuid::now_v7()),
        workspace_id: Set(workspace_id),
        user_id: Set(uuid::Uuid::now_v7()),
        role: Set(entity::Role::Rep),
        manager_id: Set(None),
        out_of_office: Set(false),
        created_at: Set(now),
    })
    .exec(&db)
    .await;
    assert!(orphan.is_err(), "a seat for nobody is refused");
    // The address may now be registered again, but verified only once.
    let db = accord_api::store::Global::new(&db);
    let again =
        accord_api::store::people::create_user(&db, "old@example.com", "New", "y".into(), None)
            .await
            .unwrap();
    accord_api::store::people::mark_verified(&db, again.id, now)
        .await
        .unwrap();
    let third = accord_api::store::people::create_user(
        &db,
        "old@example.com",
        "Third",
        "z".into(),
        Some(now),
    )
    .await;
    assert!(matches!(
        third,
        Err(accord_api::error::AppError::Conflict(_))
    ));
}

//! The Redis bus resubscribes by itself after Redis restarts. Uses a Redis server of its own
//! (so other tests are not disturbed); runs in the Redis lane (`ACCORD_TEST_REDIS_URL` set),
//! where `redis-server` is installed.

use crate::support::{
    redis::RedisServer,
    ws::{WsClient, WsEvent, TRANSPORT_WS},
    TestApp,
};

#[actix_web::test]
async fn activity_flows_again_after_redis_restarts() {
    if std::env::var("ACCORD_TEST_REDIS_URL").map_or(true, |v| v.is_empty()) {
        eprintln!(
            "bus_recovery: Redis lane only (set ACCORD_TEST_REDIS_URL); not run in this lane"
        );
        return;
    }
    let mut redis = RedisServer::start_free().await;
    let app = TestApp::start_with(|config| config.redis_url = Some(redis.url())).await;
    let owner = app.owner("Resilient").await;
    let mut ws = WsClient::connect(&app, TRANSPORT_WS).await;
    ws.init(&owner.access).await;
    ws.subscribe("1", "subscription { workspaceActivity { kind message } }")
        .await;
    // Through Redis and back: the subscription and the server's Redis subscriber both listen.
    ws.await_activity(&*app.state.bus, owner.workspace_id.as_deref().unwrap())
        .await;
    app.member(&owner, "REP").await;
    assert_eq!(
        ws.message().await["payload"]["data"]["workspaceActivity"]["kind"],
        "MEMBER_ADDED"
    );

    redis.stop();
    let readyz = app.client.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(
        readyz.status().as_u16(),
        503,
        "readiness reflects the lost bus"
    );
    redis = RedisServer::start(redis.port).await;

    // The subscriber reconnects with backoff (at most 5 s between tries); changes made once it
    // is back must arrive without the client doing anything.
    let mut delivered = false;
    for _ in 0..15 {
        app.member(&owner, "VIEWER").await;
        if let Some(WsEvent::Message(message)) = ws.try_recv_within(2).await {
            assert_eq!(
                message["payload"]["data"]["workspaceActivity"]["kind"],
                "MEMBER_ADDED"
            );
            delivered = true;
            break;
        }
    }
    assert!(delivered, "no activity arrived after Redis came back");
    drop(redis);
}

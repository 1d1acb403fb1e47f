//! What must stay consistent across instances on one PostgreSQL database (issue 9): rate limits
//! (the counters live in the database, so a client that spreads its requests over two instances
//! meets one limit, not one per instance) and the knowledge base (instances that share its folder
//! switch to a new import together).

use std::time::Duration;

use crate::server::{self, Instance};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rate_limit_holds_across_two_instances_on_one_database() {
    let Some(backend) = server::fresh_postgres().await else {
        return;
    };
    let limits = [
        ("LOKET_LIMITS__CONVERSATIONS_PER_IP_PER_HOUR", "4"),
        ("LOKET_LIMITS__MESSAGES_PER_CONVERSATION_PER_MINUTE", "3"),
    ];
    let (dir_a, dir_b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let a = Instance::start_with(dir_a.path(), &backend, &limits).await;
    let b = Instance::start_with(dir_b.path(), &backend, &limits).await;
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    let status = |error: reqwest::Error| error.status().map(|status| status.as_u16());

    // Four conversations from one address, two through each instance: the limit is four.
    let mut customers = Vec::new();
    for base in [&a.base, &b.base, &a.base, &b.base] {
        customers.push(server::open(&client, base).await.unwrap());
    }
    for base in [&a.base, &b.base] {
        let refused = server::open(&client, base).await.unwrap_err();
        assert_eq!(status(refused), Some(429), "a fifth conversation through {base}");
    }

    // Three messages in one conversation, spread over both instances: the limit is three.
    let customer = &customers[0];
    for (turn, base) in [&a.base, &b.base, &a.base].into_iter().enumerate() {
        server::send(&client, base, customer, &format!("vraag {turn}"))
            .await
            .unwrap();
    }
    for base in [&b.base, &a.base] {
        let refused = server::send(&client, base, customer, "nog een vraag")
            .await
            .unwrap_err();
        assert_eq!(status(refused), Some(429), "a fourth message through {base}");
    }
    // Another conversation has its own count.
    server::send(&client, &b.base, &customers[1], "vraag").await.unwrap();
}

/// Knowledge-base changes across instances (issue 9): instances that share the knowledge-base
/// folder switch to a new import together, and `/readyz` shows which generation each serves.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn instances_sharing_the_data_directory_serve_the_same_knowledge_base_after_an_import() {
    let Some(backend) = server::fresh_postgres().await else {
        return;
    };
    let shared = tempfile::tempdir().unwrap();
    let a = Instance::start(shared.path(), &backend).await;
    let b = Instance::start(shared.path(), &backend).await;
    let client = reqwest::Client::new();
    assert_eq!(generation(&client, &a.base).await, None, "nothing imported yet");

    crate::server::import_demo(shared.path());

    // Each instance looks for a new generation every few seconds.
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        let (on_a, on_b) = (generation(&client, &a.base).await, generation(&client, &b.base).await);
        if on_a.is_some() && on_a == on_b {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "instances serve {on_a:?} and {on_b:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// The knowledge-base generation an instance reports as ready.
async fn generation(client: &reqwest::Client, base: &str) -> Option<String> {
    let ready = server::get_json(client.get(format!("{base}/readyz"))).await;
    ready["knowledge_base"].as_str().map(str::to_string)
}

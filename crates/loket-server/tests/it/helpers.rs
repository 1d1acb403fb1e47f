//! `TestApp::spawn()`: a real server on 127.0.0.1:0 with a fresh database, and typed helpers.

use std::sync::{Arc, Mutex, OnceLock};

use chrono::{DateTime, Utc};
use futures_util::StreamExt;
use loket_core::config::Config;
use loket_kb::{KnowledgeBase, SourceFile};
use loket_service::secrets::SealingKey;
use loket_service::{Knowledge, Loket, ManualClock};
use loket_store_sqlite::SqliteStore;
use reqwest::{Client, Response, StatusCode};
use serde_json::{Value, json};

/// Everything the test binary logged, to prove no message text reaches the logs.
pub fn captured_logs() -> String {
    String::from_utf8_lossy(&log_buffer().lock().unwrap_or_else(|poisoned| poisoned.into_inner())).to_string()
}

fn log_buffer() -> &'static Arc<Mutex<Vec<u8>>> {
    static BUFFER: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();
    BUFFER.get_or_init(|| {
        let buffer = Arc::new(Mutex::new(Vec::new()));
        let writer = buffer.clone();
        let _ = tracing_subscriber::fmt()
            .json()
            .with_max_level(tracing::Level::DEBUG)
            .with_writer(move || LogWriter(writer.clone()))
            .try_init();
        buffer
    })
}

struct LogWriter(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for LogWriter {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A small knowledge base in both languages.
const FAQ: &str = r#"{"id":"bedenktijd-nl","question":"Hoe lang is de bedenktijd?","alt_questions":["Hoeveel dagen heb ik om iets terug te sturen?","Mag ik mijn bestelling retourneren?"],"answer":"U heeft 14 dagen bedenktijd na ontvangst.","lang":"nl","url":"https://shop.example/retour"}
{"id":"returns-en","question":"How long can I return an order?","alt_questions":["What is the return period?","Can I send my order back?"],"answer":"You have 14 days to change your mind after delivery.","lang":"en","url":"https://shop.example/returns"}
{"id":"garantie-nl","question":"Hoe werkt de <b>garantie</b> op mijn fiets?","answer":"Een fiets moet zo lang meegaan als u redelijkerwijs mag verwachten.","lang":"nl"}
{"id":"levering-nl","question":"Hoe lang duurt de levering?","alt_questions":["Wanneer wordt mijn pakket bezorgd?"],"answer":"Wij leveren binnen 2 werkdagen.","lang":"nl"}
{"id":"lease-klant-4711","question":"Wanneer loopt mijn leasecontract af?","alt_questions":["Tot wanneer loopt mijn leasefiets?"],"answer":"Uw leasecontract loopt af op 1 maart 2027.","lang":"nl","url":"https://shop.example/mijn-lease","audience":"customer","customer_id":"klant-4711"}
"#;

/// A Monday morning in Amsterdam: within the default business hours.
pub fn monday_morning() -> DateTime<Utc> {
    "2026-11-30T09:30:00Z".parse().unwrap_or_default()
}

/// A Sunday: outside the default business hours.
pub fn sunday() -> DateTime<Utc> {
    "2026-11-29T12:00:00Z".parse().unwrap_or_default()
}

/// A running server.
pub struct TestApp {
    /// `http://127.0.0.1:PORT`.
    pub address: String,
    /// The application behind it.
    pub loket: Arc<Loket>,
    /// The injected clock.
    pub clock: Arc<ManualClock>,
    /// A client without cookies.
    pub client: Client,
    /// Keeps the data directory alive.
    pub directory: tempfile::TempDir,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
}

impl TestApp {
    /// Spawns with the default configuration at Monday morning.
    pub async fn spawn() -> TestApp {
        Self::spawn_with(|_| {}).await
    }

    /// Spawns with a configuration adjusted by `adjust`.
    pub async fn spawn_with(adjust: impl FnOnce(&mut Config)) -> TestApp {
        Self::spawn_with_model(adjust, None).await
    }

    /// Spawns with a configuration adjusted by `adjust` and `model` phrasing the answers.
    pub async fn spawn_with_model(
        adjust: impl FnOnce(&mut Config),
        model: Option<Arc<dyn loket_service::generation::AnswerModel>>,
    ) -> TestApp {
        log_buffer();
        let directory = tempfile::tempdir().expect("temporary directory");
        let mut config = Config::default();
        config.limits.requests_per_ip_per_minute = 100_000;
        config.limits.conversations_per_ip_per_hour = 100_000;
        adjust(&mut config);
        let config = config.validate().expect("valid test configuration");
        let sources = vec![SourceFile {
            path: "faq.jsonl".into(),
            bytes: FAQ.as_bytes().to_vec(),
        }];
        loket_kb::import(directory.path(), sources, &mut |_| {}).expect("fixture knowledge base imports");
        let base = KnowledgeBase::open(directory.path()).expect("knowledge base opens");
        let store = SqliteStore::open(directory.path(), 2).await.expect("database opens");
        let clock = Arc::new(ManualClock::new(monday_morning()));
        let generator = model.map(|model| loket_service::generation::Generator::new(model, &config.config.generation));
        let loket = Arc::new(
            Loket::new(
                Arc::new(store),
                Arc::new(config),
                clock.clone(),
                Knowledge::new(base),
                SealingKey::generate().expect("key"),
            )
            .with_generator(generator),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let address = format!("http://{}", listener.local_addr().expect("address"));
        let (sender, receiver) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(loket_server::serve(listener, loket.clone(), async move {
            let _ = receiver.await;
        }));
        TestApp {
            address,
            loket,
            clock,
            client: Client::new(),
            directory,
            shutdown: Some(sender),
            server: Some(server),
        }
    }

    /// Stops the server gracefully and waits for it.
    pub async fn stop(mut self) {
        if let Some(sender) = self.shutdown.take() {
            let _ = sender.send(());
        }
        if let Some(server) = self.server.take() {
            let _ = tokio::time::timeout(std::time::Duration::from_secs(15), server).await;
        }
    }

    /// `POST /api/v1/conversations`.
    pub async fn open(&self, locale: &str) -> Customer {
        let response = self
            .client
            .post(format!("{}/api/v1/conversations", self.address))
            .json(&json!({ "locale": locale }))
            .send()
            .await
            .expect("request");
        assert_eq!(response.status(), StatusCode::CREATED);
        let body: Value = response.json().await.expect("json");
        Customer {
            id: body["id"].as_str().unwrap_or_default().to_string(),
            token: body["token"].as_str().unwrap_or_default().to_string(),
            opened: body,
        }
    }

    /// `POST /api/v1/conversations/{id}/messages`.
    pub async fn say(&self, customer: &Customer, text: &str) -> Response {
        self.client
            .post(format!(
                "{}/api/v1/conversations/{}/messages",
                self.address, customer.id
            ))
            .bearer_auth(&customer.token)
            .json(&json!({ "text": text }))
            .send()
            .await
            .expect("request")
    }

    /// `say` expecting 200, returning the body.
    pub async fn say_ok(&self, customer: &Customer, text: &str) -> Value {
        let response = self.say(customer, text).await;
        assert_eq!(response.status(), StatusCode::OK);
        response.json().await.expect("json")
    }

    /// `GET path` without credentials, as JSON.
    pub async fn get_json(&self, path: &str) -> Value {
        let response = self
            .client
            .get(format!("{}{path}", self.address))
            .send()
            .await
            .expect("request");
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        response.json().await.expect("json")
    }

    /// The Prometheus text of `/metrics`. The test binary shares one metrics recorder.
    pub async fn metrics(&self) -> String {
        self.client
            .get(format!("{}/metrics", self.address))
            .send()
            .await
            .expect("request")
            .text()
            .await
            .expect("text")
    }

    /// The compliance report as JSON, read by a new auditor account `oog`.
    pub async fn compliance_report(&self) -> Value {
        let auditor = self.agent("oog", "Oog", loket_core::staff::Role::Auditor).await;
        let response = auditor.get("/api/v1/admin/compliance-report?format=json").await;
        assert_eq!(response.status(), StatusCode::OK);
        response.json().await.expect("json")
    }

    /// `POST .../messages/{seq}/feedback` ("Klopte dit antwoord?").
    pub async fn rate(&self, customer: &Customer, seq: &str, body: Value) -> Response {
        self.client
            .post(format!(
                "{}/api/v1/conversations/{}/messages/{seq}/feedback",
                self.address, customer.id
            ))
            .bearer_auth(&customer.token)
            .json(&body)
            .send()
            .await
            .expect("request")
    }

    /// `POST .../handoff`.
    pub async fn ask_person(&self, customer: &Customer) -> Value {
        let response = self
            .client
            .post(format!("{}/api/v1/conversations/{}/handoff", self.address, customer.id))
            .bearer_auth(&customer.token)
            .send()
            .await
            .expect("request");
        assert_eq!(response.status(), StatusCode::OK);
        response.json().await.expect("json")
    }

    /// Follows a conversation's live stream from `after`, as the widget does.
    pub async fn follow(&self, customer: &Customer, after: i64) -> EventStream {
        let response = self
            .client
            .get(format!(
                "{}/api/v1/conversations/{}/stream?after={after}",
                self.address, customer.id
            ))
            .bearer_auth(&customer.token)
            .send()
            .await
            .expect("request");
        assert_eq!(response.status(), StatusCode::OK);
        EventStream::new(response)
    }

    /// All messages of a conversation.
    pub async fn messages(&self, customer: &Customer) -> Vec<Value> {
        let response = self
            .client
            .get(format!("{}/api/v1/conversations/{}", self.address, customer.id))
            .bearer_auth(&customer.token)
            .send()
            .await
            .expect("request");
        assert_eq!(response.status(), StatusCode::OK);
        let body: Value = response.json().await.expect("json");
        body["messages"].as_array().cloned().unwrap_or_default()
    }

    /// Creates a staff account serving customers in Dutch and English and logs it in.
    pub async fn agent(&self, login: &str, name: &str, role: loket_core::staff::Role) -> Agent {
        self.agent_speaking(login, name, role, &loket_core::Locale::ALL).await
    }

    /// Creates a staff account serving customers in `languages` and logs it in.
    pub async fn agent_speaking(
        &self,
        login: &str,
        name: &str,
        role: loket_core::staff::Role,
        languages: &[loket_core::Locale],
    ) -> Agent {
        let id = loket_core::AgentId::parse(login).expect("login");
        self.loket
            .create_staff(
                &id,
                name,
                role,
                "correct-horse-battery",
                Some("training-2026"),
                languages,
            )
            .await
            .expect("create staff");
        let client = Client::builder().cookie_store(true).build().expect("client");
        let response = client
            .post(format!("{}/api/v1/agent/login", self.address))
            .json(&json!({ "username": login, "password": "correct-horse-battery" }))
            .send()
            .await
            .expect("request");
        assert_eq!(response.status(), StatusCode::OK);
        let body: Value = response.json().await.expect("json");
        let mut agent = Agent::from_login(client, &body, &self.address);
        if body["second_factor"] == "setup_required" {
            agent.totp = Some(self.set_up_second_factor(&agent).await);
        }
        agent
    }

    /// Sets up an authenticator app for a logged-in member (SEC-09), as the console does, with
    /// a code for the server's clock; returns the secret.
    pub async fn set_up_second_factor(&self, agent: &Agent) -> loket_service::totp::TotpSecret {
        let response = agent.post("/api/v1/agent/second-factor", json!({})).await;
        assert_eq!(response.status(), StatusCode::OK);
        let setup: Value = response.json().await.expect("json");
        let secret =
            loket_service::totp::TotpSecret::from_base32(setup["secret"].as_str().expect("secret")).expect("base32");
        let response = agent
            .post(
                "/api/v1/agent/second-factor/confirm",
                json!({ "code": secret.code_at(self.totp_step()) }),
            )
            .await;
        assert_eq!(response.status(), StatusCode::OK);
        secret
    }

    /// The current TOTP time step of the server's clock.
    pub fn totp_step(&self) -> i64 {
        loket_service::clock::Clock::now(&*self.clock)
            .timestamp()
            .div_euclid(loket_service::totp::STEP_SECONDS)
    }
}

/// A customer's conversation.
pub struct Customer {
    /// Conversation id.
    pub id: String,
    /// Bearer token.
    pub token: String,
    /// The creation response.
    pub opened: Value,
}

/// A logged-in staff member.
pub struct Agent {
    /// Client with the session cookie.
    pub client: Client,
    /// CSRF token.
    pub csrf: String,
    address: String,
    /// The authenticator app's secret the helper set up, if it did.
    pub totp: Option<loket_service::totp::TotpSecret>,
}

impl Agent {
    /// The member a login answered `body` for, with the client that holds its cookie.
    pub fn from_login(client: Client, body: &Value, address: &str) -> Agent {
        Agent {
            client,
            csrf: body["csrf_token"].as_str().unwrap_or_default().to_string(),
            address: address.to_owned(),
            totp: None,
        }
    }

    /// A state-changing console request.
    pub async fn post(&self, path: &str, body: Value) -> Response {
        self.client
            .post(format!("{}{}", self.address, path))
            .header("x-csrf-token", &self.csrf)
            .json(&body)
            .send()
            .await
            .expect("request")
    }

    /// A console read.
    pub async fn get(&self, path: &str) -> Response {
        self.client
            .get(format!("{}{}", self.address, path))
            .send()
            .await
            .expect("request")
    }

    /// Opens the console stream (the agent is online while it is open) and waits for the first
    /// `queue` event.
    pub async fn go_online(&self) -> EventStream {
        let response = self.get("/api/v1/agent/stream").await;
        assert_eq!(response.status(), StatusCode::OK);
        let mut stream = EventStream::new(response);
        stream.next_event("queue").await;
        stream
    }
}

/// A server-sent-event reader.
pub struct EventStream {
    body: std::pin::Pin<Box<dyn futures_util::Stream<Item = reqwest::Result<bytes::Bytes>> + Send>>,
    buffer: String,
}

impl EventStream {
    /// Wraps a streaming response.
    pub fn new(response: Response) -> Self {
        Self {
            body: Box::pin(response.bytes_stream()),
            buffer: String::new(),
        }
    }

    /// Waits (at most 10 s) for the next event named `name`, returning its data as JSON.
    pub async fn next_event(&mut self, name: &str) -> Value {
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
        loop {
            while let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                let mut event = "message";
                let mut data = String::new();
                for line in block.lines() {
                    if let Some(value) = line.strip_prefix("event:") {
                        event = if value.trim() == name { name } else { "other" };
                    } else if let Some(value) = line.strip_prefix("data:") {
                        data.push_str(value.trim_start());
                    }
                }
                if event == name && !data.is_empty() {
                    return serde_json::from_str(&data).unwrap_or(Value::Null);
                }
            }
            let chunk = tokio::time::timeout_at(deadline, self.body.next())
                .await
                .unwrap_or_else(|_| panic!("no `{name}` event within 10 s"))
                .expect("stream ended")
                .expect("stream error");
            self.buffer.push_str(&String::from_utf8_lossy(&chunk));
        }
    }
}

/// The `kind`s of a list of messages.
pub fn kinds(messages: &[Value]) -> Vec<String> {
    messages
        .iter()
        .map(|message| {
            format!(
                "{}:{}",
                message["author"].as_str().unwrap_or(""),
                message["kind"].as_str().unwrap_or("")
            )
        })
        .collect()
}

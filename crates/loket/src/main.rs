//! `loket`: the binary and the composition root — the only place that names concrete
//! backends. Subcommands: serve, config check, kb import, ask, user add, pii scan, injection
//! scan, grounding check, eval, audit verify, openapi, model serve, bench.

mod bench;
mod compliance_cli;
mod eval_faq;
mod eval_grounding;
mod eval_injection;
mod eval_intents;
mod eval_pii;
mod evidence_cli;
mod kb_cli;
mod model_cli;
mod redteam;
mod sbom;
mod settings;

use std::io::{BufRead, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, bail};
use clap::{Args, Parser, Subcommand};
use loket_core::config::ValidConfig;
use loket_core::conversation::BotReply;
use loket_core::staff::Role;
use loket_core::{AgentId, Locale};
use loket_kb::KnowledgeBase;
use loket_service::generation::Generator;
use loket_service::hub::RemoteChange;
use loket_service::secrets::SealingKey;
use loket_service::{Knowledge, Loket, SystemClock};
use loket_store::Store;
use loket_store_postgres::{Change, PgStore, PoolSettings};
use loket_store_sqlite::SqliteStore;
use rust_embed::RustEmbed;

/// The demo knowledge base of the fictitious webshop, embedded for `serve --demo`.
#[derive(RustEmbed)]
#[folder = "../../demo/kb/"]
struct DemoKnowledge;

#[derive(Parser)]
#[command(
    name = "loket",
    version,
    about = "A customer-service chatbot that is compliant by construction"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// Where the data lives and which configuration to use.
#[derive(Args, Clone)]
struct Place {
    /// Data directory (SQLite database, knowledge index, vault key).
    #[arg(long, env = "LOKET_DATA_DIR")]
    data_dir: Option<PathBuf>,
    /// Configuration file (TOML).
    #[arg(long, env = "LOKET_CONFIG")]
    config: Option<PathBuf>,
    /// Database: `postgres://user:password@host:port/database` or `sqlite://<file>`; the
    /// default is `loket.sqlite3` in the data directory. Overrides `database.url`.
    #[arg(long, env = "LOKET_DATABASE_URL")]
    database_url: Option<String>,
}

#[derive(Subcommand)]
enum Command {
    /// Brings the database schema up to date and exits. With several instances on one
    /// PostgreSQL database: run this with the new version first, then restart the instances
    /// one by one (migrations only add; older instances keep working on the newer schema).
    Migrate {
        #[command(flatten)]
        place: Place,
    },
    /// Serves the widget, the API and the agent console.
    Serve {
        #[command(flatten)]
        place: Place,
        /// Address to listen on.
        #[arg(long, env = "LOKET_LISTEN")]
        listen: Option<String>,
        /// Load the demo knowledge base (fictitious webshop) when the data directory has none,
        /// and create a demo agent account.
        #[arg(long)]
        demo: bool,
    },
    /// Configuration commands.
    Config {
        #[command(subcommand)]
        command: ConfigCommand,
    },
    /// Knowledge-base commands.
    Kb {
        #[command(subcommand)]
        command: KbCommand,
    },
    /// Answers questions through the chat pipeline: `{"id","text","lang"?}` JSONL in, one
    /// `{"id","outcome","entry_id","citations","confidence"}` line out per question.
    Ask {
        #[command(flatten)]
        place: Place,
        /// Read JSONL from standard input (the only mode).
        #[arg(long)]
        jsonl: bool,
    },
    /// Staff accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Personal-data scanning.
    Pii {
        #[command(subcommand)]
        command: PiiCommand,
    },
    /// Prompt-injection scanning.
    Injection {
        #[command(subcommand)]
        command: InjectionCommand,
    },
    /// Evaluations on the public data sets in ../shared/data.
    Eval {
        /// What to evaluate.
        #[arg(value_enum)]
        what: EvalTarget,
        /// Folder with the evaluation data.
        #[arg(long, default_value = "../shared/data")]
        shared_data: PathBuf,
        /// Sentence-encoder directory for dense retrieval (faq only); lexical only without it.
        #[arg(long)]
        encoder: Option<PathBuf>,
        /// Writes every question's retrieval details as JSON lines here, for tuning (faq only).
        #[arg(long)]
        dump: Option<PathBuf>,
        /// Phrasings per intent in the knowledge base, 1 to 5 (faq only; the targets use 5, fewer
        /// give plain-FAQ-shaped bases for fitting the confidence).
        #[arg(long, default_value_t = 5)]
        phrasings: usize,
    },
    /// Grounding verifier commands.
    Grounding {
        #[command(subcommand)]
        command: GroundingCommand,
    },
    /// Audit-log commands.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Data-subject rights and retention decisions: export, erasure, legal hold, statutory retention,
    /// the register of requests (GDPR art. 12(3), 15, 17, 20).
    Gdpr {
        #[command(subcommand)]
        command: GdprCommand,
    },
    /// Retention commands.
    Retention {
        #[command(subcommand)]
        command: RetentionCommand,
    },
    /// The register of personal-data breaches (GDPR art. 33(5)).
    Breach {
        #[command(subcommand)]
        command: BreachCommand,
    },
    /// Wrong-answer incidents (ACC-09).
    Incident {
        #[command(subcommand)]
        command: IncidentCommand,
    },
    /// Compliance evidence.
    Compliance {
        #[command(subcommand)]
        command: ComplianceCommand,
    },
    /// Prints the OpenAPI document.
    Openapi,
    /// Prints the software bill of materials of this build (CycloneDX 1.5 JSON; SEC-12).
    Sbom,
    /// Language-model commands.
    Model {
        #[command(subcommand)]
        command: ModelCommand,
    },
    /// Runs the bundled attack corpus against a running server; exits 1 on any leak.
    Redteam {
        /// Base URL of the running server.
        #[arg(long)]
        url: String,
        /// The server's data directory (canaries and knowledge base to look for).
        #[arg(long)]
        data_dir: PathBuf,
        /// A JSONL corpus to use instead of the bundled one.
        #[arg(long)]
        corpus: Option<PathBuf>,
        /// Milliseconds to wait between requests.
        #[arg(long, default_value_t = 0)]
        pace_ms: u64,
        /// Longest wait, in seconds, when the server answers 429.
        #[arg(long, default_value_t = 60)]
        max_wait_seconds: u64,
    },
    /// Runs a benchmark workload (see BENCHMARKS.md): chat (the default), guards, grounding,
    /// retrieval, idle, startup, or all of them. Prints one `bench <workload> key=value ...` line per run.
    Bench {
        /// The workload.
        #[arg(value_enum, default_value_t = bench::Workload::Chat)]
        workload: bench::Workload,
        #[command(flatten)]
        options: bench::Options,
        /// A tiny run of the workload that checks the harness works (for CI).
        #[arg(long)]
        smoke: bool,
    },
}

#[derive(Subcommand)]
enum ModelCommand {
    /// Serves a GGUF model with an OpenAI-compatible chat-completions API, for
    /// `generation.provider = "openai"` in another process or on another machine.
    Serve {
        #[command(flatten)]
        options: model_cli::ServeOptions,
    },
}

#[derive(Subcommand)]
enum ConfigCommand {
    /// Validates the configuration and prints the effective values (secrets redacted).
    Check {
        #[command(flatten)]
        place: Place,
    },
}

#[derive(Subcommand)]
enum KbCommand {
    /// Imports Markdown/HTML pages and FAQ JSONL from files or folders.
    Import {
        #[command(flatten)]
        place: Place,
        /// Files or folders.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Sentence-encoder directory for dense retrieval; defaults to `answer.encoder_dir`.
        #[arg(long)]
        encoder: Option<PathBuf>,
    },
    /// Serves the knowledge base of the import before the last one again (after checking that
    /// it opens); running servers switch to it as after an import. Run it again to switch back.
    Rollback {
        #[command(flatten)]
        place: Place,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Adds a staff account; the password is read from standard input or generated and
    /// printed once.
    Add {
        #[command(flatten)]
        place: Place,
        /// agent, admin or auditor.
        #[arg(long)]
        role: String,
        /// The name customers see (default: the login name).
        #[arg(long)]
        display_name: Option<String>,
        /// Read the password from standard input instead of generating one.
        #[arg(long)]
        password_stdin: bool,
        /// The staff member's recorded AI-literacy training (AI Act art. 4): a certificate or
        /// course record reference. Required for agents and admins, who operate the chat.
        #[arg(long)]
        ai_literacy: Option<String>,
        /// The languages the staff member serves customers in, comma-separated (nl, en): a
        /// customer is offered a handover only while someone who speaks their language is online.
        #[arg(long, default_value = "nl,en")]
        languages: String,
        /// Login name.
        name: String,
    },
    /// Sets the languages a staff member serves customers in (HUM-08); their console counts
    /// with them from its next connection.
    Languages {
        #[command(flatten)]
        place: Place,
        /// Comma-separated: nl, en or nl,en.
        #[arg(long)]
        languages: String,
        /// Login name.
        name: String,
    },
    /// Removes a staff member's second factor (a lost phone without recovery codes) and ends
    /// their sessions; they set up a new authenticator app at their next login (SEC-09).
    ResetSecondFactor {
        #[command(flatten)]
        place: Place,
        /// Login name.
        name: String,
    },
}

#[derive(Subcommand)]
enum PiiCommand {
    /// `{"id","text"}` JSONL in, `{"id","entities","sensitive","redacted"}` JSONL out.
    Scan {
        /// nl, en or auto.
        #[arg(long, default_value = "auto")]
        lang: String,
    },
}

#[derive(Subcommand)]
enum InjectionCommand {
    /// `{"id","text"}` JSONL in, `{"id","score","flagged","reasons"}` JSONL out.
    Scan,
}

#[derive(Subcommand)]
enum GroundingCommand {
    /// `{"id","passages":[...],"answer"}` JSONL in, `{"id","supported","reasons"}` JSONL out.
    Check,
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Verifies the hash chain and the signed checkpoints; exits non-zero naming the first bad record.
    Verify {
        #[command(flatten)]
        place: Place,
    },
    /// Signs a checkpoint of the newest record now.
    Checkpoint {
        #[command(flatten)]
        place: Place,
    },
    /// Exports the signed checkpoints with the public key (JSON).
    Checkpoints {
        #[command(flatten)]
        place: Place,
        /// Write to this file instead of standard output.
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum ComplianceCommand {
    /// Writes the compliance report (AI Act art. 50, AP/ACM, DPIA draft, art. 30 record).
    Report {
        #[command(flatten)]
        place: Place,
        /// json, md or html.
        #[arg(long, value_enum, default_value = "md")]
        format: compliance_cli::Format,
        /// Write to this file instead of standard output.
        #[arg(long)]
        out: Option<PathBuf>,
        /// The browser tests' accessibility summary (default: target/e2e-accessibility.json
        /// when it exists, else DATA_DIR/accessibility.json).
        #[arg(long)]
        accessibility: Option<PathBuf>,
    },
    /// Writes "Over deze chat", the customers' notice (what the assistant is, reaching a
    /// person, art. 13 privacy information, complaints, accessibility) for terms and conditions;
    /// the server shows the same text at /about.
    Notice {
        #[command(flatten)]
        place: Place,
        /// nl or en.
        #[arg(long, default_value = "nl")]
        lang: String,
        /// md, html or json.
        #[arg(long, value_enum, default_value = "md")]
        format: compliance_cli::Format,
        /// Write to this file instead of standard output.
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum GdprCommand {
    /// Exports everything held about a conversation or a customer.
    Export {
        #[command(flatten)]
        place: Place,
        #[command(flatten)]
        subject: evidence_cli::SubjectArgs,
        /// json or html.
        #[arg(long, value_enum, default_value = "json")]
        format: evidence_cli::ExportFormat,
        /// Write to this file instead of standard output.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Erases everything held about a conversation or a customer; prints a signed certificate.
    Erase {
        #[command(flatten)]
        place: Place,
        #[command(flatten)]
        subject: evidence_cli::SubjectArgs,
    },
    /// After restoring the database from a backup: erases again every conversation of the
    /// erasure journal that the restore brought back (RET-08); prints what it did as JSON.
    Replay {
        #[command(flatten)]
        place: Place,
        /// The journal to replay (default: erasure-journal.jsonl in the data directory).
        #[arg(long)]
        journal: Option<PathBuf>,
    },
    /// Places (or with --release lifts) a legal hold on a conversation.
    Hold {
        #[command(flatten)]
        place: Place,
        /// The conversation id.
        #[arg(long)]
        conversation: String,
        /// Lift the hold.
        #[arg(long)]
        release: bool,
    },
    /// The register of data subjects' requests (GDPR art. 12(3)): each answered within one month
    /// of receipt, or three when the person is told of an extension within the first.
    Request {
        #[command(subcommand)]
        command: RequestCommand,
    },
    /// Tags a conversation as kept for a statutory ground of `retention.statutory` (RET-03,
    /// FIN-06: MiFID II, Wwft, tax); with --release the ordinary periods apply again.
    Retain {
        #[command(flatten)]
        place: Place,
        /// The conversation id.
        #[arg(long)]
        conversation: String,
        /// The ground, as configured (`mifid_ii`).
        #[arg(long, required_unless_present = "release", conflicts_with = "release")]
        ground: Option<String>,
        /// Remove the tag.
        #[arg(long)]
        release: bool,
    },
}

#[derive(Subcommand)]
enum RequestCommand {
    /// Registers a request under the company's reference; prints it with its deadline as JSON.
    Register {
        #[command(flatten)]
        place: Place,
        /// The company's own reference (letters, digits, '-', '_', '.'); who asked stays in the
        /// company's case file under it.
        #[arg(long)]
        reference: String,
        /// access, rectification, erasure, restriction, portability or objection.
        #[arg(long)]
        right: String,
        /// When the request reached the company (RFC 3339); now when absent.
        #[arg(long)]
        received_at: Option<String>,
        /// A conversation concerned (repeatable).
        #[arg(long = "conversation")]
        conversations: Vec<String>,
    },
    /// Records that the person was told now, with the reasons, that the deadline is extended by
    /// two months (only within the first month).
    Extend {
        #[command(flatten)]
        place: Place,
        /// The request's reference.
        #[arg(long)]
        reference: String,
    },
    /// Records that the request was answered now.
    Answer {
        #[command(flatten)]
        place: Place,
        /// The request's reference.
        #[arg(long)]
        reference: String,
        /// fulfilled, partly_fulfilled or refused.
        #[arg(long)]
        outcome: String,
    },
    /// Prints the register as JSON: open requests first by deadline, each with its standing.
    List {
        #[command(flatten)]
        place: Place,
    },
}

impl RequestCommand {
    /// The place, and the reference and change to record (`None` lists the register), checked
    /// before the data directory is opened.
    fn into_change(self) -> anyhow::Result<(Place, Option<(String, loket_service::rights_request::Change)>)> {
        use loket_service::rights_request::{Change, Outcome, right_named};
        Ok(match self {
            RequestCommand::Register {
                place,
                reference,
                right,
                received_at,
                conversations,
            } => (
                place,
                Some((
                    reference,
                    Change::Register {
                        right: right_named(&right).map_err(|error| anyhow::anyhow!("--right: {error}"))?,
                        received_at: received_at
                            .map(|text| evidence_cli::rfc3339("received-at", &text))
                            .transpose()?,
                        conversations: evidence_cli::conversation_ids(&conversations)?,
                    },
                )),
            ),
            RequestCommand::Extend { place, reference } => (place, Some((reference, Change::Extend))),
            RequestCommand::Answer {
                place,
                reference,
                outcome,
            } => (
                place,
                Some((
                    reference,
                    Change::Answer(Outcome::named(&outcome).map_err(|error| anyhow::anyhow!("--outcome: {error}"))?),
                )),
            ),
            RequestCommand::List { place } => (place, None),
        })
    }
}

#[derive(Subcommand)]
enum IncidentCommand {
    /// Records that a knowledge entry's answer was wrong and prints, as JSON, every conversation
    /// that got an answer citing it: when, whether the customer rated it not right, and whether
    /// the company's login identified the customer (to correct the answer for them).
    Record {
        #[command(flatten)]
        place: Place,
        /// The knowledge entry (FAQ entry or document id).
        #[arg(long)]
        entry: String,
        /// The company's own reference for the incident (letters, digits, '-', '_', '.').
        #[arg(long)]
        reference: String,
        /// Write to this file instead of standard output.
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum BreachCommand {
    /// Registers a personal-data breach, or a later state of one under the same reference (the
    /// AP notified, the people concerned told); the compliance report checks the 72 hours.
    Record {
        #[command(flatten)]
        place: Place,
        /// The company's own reference (letters, digits, '-', '_', '.').
        #[arg(long)]
        reference: String,
        /// injection_leak, misdirected_transcript, vendor_leak, unauthorised_access, loss or other.
        #[arg(long)]
        kind: String,
        /// The assessed risk to the people concerned: unlikely, risk or high.
        #[arg(long)]
        risk: String,
        /// When the company became aware of the breach (RFC 3339, for example 2026-12-07T09:30:00+01:00).
        #[arg(long)]
        detected_at: String,
        /// When the AP was notified (RFC 3339).
        #[arg(long)]
        ap_notified_at: Option<String>,
        /// The people concerned were told.
        #[arg(long)]
        subjects_informed: bool,
        /// A conversation involved (repeatable).
        #[arg(long = "conversation")]
        conversations: Vec<String>,
    },
}

#[derive(Subcommand)]
enum RetentionCommand {
    /// Deletes what has expired now and prints the counts per store.
    Run {
        #[command(flatten)]
        place: Place,
    },
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum EvalTarget {
    /// Knowledge-base answering on banking77 and CLINC150.
    Faq,
    /// Personal-data recognizers.
    Pii,
    /// Prompt-injection detection.
    Injection,
    /// The grounding verifier for generated answers.
    Grounding,
    /// Withdrawal-statement recognition (ACC-04) on messages written for other purposes.
    Withdrawal,
    /// Advice-request recognition (ACC-10) on messages written for other purposes.
    Advice,
    /// Data-subject-request recognition (HUM-07) on messages written for other purposes.
    Rights,
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    // The benchmark's own request log would drown its report; it logs warnings only.
    init_logging(if matches!(cli.command, Command::Bench { .. }) {
        "warn"
    } else {
        "info"
    });
    match cli.command {
        Command::Serve { place, listen, demo } => serve(place, listen, demo),
        Command::Migrate { place } => runtime()?.block_on(migrate(place)),
        Command::Config {
            command: ConfigCommand::Check { place },
        } => {
            let config = load_config(&place, None)?;
            print!("{}", settings::render(&config.config)?);
            eprintln!("configuration is valid");
            Ok(())
        }
        Command::Kb {
            command: KbCommand::Rollback { place },
        } => {
            let config = load_config(&place, None)?;
            let data_dir = data_dir(&config)?;
            let rollback = loket_kb::rollback(&data_dir).context("rolling the knowledge base back")?;
            println!(
                "serving knowledge base generation {} again (was {})",
                rollback.to, rollback.from
            );
            let event = loket_service::knowledge::knowledge_event(
                loket_service::knowledge::KnowledgeChange::RolledBack {
                    from: &rollback.from,
                    to: &rollback.to,
                },
                "cli",
            );
            runtime()?.block_on(audit_knowledge_change(&config, &data_dir, event))
        }
        Command::Kb {
            command: KbCommand::Import { place, paths, encoder },
        } => {
            let config = load_config(&place, None)?;
            let data_dir = data_dir(&config)?;
            let encoder = load_encoder(encoder.as_deref().or(config.config.answer.encoder_dir.as_deref()))?;
            let encoder = encoder.as_deref();
            let report = kb_cli::import(
                &data_dir,
                &paths,
                encoder,
                &mut std::io::stdout(),
                &mut std::io::stderr(),
            )?;
            let event = loket_service::knowledge::knowledge_event(
                loket_service::knowledge::KnowledgeChange::Imported(&report),
                "cli",
            );
            runtime()?.block_on(audit_knowledge_change(&config, &data_dir, event))
        }
        Command::Ask { place, jsonl } => {
            if !jsonl {
                bail!("ask reads JSONL from standard input: pass --jsonl");
            }
            runtime()?.block_on(ask(place))
        }
        Command::User {
            command:
                UserCommand::Add {
                    place,
                    role,
                    display_name,
                    password_stdin,
                    ai_literacy,
                    languages,
                    name,
                },
        } => runtime()?.block_on(add_user(
            place,
            &role,
            display_name,
            password_stdin,
            &languages,
            ai_literacy.as_deref(),
            &name,
        )),
        Command::User {
            command: UserCommand::ResetSecondFactor { place, name },
        } => runtime()?.block_on(reset_second_factor(place, &name)),
        Command::User {
            command: UserCommand::Languages { place, languages, name },
        } => runtime()?.block_on(set_languages(place, &languages, &name)),
        Command::Pii {
            command: PiiCommand::Scan { lang },
        } => pii_scan(&lang),
        Command::Injection {
            command: InjectionCommand::Scan,
        } => {
            let detector = loket_guard::injection::InjectionDetector::new();
            eval_injection::scan(&detector, &mut std::io::stdin().lock(), &mut std::io::stdout().lock())
        }
        Command::Eval {
            what,
            shared_data,
            encoder,
            dump,
            phrasings,
        } => {
            let mut out = std::io::stdout().lock();
            match what {
                EvalTarget::Faq => {
                    eval_faq::run(&shared_data, encoder.as_deref(), dump.as_deref(), phrasings, &mut out)
                }
                EvalTarget::Pii => eval_pii::run(&shared_data, &mut out),
                EvalTarget::Injection => eval_injection::run(&shared_data, &mut out),
                EvalTarget::Grounding => eval_grounding::run(&shared_data, &mut out),
                EvalTarget::Withdrawal => eval_intents::withdrawal(&shared_data, &mut out),
                EvalTarget::Advice => eval_intents::advice(&shared_data, &mut out),
                EvalTarget::Rights => eval_intents::rights(&shared_data, &mut out),
            }
        }
        Command::Grounding {
            command: GroundingCommand::Check,
        } => eval_grounding::check(&mut std::io::stdin().lock(), &mut std::io::stdout().lock()),
        Command::Audit { command } => runtime()?.block_on(async move {
            match command {
                AuditCommand::Verify { place } => evidence_cli::verify(&*open_app(&place).await?).await,
                AuditCommand::Checkpoint { place } => evidence_cli::checkpoint(&*open_app(&place).await?).await,
                AuditCommand::Checkpoints { place, out } => {
                    evidence_cli::checkpoints(&*open_app(&place).await?, out).await
                }
            }
        }),
        Command::Gdpr { command } => runtime()?.block_on(async move {
            match command {
                GdprCommand::Export {
                    place,
                    subject,
                    format,
                    out,
                } => evidence_cli::export(&*open_app(&place).await?, &subject, format, out).await,
                GdprCommand::Erase { place, subject } => evidence_cli::erase(&*open_app(&place).await?, &subject).await,
                GdprCommand::Replay { place, journal } => {
                    let (loket, data_dir) = open_app_in(&place).await?;
                    let journal = journal.unwrap_or_else(|| loket_service::erasure_journal::path_in(&data_dir));
                    evidence_cli::replay(&loket, &journal).await
                }
                GdprCommand::Hold {
                    place,
                    conversation,
                    release,
                } => evidence_cli::hold(&*open_app(&place).await?, &conversation, release).await,
                GdprCommand::Retain {
                    place,
                    conversation,
                    ground,
                    ..
                } => evidence_cli::retain(&*open_app(&place).await?, &conversation, ground.as_deref()).await,
                GdprCommand::Request { command } => {
                    let (place, change) = command.into_change()?;
                    evidence_cli::rights_request(&*open_app(&place).await?, change).await
                }
            }
        }),
        Command::Retention {
            command: RetentionCommand::Run { place },
        } => runtime()?.block_on(async move { evidence_cli::retention(&*open_app(&place).await?).await }),
        Command::Breach {
            command:
                BreachCommand::Record {
                    place,
                    reference,
                    kind,
                    risk,
                    detected_at,
                    ap_notified_at,
                    subjects_informed,
                    conversations,
                },
        } => {
            let breach = evidence_cli::breach(
                &reference,
                &kind,
                &risk,
                &detected_at,
                ap_notified_at.as_deref(),
                subjects_informed,
                &conversations,
            )?;
            runtime()?.block_on(async move { evidence_cli::record_breach(&*open_app(&place).await?, &breach).await })
        }
        Command::Incident {
            command:
                IncidentCommand::Record {
                    place,
                    entry,
                    reference,
                    out,
                },
        } => runtime()?
            .block_on(async move { evidence_cli::incident(&*open_app(&place).await?, &entry, &reference, out).await }),
        Command::Bench {
            workload,
            options,
            smoke,
        } => bench::run(workload, &if smoke { options.smoke() } else { options }),
        Command::Redteam {
            url,
            data_dir,
            corpus,
            pace_ms,
            max_wait_seconds,
        } => {
            let clean = redteam::run(redteam::Options {
                url,
                data_dir,
                corpus,
                pace: std::time::Duration::from_millis(pace_ms),
                max_wait: std::time::Duration::from_secs(max_wait_seconds),
            })?;
            if !clean {
                eprintln!("red team: leaks found");
                std::process::exit(1);
            }
            Ok(())
        }
        Command::Compliance {
            command:
                ComplianceCommand::Report {
                    place,
                    format,
                    out,
                    accessibility,
                },
        } => runtime()?.block_on(async move {
            compliance_cli::report(&*open_app(&place).await?, format, accessibility, out).await
        }),
        Command::Compliance {
            command:
                ComplianceCommand::Notice {
                    place,
                    lang,
                    format,
                    out,
                },
        } => compliance_cli::notice(&load_config(&place, None)?, &lang, format, out),
        Command::Openapi => {
            println!("{}", loket_server::ops::openapi_json());
            Ok(())
        }
        Command::Sbom => {
            println!("{}", serde_json::to_string_pretty(&sbom::cyclonedx()?)?);
            Ok(())
        }
        Command::Model {
            command: ModelCommand::Serve { options },
        } => model_cli::serve(options),
    }
}

fn init_logging(default_level: &str) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_env("LOKET_LOG").unwrap_or_else(|_| EnvFilter::new(default_level));
    let _ = tracing_subscriber::fmt()
        .json()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")
}

fn load_config(place: &Place, listen: Option<&str>) -> anyhow::Result<ValidConfig> {
    let mut config = settings::load(place.config.as_deref(), listen, place.data_dir.as_deref())?;
    if let Some(url) = &place.database_url {
        config.config.database.url = Some(url.clone());
    }
    Ok(config)
}

/// Opens the database the configuration names, running its migrations: PostgreSQL for a
/// `postgres://` URL, else SQLite (the file in the data directory unless a `sqlite://` URL
/// names another). Errors never include the URL, which may carry a password. The PostgreSQL
/// store is also returned as such, for its live-event listener.
/// Records a change of the served knowledge made from the command line in the audit log
/// (GOV-06): the import or rollback is done; the record says when, what and by whom.
async fn audit_knowledge_change(
    config: &ValidConfig,
    data_dir: &Path,
    event: loket_core::audit::AuditEvent,
) -> anyhow::Result<()> {
    let (store, _) = open_store(config, data_dir).await?;
    store
        .append_audit(vec![event], chrono::Utc::now())
        .await
        .map_err(|error| anyhow::anyhow!("recording the change in the audit log: {error}"))
}

async fn open_store(config: &ValidConfig, data_dir: &Path) -> anyhow::Result<(Arc<dyn Store>, Option<PgStore>)> {
    let database = &config.config.database;
    match database.url.as_deref() {
        Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
            let settings = PoolSettings {
                max_connections: database.pool_size,
                acquire_timeout: Duration::from_secs(database.acquire_timeout_seconds),
                statement_timeout: Duration::from_secs(database.statement_timeout_seconds),
            };
            let store = PgStore::connect(url, settings)
                .await
                .map_err(|error| anyhow::anyhow!("opening the PostgreSQL database: {error}"))?;
            Ok((Arc::new(store.clone()), Some(store)))
        }
        Some(url) => {
            let Some(path) = url.strip_prefix("sqlite://") else {
                bail!("database.url must start with sqlite://, postgres:// or postgresql://");
            };
            // The SQLite backend keeps its fixed file name (and its WAL beside it) in a directory.
            let path = Path::new(path);
            let directory = match (path.file_name(), path.parent()) {
                (Some(name), Some(parent)) if name == loket_store_sqlite::DATABASE_FILE => parent,
                _ => bail!(
                    "a sqlite:// URL names a file called {}",
                    loket_store_sqlite::DATABASE_FILE
                ),
            };
            std::fs::create_dir_all(directory)
                .with_context(|| format!("creating database directory {}", directory.display()))?;
            let store = SqliteStore::open(directory, database.pool_size.min(16))
                .await
                .map_err(|error| anyhow::anyhow!("opening the SQLite database: {error}"))?
                .with_turn_cache(turn_cache(database));
            Ok((Arc::new(store), None))
        }
        None => {
            let store = SqliteStore::open(data_dir, database.pool_size.min(16))
                .await
                .map_err(|error| anyhow::anyhow!("opening the database: {error}"))?
                .with_turn_cache(turn_cache(database));
            Ok((Arc::new(store), None))
        }
    }
}

/// The SQLite store's cache of turn contexts, as `[database]` sets it.
fn turn_cache(database: &loket_core::config::DatabaseConfig) -> loket_store_sqlite::TurnCacheSettings {
    loket_store_sqlite::TurnCacheSettings {
        entries: database.cached_conversations as usize,
        ttl: Duration::from_secs(u64::from(database.cached_conversation_seconds)),
    }
}

/// `loket migrate`: opening a store applies its pending migrations.
async fn migrate(place: Place) -> anyhow::Result<()> {
    let config = load_config(&place, None)?;
    let data_dir = data_dir(&config)?;
    let backend = if config
        .config
        .database
        .url
        .as_deref()
        .is_some_and(|url| url.starts_with("postgres"))
    {
        "PostgreSQL"
    } else {
        "SQLite"
    };
    open_store(&config, &data_dir).await?;
    eprintln!("{backend} schema is up to date");
    Ok(())
}

fn data_dir(config: &ValidConfig) -> anyhow::Result<PathBuf> {
    let path = PathBuf::from(&config.config.server.data_dir);
    std::fs::create_dir_all(&path).with_context(|| format!("creating data directory {}", path.display()))?;
    Ok(path)
}

/// The vault's master key: `LOKET_MASTER_KEY` (64 hex characters), or a key file in the data
/// directory created on first start with owner-only permissions.
fn master_key(data_dir: &Path) -> anyhow::Result<SealingKey> {
    if let Ok(text) = std::env::var("LOKET_MASTER_KEY") {
        return SealingKey::from_hex(&text).context("LOKET_MASTER_KEY must be 64 hex characters");
    }
    let path = data_dir.join("master.key");
    if path.exists() {
        let text = std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
        return SealingKey::from_hex(&text)
            .with_context(|| format!("{} does not hold a 64-hex-character key", path.display()));
    }
    let key = SealingKey::generate().map_err(|error| anyhow::anyhow!("generating the master key: {error}"))?;
    write_private(&path, &hex::encode(key.to_bytes()))?;
    Ok(key)
}

fn write_private(path: &Path, text: &str) -> anyhow::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options
        .open(path)
        .with_context(|| format!("creating {}", path.display()))?;
    file.write_all(text.as_bytes())
        .with_context(|| format!("writing {}", path.display()))?;
    file.sync_all().with_context(|| format!("syncing {}", path.display()))
}

/// Loads the sentence encoder in `directory`, if one is configured, with its confidence
/// calibration: the folder's own `loket-calibration.json` if it has one, else the one Loket has
/// for the model's shape, else all-MiniLM-L6-v2's with a warning.
fn load_encoder(directory: Option<&Path>) -> anyhow::Result<Option<Arc<dyn loket_kb::Embedder>>> {
    let Some(directory) = directory else {
        return Ok(None);
    };
    let encoder = loket_embed::Encoder::load(directory)
        .with_context(|| format!("loading the sentence encoder in {}", directory.display()))?;
    let shape = encoder.shape();
    let file = directory.join(loket_kb::Calibration::FILE);
    if file.exists() {
        let bytes = std::fs::read(&file).with_context(|| format!("reading {}", file.display()))?;
        let calibration = loket_kb::Calibration::from_json(&bytes)
            .map_err(|problem| anyhow::anyhow!("{}: {problem}", file.display()))?;
        tracing::info!(shape = %shape, calibration = calibration.name, "sentence encoder loaded");
        return Ok(Some(Arc::new(loket_kb::Calibrated {
            embedder: Arc::new(encoder),
            calibration,
        })));
    }
    match loket_kb::Calibration::for_shape(&shape) {
        Some(calibration) => {
            tracing::info!(shape = %shape, calibration = calibration.name, "sentence encoder loaded");
            if calibration == loket_kb::Calibration::MULTILINGUAL_E5_SMALL && encoder.prompt().is_empty() {
                tracing::warn!(
                    "multilingual-e5 was trained with the prompt `query: `, and its confidence was \
                     fitted with it: add config_sentence_transformers.json with {{\"prompts\": \
                     {{\"query\": \"query: \"}}}} to the encoder folder"
                );
            }
        }
        None => tracing::warn!(
            shape = %shape,
            "no confidence calibration is fitted for this sentence encoder; answers use \
             all-MiniLM-L6-v2's, which may answer too often or too rarely: fit one with \
             eval/faq/fit_confidence.py --write and put it in the encoder folder as loket-calibration.json"
        ),
    }
    Ok(Some(Arc::new(encoder)))
}

/// Opens everything and assembles the application.
async fn compose(config: ValidConfig) -> anyhow::Result<(Arc<Loket>, PathBuf)> {
    let data_dir = data_dir(&config)?;
    let (store, postgres) = open_store(&config, &data_dir).await?;
    let mut answer_config = loket_kb::AnswerConfig::default();
    if let Some(threshold) = config.config.answer.threshold {
        answer_config.threshold = threshold;
    }
    if let Some(suggestions) = config.config.answer.suggestions {
        answer_config.suggestions = suggestions;
    }
    if let Some(floor) = config.config.answer.suggestion_floor {
        answer_config.suggestion_floor = floor;
    }
    let encoder = load_encoder(config.config.answer.encoder_dir.as_deref())?;
    let base =
        KnowledgeBase::open_with_encoder(&data_dir, answer_config, encoder).context("opening the knowledge base")?;
    if config.config.answer.encoder_dir.is_some() && !base.dense_enabled() {
        tracing::warn!(
            "the knowledge base has no vectors from the configured encoder: lexical retrieval until the next import"
        );
    }
    let key = master_key(&data_dir)?;
    // A local model is loaded (and dequantised) here, once; it takes a moment and some memory.
    let generation = config.config.generation.clone();
    let generator = tokio::task::spawn_blocking(move || Generator::from_config(&generation))
        .await
        .context("loading the model")?
        .map_err(|problem| anyhow::anyhow!("generation: {problem}"))?;
    if let Some(generator) = &generator {
        tracing::info!(
            model = generator.model_name(),
            "answers are phrased by a model behind the grounding verifier"
        );
    }
    let loket = Loket::new(
        store,
        Arc::new(config),
        Arc::new(SystemClock),
        Knowledge::new(base),
        key,
    )
    .with_generator(generator);
    let loket = Arc::new(loket);
    if let Some(postgres) = postgres {
        relay_remote_changes(&postgres, &loket).await?;
    }
    Ok((loket, data_dir))
}

/// Publishes on this instance what other instances on the same PostgreSQL database commit, so
/// customers and agents connected to different instances see each other live.
async fn relay_remote_changes(postgres: &PgStore, loket: &Arc<Loket>) -> anyhow::Result<()> {
    let mut notices = postgres
        .listen()
        .await
        .map_err(|error| anyhow::anyhow!("listening for other instances' changes: {error}"))?;
    let loket = Arc::clone(loket);
    tokio::spawn(async move {
        while let Some(notice) = notices.recv().await {
            let change = match notice.change {
                Change::Committed {
                    first_seq,
                    last_seq,
                    state,
                    ticket,
                } => RemoteChange::Committed {
                    conversation: notice.conversation,
                    first_seq,
                    last_seq,
                    state,
                    ticket,
                },
                Change::Erased => RemoteChange::Erased(notice.conversation),
            };
            if let Err(error) = loket.hub().relay(loket.store().as_ref(), change).await {
                tracing::warn!(%error, "relaying another instance's change failed");
            }
        }
    });
    Ok(())
}

fn serve(place: Place, listen: Option<String>, demo: bool) -> anyhow::Result<()> {
    let config = load_config(&place, listen.as_deref())?;
    let address = config.config.server.listen.clone();
    let runtime = runtime()?;
    runtime.block_on(async move {
        let demo_import = if demo { prepare_demo(&config)? } else { None };
        let (loket, _) = compose(config).await?;
        if demo {
            create_demo_agent(&loket).await?;
        }
        let fingerprint =
            loket_core::audit::AuditEvent::new(loket_core::audit::AuditKind::ConfigLoaded, None, "system")
                .attribute("disclosure_version", loket.config().wording.disclosure_version());
        // The demo's own import is a change of the served knowledge like any other (GOV-06).
        let imported = demo_import.as_ref().map(|report| {
            loket_service::knowledge::knowledge_event(
                loket_service::knowledge::KnowledgeChange::Imported(report),
                "demo",
            )
        });
        loket
            .store()
            .append_audit(imported.into_iter().chain([fingerprint]).collect(), loket.now())
            .await
            .map_err(|error| anyhow::anyhow!("{error}"))?;
        let listener = tokio::net::TcpListener::bind(&address)
            .await
            .with_context(|| format!("listening on {address}"))?;
        let local = listener.local_addr().context("reading the listening address")?;
        // Signal handlers exist before anyone is told the server is up.
        let shutdown = shutdown_signal()?;
        eprintln!("Loket serves on http://{local}/ (demo shop), http://{local}/console/ (agent console)");
        spawn_background(loket.clone());
        loket_server::serve(listener, loket, shutdown).await.context("serving")
    })
}

/// Maintenance (waiting timeouts, agents who left), retention runs, signed audit checkpoints and
/// knowledge-base reloads.
fn spawn_background(loket: Arc<Loket>) {
    tokio::spawn(async move {
        let mut interval = tokio::time::interval(std::time::Duration::from_secs(5));
        let mut last_retention = None;
        let mut last_checkpoint = None;
        loop {
            interval.tick().await;
            if let Err(error) = loket.maintain().await {
                tracing::warn!(%error, "maintenance pass failed");
            }
            match loket.retention_if_due(last_retention).await {
                Ok(Some(_)) => last_retention = Some(loket.now()),
                Ok(None) => {}
                Err(error) => tracing::warn!(%error, "retention run failed; the next run continues where it stopped"),
            }
            match loket.checkpoint_if_due(last_checkpoint).await {
                Ok(true) => last_checkpoint = Some(loket.now()),
                Ok(false) => {}
                Err(error) => tracing::warn!(%error, "signing an audit checkpoint failed"),
            }
            match loket.knowledge().base().reload() {
                Ok(true) => tracing::info!("knowledge base reloaded"),
                Ok(false) => {}
                Err(error) => tracing::warn!(%error, "knowledge base reload failed; the previous one keeps serving"),
            }
        }
    });
}

/// Registers SIGINT and SIGTERM handlers now and returns a future that resolves on either.
fn shutdown_signal() -> anyhow::Result<impl std::future::Future<Output = ()> + Send + 'static> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut interrupt = signal(SignalKind::interrupt()).context("installing the SIGINT handler")?;
        let mut terminate = signal(SignalKind::terminate()).context("installing the SIGTERM handler")?;
        Ok(async move {
            tokio::select! {
                _ = interrupt.recv() => {}
                _ = terminate.recv() => {}
            }
        })
    }
    #[cfg(not(unix))]
    {
        Ok(async {
            let _ = tokio::signal::ctrl_c().await;
        })
    }
}

/// Imports the embedded demo knowledge base when the data directory has none yet; the report of
/// the import, if there was one.
fn prepare_demo(config: &ValidConfig) -> anyhow::Result<Option<loket_kb::ImportReport>> {
    let data_dir = data_dir(config)?;
    let existing = KnowledgeBase::open(&data_dir).context("opening the knowledge base")?;
    if existing.generation().is_some() {
        return Ok(None);
    }
    let sources: Vec<loket_kb::SourceFile> = DemoKnowledge::iter()
        .filter(|path| !path.ends_with("README.md"))
        .filter_map(|path| {
            DemoKnowledge::get(&path).map(|file| loket_kb::SourceFile {
                path: path.to_string(),
                bytes: file.data.into_owned(),
            })
        })
        .collect();
    let screen = loket_service::knowledge::import_screen();
    let encoder = load_encoder(config.config.answer.encoder_dir.as_deref())?;
    let report = loket_kb::import_embedded(
        &data_dir,
        sources,
        &loket_kb::ImportLimits::default(),
        &screen,
        encoder.as_deref(),
        &mut |_| {},
    )
    .context("importing the demo knowledge base")?;
    eprintln!(
        "demo knowledge base imported: {} public entries, {} restricted entries, {} quarantined",
        report.public_entries,
        report.restricted_entries,
        report.quarantined.len()
    );
    Ok(Some(report))
}

/// Creates the demo agent `demo` with a generated password, printed once.
async fn create_demo_agent(loket: &Loket) -> anyhow::Result<()> {
    let id = AgentId::parse("demo").map_err(|_| anyhow::anyhow!("invalid demo login"))?;
    if loket.store().staff(&id).await.is_ok() {
        eprintln!("demo agent account `demo` exists (password was printed when it was created)");
        return Ok(());
    }
    let password = generated_password()?;
    loket
        .create_staff(&id, "Demo", Role::Agent, &password, None, &Locale::ALL)
        .await
        .map_err(|error| anyhow::anyhow!("creating the demo agent: {error}"))?;
    eprintln!("demo agent account created: login `demo`, password `{password}` (shown once)");
    if loket.config().config.auth.second_factor == loket_core::config::SecondFactorPolicy::Required {
        eprintln!(
            "at the first login the console asks to set up an authenticator app (auth.second_factor = required); \
             without a phone, `oathtool --totp -b SECRET` gives the codes"
        );
    }
    Ok(())
}

fn generated_password() -> anyhow::Result<String> {
    let mut bytes = [0u8; 12];
    getrandom::fill(&mut bytes).map_err(|_| anyhow::anyhow!("no randomness available"))?;
    Ok(hex::encode(bytes))
}

async fn reset_second_factor(place: Place, name: &str) -> anyhow::Result<()> {
    let id = AgentId::parse(name).map_err(|_| anyhow::anyhow!("a login name has 1-64 of a-z, 0-9, '.', '-', '_'"))?;
    let config = load_config(&place, None)?;
    let (loket, _) = compose(config).await?;
    loket
        .reset_second_factor(&id, "cli")
        .await
        .map_err(|error| match error {
            loket_service::Error::NotFound => anyhow::anyhow!("no staff account `{id}`"),
            other => anyhow::anyhow!("{other}"),
        })?;
    println!("second factor of `{id}` removed and their sessions ended; they set up a new one at their next login");
    Ok(())
}

/// `--languages`: comma-separated two-letter codes Loket serves customers in.
fn parse_languages(languages: &str) -> anyhow::Result<Vec<Locale>> {
    languages
        .split(',')
        .map(|code| {
            Locale::parse(code.trim())
                .filter(|language| language.as_str() == code.trim().to_ascii_lowercase())
                .with_context(|| format!("unknown language `{}`: give nl, en or nl,en", code.trim()))
        })
        .collect()
}

async fn set_languages(place: Place, languages: &str, name: &str) -> anyhow::Result<()> {
    let languages = parse_languages(languages)?;
    let id = AgentId::parse(name).map_err(|_| anyhow::anyhow!("a login name has 1-64 of a-z, 0-9, '.', '-', '_'"))?;
    let config = load_config(&place, None)?;
    let (loket, _) = compose(config).await?;
    let languages = loket
        .set_staff_languages(&id, &languages, "cli")
        .await
        .map_err(|error| match error {
            loket_service::Error::NotFound => anyhow::anyhow!("no staff account `{id}`"),
            other => anyhow::anyhow!("{other}"),
        })?;
    let codes: Vec<&str> = languages.iter().map(|language| language.as_str()).collect();
    println!("`{id}` serves customers in {}", codes.join(", "));
    Ok(())
}

async fn add_user(
    place: Place,
    role: &str,
    display_name: Option<String>,
    password_stdin: bool,
    languages: &str,
    ai_literacy: Option<&str>,
    name: &str,
) -> anyhow::Result<()> {
    let role = Role::parse(role).context("role must be agent, admin or auditor")?;
    let languages = parse_languages(languages)?;
    if ai_literacy.is_none() && matches!(role, Role::Agent | Role::Admin) {
        anyhow::bail!(
            "an {} operates the chat and needs a recorded AI-literacy training first (AI Act art. 4): \
             pass --ai-literacy with the certificate or course record reference",
            role.as_str()
        );
    }
    let id = AgentId::parse(name).map_err(|_| anyhow::anyhow!("a login name has 1-64 of a-z, 0-9, '.', '-', '_'"))?;
    let (password, generated) = if password_stdin {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .context("reading the password from standard input")?;
        (text.trim_end_matches(['\n', '\r']).to_string(), false)
    } else {
        (generated_password()?, true)
    };
    let config = load_config(&place, None)?;
    let (loket, _) = compose(config).await?;
    let display_name = display_name.unwrap_or_else(|| name.to_string());
    loket
        .create_staff(&id, &display_name, role, &password, ai_literacy, &languages)
        .await
        .map_err(|error| anyhow::anyhow!("{error}"))?;
    if generated {
        println!("created {} `{id}` with password {password} (shown once)", role.as_str());
    } else {
        println!("created {} `{id}`", role.as_str());
    }
    Ok(())
}

async fn ask(place: Place) -> anyhow::Result<()> {
    let config = load_config(&place, None)?;
    let (loket, _) = compose(config).await?;
    let stdin = std::io::stdin();
    let mut out = std::io::stdout().lock();
    for line in stdin.lock().lines() {
        let line = line.context("reading standard input")?;
        if line.trim().is_empty() {
            continue;
        }
        let response = match serde_json::from_str::<serde_json::Value>(&line) {
            Ok(question) => {
                let id = question.get("id").cloned().unwrap_or(serde_json::Value::Null);
                let text = question.get("text").and_then(|value| value.as_str()).unwrap_or("");
                let locale = question
                    .get("lang")
                    .and_then(|value| value.as_str())
                    .and_then(Locale::parse)
                    .or_else(|| {
                        loket_kb::detect_lang(text).map(|lang| {
                            if lang == loket_kb::Lang::En {
                                Locale::En
                            } else {
                                Locale::Nl
                            }
                        })
                    })
                    .unwrap_or(Locale::Nl);
                match loket.ask(text, locale) {
                    Ok(outcome) => ask_line(id, outcome.reply),
                    Err(error) => serde_json::json!({ "id": id, "error": error.to_string() }),
                }
            }
            Err(_) => serde_json::json!({ "id": null, "error": "line is not valid JSON" }),
        };
        writeln!(out, "{response}").context("writing standard output")?;
    }
    Ok(())
}

fn ask_line(id: serde_json::Value, reply: BotReply) -> serde_json::Value {
    match reply {
        BotReply::Answer {
            entry_id,
            citations,
            confidence,
            ..
        } => serde_json::json!({
            "id": id, "outcome": "answer", "entry_id": entry_id, "citations": citations, "confidence": confidence,
        }),
        BotReply::Abstain { confidence, .. } => serde_json::json!({
            "id": id, "outcome": "abstain", "entry_id": null, "citations": [], "confidence": confidence,
        }),
        BotReply::NotAsked | BotReply::Blocked { .. } => serde_json::json!({
            "id": id, "outcome": "abstain", "entry_id": null, "citations": [], "confidence": 0.0,
        }),
    }
}

fn pii_scan(lang: &str) -> anyhow::Result<()> {
    use loket_guard::pii::{Lang, PiiScanner, scan_report};
    let lang = Lang::parse(lang).context("--lang must be nl, en or auto")?;
    let scanner = PiiScanner::new();
    let sensitive = loket_guard::sensitive::SensitiveDetector::new();
    let stdin = std::io::stdin();
    let mut out = std::io::stdout().lock();
    for line in stdin.lock().lines() {
        let line = line.context("reading standard input")?;
        if line.trim().is_empty() {
            continue;
        }
        let response = match serde_json::from_str::<serde_json::Value>(&line) {
            Ok(value) => {
                let id = value.get("id").cloned().unwrap_or(serde_json::Value::Null);
                match value.get("text").and_then(|text| text.as_str()) {
                    Some(text) => {
                        let mut report = scan_report(&scanner, text, lang);
                        report.sensitive = sensitive
                            .detect(text)
                            .iter()
                            .map(|category| category.as_str().to_string())
                            .collect();
                        let mut json = serde_json::to_value(&report).context("encoding the report")?;
                        if let Some(object) = json.as_object_mut() {
                            object.insert("id".into(), id);
                        }
                        json
                    }
                    None => serde_json::json!({ "id": id, "error": "missing text" }),
                }
            }
            Err(_) => serde_json::json!({ "id": null, "error": "line is not valid JSON" }),
        };
        writeln!(out, "{response}").context("writing standard output")?;
    }
    Ok(())
}

/// Opens the application for a one-off command, as the server would.
async fn open_app(place: &Place) -> anyhow::Result<Arc<Loket>> {
    Ok(open_app_in(place).await?.0)
}

/// [`open_app`] and its data directory.
async fn open_app_in(place: &Place) -> anyhow::Result<(Arc<Loket>, PathBuf)> {
    let config = load_config(place, None)?;
    compose(config).await
}

//! `loket gdpr`, `loket retention` and `loket audit`: data-subject rights, retention and the
//! audit evidence from the command line (issue 7; GDPR art. 15, 17, 20; RET-02; SEC-09).
//!
//! Each command opens the same application the server runs (same data directory, master key
//! and configuration), so what it does is recorded in the same audit chain.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use loket_core::ConversationId;
use loket_service::Loket;
use loket_service::subject::{Subject, export_html};

/// Whose data, from the command line.
#[derive(clap::Args)]
#[group(required = true, multiple = false)]
pub struct SubjectArgs {
    /// A conversation id.
    #[arg(long)]
    conversation: Option<String>,
    /// The customer identifier of the company's login (the `sub` of its identity tokens).
    #[arg(long)]
    customer: Option<String>,
}

impl SubjectArgs {
    fn subject(&self) -> Result<Subject> {
        match (&self.conversation, &self.customer) {
            (Some(id), None) => Ok(Subject::Conversation(
                ConversationId::parse(id).map_err(|_| anyhow::anyhow!("--conversation is not a valid id"))?,
            )),
            (None, Some(customer)) if !customer.trim().is_empty() => Ok(Subject::Customer(customer.trim().into())),
            _ => bail!("give --conversation ID or --customer IDENTIFIER"),
        }
    }
}

/// Export format.
#[derive(Clone, Copy, clap::ValueEnum)]
pub enum ExportFormat {
    /// Machine-readable (GDPR art. 20).
    Json,
    /// A readable page (GDPR art. 15).
    Html,
}

/// `loket gdpr export`.
pub async fn export(loket: &Loket, args: &SubjectArgs, format: ExportFormat, out: Option<PathBuf>) -> Result<()> {
    let export = loket
        .export_as_operator(&args.subject()?)
        .await
        .map_err(|error| anyhow::anyhow!("{error}"))?;
    let text = match format {
        ExportFormat::Json => serde_json::to_string_pretty(&export).context("encoding the export")?,
        ExportFormat::Html => export_html(&export),
    };
    write_out(&text, out)
}

/// `loket gdpr erase`: prints the signed deletion certificate.
pub async fn erase(loket: &Loket, args: &SubjectArgs) -> Result<()> {
    let certificate = loket
        .erase_as_operator(&args.subject()?)
        .await
        .map_err(|error| anyhow::anyhow!("{error}"))?;
    write_out(
        &serde_json::to_string_pretty(&certificate).context("encoding the certificate")?,
        None,
    )
}

/// An RFC 3339 time given as `--NAME`.
pub fn rfc3339(name: &str, text: &str) -> Result<chrono::DateTime<chrono::Utc>> {
    chrono::DateTime::parse_from_rfc3339(text.trim())
        .map(|time| time.with_timezone(&chrono::Utc))
        .map_err(|_| anyhow::anyhow!("--{name} is not an RFC 3339 time such as 2026-12-07T09:30:00+01:00"))
}

/// Conversation ids given as `--conversation`.
pub fn conversation_ids(ids: &[String]) -> Result<Vec<ConversationId>> {
    ids.iter()
        .map(|id| {
            ConversationId::parse(id.trim())
                .map_err(|_| anyhow::anyhow!("--conversation {id:?} is not a conversation id"))
        })
        .collect()
}

/// `loket gdpr request`: records `change` to the request `reference` and prints it, or (`None`)
/// prints the register, as JSON.
pub async fn rights_request(
    loket: &Loket,
    change: Option<(String, loket_service::rights_request::Change)>,
) -> Result<()> {
    let json = match change {
        Some((reference, change)) => serde_json::to_string_pretty(
            &loket
                .record_rights_request(None, &reference, change)
                .await
                .map_err(|error| anyhow::anyhow!("{error}"))?,
        )?,
        None => serde_json::to_string_pretty(
            &loket
                .rights_register()
                .await
                .map_err(|error| anyhow::anyhow!("{error}"))?,
        )?,
    };
    println!("{json}");
    Ok(())
}

/// The breach `loket breach record` describes, checked before anything is opened.
pub fn breach(
    reference: &str,
    kind: &str,
    risk: &str,
    detected_at: &str,
    ap_notified_at: Option<&str>,
    subjects_informed: bool,
    conversations: &[String],
) -> Result<loket_service::breach::Breach> {
    use loket_service::breach::{Breach, BreachKind, BreachRisk};
    let time = rfc3339;
    let kinds: Vec<&str> = BreachKind::ALL.iter().map(|kind| kind.as_str()).collect();
    Ok(Breach {
        reference: reference.trim().to_owned(),
        kind: BreachKind::parse(kind.trim())
            .ok_or_else(|| anyhow::anyhow!("--kind must be one of {}", kinds.join(", ")))?,
        risk: BreachRisk::parse(risk.trim()).ok_or_else(|| anyhow::anyhow!("--risk must be unlikely, risk or high"))?,
        detected_at: time("detected-at", detected_at)?,
        ap_notified_at: ap_notified_at.map(|text| time("ap-notified-at", text)).transpose()?,
        subjects_informed,
        conversations: conversation_ids(conversations)?,
    })
}

/// `loket breach record`.
pub async fn record_breach(loket: &Loket, breach: &loket_service::breach::Breach) -> Result<()> {
    loket
        .record_breach(breach, "cli")
        .await
        .map_err(|error| anyhow::anyhow!("{error}"))?;
    eprintln!(
        "breach {} recorded: {} at {}",
        breach.reference,
        breach.standing(chrono::Utc::now()).describe(),
        chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    );
    Ok(())
}

/// `loket gdpr replay`.
pub async fn replay(loket: &Loket, journal: &std::path::Path) -> Result<()> {
    let report = loket
        .replay_erasures(journal)
        .await
        .map_err(|error| anyhow::anyhow!("{error}"))?;
    write_out(
        &serde_json::to_string_pretty(&report).context("encoding the report")?,
        None,
    )
}

/// `loket gdpr hold`.
pub async fn hold(loket: &Loket, conversation: &str, release: bool) -> Result<()> {
    let id = ConversationId::parse(conversation).map_err(|_| anyhow::anyhow!("--conversation is not a valid id"))?;
    loket
        .set_legal_hold(None, &id, !release)
        .await
        .map_err(|error| anyhow::anyhow!("{error}"))?;
    eprintln!(
        "legal hold {} for conversation {id}",
        if release { "lifted" } else { "placed" }
    );
    Ok(())
}

/// `loket gdpr retain`: `ground` `None` removes the tag.
pub async fn retain(loket: &Loket, conversation: &str, ground: Option<&str>) -> Result<()> {
    let id = ConversationId::parse(conversation).map_err(|_| anyhow::anyhow!("--conversation is not a valid id"))?;
    loket
        .set_statutory_ground(None, &id, ground)
        .await
        .map_err(|error| anyhow::anyhow!("{error}"))?;
    match ground {
        Some(ground) => eprintln!("conversation {id} is kept for statutory ground {ground}"),
        None => eprintln!("conversation {id} has the ordinary retention periods again"),
    }
    Ok(())
}

/// `loket incident record`: prints the incident with the conversations it affects.
pub async fn incident(loket: &Loket, entry: &str, reference: &str, out: Option<PathBuf>) -> Result<()> {
    let incident = loket
        .record_incident(reference, entry, "cli")
        .await
        .map_err(|error| anyhow::anyhow!("{error}"))?;
    eprintln!(
        "incident {} recorded for entry {}: {} conversations got an answer citing it, {} rated it not right",
        incident.reference,
        incident.entry_id,
        incident.conversations.len(),
        incident
            .conversations
            .iter()
            .filter(|affected| affected.rated_wrong)
            .count()
    );
    write_out(
        &serde_json::to_string_pretty(&incident).context("encoding the incident")?,
        out,
    )
}

/// `loket retention run`.
pub async fn retention(loket: &Loket) -> Result<()> {
    let report = loket
        .run_retention("cli")
        .await
        .map_err(|error| anyhow::anyhow!("{error}"))?;
    write_out(
        &serde_json::to_string_pretty(&report).context("encoding the report")?,
        None,
    )
}

/// `loket audit verify`: exits non-zero naming the first bad record.
pub async fn verify(loket: &Loket) -> Result<()> {
    let verification = loket.verify_audit().await.map_err(|error| anyhow::anyhow!("{error}"))?;
    if let Some(problem) = verification.problem {
        bail!("{problem}");
    }
    let anchor = verification
        .anchor
        .map(|anchor| format!(", starting after record {} removed by retention", anchor.seq))
        .unwrap_or_default();
    println!(
        "audit chain intact: {} records{anchor}; {} signed checkpoints verified",
        verification.records, verification.checkpoints
    );
    Ok(())
}

/// `loket audit checkpoint`: signs the newest record now.
pub async fn checkpoint(loket: &Loket) -> Result<()> {
    match loket
        .write_checkpoint("cli")
        .await
        .map_err(|error| anyhow::anyhow!("{error}"))?
    {
        Some(checkpoint) => println!("signed checkpoint at record {}", checkpoint.seq),
        None => println!("nothing new to sign"),
    }
    Ok(())
}

/// `loket audit checkpoints`: the public key, anchor and checkpoints as JSON.
pub async fn checkpoints(loket: &Loket, out: Option<PathBuf>) -> Result<()> {
    let export = loket
        .export_checkpoints()
        .await
        .map_err(|error| anyhow::anyhow!("{error}"))?;
    write_out(
        &serde_json::to_string_pretty(&export).context("encoding the checkpoints")?,
        out,
    )
}

fn write_out(text: &str, out: Option<PathBuf>) -> Result<()> {
    match out {
        Some(path) => std::fs::write(&path, text).with_context(|| format!("writing {}", path.display())),
        None => {
            let mut stdout = std::io::stdout().lock();
            writeln!(stdout, "{text}").context("writing standard output")
        }
    }
}

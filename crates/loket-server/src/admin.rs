//! The admin routes for evidence: `/api/v1/admin/compliance-report` and
//! `/api/v1/admin/dashboard` (REQUIREMENTS GOV-07, HUM-12). Cookie-authenticated like the
//! console; only admins and auditors get through (the service checks the role), and neither
//! response contains message text.
//!
//! The report's accessibility section comes from `DATA_DIR/accessibility.json` when that file
//! exists: the summary the browser tests write to `target/e2e-accessibility.json`, copied there
//! by whoever deploys a tested build. Without it the report says "no browser run recorded";
//! nothing in the configuration changes that.
//!
//! The dashboard's wire types live here rather than in `dto` because only these routes use them.

use std::path::Path;

use axum::Json;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, NaiveDate, Utc};
use loket_core::staff::Role;
use loket_service::compliance::{AccessibilityStatus, ReportFormat};
use loket_service::dashboard::{DEFAULT_DASHBOARD_DAYS, Dashboard, DayFigures, MAX_DASHBOARD_DAYS};
use loket_service::knowledge::SourceFile;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::extract::ApiJson;
use crate::staff::{Staff, StaffWrite};

/// The file in the data directory that holds the last browser accessibility run.
pub const ACCESSIBILITY_FILE: &str = "accessibility.json";

/// The report page has no script at all and only its own inline style.
const REPORT_CONTENT_SECURITY_POLICY: &str =
    "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'self'";

/// The figures of one day.
#[derive(Debug, Serialize, ToSchema)]
pub struct DayFiguresDto {
    /// Local calendar date.
    pub date: NaiveDate,
    /// Conversations started.
    pub conversations_started: u64,
    /// Of those, taken over by a person.
    pub handed_to_people: u64,
    /// Of those, handled by the bot alone.
    pub handled_by_bot: u64,
    /// Requests for a person.
    pub handoff_requests: u64,
    /// Requests when nobody could take over.
    pub handoff_unavailable: u64,
    /// AI answers.
    pub answers: u64,
    /// Abstentions.
    pub abstentions: u64,
    /// abstentions / (answers + abstentions); null without either.
    pub abstention_rate: Option<f64>,
    /// Takeovers measured.
    pub handoffs_measured: u64,
    /// Median seconds from a request to a person; null without takeovers.
    pub median_seconds_to_person: Option<i64>,
    /// Messages with personal data pseudonymised.
    pub pii_redacted: u64,
    /// Privacy warnings shown.
    pub privacy_warnings: u64,
    /// Messages flagged as prompt injection.
    pub injection_flagged: u64,
    /// Outgoing AI messages blocked.
    pub output_blocked: u64,
    /// Answers the customer rated right ("Klopte dit antwoord?" yes, ACC-09).
    pub rated_right: u64,
    /// Answers the customer rated not right.
    pub rated_wrong: u64,
    /// Requests for personal advice declined with a person offered (ACC-10).
    pub advice_declined: u64,
}

impl From<DayFigures> for DayFiguresDto {
    fn from(day: DayFigures) -> Self {
        Self {
            date: day.date,
            conversations_started: day.conversations_started,
            handed_to_people: day.handed_to_people,
            handled_by_bot: day.handled_by_bot,
            handoff_requests: day.handoff_requests,
            handoff_unavailable: day.handoff_unavailable,
            answers: day.answers,
            abstentions: day.abstentions,
            abstention_rate: day.abstention_rate,
            handoffs_measured: day.handoffs_measured,
            median_seconds_to_person: day.median_seconds_to_person,
            pii_redacted: day.pii_redacted,
            privacy_warnings: day.privacy_warnings,
            injection_flagged: day.injection_flagged,
            output_blocked: day.output_blocked,
            rated_right: day.rated_right,
            rated_wrong: day.rated_wrong,
            advice_declined: day.advice_declined,
        }
    }
}

/// Daily figures from the audit log; no message text.
#[derive(Debug, Serialize, ToSchema)]
pub struct DashboardDto {
    /// Days covered.
    pub days: u32,
    /// First day.
    pub from: NaiveDate,
    /// Last day (today).
    pub to: NaiveDate,
    /// Time zone of the days.
    pub timezone: String,
    /// When computed.
    pub generated_at: DateTime<Utc>,
    /// One entry per day, oldest first.
    pub series: Vec<DayFiguresDto>,
    /// The whole period (its `date` is the first day).
    pub totals: DayFiguresDto,
}

impl From<Dashboard> for DashboardDto {
    fn from(dashboard: Dashboard) -> Self {
        Self {
            days: dashboard.days,
            from: dashboard.from,
            to: dashboard.to,
            timezone: dashboard.timezone,
            generated_at: dashboard.generated_at,
            series: dashboard.series.into_iter().map(DayFiguresDto::from).collect(),
            totals: dashboard.totals.into(),
        }
    }
}

/// The value of `name` in a query string; values here are plain words and numbers, so no
/// percent-decoding is needed (an encoded value is simply not valid).
fn query_value<'a>(query: Option<&'a str>, name: &str) -> Option<&'a str> {
    query?
        .split('&')
        .filter_map(|pair| pair.split_once('=').or(Some((pair, ""))))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value)
}

/// The accessibility status for the server: `DATA_DIR/accessibility.json` or none recorded.
pub fn accessibility_status(data_dir: &Path) -> AccessibilityStatus {
    AccessibilityStatus::load(&data_dir.join(ACCESSIBILITY_FILE))
}

/// The compliance report from the running configuration and the stored evidence, as JSON,
/// Markdown or an HTML page. Admins and auditors; generating it is audited.
#[utoipa::path(get, path = "/api/v1/admin/compliance-report", tag = "admin",
    params(("format" = Option<String>, Query, description = "json (default), md or html")),
    responses(
        (status = 200, description = "The report", content((Object = "application/json"), (String = "text/markdown"), (String = "text/html"))),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn compliance_report(
    State(state): State<AppState>,
    Staff(context): Staff,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let format = match query_value(query.as_deref(), "format") {
        None | Some("") => ReportFormat::Json,
        Some(text) => ReportFormat::parse(text)
            .ok_or_else(|| ApiError::new("invalid_format", "format must be json, md or html"))?,
    };
    let data_dir = state.loket.config().config.server.data_dir.clone();
    let accessibility = accessibility_status(Path::new(&data_dir));
    let report = state.loket.compliance_report(&context, accessibility, format).await?;
    let body = report.render(format)?;
    let content_type = match format {
        ReportFormat::Json => "application/json",
        ReportFormat::Md => "text/markdown; charset=utf-8",
        ReportFormat::Html => "text/html; charset=utf-8",
    };
    let mut response = (StatusCode::OK, body).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if format == ReportFormat::Html {
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(REPORT_CONTENT_SECURITY_POLICY),
        );
    }
    Ok(response)
}

/// Daily figures for the dashboard: conversations, handed to people vs handled by the bot,
/// abstention rate, time to a person, guard events. Admins and auditors.
#[utoipa::path(get, path = "/api/v1/admin/dashboard", tag = "admin",
    params(("days" = Option<u32>, Query, description = "Days back from today, 1 to 366 (default 30)")),
    responses((status = 200, body = DashboardDto), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody)))]
pub async fn dashboard(
    State(state): State<AppState>,
    Staff(context): Staff,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let days = match query_value(query.as_deref(), "days") {
        None | Some("") => DEFAULT_DASHBOARD_DAYS,
        Some(text) => text
            .parse::<u32>()
            .ok()
            .filter(|days| (1..=MAX_DASHBOARD_DAYS).contains(days))
            .ok_or_else(|| {
                ApiError::new(
                    "invalid_days",
                    format!("days must be a whole number from 1 to {MAX_DASHBOARD_DAYS}"),
                )
            })?,
    };
    let dashboard = state.loket.dashboard(&context, days).await?;
    let mut response = Json(DashboardDto::from(dashboard)).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(query: Option<&str>, name: &str, expected: Option<&str>) {
        assert_eq!(query_value(query, name), expected, "{query:?} {name}");
    }

    #[test]
    fn query_values_are_found_by_exact_name() {
        check(Some("format=html"), "format", Some("html"));
        check(Some("a=1&days=7"), "days", Some("7"));
        check(Some("days"), "days", Some(""));
        check(Some("xdays=7"), "days", None);
        check(None, "days", None);
    }
}

/// One file of a knowledge import.
#[derive(Debug, Deserialize, ToSchema)]
pub struct KnowledgeFileDto {
    /// The file's path within the import; its extension picks the format (`.md`, `.html`,
    /// `.jsonl`), and reports name it.
    pub path: String,
    /// The file's bytes, base64 (so a file that is not UTF-8 is reported, not refused whole).
    pub content_base64: String,
}

/// A knowledge import: every file of the new knowledge base (entries not in it disappear).
#[derive(Debug, Deserialize, ToSchema)]
pub struct KnowledgeImportDto {
    /// The files.
    pub files: Vec<KnowledgeFileDto>,
}

/// A file or JSONL line that was not imported.
#[derive(Debug, Serialize, ToSchema)]
pub struct RejectedDto {
    /// The path, with `:line` for one line of a JSONL file.
    pub source: String,
    /// Why.
    pub reason: String,
}

/// An entry held back because it carries instructions (SEC-13).
#[derive(Debug, Serialize, ToSchema)]
pub struct QuarantinedDto {
    /// The path, with `:line` for one line of a JSONL file.
    pub source: String,
    /// The entry's id.
    pub entry_id: String,
    /// The detector's reasons.
    pub reasons: Vec<String>,
}

/// What an import did; the new generation is served.
#[derive(Debug, Serialize, ToSchema)]
pub struct KnowledgeImportedDto {
    /// The generation now served.
    pub generation: String,
    /// Files read.
    pub files: usize,
    /// Entries customers can be answered from (public and customer).
    pub public_entries: usize,
    /// Internal and confidential entries, stored apart from what customers can reach.
    pub restricted_entries: usize,
    /// Files and lines not imported, with the reason.
    pub rejected: Vec<RejectedDto>,
    /// Entries quarantined for embedded instructions.
    pub quarantined: Vec<QuarantinedDto>,
    /// Findings of the content policy lint (imported; see the compliance report).
    pub policy_findings: usize,
}

/// Most files one import through the API may hold.
const MAX_IMPORT_FILES: usize = 10_000;
/// Longest path accepted for one file.
const MAX_IMPORT_PATH_CHARS: usize = 300;

/// Imports the knowledge base (admins): the new generation is built beside the served one and
/// served once complete; on failure the previous one keeps serving. Audited with counts only.
#[utoipa::path(post, path = "/api/v1/admin/knowledge/import", tag = "admin", request_body = KnowledgeImportDto,
    responses((status = 200, body = KnowledgeImportedDto), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 413, body = ErrorBody)))]
pub async fn import_knowledge(
    State(state): State<AppState>,
    StaffWrite(context): StaffWrite,
    ApiJson(body): ApiJson<KnowledgeImportDto>,
) -> Result<Response, ApiError> {
    use base64::Engine as _;
    if context.account.role != Role::Admin {
        return Err(ApiError::new("forbidden", "only admins import the knowledge base"));
    }
    if body.files.is_empty() || body.files.len() > MAX_IMPORT_FILES {
        return Err(ApiError::new(
            "invalid_import",
            format!("an import holds 1 to {MAX_IMPORT_FILES} files"),
        ));
    }
    let mut sources = Vec::with_capacity(body.files.len());
    for (index, file) in body.files.into_iter().enumerate() {
        let path = file.path.trim();
        if path.is_empty() || path.chars().count() > MAX_IMPORT_PATH_CHARS || path.chars().any(char::is_control) {
            return Err(ApiError::new(
                "invalid_import",
                format!("file {index}: a path of 1 to {MAX_IMPORT_PATH_CHARS} characters without control characters"),
            ));
        }
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(file.content_base64.as_bytes())
            .map_err(|_| ApiError::new("invalid_import", format!("file {index}: content_base64 is not base64")))?;
        sources.push(SourceFile {
            path: path.to_string(),
            bytes,
        });
    }
    let report = state.loket.import_knowledge(&context, sources).await?;
    Ok(Json(KnowledgeImportedDto {
        generation: report.generation,
        files: report.files,
        public_entries: report.public_entries,
        restricted_entries: report.restricted_entries,
        rejected: report
            .rejections
            .iter()
            .map(|rejection| RejectedDto {
                source: rejection.source.clone(),
                reason: rejection.reason.to_string(),
            })
            .collect(),
        quarantined: report
            .quarantined
            .iter()
            .map(|entry| QuarantinedDto {
                source: entry.source.clone(),
                entry_id: entry.entry_id.clone(),
                reasons: entry.reasons.clone(),
            })
            .collect(),
        policy_findings: report.policy_findings.len(),
    })
    .into_response())
}

//! Writing the report as Markdown and as a self-contained HTML page (one `lang`, headings,
//! tables with captions, every value escaped, no external resources). JSON is serde's.

use std::fmt::Write as _;

use super::{AccessibilityStatus, ComplianceReport, Status};

/// Escapes text for HTML element content and attribute values.
pub fn escape_html(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for character in text.chars() {
        match character {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            other => escaped.push(other),
        }
    }
    escaped
}

/// Escapes text for a Markdown table cell: no pipes, no line breaks, no markup.
pub fn escape_markdown(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for character in text.chars() {
        match character {
            '\n' | '\r' => escaped.push(' '),
            '|' | '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' => {
                escaped.push('\\');
                escaped.push(character);
            }
            other => escaped.push(other),
        }
    }
    escaped
}

fn accessibility_lines(status: &AccessibilityStatus) -> Vec<String> {
    match status {
        AccessibilityStatus::NotRecorded => vec!["No browser run recorded.".into()],
        AccessibilityStatus::Unreadable { reason } => vec![reason.clone()],
        AccessibilityStatus::Recorded(run) => vec![
            format!("Checker: {}", run.tool),
            format!("Run: {}", run.generated_at.format("%Y-%m-%d %H:%M UTC")),
            format!("Scans: {} in {} test files", run.scans, run.test_files),
            format!(
                "Violations by impact: {}",
                ["critical", "serious", "moderate", "minor"]
                    .iter()
                    .map(|impact| format!("{impact} {}", run.violations.get(*impact).copied().unwrap_or(0)))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            format!("Duration: {} ms", run.duration_ms),
            format!(
                "States: {}",
                if run.states.is_empty() {
                    "not listed".to_string()
                } else {
                    run.states.join(", ")
                }
            ),
        ],
    }
}

pub(super) fn render_markdown(report: &ComplianceReport) -> String {
    let mut out = String::new();
    let cell = escape_markdown;
    let _ = writeln!(out, "# Compliance report: {}\n", cell(&report.company));
    let _ = writeln!(
        out,
        "Generated {} by {}. Sources: the running configuration and the audit log; no message text.\n",
        report.generated_at.format("%Y-%m-%d %H:%M UTC"),
        cell(&report.generator)
    );
    let summary = &report.summary;
    let _ = writeln!(out, "## Summary\n");
    let _ = writeln!(
        out,
        "- met: {}\n- not met: {}\n- requires human input: {}\n- no evidence yet: {}",
        summary.met, summary.not_met, summary.requires_human_input, summary.no_evidence_yet
    );
    let _ = writeln!(
        out,
        "- **not met:** {}\n",
        if summary.not_met_ids.is_empty() {
            "none".to_string()
        } else {
            summary.not_met_ids.join(", ")
        }
    );
    for section in &report.sections {
        let _ = writeln!(out, "## {}\n\n{}\n", cell(&section.title), cell(&section.basis));
        let _ = writeln!(out, "| Requirement | Status | Evidence |\n|---|---|---|");
        for row in &section.rows {
            let evidence: Vec<String> = row.evidence.iter().map(|line| cell(line)).collect();
            let _ = writeln!(
                out,
                "| {} {} | {} | {} |",
                cell(&row.id),
                cell(&row.title),
                row.status.label(),
                evidence.join("<br>")
            );
        }
        let _ = writeln!(out);
    }
    let _ = writeln!(
        out,
        "## Disclosure templates\n\n| Locale | Version | Origin | Text |\n|---|---|---|---|"
    );
    for template in &report.disclosure_templates {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} |",
            cell(&template.locale),
            cell(&template.version),
            cell(&template.origin),
            cell(&template.text)
        );
    }
    let _ = writeln!(out, "\n## Accessibility (browser test run)\n");
    for line in accessibility_lines(&report.accessibility) {
        let _ = writeln!(out, "- {}", cell(&line));
    }
    let _ = writeln!(out);
    for record in [&report.dpia, &report.processing_record] {
        let _ = writeln!(out, "## {}\n", cell(&record.title));
        for record_section in &record.sections {
            let _ = writeln!(
                out,
                "### {}\n\n{}\n\n| Field | Value | Source |\n|---|---|---|",
                cell(&record_section.title),
                cell(&record_section.basis)
            );
            for item in &record_section.fields {
                let _ = writeln!(
                    out,
                    "| {} | {} | {} |",
                    cell(&item.field),
                    cell(&item.value),
                    cell(&item.source)
                );
            }
            let _ = writeln!(out);
        }
    }
    out
}

/// The report page's own style: no external resources, readable contrast, visible focus.
const REPORT_STYLE: &str = "body{font-family:system-ui,sans-serif;color:#1a1a1a;background:#fff;margin:0 auto;\
max-width:72rem;padding:1rem 1.5rem;line-height:1.5}table{border-collapse:collapse;width:100%;margin:0 0 1.5rem}\
caption{text-align:left;font-weight:600;padding:.25rem 0}th,td{border:1px solid #6b6b6b;padding:.35rem .5rem;\
vertical-align:top;text-align:left}th{background:#eef1f6}.met{color:#0a6b2d}.not-met{color:#a4161a;font-weight:700}\
.human{color:#7a4b00}.none{color:#404040}ul{margin:0;padding-left:1.2rem}a:focus{outline:3px solid #1d4ed8}";

fn status_class(status: Status) -> &'static str {
    match status {
        Status::Met => "met",
        Status::NotMet => "not-met",
        Status::RequiresHumanInput => "human",
        Status::NoEvidenceYet => "none",
    }
}

pub(super) fn render_html(report: &ComplianceReport) -> String {
    let mut out = String::new();
    let text = escape_html;
    let _ = write!(
        out,
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>Compliance report: {company}</title>\n<style>{REPORT_STYLE}</style>\n</head>\n<body>\n<main>\n\
         <h1>Compliance report: {company}</h1>\n<p>Generated {at} by {generator}. Sources: the running configuration \
         and the audit log; no message text.</p>\n",
        company = text(&report.company),
        at = report.generated_at.format("%Y-%m-%d %H:%M UTC"),
        generator = text(&report.generator),
    );
    let summary = &report.summary;
    let _ = write!(
        out,
        "<h2>Summary</h2>\n<table>\n<caption>Requirements per status</caption>\n<thead><tr><th scope=\"col\">Status</th>\
         <th scope=\"col\">Requirements</th></tr></thead>\n<tbody>\n\
         <tr><th scope=\"row\">met</th><td>{}</td></tr>\n<tr><th scope=\"row\">not met</th><td>{}</td></tr>\n\
         <tr><th scope=\"row\">requires human input</th><td>{}</td></tr>\n<tr><th scope=\"row\">no evidence yet</th><td>{}</td></tr>\n\
         </tbody>\n</table>\n<p><strong>Not met:</strong> {}</p>\n",
        summary.met,
        summary.not_met,
        summary.requires_human_input,
        summary.no_evidence_yet,
        if summary.not_met_ids.is_empty() {
            "none".to_string()
        } else {
            text(&summary.not_met_ids.join(", "))
        }
    );
    for section in &report.sections {
        let _ = write!(
            out,
            "<h2>{title}</h2>\n<p>{basis}</p>\n<table>\n<caption>{title}: requirements, status and evidence</caption>\n\
             <thead><tr><th scope=\"col\">Requirement</th><th scope=\"col\">Status</th><th scope=\"col\">Evidence</th></tr></thead>\n<tbody>\n",
            title = text(&section.title),
            basis = text(&section.basis),
        );
        for row in &section.rows {
            let _ = write!(
                out,
                "<tr><th scope=\"row\">{} {}</th><td class=\"{}\">{}</td><td><ul>",
                text(&row.id),
                text(&row.title),
                status_class(row.status),
                row.status.label()
            );
            for line in &row.evidence {
                let _ = write!(out, "<li>{}</li>", text(line));
            }
            let _ = writeln!(out, "</ul></td></tr>");
        }
        let _ = writeln!(out, "</tbody>\n</table>");
    }
    let _ = writeln!(
        out,
        "<h2>Disclosure templates</h2>\n<table>\n<caption>Configured AI disclosure texts</caption>\n\
         <thead><tr><th scope=\"col\">Locale</th><th scope=\"col\">Version</th><th scope=\"col\">Origin</th>\
         <th scope=\"col\">Text</th></tr></thead>\n<tbody>"
    );
    for template in &report.disclosure_templates {
        let _ = writeln!(
            out,
            "<tr><th scope=\"row\">{}</th><td>{}</td><td>{}</td><td lang=\"{}\">{}</td></tr>",
            text(&template.locale),
            text(&template.version),
            text(&template.origin),
            text(&template.locale),
            text(&template.text)
        );
    }
    let _ = writeln!(
        out,
        "</tbody>\n</table>\n<h2>Accessibility (browser test run)</h2>\n<ul>"
    );
    for line in accessibility_lines(&report.accessibility) {
        let _ = writeln!(out, "<li>{}</li>", text(&line));
    }
    let _ = writeln!(out, "</ul>");
    for record in [&report.dpia, &report.processing_record] {
        let _ = writeln!(out, "<h2>{}</h2>", text(&record.title));
        for record_section in &record.sections {
            let _ = write!(
                out,
                "<h3>{title}</h3>\n<table>\n<caption>{title} ({basis})</caption>\n<thead><tr><th scope=\"col\">Field</th>\
                 <th scope=\"col\">Value</th><th scope=\"col\">Source</th></tr></thead>\n<tbody>\n",
                title = text(&record_section.title),
                basis = text(&record_section.basis),
            );
            for item in &record_section.fields {
                let class = if item.requires_human_input {
                    " class=\"human\""
                } else {
                    ""
                };
                let _ = writeln!(
                    out,
                    "<tr><th scope=\"row\">{}</th><td{class}>{}</td><td>{}</td></tr>",
                    text(&item.field),
                    text(&item.value),
                    text(&item.source)
                );
            }
            let _ = writeln!(out, "</tbody>\n</table>");
        }
    }
    out.push_str("</main>\n</body>\n</html>\n");
    out
}

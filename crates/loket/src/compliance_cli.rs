//! `loket compliance report`: the compliance report (GOV-07) from the running configuration and
//! the stored evidence, as JSON, Markdown or HTML, to standard output or `--out FILE`; and
//! `loket compliance notice`, the customers' notice "Over deze chat" from the configuration.
//!
//! The accessibility section comes from, in this order: `--accessibility FILE`; the browser
//! tests' summary `target/e2e-accessibility.json` when the command runs in a checkout where the
//! tests ran; `DATA_DIR/accessibility.json` (where the server looks too). Without any of them
//! the report says "no browser run recorded". Generating the report is recorded in the audit
//! chain as `report_generated` by `cli`.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use loket_core::Locale;
use loket_core::config::ValidConfig;
use loket_service::Loket;
use loket_service::compliance::{AccessibilityStatus, ReportFormat, generate};
use loket_service::notice::chat_notice;

/// Where `node --test tests-e2e/` writes its accessibility summary, relative to the checkout.
pub const E2E_ACCESSIBILITY_SUMMARY: &str = "target/e2e-accessibility.json";

/// Report format on the command line.
#[derive(Clone, Copy, clap::ValueEnum)]
pub enum Format {
    /// JSON.
    Json,
    /// Markdown.
    Md,
    /// A self-contained HTML page.
    Html,
}

impl From<Format> for ReportFormat {
    fn from(format: Format) -> Self {
        match format {
            Format::Json => ReportFormat::Json,
            Format::Md => ReportFormat::Md,
            Format::Html => ReportFormat::Html,
        }
    }
}

/// Picks the accessibility summary as described in the module documentation.
pub fn accessibility(explicit: Option<&Path>, data_dir: &Path) -> Result<AccessibilityStatus> {
    if let Some(path) = explicit {
        if !path.is_file() {
            bail!("no accessibility summary at {}", path.display());
        }
        return Ok(AccessibilityStatus::load(path));
    }
    let from_tests = Path::new(E2E_ACCESSIBILITY_SUMMARY);
    if from_tests.is_file() {
        return Ok(AccessibilityStatus::load(from_tests));
    }
    Ok(AccessibilityStatus::load(&data_dir.join("accessibility.json")))
}

/// Generates the report and writes it.
pub async fn report(
    loket: &Loket,
    format: Format,
    accessibility_file: Option<PathBuf>,
    out: Option<PathBuf>,
) -> Result<()> {
    let data_dir = PathBuf::from(&loket.config().config.server.data_dir);
    let status = accessibility(accessibility_file.as_deref(), &data_dir)?;
    let format = ReportFormat::from(format);
    let report = generate(
        loket.store().as_ref(),
        loket.config(),
        loket.knowledge().base().policy_findings(),
        status,
        "cli",
        format,
        loket.now(),
    )
    .await
    .map_err(|error| anyhow::anyhow!("generating the compliance report: {error}"))?;
    let text = report
        .render(format)
        .map_err(|error| anyhow::anyhow!("rendering the compliance report: {error}"))?;
    write_out(&text, out)?;
    if report.summary.not_met > 0 {
        eprintln!("not met: {}", report.summary.not_met_ids.join(", "));
    }
    Ok(())
}

/// Writes the customers' notice "Over deze chat" in `lang` (PRIV-02, GOV-08, GOV-10).
pub fn notice(config: &ValidConfig, lang: &str, format: Format, out: Option<PathBuf>) -> Result<()> {
    let Some(locale) = Locale::parse(lang) else {
        bail!("--lang must be nl or en");
    };
    let notice = chat_notice(config, locale);
    let text = match format {
        Format::Md => notice.to_markdown(),
        Format::Html => notice.to_html(),
        Format::Json => serde_json::to_string_pretty(&notice).context("rendering the notice")? + "\n",
    };
    write_out(&text, out)
}

fn write_out(text: &str, out: Option<PathBuf>) -> Result<()> {
    match out {
        Some(path) => std::fs::write(&path, text).with_context(|| format!("writing {}", path.display())),
        None => std::io::stdout()
            .lock()
            .write_all(text.as_bytes())
            .context("writing standard output"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_explicit_summary_is_an_error_and_a_missing_default_means_not_recorded() {
        let directory = tempfile::tempdir().unwrap_or_else(|error| panic!("{error}"));
        let missing = directory.path().join("nope.json");
        assert!(accessibility(Some(&missing), directory.path()).is_err());
        // The test runs in the crate directory, where no target/e2e-accessibility.json exists.
        let status = accessibility(None, directory.path()).unwrap_or_else(|error| panic!("{error}"));
        assert_eq!(status, AccessibilityStatus::NotRecorded);
        std::fs::write(
            directory.path().join("accessibility.json"),
            r#"{"tool":"axe-core","generated_at":"2026-11-28T10:00:00Z","test_files":1,"scans":1,"violations":{},"duration_ms":1}"#,
        )
        .unwrap_or_else(|error| panic!("{error}"));
        let status = accessibility(None, directory.path()).unwrap_or_else(|error| panic!("{error}"));
        assert!(matches!(status, AccessibilityStatus::Recorded(_)));
    }
}

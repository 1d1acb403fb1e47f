//! Loading the configuration: the TOML file, then `LOKET_*` environment variables, then flags,
//! each overriding the one before; then validation, which stops startup with every problem.
//!
//! Any setting can come from the environment: `LOKET_LIMITS__MESSAGE_CHARS=500` sets
//! `limits.message_chars` (sections and keys joined by a double underscore).

use std::path::Path;

use anyhow::{Context, bail};
use loket_core::config::{Config, ValidConfig};
use toml::Value;

/// Environment variables that are flags of the command line rather than settings.
const FLAG_VARIABLES: &[&str] = &[
    "LOKET_CONFIG",
    "LOKET_DATA_DIR",
    "LOKET_LISTEN",
    "LOKET_MASTER_KEY",
    "LOKET_LOG",
];

/// Reads, merges and validates the configuration.
pub fn load(file: Option<&Path>, listen: Option<&str>, data_dir: Option<&Path>) -> anyhow::Result<ValidConfig> {
    let mut tree = match file {
        Some(path) => {
            let text =
                std::fs::read_to_string(path).with_context(|| format!("reading config file {}", path.display()))?;
            text.parse::<toml::Table>()
                .with_context(|| format!("parsing config file {}", path.display()))?
        }
        None => toml::Table::new(),
    };
    for (name, value) in std::env::vars() {
        let Some(path) = name.strip_prefix("LOKET_") else {
            continue;
        };
        if FLAG_VARIABLES.contains(&name.as_str()) || !path.contains("__") {
            continue;
        }
        let keys: Vec<String> = path.split("__").map(str::to_ascii_lowercase).collect();
        set(&mut tree, &keys, parse_scalar(&value)).with_context(|| format!("applying environment variable {name}"))?;
    }
    if let Some(listen) = listen {
        set(
            &mut tree,
            &["server".into(), "listen".into()],
            Value::String(listen.into()),
        )?;
    }
    if let Some(data_dir) = data_dir {
        set(
            &mut tree,
            &["server".into(), "data_dir".into()],
            Value::String(data_dir.display().to_string()),
        )?;
    }
    let config: Config = Value::Table(tree)
        .try_into()
        .context("the configuration has an unknown or mistyped setting")?;
    match config.validate() {
        Ok(valid) => Ok(valid),
        Err(problems) => {
            let list: Vec<String> = problems.iter().map(|problem| format!("  - {problem}")).collect();
            bail!("the configuration is not valid:\n{}", list.join("\n"))
        }
    }
}

/// The effective configuration as TOML, with secrets redacted (`loket config check`).
pub fn render(config: &Config) -> anyhow::Result<String> {
    // Webhook secrets and the identity secret are the configuration's only secrets (the master
    // key comes from the environment or a key file and is never part of it).
    let mut shown = config.clone();
    for webhook in &mut shown.webhooks {
        webhook.secret = "<redacted>".into();
    }
    if shown.identity.secret.is_some() {
        shown.identity.secret = Some("<redacted>".into());
    }
    toml::to_string_pretty(&shown).context("rendering the configuration")
}

fn set(tree: &mut toml::Table, keys: &[String], value: Value) -> anyhow::Result<()> {
    let Some((last, sections)) = keys.split_last() else {
        bail!("empty setting name")
    };
    let mut table = tree;
    for section in sections {
        let entry = table
            .entry(section.clone())
            .or_insert_with(|| Value::Table(toml::Table::new()));
        table = match entry {
            Value::Table(inner) => inner,
            _ => bail!("`{section}` is not a section"),
        };
    }
    table.insert(last.clone(), value);
    Ok(())
}

/// Environment values are strings; numbers and booleans are recognised so they fit typed
/// settings. A value that is valid TOML (an array, a quoted string) is taken as TOML.
fn parse_scalar(text: &str) -> Value {
    if let Ok(integer) = text.parse::<i64>() {
        return Value::Integer(integer);
    }
    if let Ok(float) = text.parse::<f64>() {
        return Value::Float(float);
    }
    match text {
        "true" => return Value::Boolean(true),
        "false" => return Value::Boolean(false),
        _ => {}
    }
    if let Ok(table) = format!("value = {text}").parse::<toml::Table>()
        && let Some(value) = table.get("value")
    {
        return value.clone();
    }
    Value::String(text.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn environment_style_values_become_typed_toml() {
        assert_eq!(parse_scalar("500"), Value::Integer(500));
        assert_eq!(parse_scalar("0.4"), Value::Float(0.4));
        assert_eq!(parse_scalar("true"), Value::Boolean(true));
        assert_eq!(
            parse_scalar("Europe/Amsterdam"),
            Value::String("Europe/Amsterdam".into())
        );
        assert!(matches!(parse_scalar("[\"2026-12-25\"]"), Value::Array(_)));
    }

    #[test]
    fn nested_keys_are_set_and_a_scalar_is_not_a_section() {
        let mut tree = toml::Table::new();
        set(&mut tree, &["limits".into(), "message_chars".into()], Value::Integer(5)).unwrap();
        assert_eq!(tree["limits"]["message_chars"], Value::Integer(5));
        assert!(
            set(
                &mut tree,
                &["limits".into(), "message_chars".into(), "x".into()],
                Value::Integer(1)
            )
            .is_err()
        );
    }

    #[test]
    fn a_file_with_a_bad_disclosure_stops_startup_dis_03() {
        let directory = tempfile::tempdir().unwrap();
        let path = directory.path().join("loket.toml");
        std::fs::write(&path, "[bot.disclosure]\nnl = \"Welkom bij onze chat!\"\n").unwrap();
        let error = load(Some(&path), None, None).unwrap_err().to_string();
        assert!(error.contains("bot.disclosure"), "{error}");
    }

    #[test]
    fn config_check_redacts_webhook_and_identity_secrets() {
        let mut config = Config::default();
        config.identity.secret = Some("identity-secret-value-0123456789abcdef".into());
        config.webhooks.push(loket_core::config::WebhookConfig {
            url: "https://helpdesk.example/hook".into(),
            secret: "super-secret-value-123".into(),
            events: vec!["handoff.requested".into()],
        });
        let text = render(&config).unwrap();
        assert!(
            !text.contains("super-secret-value-123")
                && !text.contains("identity-secret-value")
                && text.contains("<redacted>"),
            "{text}"
        );
    }

    #[test]
    fn an_unknown_setting_is_refused() {
        let directory = tempfile::tempdir().unwrap();
        let path = directory.path().join("loket.toml");
        std::fs::write(&path, "[bot]\ndisclosure_enabled = false\n").unwrap();
        assert!(load(Some(&path), None, None).is_err());
    }
}

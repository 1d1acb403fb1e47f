//! What the output guard must know about the served generation: the non-public texts whose
//! fingerprints it watches for, the public texts that do not count as a leak when an answer
//! repeats them, and the links the knowledge base itself publishes.
//!
//! Both partitions are read from the *same* generation (one read of `CURRENT`), so an import
//! that switches generations in between cannot pair the restricted texts of one with the public
//! texts of another. Like [`crate::RestrictedIndex`], this opens the restricted partition on
//! purpose; the customer retriever still has no path to it.

use std::path::Path;

use crate::Result;
use crate::generation::{PUBLIC_DIR, RESTRICTED_DIR, partition_dir, read_current};
use crate::retrieval::Partition;

/// The texts of one generation as the output guard needs them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GuardCorpus {
    /// The generation read, `None` before the first import.
    pub generation: Option<String>,
    /// `(entry id, full text)` of every internal and confidential entry.
    pub restricted: Vec<(String, String)>,
    /// The full text of every public and customer entry.
    pub public: Vec<String>,
    /// The `url` of every public and customer entry that has one, sorted, without duplicates.
    pub public_urls: Vec<String>,
}

impl GuardCorpus {
    /// Reads the generation `CURRENT` names; empty before the first import.
    pub fn open(data_dir: &Path) -> Result<GuardCorpus> {
        let Some(generation) = read_current(data_dir)? else {
            return Ok(GuardCorpus::default());
        };
        let restricted = Partition::open(&partition_dir(data_dir, &generation, RESTRICTED_DIR))?;
        let public = Partition::open(&partition_dir(data_dir, &generation, PUBLIC_DIR))?;
        let mut public_urls: Vec<String> = public.entries().iter().filter_map(|entry| entry.url.clone()).collect();
        public_urls.sort();
        public_urls.dedup();
        Ok(GuardCorpus {
            restricted: restricted
                .entries()
                .iter()
                .map(|entry| (entry.id.as_str().to_owned(), entry.full_text()))
                .collect(),
            public: public.entries().iter().map(|entry| entry.full_text()).collect(),
            public_urls,
            generation: Some(generation),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{SourceFile, import};

    #[test]
    fn corpus_splits_one_generation_into_restricted_and_public_texts() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(GuardCorpus::open(dir.path()).unwrap(), GuardCorpus::default());
        let sources = vec![
            SourceFile {
                path: "faq.jsonl".into(),
                bytes: br#"{"id":"levering","question":"Hoe snel leveren jullie?","answer":"Binnen 2 werkdagen.","lang":"nl","url":"https://shop.example/levering"}"#.to_vec(),
            },
            SourceFile {
                path: "marges.md".into(),
                bytes: b"---\ntitle: Marges\nlang: nl\naudience: internal\n---\nStadsfietsen: 31 procent.\n".to_vec(),
            },
        ];
        let report = import(dir.path(), sources, &mut |_| {}).unwrap();
        let corpus = GuardCorpus::open(dir.path()).unwrap();
        assert_eq!(corpus.generation.as_deref(), Some(report.generation.as_str()));
        assert_eq!(corpus.restricted.len(), 1);
        assert!(corpus.restricted[0].1.contains("31 procent"));
        assert_eq!(corpus.public.len(), 1);
        assert!(corpus.public[0].contains("Binnen 2 werkdagen"));
        assert_eq!(corpus.public_urls, ["https://shop.example/levering"]);
    }
}

//! Evidence that can be checked without trusting the running system (SEC-09, GOV-01): signed
//! checkpoints of the audit chain and the verification of chain and checkpoints together.
//!
//! The signing key is an Ed25519 key derived from the master key, so there is one secret to
//! keep and back up; its public key is exported with the checkpoints so a regulator can verify
//! them with any Ed25519 implementation. A checkpoint signs "the chain had hash H at seq N":
//! rewriting the whole chain (recomputing every hash) or cutting off its newest records both
//! contradict a checkpoint taken before.

use chrono::{DateTime, Duration};
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use loket_core::audit::{AuditRecord, ChainBreak, GENESIS_HASH, verify_chain_from};
use loket_store::{AuditAnchor, Checkpoint, Store};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::Loket;
use crate::error::{Error, Result};
use crate::secrets::SealingKey;

/// Audit records read per page while verifying.
const VERIFY_PAGE: u32 = 10_000;

/// Signs checkpoints and deletion certificates.
pub struct EvidenceSigner {
    key: SigningKey,
}

impl EvidenceSigner {
    /// The signer derived from the master key.
    pub fn derive(master: &SealingKey) -> Self {
        let seed = derive_secret(master, b"loket/evidence-signing-key/v1");
        Self {
            key: SigningKey::from_bytes(&seed),
        }
    }

    /// The public key, hex.
    pub fn public_key(&self) -> String {
        hex::encode(self.key.verifying_key().to_bytes())
    }

    /// An Ed25519 signature over `bytes`, hex.
    pub fn sign(&self, bytes: &[u8]) -> String {
        hex::encode(self.key.sign(bytes).to_bytes())
    }
}

/// A 32-byte secret for one purpose, derived from the master key. The master key is uniformly
/// random, so SHA-256 over it and a purpose label is a sound derivation.
pub(crate) fn derive_secret(master: &SealingKey, label: &[u8]) -> [u8; 32] {
    let mut hasher = Sha256::new();
    hasher.update(master.to_bytes());
    hasher.update([0]);
    hasher.update(label);
    hasher.finalize().into()
}

/// Whether `signature` (hex) is a valid Ed25519 signature by `public_key` (hex) over `bytes`.
pub fn signature_is_valid(public_key: &str, bytes: &[u8], signature: &str) -> bool {
    let Ok(public) = hex::decode(public_key) else {
        return false;
    };
    let Ok(public) = <[u8; 32]>::try_from(public.as_slice()) else {
        return false;
    };
    let Ok(public) = VerifyingKey::from_bytes(&public) else {
        return false;
    };
    let Ok(signature) = hex::decode(signature) else {
        return false;
    };
    let Ok(signature) = Signature::from_slice(&signature) else {
        return false;
    };
    public.verify(bytes, &signature).is_ok()
}

/// The result of checking the audit log (`loket audit verify`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditVerification {
    /// Records checked.
    pub records: u64,
    /// Where the chain starts after retention removed older records.
    pub anchor: Option<AuditAnchor>,
    /// Checkpoints whose signature and hash were confirmed.
    pub checkpoints: usize,
    /// The first problem, if any.
    pub problem: Option<AuditProblem>,
}

/// The first thing wrong with the audit log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditProblem {
    /// The record (or checkpoint seq) concerned.
    pub seq: i64,
    /// What is wrong, in a sentence.
    pub reason: String,
}

impl std::fmt::Display for AuditProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "audit record {}: {}", self.seq, self.reason)
    }
}

/// Verifies the chain from its anchor and every checkpoint against it. `trusted_key` is the
/// public key checkpoints must be signed with (the current one); `None` accepts any valid
/// signature (for a verifier that only has the exported checkpoints).
pub async fn verify_audit(store: &dyn Store, trusted_key: Option<&str>) -> Result<AuditVerification> {
    let anchor = store.audit_anchor().await?;
    let (anchor_seq, anchor_hash) = anchor.as_ref().map_or((0, GENESIS_HASH.to_string()), |anchor| {
        (anchor.seq, anchor.hash.clone())
    });
    let mut records: Vec<AuditRecord> = Vec::new();
    let mut after = anchor_seq;
    loop {
        let page = store.audit_records(after, VERIFY_PAGE).await?;
        let Some(last) = page.last() else { break };
        after = last.seq;
        records.extend(page);
    }
    let checkpoints = store.checkpoints().await?;
    let mut verification = AuditVerification {
        records: 0,
        anchor,
        checkpoints: 0,
        problem: None,
    };
    // Records may have been removed from the start (retention) but then the anchor says so;
    // a chain whose first record does not follow the anchor was cut.
    match verify_chain_from(anchor_seq, &anchor_hash, records.iter().cloned()) {
        Ok(count) => verification.records = count,
        Err(ChainBreak { seq, reason }) => {
            verification.problem = Some(AuditProblem {
                seq,
                reason: reason.into(),
            });
            return Ok(verification);
        }
    }
    let head = records.last().map_or(anchor_seq, |record| record.seq);
    for checkpoint in &checkpoints {
        let problem = |reason: &str| AuditProblem {
            seq: checkpoint.seq,
            reason: reason.into(),
        };
        if trusted_key.is_some_and(|key| key != checkpoint.public_key) {
            verification.problem = Some(problem("checkpoint signed with another key"));
            return Ok(verification);
        }
        let signed = Checkpoint::signed_bytes(checkpoint.seq, &checkpoint.hash, checkpoint.at);
        if !signature_is_valid(&checkpoint.public_key, &signed, &checkpoint.signature) {
            verification.problem = Some(problem("checkpoint signature is not valid"));
            return Ok(verification);
        }
        if checkpoint.seq > head {
            verification.problem = Some(problem(
                "a signed checkpoint covers this record but the log ends before it: records were removed",
            ));
            return Ok(verification);
        }
        if checkpoint.seq <= anchor_seq {
            continue;
        }
        let index = usize::try_from(checkpoint.seq - anchor_seq - 1).unwrap_or(usize::MAX);
        if records.get(index).map(|record| record.hash.as_str()) != Some(checkpoint.hash.as_str()) {
            verification.problem = Some(problem("the record differs from the signed checkpoint"));
            return Ok(verification);
        }
        verification.checkpoints += 1;
    }
    Ok(verification)
}

/// The exported checkpoints: everything a regulator needs to check them offline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckpointExport {
    /// The Ed25519 public key, hex.
    pub public_key: String,
    /// How the signed bytes are formed.
    pub signed_bytes: &'static str,
    /// The chain's anchor after retention.
    pub anchor: Option<AuditAnchor>,
    /// The checkpoints, oldest first.
    pub checkpoints: Vec<Checkpoint>,
}

impl Loket {
    /// The evidence signer.
    pub fn signer(&self) -> &EvidenceSigner {
        &self.signer
    }

    /// Signs the newest audit record, unless it is signed already. Returns the new checkpoint.
    pub async fn write_checkpoint(&self, actor: &str) -> Result<Option<Checkpoint>> {
        let Some(head) = self.store.audit_head().await? else {
            return Ok(None);
        };
        let last = self.store.checkpoints().await?.pop();
        if last.is_some_and(|last| last.seq == head.seq) {
            return Ok(None);
        }
        let now = self.now();
        let at = DateTime::from_timestamp_micros(now.timestamp_micros()).unwrap_or(now);
        let checkpoint = Checkpoint {
            seq: head.seq,
            hash: head.hash.clone(),
            at,
            public_key: self.signer.public_key(),
            signature: self.signer.sign(&Checkpoint::signed_bytes(head.seq, &head.hash, at)),
        };
        self.store.append_checkpoint(&checkpoint).await?;
        tracing::info!(seq = head.seq, actor, "audit checkpoint signed");
        Ok(Some(checkpoint))
    }

    /// Writes a checkpoint when the configured interval has passed since the last one.
    pub async fn checkpoint_if_due(&self) -> Result<Option<Checkpoint>> {
        let interval = Duration::minutes(i64::from(self.config.config.audit.checkpoint_minutes));
        let last = self.store.checkpoints().await?.pop();
        if last.is_some_and(|last| self.now() - last.at < interval) {
            return Ok(None);
        }
        self.write_checkpoint("system").await
    }

    /// The checkpoints with the public key, for export.
    pub async fn export_checkpoints(&self) -> Result<CheckpointExport> {
        Ok(CheckpointExport {
            public_key: self.signer.public_key(),
            signed_bytes: "\"loket-audit-checkpoint/v1\\n{seq}\\n{hash}\\n{at, RFC 3339 with microseconds, Z}\"",
            anchor: self.store.audit_anchor().await?,
            checkpoints: self.store.checkpoints().await?,
        })
    }

    /// Checks the audit chain and the checkpoints signed with this installation's key.
    pub async fn verify_audit(&self) -> Result<AuditVerification> {
        verify_audit(self.store.as_ref(), Some(&self.signer.public_key())).await
    }
}

impl From<ed25519_dalek::SignatureError> for Error {
    fn from(_: ed25519_dalek::SignatureError) -> Self {
        Error::Unavailable("signature failure".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_verifies_only_for_the_signed_bytes_and_key_sec_09() {
        let signer = EvidenceSigner::derive(&SealingKey::from_bytes([7; 32]));
        let other = EvidenceSigner::derive(&SealingKey::from_bytes([8; 32]));
        let signature = signer.sign(b"seq 5");
        assert!(signature_is_valid(&signer.public_key(), b"seq 5", &signature));
        assert!(!signature_is_valid(&signer.public_key(), b"seq 6", &signature));
        assert!(!signature_is_valid(&other.public_key(), b"seq 5", &signature));
        assert!(!signature_is_valid("zz", b"seq 5", &signature));
        assert!(!signature_is_valid(&signer.public_key(), b"seq 5", "00"));
    }

    #[test]
    fn the_signing_key_is_stable_for_one_master_key() {
        let master = SealingKey::from_bytes([1; 32]);
        assert_eq!(
            EvidenceSigner::derive(&master).public_key(),
            EvidenceSigner::derive(&master).public_key()
        );
        assert_ne!(
            derive_secret(&master, b"a"),
            derive_secret(&master, b"b"),
            "each purpose gets its own secret"
        );
    }
}

//! Evidence that can be checked without trusting the running system (SEC-09, GOV-01): signed
//! checkpoints of the audit chain and the verification of chain and checkpoints together.
//!
//! The signing key is an Ed25519 key derived from the master key, so there is one secret to
//! keep and back up; its public key is exported with the checkpoints so a regulator can verify
//! them with any Ed25519 implementation. A checkpoint signs "the chain had hash H at seq N":
//! rewriting the whole chain (recomputing every hash) or cutting off its newest records both
//! contradict a checkpoint taken before.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Duration, Utc};
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use loket_core::audit::{ChainBreak, GENESIS_HASH, verify_chain_from};
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

/// SHA-256 over `secret` and then each of `parts`, hex: the keyed hash under which a value that
/// may identify a person is stored or counted (subjects, rate-limit keys). Without the secret the
/// value cannot be found by trying candidates.
pub(crate) fn keyed_hash(secret: &[u8; 32], parts: &[&[u8]]) -> String {
    let mut hasher = Sha256::new();
    hasher.update(secret);
    for part in parts {
        hasher.update(part);
    }
    hex::encode(hasher.finalize())
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

/// How one signed checkpoint relates to the stored chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckpointCheck {
    /// Valid signature, and the record at its seq has the signed hash.
    Confirmed,
    /// Valid signature; its record was removed by retention, so there is nothing to compare.
    BeforeAnchor,
    /// The signature does not verify.
    BadSignature,
    /// The log ends before the signed seq: records were removed from its end.
    BeyondHead,
    /// The record at the signed seq has another hash.
    HashDiffers,
}

/// Checks `checkpoint` against the chain that runs from `anchor_seq` (exclusive) to
/// `head_seq`; `record_hash` is the stored hash at the checkpoint's seq, if that record exists.
/// Shared by `loket audit verify` and the compliance report.
pub fn check_checkpoint(
    checkpoint: &Checkpoint,
    anchor_seq: i64,
    head_seq: i64,
    record_hash: Option<&str>,
) -> CheckpointCheck {
    let signed = Checkpoint::signed_bytes(checkpoint.seq, &checkpoint.hash, checkpoint.at);
    if !signature_is_valid(&checkpoint.public_key, &signed, &checkpoint.signature) {
        CheckpointCheck::BadSignature
    } else if checkpoint.seq > head_seq {
        CheckpointCheck::BeyondHead
    } else if checkpoint.seq <= anchor_seq {
        CheckpointCheck::BeforeAnchor
    } else if record_hash == Some(checkpoint.hash.as_str()) {
        CheckpointCheck::Confirmed
    } else {
        CheckpointCheck::HashDiffers
    }
}

/// Verifies the chain from its anchor and every checkpoint against it, a page of records at a
/// time (only the hashes at checkpointed seqs are kept). `trusted_key` is the public key
/// checkpoints must be signed with (the current one); `None` accepts any valid signature (for a
/// verifier that only has the exported checkpoints).
pub async fn verify_audit(store: &dyn Store, trusted_key: Option<&str>) -> Result<AuditVerification> {
    let anchor = store.audit_anchor().await?;
    let anchor_seq = anchor.as_ref().map_or(0, |anchor| anchor.seq);
    let (mut head_seq, mut head_hash) = anchor.as_ref().map_or((0, GENESIS_HASH.to_string()), |anchor| {
        (anchor.seq, anchor.hash.clone())
    });
    let checkpoints = store.checkpoints().await?;
    let signed_seqs: HashSet<i64> = checkpoints.iter().map(|checkpoint| checkpoint.seq).collect();
    let mut signed_hashes: HashMap<i64, String> = HashMap::new();
    let mut verification = AuditVerification {
        records: 0,
        anchor,
        checkpoints: 0,
        problem: None,
    };
    loop {
        let page = store.audit_records(head_seq, VERIFY_PAGE).await?;
        let Some(last) = page.last() else { break };
        // Records may have been removed from the start (retention) but then the anchor says
        // so; a chain whose first record does not follow the anchor was cut.
        match verify_chain_from(head_seq, &head_hash, page.iter().cloned()) {
            Ok(count) => verification.records += count,
            Err(ChainBreak { seq, reason }) => {
                verification.problem = Some(AuditProblem {
                    seq,
                    reason: reason.into(),
                });
                return Ok(verification);
            }
        }
        for record in page.iter().filter(|record| signed_seqs.contains(&record.seq)) {
            signed_hashes.insert(record.seq, record.hash.clone());
        }
        head_seq = last.seq;
        head_hash = last.hash.clone();
    }
    for checkpoint in &checkpoints {
        let problem = |reason: &str| AuditProblem {
            seq: checkpoint.seq,
            reason: reason.into(),
        };
        if trusted_key.is_some_and(|key| key != checkpoint.public_key) {
            verification.problem = Some(problem("checkpoint signed with another key"));
            return Ok(verification);
        }
        let record_hash = signed_hashes.get(&checkpoint.seq).map(String::as_str);
        let reason = match check_checkpoint(checkpoint, anchor_seq, head_seq, record_hash) {
            CheckpointCheck::Confirmed => {
                verification.checkpoints += 1;
                continue;
            }
            CheckpointCheck::BeforeAnchor => continue,
            CheckpointCheck::BadSignature => "checkpoint signature is not valid",
            CheckpointCheck::BeyondHead => {
                "a signed checkpoint covers this record but the log ends before it: records were removed"
            }
            CheckpointCheck::HashDiffers => "the record differs from the signed checkpoint",
        };
        verification.problem = Some(problem(reason));
        return Ok(verification);
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

    /// Signs the newest record when the configured interval has passed since `last_run` (the
    /// caller's previous pass; `None` at start-up). Returns whether a pass ran, so the caller
    /// reads the stored checkpoints once per interval rather than on every maintenance tick.
    pub async fn checkpoint_if_due(&self, last_run: Option<DateTime<Utc>>) -> Result<bool> {
        let interval = Duration::minutes(i64::from(self.config.config.audit.checkpoint_minutes));
        if last_run.is_some_and(|last| self.now() - last < interval) {
            return Ok(false);
        }
        self.write_checkpoint("system").await?;
        Ok(true)
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

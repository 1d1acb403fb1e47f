//! The acknowledgement of a withdrawal or cancellation statement on a durable medium
//! (REQUIREMENTS ACC-04).
//!
//! When a customer states in the chat that they withdraw from or cancel a purchase or contract,
//! the conversation shows an acknowledgement with the time of receipt at once (see
//! `loket_core::conversation`). [`Loket::withdrawal_receipt`] gives the customer a copy to keep:
//! their own words, the time of receipt and the acknowledgement, signed with the instance's
//! Ed25519 key, so that neither side can later dispute when what was said.

use chrono::{DateTime, SecondsFormat, Utc};
use loket_core::ids::ConversationId;
use loket_core::locale::Locale;
use loket_core::message::{Author, MessageKind};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::{Error, Loket, Result};

/// Messages read before an acknowledgement to find the statement it acknowledges (the
/// customer's message, then at most a privacy warning and a repeated disclosure).
const LOOK_BACK: i64 = 4;

/// A signed copy of one acknowledgement.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WithdrawalReceipt {
    /// The company that received the statement.
    pub company: String,
    /// The conversation.
    pub conversation: ConversationId,
    /// The seq of the customer's statement.
    pub statement_seq: i64,
    /// The customer's words, with their personal data as they typed it.
    pub statement: String,
    /// When the statement was received.
    pub received_at: DateTime<Utc>,
    /// The same moment on the company's clock, `YYYY-MM-DD HH:MM`.
    pub received_local: String,
    /// The seq of the acknowledgement.
    pub acknowledgement_seq: i64,
    /// The acknowledgement as shown in the chat.
    pub acknowledgement: String,
    /// The conversation's language.
    pub locale: Locale,
    /// The Ed25519 public key, hex.
    pub public_key: String,
    /// Signature over [`WithdrawalReceipt::signed_bytes`], hex.
    pub signature: String,
}

impl WithdrawalReceipt {
    /// The bytes that are signed: every field but the texts, which enter by their SHA-256, and
    /// the signature.
    pub fn signed_bytes(&self) -> Vec<u8> {
        let digest = |text: &str| hex::encode(Sha256::digest(text.as_bytes()));
        format!(
            "loket-withdrawal-receipt/v1\n{}\n{}\n{}\n{}\n{}\n{}\n{}\n{}",
            self.company,
            self.conversation.as_str(),
            self.statement_seq,
            self.received_at.to_rfc3339_opts(SecondsFormat::Micros, true),
            self.received_local,
            self.acknowledgement_seq,
            digest(&self.statement),
            digest(&self.acknowledgement),
        )
        .into_bytes()
    }

    /// The receipt as a plain-text document to download, in the conversation's language.
    pub fn to_text(&self) -> String {
        let received_utc = self.received_at.to_rfc3339_opts(SecondsFormat::Secs, true);
        let (title, received, conversation, statement, acknowledgement, signed) = match self.locale {
            Locale::Nl => (
                "Ontvangstbevestiging van uw herroeping of annulering",
                "Ontvangen op",
                "Gesprek en bericht",
                "Uw verklaring",
                "Onze bevestiging",
                "Ondertekend met Ed25519 (loket-withdrawal-receipt/v1)",
            ),
            Locale::En => (
                "Acknowledgement of receipt of your withdrawal or cancellation",
                "Received at",
                "Conversation and message",
                "Your statement",
                "Our acknowledgement",
                "Signed with Ed25519 (loket-withdrawal-receipt/v1)",
            ),
        };
        format!(
            "{title}\n{company}\n\n{received}: {local} ({received_utc})\n{conversation}: {id} #{seq}\n\n\
             {statement}:\n{statement_text}\n\n{acknowledgement}:\n{acknowledgement_text}\n\n{signed}\n\
             public key: {key}\nsignature: {signature}\n",
            company = self.company,
            local = self.received_local,
            id = self.conversation.as_str(),
            seq = self.statement_seq,
            statement_text = self.statement,
            acknowledgement_text = self.acknowledgement,
            key = self.public_key,
            signature = self.signature,
        )
    }
}

impl Loket {
    /// The signed copy of the acknowledgement at `seq`, for the customer who holds the
    /// conversation's token (ACC-04). [`Error::NotFound`] when `seq` is not an acknowledgement.
    pub async fn withdrawal_receipt(&self, id: &ConversationId, token: &str, seq: i64) -> Result<WithdrawalReceipt> {
        let record = self.authorize(id, token).await?;
        if seq < 2 {
            return Err(Error::NotFound);
        }
        let after = (seq - 1 - LOOK_BACK).max(0);
        let messages = self
            .store
            .messages(id, after, u32::try_from(LOOK_BACK + 1).unwrap_or(1))
            .await?;
        let acknowledgement = messages
            .iter()
            .find(|message| message.seq == seq && message.message.kind == MessageKind::WithdrawalReceipt)
            .ok_or(Error::NotFound)?;
        let statement = messages
            .iter()
            .rev()
            .find(|message| message.seq < seq && message.message.author == Author::Customer)
            .ok_or(Error::NotFound)?;
        let personal_data = self.personal_data(id).await?;
        let mut receipt = WithdrawalReceipt {
            company: self.config.config.company.name.clone(),
            conversation: id.clone(),
            statement_seq: statement.seq,
            statement: crate::subject::restore(&personal_data, &statement.message.text),
            received_at: statement.created_at,
            received_local: self
                .config
                .hours
                .zone
                .local(statement.created_at)
                .format("%Y-%m-%d %H:%M")
                .to_string(),
            acknowledgement_seq: acknowledgement.seq,
            acknowledgement: acknowledgement.message.text.clone(),
            locale: record.conversation.locale,
            public_key: self.signer.public_key(),
            signature: String::new(),
        };
        receipt.signature = self.signer.sign(&receipt.signed_bytes());
        Ok(receipt)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::signature_is_valid;

    fn receipt() -> WithdrawalReceipt {
        WithdrawalReceipt {
            company: "Fietsenwinkel De Spaak".into(),
            conversation: ConversationId::parse("01900000-0000-7000-8000-000000000001").unwrap(),
            statement_seq: 3,
            statement: "Ik herroep hierbij mijn bestelling".into(),
            received_at: DateTime::from_timestamp(1_796_000_000, 0).unwrap(),
            received_local: "2026-12-07 14:05".into(),
            acknowledgement_seq: 4,
            acknowledgement: "Ontvangstbevestiging: …".into(),
            locale: Locale::Nl,
            public_key: String::new(),
            signature: String::new(),
        }
    }

    #[test]
    fn every_field_is_covered_by_the_signature_acc_04() {
        let signer = crate::evidence::EvidenceSigner::derive(&crate::secrets::SealingKey::from_bytes([7; 32]));
        let mut signed = receipt();
        signed.public_key = signer.public_key();
        signed.signature = signer.sign(&signed.signed_bytes());
        assert!(signature_is_valid(
            &signed.public_key,
            &signed.signed_bytes(),
            &signed.signature
        ));
        let tampered: [fn(&mut WithdrawalReceipt); 6] = [
            |receipt| receipt.statement.push('!'),
            |receipt| receipt.acknowledgement.push('!'),
            |receipt| receipt.statement_seq += 1,
            |receipt| receipt.received_at += chrono::Duration::seconds(1),
            |receipt| receipt.received_local = "2026-12-07 14:06".into(),
            |receipt| receipt.company.push('!'),
        ];
        for tamper in tampered {
            let mut changed = signed.clone();
            tamper(&mut changed);
            assert!(!signature_is_valid(
                &changed.public_key,
                &changed.signed_bytes(),
                &changed.signature
            ));
        }
    }

    #[test]
    fn the_text_copy_carries_the_words_the_times_and_the_signature_acc_04() {
        let mut nl = receipt();
        nl.signature = "ab12".into();
        let text = nl.to_text();
        for part in [
            "Ontvangstbevestiging van uw herroeping",
            "Ontvangen op: 2026-12-07 14:05 (2026-11-30T",
            "Ik herroep hierbij mijn bestelling",
            "#3",
            "signature: ab12",
        ] {
            assert!(text.contains(part), "{part:?} missing from {text}");
        }
        let en = WithdrawalReceipt {
            locale: Locale::En,
            ..receipt()
        };
        assert!(en.to_text().starts_with("Acknowledgement of receipt"));
    }
}

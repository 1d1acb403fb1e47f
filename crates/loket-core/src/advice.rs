//! Topics of personal advice that the AI assistant does not give (REQUIREMENTS ACC-10).
//!
//! Investment, insurance and credit advice needs a licence under the Wft; medical, legal and
//! tax advice needs a professional who knows the customer's situation. A request for such
//! advice is declined with a person offered, unless the company declares in
//! `answer.licensed_advice` that it may advise on the topic, in which case the knowledge base
//! answers as for any other question (and the compliance report asks a person to confirm the
//! licence).

use serde::{Deserialize, Serialize};

use crate::locale::Locale;

/// A topic of personal advice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AdviceTopic {
    /// Investments, savings products and pensions.
    Investment,
    /// Which insurance to take, keep or change.
    Insurance,
    /// Loans, mortgages and other credit.
    Credit,
    /// Personal tax questions.
    Tax,
    /// Legal steps and disputes with third parties.
    Legal,
    /// Health, medication and treatment.
    Medical,
}

impl AdviceTopic {
    /// Every topic.
    pub const ALL: [AdviceTopic; 6] = [
        AdviceTopic::Investment,
        AdviceTopic::Insurance,
        AdviceTopic::Credit,
        AdviceTopic::Tax,
        AdviceTopic::Legal,
        AdviceTopic::Medical,
    ];

    /// The stable wire name, as in the configuration and the audit log.
    pub fn as_str(self) -> &'static str {
        match self {
            AdviceTopic::Investment => "investment",
            AdviceTopic::Insurance => "insurance",
            AdviceTopic::Credit => "credit",
            AdviceTopic::Tax => "tax",
            AdviceTopic::Legal => "legal",
            AdviceTopic::Medical => "medical",
        }
    }

    /// What the customer reads after "advies over" / "advice on".
    pub fn subject(self, locale: Locale) -> &'static str {
        match (self, locale) {
            (AdviceTopic::Investment, Locale::Nl) => "beleggen, sparen en pensioen",
            (AdviceTopic::Investment, Locale::En) => "investments, savings and pensions",
            (AdviceTopic::Insurance, Locale::Nl) => "verzekeringen",
            (AdviceTopic::Insurance, Locale::En) => "insurance",
            (AdviceTopic::Credit, Locale::Nl) => "leningen, krediet en hypotheken",
            (AdviceTopic::Credit, Locale::En) => "loans, credit and mortgages",
            (AdviceTopic::Tax, Locale::Nl) => "belastingen",
            (AdviceTopic::Tax, Locale::En) => "tax",
            (AdviceTopic::Legal, Locale::Nl) => "juridische stappen",
            (AdviceTopic::Legal, Locale::En) => "legal steps",
            (AdviceTopic::Medical, Locale::Nl) => "uw gezondheid, medicijnen of behandeling",
            (AdviceTopic::Medical, Locale::En) => "your health, medication or treatment",
        }
    }
}

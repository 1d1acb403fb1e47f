//! The rights of data subjects under the GDPR (articles 15 to 21) that a customer can exercise
//! with the company: named in the register of requests (PRIV-07) and recognised when a customer
//! asks for one in the chat, which then goes to a person, never to the AI assistant (HUM-07).

use serde::Serialize;

use crate::locale::Locale;

/// Which right the data subject exercises.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Right {
    /// Access (art. 15).
    Access,
    /// Rectification (art. 16).
    Rectification,
    /// Erasure (art. 17).
    Erasure,
    /// Restriction of processing (art. 18).
    Restriction,
    /// Data portability (art. 20).
    Portability,
    /// Objection (art. 21), to direct marketing included.
    Objection,
}

impl Right {
    /// Every right, in article order.
    pub const ALL: [Right; 6] = [
        Right::Access,
        Right::Rectification,
        Right::Erasure,
        Right::Restriction,
        Right::Portability,
        Right::Objection,
    ];

    /// The stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            Right::Access => "access",
            Right::Rectification => "rectification",
            Right::Erasure => "erasure",
            Right::Restriction => "restriction",
            Right::Portability => "portability",
            Right::Objection => "objection",
        }
    }

    /// Parses the stable name.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|right| right.as_str() == text)
    }

    /// The GDPR article that grants it.
    pub fn article(self) -> u8 {
        match self {
            Right::Access => 15,
            Right::Rectification => 16,
            Right::Erasure => 17,
            Right::Restriction => 18,
            Right::Portability => 20,
            Right::Objection => 21,
        }
    }

    /// What the customer reads: "inzage in uw gegevens" / "access to your data".
    pub fn description(self, locale: Locale) -> &'static str {
        match (self, locale) {
            (Right::Access, Locale::Nl) => "inzage in uw gegevens",
            (Right::Access, Locale::En) => "access to your data",
            (Right::Rectification, Locale::Nl) => "correctie van uw gegevens",
            (Right::Rectification, Locale::En) => "correction of your data",
            (Right::Erasure, Locale::Nl) => "verwijdering van uw gegevens",
            (Right::Erasure, Locale::En) => "erasure of your data",
            (Right::Restriction, Locale::Nl) => "beperking van het gebruik van uw gegevens",
            (Right::Restriction, Locale::En) => "restriction of the use of your data",
            (Right::Portability, Locale::Nl) => "overdracht van uw gegevens",
            (Right::Portability, Locale::En) => "transfer of your data",
            (Right::Objection, Locale::Nl) => "bezwaar tegen het gebruik van uw gegevens",
            (Right::Objection, Locale::En) => "objection to the use of your data",
        }
    }
}

/// A data subject's request typed in the chat: the right the customer named, or none ("ik wil
/// een AVG-verzoek indienen").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum RequestedRight {
    /// The customer named this right.
    Named(Right),
    /// A request under the GDPR without a right named.
    Unnamed,
}

impl RequestedRight {
    /// The stable name: the right's, or `"unspecified"`.
    pub fn as_str(self) -> &'static str {
        match self {
            RequestedRight::Named(right) => right.as_str(),
            RequestedRight::Unnamed => "unspecified",
        }
    }

    /// Parses a stable name written by [`RequestedRight::as_str`].
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "unspecified" => Some(RequestedRight::Unnamed),
            _ => Right::parse(text).map(RequestedRight::Named),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_articles_are_those_of_the_gdpr() {
        for right in Right::ALL {
            assert_eq!(Right::parse(right.as_str()), Some(right));
        }
        assert_eq!(Right::parse("forget"), None);
        let articles: Vec<u8> = Right::ALL.map(Right::article).to_vec();
        assert_eq!(articles, vec![15, 16, 17, 18, 20, 21]);
        for requested in Right::ALL
            .map(RequestedRight::Named)
            .into_iter()
            .chain([RequestedRight::Unnamed])
        {
            assert_eq!(RequestedRight::parse(requested.as_str()), Some(requested));
        }
    }
}

//! Check digits of the identifiers the recognizers validate (REQUIREMENTS.md §4.1).
//!
//! Every function takes the compact form (no spaces, dots or dashes) and answers whether the
//! checksum holds; none of them panics on any input, including non-ASCII text.

/// BSN/RSIN elfproef: `9·d1 + 8·d2 + … + 2·d8 − 1·d9 ≡ 0 (mod 11)`, all-zero rejected.
/// Eight-digit input is left-padded with a zero, because leading zeros are often dropped.
pub fn elfproef(digits: &str) -> bool {
    let padded: Vec<u32> = match digits.len() {
        8 => std::iter::once(0)
            .chain(digits.chars().filter_map(|c| c.to_digit(10)))
            .collect(),
        9 => digits.chars().filter_map(|c| c.to_digit(10)).collect(),
        _ => return false,
    };
    if padded.len() != 9 || padded.iter().all(|&d| d == 0) {
        return false;
    }
    let weighted: i64 = padded
        .iter()
        .zip([9i64, 8, 7, 6, 5, 4, 3, 2, -1])
        .map(|(&digit, weight)| i64::from(digit) * weight)
        .sum();
    weighted.rem_euclid(11) == 0
}

/// Luhn check for payment card numbers (PII-08).
pub fn luhn(digits: &str) -> bool {
    let mut sum = 0u32;
    let mut count = 0usize;
    for (position, character) in digits.chars().rev().enumerate() {
        let Some(mut digit) = character.to_digit(10) else {
            return false;
        };
        if position % 2 == 1 {
            digit *= 2;
            if digit > 9 {
                digit -= 9;
            }
        }
        sum += digit;
        count += 1;
    }
    count > 0 && sum.is_multiple_of(10)
}

/// ISO 7064 MOD 97-10 over the characters as written (letters mapped to 10..35): true when
/// the remainder is 1. The post-2020 Dutch VAT numbers use it directly on "NL…B…".
pub fn mod97(compact: &str) -> bool {
    if compact.len() < 5 || !compact.is_ascii() {
        return false;
    }
    let mut remainder: u32 = 0;
    for character in compact.chars() {
        let value = match character {
            '0'..='9' => character as u32 - '0' as u32,
            'A'..='Z' => character as u32 - 'A' as u32 + 10,
            'a'..='z' => character as u32 - 'a' as u32 + 10,
            _ => return false,
        };
        remainder = if value >= 10 {
            (remainder * 100 + value) % 97
        } else {
            (remainder * 10 + value) % 97
        };
    }
    remainder == 1
}

/// The IBAN check: move the first four characters (country and check digits) to the end,
/// then [`mod97`].
pub fn iban_checksum(compact: &str) -> bool {
    if compact.len() < 5 || !compact.is_ascii() {
        return false;
    }
    let (head, tail) = compact.split_at(4);
    mod97(&format!("{tail}{head}"))
}

/// Length of an IBAN for a country of the SEPA scheme (plus a few close neighbours that
/// customers of Dutch companies commonly use), per the SWIFT IBAN registry. `None` means the
/// country is not recognised, so the candidate is not reported as an IBAN.
pub fn iban_length(country: &str) -> Option<usize> {
    let length = match country.to_ascii_uppercase().as_str() {
        "AD" => 24,
        "AT" => 20,
        "BE" => 16,
        "BG" => 22,
        "CH" => 21,
        "CY" => 28,
        "CZ" => 24,
        "DE" => 22,
        "DK" => 18,
        "EE" => 20,
        "ES" => 24,
        "FI" => 18,
        "FO" => 18,
        "FR" => 27,
        "GB" => 22,
        "GG" => 22,
        "GI" => 23,
        "GL" => 18,
        "GR" => 27,
        "HR" => 21,
        "HU" => 28,
        "IE" => 22,
        "IM" => 22,
        "IS" => 26,
        "IT" => 27,
        "JE" => 22,
        "LI" => 21,
        "LT" => 20,
        "LU" => 20,
        "LV" => 21,
        "MC" => 27,
        "MT" => 31,
        "NL" => 18,
        "NO" => 15,
        "PL" => 28,
        "PT" => 25,
        "RO" => 24,
        "SE" => 24,
        "SI" => 19,
        "SK" => 24,
        "SM" => 27,
        "VA" => 22,
        "TR" => 26,
        "UA" => 29,
        _ => return None,
    };
    Some(length)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn elfproef_accepts_the_requirement_vectors_and_rejects_the_bad_ones() {
        // REQUIREMENTS.md §4.1, PII-01.
        for (digits, expected) in [
            ("111222333", true),
            ("123456782", true),
            ("111252333", false),
            ("000000000", false),
            ("1234567890", false),
            ("12345678", false),
            ("", false),
            ("12345678x", false),
        ] {
            assert_eq!(elfproef(digits), expected, "{digits}");
        }
    }

    #[test]
    fn luhn_accepts_valid_card_numbers_only() {
        for (digits, expected) in [
            ("4111111111111111", true),
            ("4111111111111112", false),
            ("378282246310005", true),
            ("", false),
            ("41x1", false),
        ] {
            assert_eq!(luhn(digits), expected, "{digits}");
        }
    }

    #[test]
    fn iban_checksum_accepts_valid_ibans_only() {
        for (compact, expected) in [
            ("NL91ABNA0417164300", true),
            ("NL91ABNA0417164301", false),
            ("nl91abna0417164300", true),
            ("GB56HXDO88167774656119", true),
            ("NL9", false),
            ("NL91ÄBNA0417164300", false),
        ] {
            assert_eq!(iban_checksum(compact), expected, "{compact}");
        }
    }

    #[test]
    fn mod97_accepts_new_style_vat_numbers() {
        for (compact, expected) in [
            ("NL000000008B01", true),
            ("NL100000024B01", true),
            ("NL123456789B90", false),
        ] {
            assert_eq!(mod97(compact), expected, "{compact}");
        }
    }
}

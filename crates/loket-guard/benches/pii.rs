//! Throughput and tail latency of the PII scanner over 10,000 chat messages (issue 5 target:
//! ≥ 50,000 messages/s on one core with every recognizer on, p99 ≤ 200 µs per message).
//!
//! The messages are built here from Dutch and English templates with a fixed-seed generator,
//! so the benchmark needs no files. Before criterion runs, every message is also timed on its
//! own once to print the p50/p99/max latency, which criterion does not report per element.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use loket_guard::pii::{Lang, PiiScanner, Placeholders, Policy, pseudonymise};

const MESSAGES: usize = 10_000;

const TEMPLATES: &[&str] = &[
    "Hoi, mijn naam is {first} {last} en mijn IBAN is NL91ABNA0417164300. Klopt de afschrijving?",
    "Kunnen jullie me terugbellen op 06-{digits8}? Ik ben {first}.",
    "Mijn bestelnummer is {digits9}, waar blijft mijn pakket?",
    "Ik woon op de Kerkstraat {number}, {number4} AB Utrecht, graag het adres aanpassen.",
    "Hoe kan ik mijn wachtwoord wijzigen? Ik kom er niet meer in.",
    "My card 4111 1111 1111 1111 was charged twice, can you refund it?",
    "Please email me at {lower}.{lowerlast}@example.com about order {digits9}.",
    "Ik wil een medewerker spreken over mijn factuur van vorige maand, dit klopt echt niet.",
    "Mijn BSN is 123456782, hebben jullie dat nodig voor de aanvraag?",
    "Kenteken {plate} staat al drie dagen op mijn parkeerplek, wie kan ik bellen?",
    "What are your opening hours on Saturday? I want to pick up my package.",
    "Met vriendelijke groet,\n{first} {last}\n+31 20 {digits3} {digits4}",
    "The router at 192.168.{number}.{number} keeps dropping, my name is {first} {last}.",
    "Is het mogelijk om het abonnement per 1 januari op te zeggen? Geboren op 12-03-1985 trouwens.",
    "Ik heb €{number},95 betaald maar de bestelling is niet aangekomen, kunnen jullie dat checken?",
    "Can I change the billing address to 221 Baker Street, London? Thanks, {first}",
];

const FIRST: &[&str] = &[
    "Jan", "Sanne", "Pieter", "Fatima", "Emma", "Daan", "Noah", "Julia", "Mohammed", "Lisa",
];
const LAST: &[&str] = &[
    "Jansen",
    "de Vries",
    "Bakker",
    "van den Berg",
    "El Amrani",
    "Visser",
    "Smit",
    "Meijer",
];
const PLATES: &[&str] = &["12-AB-34", "GB-123-X", "1-KBC-23", "XX-99-99", "99-ZZB-1"];

/// A small linear congruential generator: deterministic and dependency-free.
struct Generator(u64);

impl Generator {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[(self.next() as usize) % items.len()]
    }

    fn digits(&mut self, count: usize) -> String {
        (0..count)
            .map(|_| char::from(b'0' + (self.next() % 10) as u8))
            .collect()
    }
}

fn messages() -> Vec<String> {
    let mut generator = Generator(20_261_128);
    (0..MESSAGES)
        .map(|_| {
            let template = generator.pick(TEMPLATES);
            let first = generator.pick(FIRST);
            let last = generator.pick(LAST);
            let number = (generator.next() % 250 + 1).to_string();
            let number4 = (generator.next() % 9000 + 1000).to_string();
            template
                .replace("{first}", first)
                .replace("{last}", last)
                .replace("{lower}", &first.to_lowercase())
                .replace("{lowerlast}", &last.replace(' ', "").to_lowercase())
                .replace("{digits8}", &generator.digits(8))
                .replace("{digits9}", &generator.digits(9))
                .replace("{digits3}", &generator.digits(3))
                .replace("{digits4}", &generator.digits(4))
                .replace("{number4}", &number4)
                .replace("{number}", &number)
                .replace("{plate}", generator.pick(PLATES))
        })
        .collect()
}

fn report_latency(scanner: &PiiScanner, messages: &[String]) {
    let mut durations: Vec<Duration> = Vec::with_capacity(messages.len());
    let started = Instant::now();
    for message in messages {
        let start = Instant::now();
        black_box(scanner.scan(black_box(message), Lang::Auto));
        durations.push(start.elapsed());
    }
    let total = started.elapsed();
    durations.sort();
    let percentile = |fraction: f64| {
        let index = ((durations.len() as f64 - 1.0) * fraction).round() as usize;
        durations.get(index).copied().unwrap_or_default()
    };
    println!(
        "pii scan, {} messages one at a time: {:.0} messages/s, p50 {:?}, p99 {:?}, max {:?}",
        messages.len(),
        messages.len() as f64 / total.as_secs_f64(),
        percentile(0.50),
        percentile(0.99),
        percentile(1.0),
    );
}

fn bench(criterion: &mut Criterion) {
    let scanner = PiiScanner::new();
    let messages = messages();
    // Warm up once, then report per-message latency.
    for message in messages.iter().take(1000) {
        black_box(scanner.scan(message, Lang::Auto));
    }
    report_latency(&scanner, &messages);

    let mut group = criterion.benchmark_group("pii");
    group.throughput(Throughput::Elements(messages.len() as u64));
    group.sample_size(10);
    group.bench_function("scan_10k_messages", |bencher| {
        bencher.iter(|| {
            for message in &messages {
                black_box(scanner.scan(black_box(message), Lang::Auto));
            }
        })
    });
    group.bench_function("scan_and_pseudonymise_10k_messages", |bencher| {
        bencher.iter(|| {
            let policy = Policy::default();
            for message in &messages {
                let entities = scanner.scan(message, Lang::Auto);
                let mut placeholders = Placeholders::new();
                black_box(pseudonymise(message, &entities, &mut placeholders, &policy));
            }
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);

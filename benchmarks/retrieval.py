"""Card retrieval: hit@1 and hit@3 on the labelled questions, per language.

Run: .venv/bin/python benchmarks/retrieval.py [--errors]
A question hits@k when one of its acceptable cards is among the first k the advisor finds.
Aim: hit@3 >= 90%.
"""

from __future__ import annotations

import argparse
import json
from collections import defaultdict
from pathlib import Path

from bot.advisor import Analyser
from bot.config import PROJECT_ROOT

DATA = Path(__file__).resolve().parent / "data" / "retrieval.jsonl"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--errors", action="store_true", help="print every question whose card was missed")
    args = parser.parse_args()
    analyser = Analyser.load(PROJECT_ROOT / "knowledge")
    known = set(analyser.search.ids())
    rows = [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines() if line.strip()]
    results: dict[str, list[tuple[bool, bool]]] = defaultdict(list)
    skipped = 0
    for row in rows:
        expected = [c for c in row["cards"] if c in known]
        if not expected:
            skipped += 1  # its card is not written yet
            continue
        found = [m.card.id for m in analyser.analyse(row["text"]).matches]
        hit1 = bool(found[:1]) and found[0] in expected
        hit3 = any(c in expected for c in found[:3])
        results[row["language"]].append((hit1, hit3))
        if args.errors and not hit3:
            print(f"  {row['language']}: {row['text']}  expected {expected}  got {found[:3]}")
    print(f"{'language':10} {'n':>4} {'hit@1':>7} {'hit@3':>7}")
    for language in sorted(results):
        values = results[language]
        print(
            f"{language:10} {len(values):4} {100 * sum(v[0] for v in values) / len(values):7.1f}"
            f" {100 * sum(v[1] for v in values) / len(values):7.1f}"
        )
    everything = [v for values in results.values() for v in values]
    print(
        f"\noverall: hit@1 {100 * sum(v[0] for v in everything) / len(everything):.1f}%  "
        f"hit@3 {100 * sum(v[1] for v in everything) / len(everything):.1f}%  (n={len(everything)}, "
        f"{len(results)} languages, {skipped} skipped: card not in the collection)"
    )


if __name__ == "__main__":
    main()

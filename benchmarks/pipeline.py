"""Latency of the non-model pipeline (clean, detect, route, search, store) per message.

Run: .venv/bin/python benchmarks/pipeline.py [--rounds 3]
Stores into a throwaway SQLite file through the real Advisor with the cards engine; prints p50 and
p95 per stage and for the whole answer. Aim: p95 <= 15 ms. Compare figures within one run only.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from accuracy import load

from bot.advisor import Advisor
from bot.config import PROJECT_ROOT, Settings
from bot.storage.repository import Identity


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    texts = [str(row["text"]) for row in load("all")]
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(data_dir=Path(folder), knowledge_dir=PROJECT_ROOT / "knowledge")
        started = time.perf_counter()
        advisor = Advisor.build(settings)
        print(
            f"start-up (migrate, load lexicons and {len(advisor.analyser.search)} cards): "
            f"{(time.perf_counter() - started) * 1000:.0f} ms"
        )
        analyser = advisor.analyser
        stages: dict[str, list[float]] = {"detect": [], "route": [], "search": [], "answer+store": []}
        for round_ in range(args.rounds):
            for index, text in enumerate(texts):
                t0 = time.perf_counter()
                detection = analyser.detector.detect(text)
                t1 = time.perf_counter()
                route = analyser.router.route(text, detection.language)
                t2 = time.perf_counter()
                analyser.search.search(text, route)
                t3 = time.perf_counter()
                advisor.answer(Identity("bench", f"{round_}-{index % 50}"), text)
                t4 = time.perf_counter()
                for name, value in zip(stages, (t1 - t0, t2 - t1, t3 - t2, t4 - t3), strict=True):
                    stages[name].append(value * 1000)
    print(f"{len(texts)} messages x {args.rounds} rounds")
    print(f"{'stage':14} {'p50 ms':>8} {'p95 ms':>8} {'mean ms':>8}")
    for name, values in stages.items():
        print(
            f"{name:14} {percentile(values, 0.5):8.2f} {percentile(values, 0.95):8.2f} "
            f"{statistics.fmean(values):8.2f}"
        )


if __name__ == "__main__":
    main()

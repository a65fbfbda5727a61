"""The officer console's pages: bytes sent and server time, with a realistic amount of data.

Run: .venv/bin/python benchmarks/console_pages.py [--exchanges 2000]
Seeds exchanges through the real advisor (cards engine) into a throwaway SQLite file, 👎 on one in
ten, then fetches each page in-process (Starlette's TestClient) and prints its size (raw, and as
served with gzip: what a slow phone link carries) and the median time of 5 fetches. Compare
within one run only.
"""

from __future__ import annotations

import argparse
import gzip
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from console_support import PASSWORD, add_officers, ask, thumbs_down  # noqa: E402
from starlette.testclient import TestClient  # noqa: E402

from bot.advisor import Advisor  # noqa: E402
from bot.config import PROJECT_ROOT, Settings  # noqa: E402
from bot.officer_console.app import Console  # noqa: E402

QUESTIONS = [
    "mere gaay ko bukhar hai",
    "gehu me peela pan aa gaya hai kya karu",
    "tomato leaf curl what to spray",
    "Mahindi yangu yana viwavi jeshi, nifanye nini?",
    "కపాస్ లో గులాబీ పురుగు",
    "¿Cómo controlo el gusano cogollero en mi maíz?",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--exchanges", type=int, default=2000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(data_dir=Path(folder), knowledge_dir=PROJECT_ROOT / "knowledge")
        advisor = Advisor.build(settings)
        add_officers(advisor.sessions)
        for i in range(args.exchanges):
            answer = ask(advisor, 100_000 + i % 700, QUESTIONS[i % len(QUESTIONS)])
            if i % 10 == 0:
                thumbs_down(advisor, 100_000 + i % 700, answer)
        client = TestClient(
            Console(settings, advisor.sessions, advisor.translator).app(), base_url="https://c.test"
        )
        page = client.get("/login").text
        csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
        client.post("/login", data={"csrf": csrf, "username": "asha", "password": PASSWORD})
        print(f"{args.exchanges:,} exchanges")
        print("page | bytes | sent (gzip) | median ms")
        for path in [
            "/",
            "/review/1",
            "/search?text=gaay",
            "/search",
            "/search.csv",
            "/dashboard",
            "/verified",
        ]:
            times, body, sent = [], b"", "?"
            for _ in range(5):
                started = time.perf_counter()
                response = client.get(path, headers={"Accept-Encoding": "gzip"})
                times.append((time.perf_counter() - started) * 1000)
                body, sent = response.content, response.headers.get("content-length", "?")
            print(f"{path} | {len(body):,} | {int(sent):,} | {statistics.median(times):.1f}")
        css = (ROOT / "bot/officer_console/static/console.css").read_bytes()
        print(f"console.css | {len(css):,} | {len(gzip.compress(css)):,} | (once, then cached)")
        advisor.close()


if __name__ == "__main__":
    main()

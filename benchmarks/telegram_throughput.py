"""Updates handled per second by the real Telegram Application (cards engine) through the fake Bot
API on loopback, and the bot's memory with 0 and with 10,000 farmers in the database.

Run: .venv/bin/python benchmarks/telegram_throughput.py [--updates 600] [--farmers 10000]
Each configuration runs in a fresh child process (clean memory figures), one after the other in
the same run; compare them side by side. "handled" = inbox rows done (question understood, answer
stored, reply queued); "delivered" = replies the fake Bot API received, which the pacing caps at
MESSAGES_PER_SECOND (25 by default) on purpose.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "benchmarks")]

QUESTIONS = [
    ("कपास में गुलाबी सुंडी का इलाज बताइए", "hi"),
    ("gehu me peela pan aa gaya hai kya karu", "en"),
    ("Mahindi yangu yana viwavi jeshi, nifanye nini?", "sw"),
    ("¿Cómo controlo el gusano cogollero en mi maíz?", "es"),
    ("వరిలో అగ్గి తెగులు వచ్చింది ఏం చేయాలి", "te"),
    ("tomato leaf curl what to spray", "en"),
    ("/help", "en"),
]


def seed_farmers(sessions: object, count: int) -> None:
    from sqlalchemy import insert

    from bot.storage.models import CropPlan, Farmer, Message

    if count == 0:
        return
    rows = [
        {
            "channel": "telegram",
            "channel_user_id": str(10_000_000 + i),
            "chat_id": 10_000_000 + i,
            "language": "hi",
        }
        for i in range(count)
    ]
    with sessions.begin() as session:  # type: ignore[attr-defined]
        session.execute(insert(Farmer), rows)
        ids = [i for (i,) in session.execute(Farmer.__table__.select().with_only_columns(Farmer.id))]
        session.execute(insert(CropPlan), [{"farmer_id": i, "crop": "wheat"} for i in ids])
        session.execute(
            insert(Message),
            [{"farmer_id": i, "role": "farmer", "text": "gehu me peela pan", "language": "hi"} for i in ids]
            + [{"farmer_id": i, "role": "bot", "text": "answer " * 40, "language": "hi"} for i in ids],
        )


def child(updates: int, farmers: int) -> dict[str, float]:
    from bot_harness import bot_settings
    from fake_bot_api import FakeBotApi
    from sqlalchemy import func, select

    from bot.advisor import Advisor
    from bot.storage.models import InboxUpdate
    from bot.telegram_door.app import serve

    fake = FakeBotApi().start()
    with tempfile.TemporaryDirectory() as folder:
        settings = bot_settings(
            fake,
            Path(folder),
            chat_min_interval_s=1.0,
            messages_per_second=25.0,
            telegram_poll_timeout_s=1,
        )
        advisor = Advisor.build(settings)
        seed_farmers(advisor.sessions, farmers)
        rss_loaded = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        rng = random.Random(7)

        def handled() -> int:
            with advisor.sessions() as session:
                return int(
                    session.scalar(
                        select(func.count()).select_from(InboxUpdate).where(InboxUpdate.state == "done")
                    )
                    or 0
                )

        async def run() -> dict[str, float]:
            stop = asyncio.Event()
            task = asyncio.create_task(serve(settings, advisor, stop))
            while not fake.calls_of("getUpdates"):
                await asyncio.sleep(0.02)
            started = time.perf_counter()
            for n in range(updates):
                text, language = rng.choice(QUESTIONS)
                fake.send_text(20_000 + n, text, language_code=language)  # one farmer each: no chat pacing
            deadline = time.monotonic() + 120
            while handled() < updates and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
            handled_s = time.perf_counter() - started
            while len(fake.delivered()) < updates and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
            if len(fake.delivered()) < updates:
                with advisor.sessions() as session:
                    states = session.execute(
                        select(InboxUpdate.state, func.count()).group_by(InboxUpdate.state)
                    ).all()
                from bot.storage import outbox

                with advisor.sessions() as session:
                    rows = outbox.counts(session)
                print(
                    f"incomplete: delivered {len(fake.delivered())}, inbox {states}, outbox {rows}",
                    file=sys.stderr,
                )
            delivered_s = time.perf_counter() - started
            stop.set()
            await task
            sent = sorted(c.at for c in fake.delivered())
            return {"handled_s": handled_s, "delivered_s": delivered_s, "send_s": sent[-1] - sent[0]}

        timing = asyncio.run(run())
        advisor.close()
    fake.stop()
    rss_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "farmers": farmers,
        "updates": updates,
        "handled_per_s": updates / timing["handled_s"],
        "delivered_per_s": updates / timing["delivered_s"],
        "send_rate_per_s": (updates - 1) / timing["send_s"],
        "rss_loaded_mb": rss_loaded,
        "rss_peak_mb": rss_peak,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--updates", type=int, default=600)
    parser.add_argument("--farmers", type=int, default=10_000)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.updates, args.farmers)))
        return
    results = []
    for farmers in (0, args.farmers):
        command = [
            sys.executable,
            __file__,
            "--child",
            "--updates",
            str(args.updates),
            "--farmers",
            str(farmers),
        ]
        output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
        results.append(json.loads(output.strip().splitlines()[-1]))
    columns = [
        "farmers in DB",
        "updates",
        "handled/s",
        "delivered/s",
        "send rate/s",
        "RSS loaded",
        "RSS peak",
    ]
    print(" | ".join(columns))
    for r in results:
        cells = [
            f"{r['farmers']:,}",
            str(r["updates"]),
            f"{r['handled_per_s']:.1f}",
            f"{r['delivered_per_s']:.1f}",
            f"{r['send_rate_per_s']:.1f}",
            f"{r['rss_loaded_mb']:.0f} MB",
            f"{r['rss_peak_mb']:.0f} MB",
        ]
        print(" | ".join(cells))
    base, big = results
    handled_ratio = big["handled_per_s"] / base["handled_per_s"]
    memory_ratio = big["rss_peak_mb"] / base["rss_peak_mb"]
    print(
        f"ratio ({args.farmers:,} farmers / empty):"
        f" handled/s {handled_ratio:.2f}, peak RSS {memory_ratio:.2f}"
    )


if __name__ == "__main__":
    main()

"""Phi on the CPU: speed, overhead, prompt size per language, memory, concurrency, event-loop stalls.

Run on a full-size synthetic model (no real weights can be downloaded here):
    .venv/bin/kisanbot model synth var/synth-phi3 --preset phi3-mini-4k
    .venv/bin/python benchmarks/model_speed.py --model var/synth-phi3 [--tokenizer DIR] [--sections ...]
`--tokenizer` names a folder with the real Phi-3 tokenizer.json for honest prompt-token counts per
language (the synthetic model's own tokenizer is used otherwise, and the output says which).
Figures compare within one run only: the machine is shared and noisy.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import gc
import resource
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import onnxruntime_genai as og
from tokenizers import Tokenizer

from bot import prompts
from bot.advisor import Advisor, Analyser
from bot.config import PROJECT_ROOT, Settings
from bot.engines.base import FarmerContext, GenerationControl, GenerationRequest
from bot.llm.generation_queue import GenerationQueue
from bot.llm.phi3 import Phi3Engine
from bot.llm.worker_process import ProcessEngine
from bot.storage.models import Message
from bot.storage.repository import Identity

#: One farm question in every supported language, for prompt sizes.
QUESTION = {
    "en": "My rice leaves are turning yellow. What should I do?",
    "hi": "मेरे धान की पत्तियां पीली हो रही हैं। मुझे क्या करना चाहिए?",
    "mr": "माझ्या भाताची पाने पिवळी पडत आहेत. मी काय करावे?",
    "bn": "আমার ধানের পাতা হলুদ হয়ে যাচ্ছে। আমি কী করব?",
    "te": "నా వరి ఆకులు పసుపు రంగులోకి మారుతున్నాయి. నేను ఏమి చేయాలి?",
    "ta": "என் நெல் இலைகள் மஞ்சளாக மாறுகின்றன. நான் என்ன செய்ய வேண்டும்?",
    "kn": "ನನ್ನ ಭತ್ತದ ಎಲೆಗಳು ಹಳದಿಯಾಗುತ್ತಿವೆ. ನಾನು ಏನು ಮಾಡಬೇಕು?",
    "ml": "എന്റെ നെല്ലിന്റെ ഇലകൾ മഞ്ഞളിക്കുന്നു. ഞാൻ എന്ത് ചെയ്യണം?",
    "gu": "મારા ડાંગરના પાન પીળા થઈ રહ્યા છે. મારે શું કરવું જોઈએ?",
    "pa": "ਮੇਰੇ ਝੋਨੇ ਦੇ ਪੱਤੇ ਪੀਲੇ ਹੋ ਰਹੇ ਹਨ। ਮੈਨੂੰ ਕੀ ਕਰਨਾ ਚਾਹੀਦਾ ਹੈ?",
    "or": "ମୋ ଧାନ ପତ୍ର ହଳଦିଆ ହୋଇଯାଉଛି। ମୁଁ କଣ କରିବି?",
    "ur": "میرے دھان کے پتے پیلے ہو رہے ہیں۔ مجھے کیا کرنا چاہیے؟",
    "sw": "Majani ya mpunga wangu yanageuka manjano. Nifanye nini?",
    "es": "Las hojas de mi arroz se están poniendo amarillas. ¿Qué debo hacer?",
    "fr": "Les feuilles de mon riz jaunissent. Que dois-je faire ?",
    "pt": "As folhas do meu arroz estão ficando amarelas. O que devo fazer?",
}


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def build_advisor(model: Path, reply_tokens: int, folder: Path, prompt_tokens: int | None = None) -> Advisor:
    settings = Settings(
        data_dir=folder,
        knowledge_dir=PROJECT_ROOT / "knowledge",
        model_dir=model,
        reply_token_budget=reply_tokens,
        prompt_token_budget=prompt_tokens or Settings().prompt_token_budget,
        generation_timeout_s=3600,
    )
    return Advisor.build(settings)


def prompt_ids(advisor: Advisor, engine: Phi3Engine, question: str, language: str) -> object:
    """The token ids the advisor itself would send for a first question (no history)."""
    analysis = advisor.analyser.analyse(question)
    cards = [m.card for m in analysis.matches]
    prompt = prompts.build(
        question, language, analysis.route.topic, cards, [], engine.count_tokens, engine.prompt_budget
    )
    return engine.tokenizer.encode(engine.render(prompt.messages))


def raw_loop(engine: Phi3Engine, ids: object, max_new: int) -> tuple[int, float, float]:
    """The bare onnxruntime-genai loop: returns tokens, time to first token, total seconds."""
    started = time.perf_counter()
    params = og.GeneratorParams(engine.model)
    params.set_search_options(max_length=len(ids) + max_new)  # type: ignore[arg-type]
    generator = og.Generator(engine.model, params)
    generator.append_tokens(ids)
    stream = engine.tokenizer.create_stream()
    first = 0.0
    count = 0
    while not generator.is_done():
        generator.generate_next_token()
        stream.decode(int(generator.get_next_tokens()[0]))
        count += 1
        if count == 1:
            first = time.perf_counter() - started
    return count, first, time.perf_counter() - started


def section_tokens(advisor: Advisor, engine: Phi3Engine, tokenizer_dir: Path | None) -> None:
    if tokenizer_dir is not None:
        tok = Tokenizer.from_file(str(tokenizer_dir / "tokenizer.json"))
        count = lambda text: len(tok.encode(text, add_special_tokens=False).ids)  # noqa: E731
        source = f"real tokenizer at {tokenizer_dir}"
    else:
        count = engine.count_tokens
        source = "the synthetic model's own tokenizer (not Phi-3's: pass --tokenizer for honest counts)"
    print(f"\n## Prompt tokens per language ({source})\n")
    budget = Settings().prompt_token_budget
    print(
        f"| language | question tokens | untrimmed prompt (rules + 3 cards + question) "
        f"| at the default budget ({budget}) | cards kept |"
    )
    print("|---|---|---|---|---|")
    for language, question in QUESTION.items():
        analysis = advisor.analyser.analyse(question)
        cards = [m.card for m in analysis.matches]
        full = prompts.build(question, language, analysis.route.topic, cards, [], count, 100_000)
        fitted = prompts.build(question, language, analysis.route.topic, cards, [], count, budget)
        print(
            f"| {language} | {count(question)} | {full.tokens} | {fitted.tokens} | {len(fitted.card_ids)} |"
        )


def section_speed(advisor: Advisor, engine: Phi3Engine, reply_tokens: int) -> None:
    print("\n## Prefill, decode, time to first token (raw onnxruntime-genai loop)\n")
    print("| language | prompt tokens | time to first token s | prefill tok/s | decode tok/s |")
    print("|---|---|---|---|---|")
    for language in ("en", "hi", "te"):
        ids = prompt_ids(advisor, engine, QUESTION[language], language)
        count, first, total = raw_loop(engine, ids, reply_tokens)
        decode = (count - 1) / (total - first) if count > 1 else float("nan")
        print(f"| {language} | {len(ids)} | {first:.2f} | {len(ids) / first:.1f} | {decode:.2f} |")  # type: ignore[arg-type]


def section_overhead(model: Path, settings: Settings, reply_tokens: int) -> None:
    """The bare loop first (alone in this process), then the advisor end to end (model in its worker
    process) on the same questions; the prompts are checked to be the very same token ids."""
    print("\n## The advisor end to end against the raw loop, same prompts\n")
    print("| language | prompt tokens | raw loop s | advisor s | ratio |")
    print("|---|---|---|---|---|")
    languages = ("en", "sw", "hi")
    analyser = Analyser.load(settings.knowledge_dir)
    raw = Phi3Engine(model, settings.model_threads, settings.prompt_token_budget, reply_tokens)
    loops: dict[str, tuple[int, float]] = {}
    for language in languages:
        question = QUESTION[language]
        analysis = analyser.analyse(question)
        request = GenerationRequest(
            question, language, analysis.route, analysis.matches, context=FarmerContext(today=dt.date.today())
        )
        _, ids = raw.prepare(request)
        loops[language] = (len(ids), raw_loop(raw, ids, reply_tokens)[2])
    del raw
    gc.collect()
    advisor = Advisor.build(settings)
    ratios = []
    try:
        for index, language in enumerate(languages):
            started = time.perf_counter()
            reply = advisor.answer(
                Identity("bench", f"overhead-{index}"), QUESTION[language], language=language
            )
            full = time.perf_counter() - started
            with advisor.sessions() as session:
                sent = session.get(Message, reply.answer_id)
                assert sent is not None and sent.prompt_tokens == loops[language][0], "prompts differ"
            tokens, loop = loops[language]
            ratios.append(full / loop)
            print(f"| {language} | {tokens} | {loop:.2f} | {full:.2f} | {full / loop:.3f} |")
    finally:
        advisor.close()
    print(f"\noverhead ratio (mean): {statistics.fmean(ratios):.3f}")


def section_concurrency(engine: Phi3Engine, advisor: Advisor, reply_tokens: int) -> None:
    print("\n## Aggregate tokens per second for several farmers at once (short prompts: decode-bound)\n")
    print("| farmers | queue, one at a time: tok/s | og.Engine static batch: tok/s |")
    print("|---|---|---|")
    # A bare question without cards: prefill is then a small share and decoding is what is compared.
    ids = engine.tokenizer.encode(engine.render([{"role": "user", "content": QUESTION["en"]}]))
    for farmers in (1, 2, 4):
        queue = GenerationQueue(max_waiting=8, max_per_farmer=2)
        started = time.perf_counter()
        tickets = [
            queue.submit(f"f{i}", lambda control: engine.run(ids, None, control)) for i in range(farmers)
        ]
        tokens = sum(t.wait()[1] for t in tickets)
        sequential = tokens / (time.perf_counter() - started)
        queue.close()
        batched = engine_batch(engine, ids, farmers, reply_tokens)
        print(f"| {farmers} | {sequential:.2f} | {batched:.2f} |")


def engine_batch(engine: Phi3Engine, ids: object, farmers: int, reply_tokens: int) -> float:
    """Aggregate tokens per second with onnxruntime-genai's Engine serving `farmers` requests at once."""
    batch = og.Engine(engine.model)
    requests = []
    started = time.perf_counter()
    for _ in range(farmers):
        request = batch.create_request()
        options = og.TurnOptions(request)
        options.set_max_generated_tokens(reply_tokens)
        request.begin_turn(ids, options)
        requests.append(request)
    buffer = batch.create_event_buffer(256)
    tokens = 0
    while batch.has_pending_requests():
        for event in batch.run(buffer):
            tokens += event.flags == og.EngineEventFlags.TOKEN
    return tokens / (time.perf_counter() - started)


def section_stall(advisor: Advisor, raw: Phi3Engine) -> None:
    print("\n## Event-loop stalls while one answer is generated (5 ms ticks)\n")
    print("| generation runs in | ticks | lateness p50 ms | p95 ms | max ms |")
    print("|---|---|---|---|---|")
    question = QUESTION["en"]
    analysis = advisor.analyser.analyse(question)
    request = GenerationRequest(question, "en", analysis.route, analysis.matches)
    _, ids = raw.prepare(request)
    runs: dict[str, Callable[[], object]] = {
        "a thread of the same process": lambda: raw.run(ids, None, GenerationControl()),
        "the worker process": lambda: advisor.engine.generate(request, None, GenerationControl()),
    }
    for where, job in runs.items():
        lateness = sorted(asyncio.run(_lateness_during(job)))
        p95 = lateness[round(0.95 * (len(lateness) - 1))]
        print(
            f"| {where} | {len(lateness)} | {statistics.median(lateness):.1f} | {p95:.1f} "
            f"| {lateness[-1]:.1f} |"
        )


async def _lateness_during(job: Callable[[], object]) -> list[float]:
    lateness: list[float] = []
    done = asyncio.Event()

    async def ticker() -> None:
        while not done.is_set():
            before = time.perf_counter()
            await asyncio.sleep(0.005)
            lateness.append((time.perf_counter() - before - 0.005) * 1000)

    task = asyncio.create_task(ticker())
    await asyncio.to_thread(job)
    done.set()
    await task
    return lateness


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--model", type=Path, required=True)
    parser.add_argument("--tokenizer", type=Path, default=None)
    parser.add_argument("--reply-tokens", type=int, default=32)
    parser.add_argument(
        "--prompt-tokens",
        type=int,
        default=None,
        help="prompt budget for the timed runs (default: the app's)",
    )
    parser.add_argument(
        "--sections",
        default="tokens,speed,overhead,memory,concurrency,stall",
        help="comma-separated: tokens, speed, overhead, memory, concurrency, stall",
    )
    args = parser.parse_args()
    sections = set(args.sections.split(","))
    with tempfile.TemporaryDirectory() as folder:
        if sections == {"overhead"}:
            settings = Settings(
                data_dir=Path(folder),
                knowledge_dir=PROJECT_ROOT / "knowledge",
                model_dir=args.model,
                reply_token_budget=args.reply_tokens,
                prompt_token_budget=args.prompt_tokens or Settings().prompt_token_budget,
                generation_timeout_s=3600,
            )
            section_overhead(args.model, settings, args.reply_tokens)
            return
        started = time.perf_counter()
        advisor = build_advisor(args.model, args.reply_tokens, Path(folder), args.prompt_tokens)
        assert isinstance(advisor.engine, ProcessEngine), "the model did not load; see the log"
        loaded = time.perf_counter() - started
        if "memory" in sections:
            # Run alone at the default budgets: the KV cache is sized by max_length.
            advisor.answer(Identity("bench", "memory"), QUESTION["hi"], language="hi")
            advisor.close()
            child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
            print(
                f"## Memory\n\nafter a Hindi answer at prompt budget {advisor.engine.prompt_budget} "
                f"and reply budget {advisor.engine.reply_budget} tokens: "
                f"model process peak RSS {child:.0f} MB, "
                f"app process peak RSS {rss_mb():.0f} MB (model loaded in {loaded:.1f} s)"
            )
            return
        raw = Phi3Engine(args.model, advisor.engine.threads, advisor.engine.prompt_budget, args.reply_tokens)
        print(f"# {raw.model_name}, {raw.threads} threads; worker process ready in {loaded:.1f} s")
        if "tokens" in sections:
            section_tokens(advisor, raw, args.tokenizer)
        if "speed" in sections:
            section_speed(advisor, raw, args.reply_tokens)
        if "overhead" in sections:
            print("\n(run --sections overhead alone: it needs the machine to itself)")
        if "concurrency" in sections:
            section_concurrency(raw, advisor, args.reply_tokens)
        if "stall" in sections:
            section_stall(advisor, raw)
        advisor.close()


if __name__ == "__main__":
    main()

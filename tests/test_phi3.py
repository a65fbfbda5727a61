"""The Phi engine through the real onnxruntime-genai, on a tiny synthetic model the project writes."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import onnx
import onnxruntime_genai as og
import pytest
from sqlalchemy import select

from bot import ui_text
from bot.advisor import Advisor, Analyser
from bot.config import PROJECT_ROOT, Settings
from bot.engines.base import Generation, GenerationControl, GenerationRequest, OnText
from bot.i18n import Translator
from bot.knowledge import banned_names
from bot.llm.generation_queue import GenerationQueue
from bot.llm.model_folder import ModelError, check_folder
from bot.llm.phi3 import Phi3Engine
from bot.llm.synth import write_model
from bot.safety import ReplyCheck
from bot.storage.database import open_database
from bot.storage.models import Message
from bot.storage.repository import Identity

MESSAGES = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "धान में कीड़ा?"}]


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_model(tmp_path_factory.mktemp("models") / "tiny", "tiny", seed=7)


@pytest.fixture(scope="session")
def engine(tiny_model: Path) -> Phi3Engine:
    # The synthetic tokenizer is trained on a few paragraphs, so it spends more tokens than Phi-3's.
    return Phi3Engine(tiny_model, threads=1, prompt_budget=3000, reply_budget=24)


def test_loads_a_phi3_model(engine: Phi3Engine) -> None:
    assert engine.model.type == "phi3"
    assert engine.folder.context_length >= 2048
    assert {32000, 32007} <= engine.eos_ids


def test_renders_the_models_own_chat_template(engine: Phi3Engine) -> None:
    prompt = engine.render(MESSAGES)
    assert prompt.index("<|system|>") < prompt.index("<|user|>") < prompt.index("<|assistant|>")
    assert "धान में कीड़ा?" in prompt
    assert prompt.rstrip().endswith("<|assistant|>")


def test_streams_pieces_that_add_up_to_the_answer(engine: Phi3Engine) -> None:
    pieces: list[str] = []
    text, tokens, stopped = engine.run(engine.tokenizer.encode(engine.render(MESSAGES)), pieces.append)
    assert stopped is None
    assert 0 < tokens <= engine.reply_budget
    assert "".join(pieces).strip() == text
    assert not pieces or not pieces[0].startswith(" ")  # the tokenizer's leading space is stripped


def test_max_length_is_set_per_request(tiny_model: Path) -> None:
    short = Phi3Engine(tiny_model, threads=1, reply_budget=3)
    _, tokens, _ = short.run(short.tokenizer.encode(short.render(MESSAGES)))
    assert tokens <= 3


class EosAfterTwo(Phi3Engine):
    """Forces the model's end-of-turn id on the third step, through the real set_logits."""

    steps = 0

    def _next_token(self, generator: og.Generator) -> int:
        self.steps += 1
        if self.steps == 3:
            logits = np.full(generator.get_logits().shape, -1e9, dtype=np.float32)  # computes them first
            logits[..., 32007] = 1e9
            generator.set_logits(logits)
        return super()._next_token(generator)


def test_generation_stops_on_an_end_of_turn_id(tiny_model: Path) -> None:
    forced = EosAfterTwo(tiny_model, threads=1, reply_budget=50)
    pieces: list[str] = []
    _, tokens, stopped = forced.run(forced.tokenizer.encode(forced.render(MESSAGES)), pieces.append)
    assert tokens == 3 and stopped is None
    assert len(pieces) <= 2  # the end id itself is never shown


def test_a_cancelled_or_late_generation_returns_what_it_has(engine: Phi3Engine) -> None:
    control = GenerationControl()
    control.stop("cancelled")
    _, tokens, stopped = engine.run(engine.tokenizer.encode(engine.render(MESSAGES)), None, control)
    assert (tokens, stopped) == (0, "cancelled")
    late = GenerationControl(deadline=0.0)
    assert engine.run(engine.tokenizer.encode("hi"), None, late)[2] == "timeout"


def _threads() -> int:
    return len(os.listdir("/proc/self/task"))


def test_the_thread_setting_reaches_onnxruntime(tiny_model: Path) -> None:
    before = _threads()
    one = Phi3Engine(tiny_model, threads=1)
    with_one = _threads() - before
    three = Phi3Engine(tiny_model, threads=3)
    with_three = _threads() - before - with_one
    assert with_three - with_one == 2  # an intra-op pool of n threads adds n - 1 workers
    assert one.threads == 1 and three.threads == 3


# --- broken model folders ------------------------------------------------------------------------


@pytest.fixture
def copy_of(tiny_model: Path, tmp_path: Path) -> Path:
    target = tmp_path / "model"
    shutil.copytree(tiny_model, target)
    return target


def _external(folder: Path) -> Path:
    """Moves the weights into model.onnx.data, as real downloads have them."""
    model_file = (
        folder / json.loads((folder / "genai_config.json").read_text())["model"]["decoder"]["filename"]
    )
    model = onnx.load(str(model_file))
    onnx.save_model(
        model, str(model_file), save_as_external_data=True, location="model.onnx.data", size_threshold=0
    )
    return folder / "model.onnx.data"


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        ("missing folder", "does not exist"),
        ("no genai_config", "genai_config.json: missing"),
        ("truncated data", "truncated"),
        ("lfs pointer", "Git LFS pointer"),
        ("unknown config key", "different onnxruntime-genai version"),
        ("not phi", "not of the Phi family"),
    ],
)
def test_a_broken_model_folder_names_the_path_and_the_cause(copy_of: Path, damage: str, message: str) -> None:
    folder = copy_of
    config_path = folder / "genai_config.json"
    config = json.loads(config_path.read_text())
    if damage == "missing folder":
        folder = folder / "nowhere"
    elif damage == "no genai_config":
        config_path.unlink()
    elif damage == "truncated data":
        data = _external(folder)
        data.write_bytes(data.read_bytes()[: data.stat().st_size // 2])
    elif damage == "lfs pointer":
        _external(folder).write_text(
            "version https://git-lfs.github.com/spec/v1\noid sha256:abc\nsize 2722861056\n"
        )
    elif damage == "unknown config key":
        # What a genai_config.json written for a newer onnxruntime-genai looks like to this one.
        config["model"]["decoder"]["sliding_window_from_the_future"] = "x"
        config_path.write_text(json.dumps(config))
    elif damage == "not phi":
        config["model"]["type"] = "llama"
        config_path.write_text(json.dumps(config))
    with pytest.raises(ModelError) as raised:
        Phi3Engine(folder, threads=1)
    assert message in str(raised.value)
    assert str(folder) in str(raised.value) or str(config_path) in str(raised.value)


def test_model_check_command(tiny_model: Path, copy_of: Path) -> None:
    def check(folder: Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "bot", "model", "check", str(folder)],
            capture_output=True, text=True, cwd=PROJECT_ROOT, timeout=120, check=False,
        )  # fmt: skip

    good = check(tiny_model)
    assert good.returncode == 0, good.stderr
    assert (
        "type:           phi3" in good.stdout and "threads:" in good.stdout and "vocabulary:" in good.stdout
    )
    (copy_of / "genai_config.json").unlink()
    bad = check(copy_of)
    assert bad.returncode != 0
    assert "genai_config.json" in bad.stderr and "Traceback" not in bad.stderr


def test_the_folder_check_passes_a_good_model(tiny_model: Path) -> None:
    folder = check_folder(tiny_model)
    assert folder.model_type == "phi3" and folder.vocab_size > 0


# --- the advisor through the model ---------------------------------------------------------------


@pytest.fixture
def model_advisor(
    settings: Settings, analyser: Analyser, translator: Translator, engine: Phi3Engine
) -> Iterator[Advisor]:
    _, sessions = open_database(settings)
    queue = GenerationQueue(max_waiting=4, max_per_farmer=2, timeout_s=30)
    check = ReplyCheck(banned_names(settings.knowledge_dir))
    advisor = Advisor(settings, sessions, analyser, engine, translator, queue, check)
    yield advisor
    advisor.close()


def test_the_advisor_answers_through_the_model_and_keeps_the_token_counts(model_advisor: Advisor) -> None:
    pieces: list[str] = []
    reply = model_advisor.answer(Identity("cli", "meena"), "धान में तना छेदक लग गया है", on_text=pieces.append)
    assert reply.engine == "phi3"
    assert "rice-stem-borer" in reply.card_ids
    assert "".join(pieces) == reply.text
    assert Translator().text("hi", ui_text.DRAFT_LABEL) in reply.text
    with model_advisor.sessions() as session:
        answer = session.scalars(select(Message).where(Message.role == "bot")).one()
        assert answer.engine == "phi3" and answer.model and "phi3" in answer.model
        assert answer.prompt_tokens and answer.prompt_tokens > 50
        assert answer.reply_tokens and 0 < answer.reply_tokens <= 24


def test_an_answer_past_its_time_limit_is_sent_marked_as_cut_short(model_advisor: Advisor) -> None:
    assert model_advisor.queue is not None
    model_advisor.queue.timeout_s = 0.0
    reply = model_advisor.answer(Identity("cli", "meena"), "wheat rust yellow stripes")
    assert "stopped:timeout" in reply.flags
    assert Translator().text("en", ui_text.CUT_SHORT) in reply.text


class SaysBannedThings:
    """Stands in for a model that names a banned pesticide: the real tiny model cannot be made to."""

    name = "phi3"

    def generate(
        self,
        request: GenerationRequest,
        on_text: OnText | None = None,
        control: GenerationControl | None = None,
    ) -> Generation:
        text = ""
        for piece in [
            "Pick off the egg masses. ",
            "Then spray mono",
            "crotophos at 2 ml per litre. ",
            "Done.",
        ]:
            if control and control.should_stop():
                break
            text += piece
            if on_text:
                on_text(piece)
        return Generation(text, self.name, [m.card.id for m in request.matches], model="fake")


def test_a_reply_naming_a_banned_pesticide_never_reaches_the_farmer(
    settings: Settings, analyser: Analyser, translator: Translator
) -> None:
    _, sessions = open_database(settings)
    queue = GenerationQueue(timeout_s=30)
    advisor = Advisor(
        settings,
        sessions,
        analyser,
        SaysBannedThings(),
        translator,
        queue,
        ReplyCheck(banned_names(settings.knowledge_dir)),
    )  # type: ignore[arg-type]
    shown: list[str] = []
    try:
        reply = advisor.answer(Identity("cli", "ravi"), "rice stem borer dead hearts", on_text=shown.append)
    finally:
        advisor.close()
    assert "monocrotophos" not in reply.text.lower() and "monocrotophos" not in "".join(shown).lower()
    assert translator.text("en", ui_text.UNSAFE_REPLACED) in reply.text
    assert "unsafe-replaced" in reply.flags
    with sessions() as session:
        stored: Any = session.scalars(select(Message).where(Message.role == "bot")).one()
        assert "unsafe-replaced" in stored.flags


# --- the model in its own process ----------------------------------------------------------------


def test_the_app_runs_the_model_in_a_worker_process_and_answers_through_it(
    tiny_model: Path, data_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = Settings(
        data_dir=data_dir, knowledge_dir=PROJECT_ROOT / "knowledge", model_dir=tiny_model,
        model_threads=1, prompt_token_budget=3000, reply_token_budget=16,
    )  # fmt: skip
    with caplog.at_level("INFO"):
        advisor = Advisor.build(settings)
    try:
        assert "engine: phi3" in caplog.text
        process = getattr(advisor.engine, "_process", None)
        assert process is not None and process.pid != os.getpid() and process.is_alive()
        pieces: list[str] = []
        reply = advisor.answer(Identity("cli", "asha"), "rice stem borer dead hearts", on_text=pieces.append)
        assert reply.engine == "phi3" and "".join(pieces) == reply.text
        assert "rice-stem-borer" in reply.card_ids
        control = GenerationControl()
        control.stop("cancelled")
        request = GenerationRequest("hello", "en", advisor.analyser.router.route("hello", "en"), [])
        stopped = advisor.engine.generate(request, None, control)
        assert "stopped:cancelled" in stopped.flags
    finally:
        advisor.close()
    assert not process.is_alive()


def test_a_broken_model_falls_back_to_the_cards_engine_and_says_why(
    copy_of: Path, data_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (copy_of / "genai_config.json").unlink()
    settings = Settings(data_dir=data_dir, knowledge_dir=PROJECT_ROOT / "knowledge", model_dir=copy_of)
    with caplog.at_level("INFO"):
        advisor = Advisor.build(settings)
    assert advisor.engine.name == "cards"
    assert "engine: cards, because the model cannot be used" in caplog.text
    assert "genai_config.json" in caplog.text
    assert advisor.answer(Identity("cli", "asha"), "rice stem borer").engine == "cards"

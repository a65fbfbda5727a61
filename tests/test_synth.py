"""The synthetic model writer: what it writes must load, tokenize and generate in onnxruntime-genai."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import onnx
import onnxruntime_genai as og
import pytest
from tokenizers import Tokenizer

from bot.llm import synth

SCRIPTS = {
    "hindi": "गेहूं की फसल में पहली सिंचाई कब करें?",
    "telugu": "పత్తి పంటపై పేనుబంక దాడి చేస్తే ఏమి చేయాలి?",
    "urdu": "کپاس کی فصل پر تیلے کا حملہ ہو تو کیا کریں؟",
    "swahili": "Mahindi yangu yana wadudu; nifanye nini?",
    "emoji": "🌾🐛 ok? 👍🏽",
    "tamil": "நெல் வயலில் பூச்சித் தாக்குதல்",
    "unseen script": "Κρεμμύδια и картофель 土豆",
    "whitespace": "two  spaces\nnew line\ttab",
}


@pytest.fixture(scope="module")
def tiny_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return synth.write_model(tmp_path_factory.mktemp("tiny"), "tiny")


@pytest.fixture(scope="module")
def model(tiny_dir: Path) -> og.Model:
    return og.Model(og.Config(str(tiny_dir)))


@pytest.fixture(scope="module")
def tokenizer(model: og.Model) -> og.Tokenizer:
    return og.Tokenizer(model)


def _generate(model: og.Model, prompt: list[int], new_tokens: int) -> list[int]:
    params = og.GeneratorParams(model)
    params.set_search_options(max_length=len(prompt) + new_tokens)
    generator = og.Generator(model, params)
    generator.append_tokens(prompt)
    while not generator.is_done():
        generator.generate_next_token()
    return [int(t) for t in generator.get_sequence(0)][len(prompt) :]


def test_tiny_folder_is_complete_and_small(tiny_dir: Path) -> None:
    names = {p.name for p in tiny_dir.iterdir()}
    assert names == {
        "genai_config.json",
        "model.onnx",
        "tokenizer.json",
        "tokenizer_config.json",
        "special_tokens_map.json",
        "added_tokens.json",
    }
    assert sum(p.stat().st_size for p in tiny_dir.iterdir()) < 10_000_000


def test_tiny_graph_has_the_builders_operators(tiny_dir: Path) -> None:
    graph = onnx.load(str(tiny_dir / "model.onnx")).graph
    ops = {n.op_type for n in graph.node}
    assert {"MatMulNBits", "GroupQueryAttention", "SkipSimplifiedLayerNormalization"} <= ops
    assert {"SimplifiedLayerNormalization", "Gather", "Sigmoid"} <= ops
    assert [i.name for i in graph.input][:4] == [
        "input_ids",
        "attention_mask",
        "past_key_values.0.key",
        "past_key_values.0.value",
    ]
    assert [o.name for o in graph.output][:2] == ["logits", "present.0.key"]
    gqa = next(n for n in graph.node if n.op_type == "GroupQueryAttention")
    assert {a.name: a.i for a in gqa.attribute}["do_rotary"] == 1


def test_tiny_loads_as_phi3(model: og.Model) -> None:
    assert model.type == "phi3"


@pytest.mark.parametrize("text", SCRIPTS.values(), ids=SCRIPTS.keys())
def test_tokenizer_round_trips_every_script(tiny_dir: Path, tokenizer: og.Tokenizer, text: str) -> None:
    ids = [int(i) for i in tokenizer.encode(text)]
    assert 0 not in ids  # byte fallback: nothing becomes <unk>
    # As with Phi-3's own tokenizer, og keeps the word-start space of the first piece.
    assert tokenizer.decode(ids) == " " + text
    hf = Tokenizer.from_file(str(tiny_dir / "tokenizer.json"))
    assert hf.encode(text).ids == ids  # the trained merges respect og's pre-token split
    assert hf.decode(ids) == text


def test_special_tokens_sit_at_phi3_ids(tiny_dir: Path, tokenizer: og.Tokenizer) -> None:
    hf = Tokenizer.from_file(str(tiny_dir / "tokenizer.json"))
    expected = {"<unk>": 0, "<s>": 1, "</s>": 2, "<|endoftext|>": 32000, "<|assistant|>": 32001}
    expected |= {"<|system|>": 32006, "<|end|>": 32007, "<|user|>": 32010}
    assert {text: hf.token_to_id(text) for text in expected} == expected
    assert hf.get_vocab_size() == 32064
    assert hf.id_to_token(32063) is not None
    assert [int(i) for i in tokenizer.eos_token_ids] == [32000, 32001, 32007]
    added = json.loads((tiny_dir / "tokenizer.json").read_text(encoding="utf-8"))["added_tokens"]
    assert not [t for t in added if t["content"].startswith("<0x")]  # byte pieces are not special


def test_chat_template_renders_phi3_turns(tokenizer: og.Tokenizer) -> None:
    messages = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "पानी कब दें?"}]
    prompt = tokenizer.apply_chat_template(json.dumps(messages), add_generation_prompt=True)
    assert prompt == "<|system|>\nBe brief.<|end|>\n<|user|>\nपानी कब दें?<|end|>\n<|assistant|>\n"
    ids = [int(i) for i in tokenizer.encode(prompt)]
    assert ids[0] == 32006 and ids[-1] == 32001 and ids.count(32007) == 2


def test_generation_runs_to_max_length(model: og.Model, tokenizer: og.Tokenizer) -> None:
    prompt = [int(i) for i in tokenizer.encode(SCRIPTS["hindi"])]
    reply = _generate(model, prompt, 20)
    assert len(reply) == 20
    # Special ids have zero lm_head rows, so greedy decoding never ends early on an eos id.
    assert all(3 <= t < 32000 for t in reply)
    stream = tokenizer.create_stream()
    text = "".join(stream.decode(t) for t in reply)
    assert text.strip() and "\ufffd" not in text


def test_greedy_generation_is_deterministic(model: og.Model, tokenizer: og.Tokenizer) -> None:
    prompt = [int(i) for i in tokenizer.encode(SCRIPTS["swahili"])]
    assert _generate(model, prompt, 12) == _generate(model, prompt, 12)


def test_same_seed_same_model(tiny_dir: Path, tmp_path: Path) -> None:
    again = synth.write_model(tmp_path / "again", "tiny", seed=0)
    other = synth.write_model(tmp_path / "other", "tiny", seed=1)
    original = (tiny_dir / "model.onnx").read_bytes()
    assert (again / "model.onnx").read_bytes() == original
    assert (other / "model.onnx").read_bytes() != original


def test_long_rope_switches_to_the_long_caches(tmp_path: Path) -> None:
    # A tiny Phi-4-style model whose short rotary cache covers 64 positions: GroupQueryAttention
    # rejects a cache shorter than the sequence, so reaching 200 tokens proves the If picked the long one.
    shape = dataclasses.replace(
        synth.PRESETS["tiny"], name="tiny-long", context_length=256, original_context_length=64
    )
    folder = synth.write_model(tmp_path / "long", shape)
    assert "If" in {n.op_type for n in onnx.load(str(folder / "model.onnx")).graph.node}
    model = og.Model(og.Config(str(folder)))
    prompt = [int(i) for i in og.Tokenizer(model).encode(SCRIPTS["telugu"])]
    assert len(_generate(model, prompt, 200 - len(prompt))) == 200 - len(prompt)


def test_phi3_mini_preset_matches_microsofts_build() -> None:
    described = synth.describe("phi3-mini-4k")
    shape = described.shape
    assert (shape.hidden_size, shape.num_layers, shape.num_heads, shape.num_kv_heads) == (3072, 32, 32, 32)
    assert (shape.head_size, shape.intermediate_size, shape.vocab_size) == (96, 8192, 32064)
    assert described.data_file_bytes == 2_722_861_056  # byte for byte the size of Microsoft's file
    assert shape.kv_bytes_per_token == 786_432
    model = described.genai_config["model"]
    assert model["type"] == "phi3" and model["context_length"] == 4096
    assert (model["bos_token_id"], model["pad_token_id"], model["eos_token_id"]) == (
        1,
        32000,
        [32000, 32001, 32007],
    )
    decoder = model["decoder"]
    assert (decoder["num_attention_heads"], decoder["num_key_value_heads"], decoder["head_size"]) == (
        32,
        32,
        96,
    )
    assert decoder["session_options"]["provider_options"] == []
    search = described.genai_config["search"]
    assert (search["max_length"], search["do_sample"], search["top_k"]) == (4096, False, 1)


def test_phi4_mini_preset_shape_and_config() -> None:
    described = synth.describe("phi4-mini")
    shape = described.shape
    assert (shape.num_heads, shape.num_kv_heads, shape.head_size, shape.rotary_dim) == (24, 8, 128, 96)
    assert (shape.vocab_size, shape.context_length, shape.original_context_length) == (200064, 131072, 4096)
    assert 4.8e9 < described.data_file_bytes < 5.0e9  # Microsoft's cpu-int4 build is about 4.9 GB
    model = described.genai_config["model"]
    assert (model["bos_token_id"], model["eos_token_id"], model["context_length"]) == (
        199999,
        [200020, 199999],
        131072,
    )


def test_phi4_mini_tokenizer_and_template(tmp_path: Path) -> None:
    shape = synth.PRESETS["phi4-mini"]
    for name, content in synth.tokenizer_files(shape).items():
        (tmp_path / name).write_text(json.dumps(content, ensure_ascii=False), encoding="utf-8")
    (tmp_path / "genai_config.json").write_text(json.dumps(synth.genai_config(shape)), encoding="utf-8")
    tokenizer = og.Tokenizer(str(tmp_path))
    messages = [{"role": "system", "content": "S"}, {"role": "user", "content": "Q"}]
    prompt = tokenizer.apply_chat_template(json.dumps(messages), add_generation_prompt=True)
    assert prompt == "<|system|>S<|end|><|user|>Q<|end|><|assistant|>"
    ids = [int(i) for i in tokenizer.encode(prompt)]
    assert ids[0] == 200022 and ids[-1] == 200019 and ids.count(200020) == 2
    assert Tokenizer.from_file(str(tmp_path / "tokenizer.json")).get_vocab_size() == 200064


def test_bad_presets_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown preset"):
        synth.describe("phi5")
    with pytest.raises(ValueError, match="head_size"):
        synth.describe(dataclasses.replace(synth.PRESETS["tiny"], head_size=8, hidden_size=16))

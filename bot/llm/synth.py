"""Random-weight Phi models in ONNX Runtime GenAI format, written offline with numpy, onnx and tokenizers.

Model hubs are unreachable from this project's machines, yet its onnxruntime-genai loading and
generation code must be tested and benchmarked. `write_model(out, "tiny")` writes a folder that
`og.Model` loads in milliseconds (test fixtures); the full-size presets have the tensor shapes, names of
inputs and outputs, and file layout of Microsoft's CPU int4 builds, so load time, memory and token speed
are those of the real model (only the answers are nonsense).

The graph is the one onnxruntime-genai's model builder emits for Phi-3 on CPU with int4 RTN weights
(block 32, accuracy level 4): attention_mask → seqlens_k / total_sequence_length; Gather embedding
(fp32); per layer SimplifiedLayerNormalization or SkipSimplifiedLayerNormalization, packed-QKV
MatMulNBits, GroupQueryAttention with rotary (cos/sin caches), MatMulNBits o_proj,
SkipSimplifiedLayerNormalization, gate/up MatMulNBits, SiLU as Sigmoid·Mul, Mul, down MatMulNBits; a
final SkipSimplifiedLayerNormalization and an int4 lm_head producing `logits`. Weights are symmetric
int4 with one fp32 scale per 32 values, giving a weight standard deviation near 0.02.

Large models are written tensor by tensor, in chunks, straight into `model.onnx.data` (every tensor over
1 KiB goes there, as onnx's own writer does), so memory stays small; the phi3-mini-4k data file has the
byte size of Microsoft's, 2,722,861,056 bytes.

Known differences from the real models:
- The tokenizer is a small Llama-style BPE (byte fallback, so any text encodes) trained on `CORPUS`,
  with the family's special tokens at their real ids. It spends far more tokens than the real one on
  most text: count prompt tokens with the real tokenizer (shared/data/phi3-tokenizer) instead. The
  gap between the trained pieces and the first special id is filled with unreachable `<unusedN>`
  pieces, so every id below `vocab_size` exists.
- phi4-mini's real tokenizer is byte-level BPE (o200k); this one keeps the Llama style, with Phi-4's
  special tokens and chat template at Phi-4's ids.
- phi4-mini's LongRoPE short/long factors are synthetic (ones; a geometric ramp to 32), though the
  mechanism (two cos/sin caches chosen by an If on the sequence length) is the builder's.
- The lm_head rows of special, byte-fallback and `<unusedN>` ids are zero, so those logits are about 0
  while trained pieces score about ±1 (full size) or ±0.1 (tiny): greedy decoding emits only trained
  pieces, so its text is always valid UTF-8, and it never emits an eos id, running to max_length.
  Sampling can emit any id.
"""

from __future__ import annotations

import functools
import itertools
import json
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt
import onnx
import regex
from onnx import TensorProto, helper, numpy_helper
from tokenizers import Tokenizer, models, trainers

# --- tokens and chat templates -----------------------------------------------------------------

PHI3_CHAT_TEMPLATE = (
    "{% for message in messages %}"
    "{% if message['role'] == 'system' %}{{'<|system|>\n' + message['content'] + '<|end|>\n'}}"
    "{% elif message['role'] == 'user' %}{{'<|user|>\n' + message['content'] + '<|end|>\n'}}"
    "{% elif message['role'] == 'assistant' %}{{'<|assistant|>\n' + message['content'] + '<|end|>\n'}}"
    "{% endif %}{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|assistant|>\n' }}{% else %}{{ eos_token }}{% endif %}"
)

PHI4_CHAT_TEMPLATE = (
    "{% for message in messages %}"
    "{% if message['role'] == 'system' and 'tools' in message and message['tools'] is not none %}"
    "{{ '<|' + message['role'] + '|>' + message['content'] + '<|tool|>' + message['tools'] + '<|/tool|>'"
    " + '<|end|>' }}"
    "{% else %}{{ '<|' + message['role'] + '|>' + message['content'] + '<|end|>' }}{% endif %}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|assistant|>' }}{% else %}{{ eos_token }}{% endif %}"
)


@dataclass(frozen=True)
class ChatTokens:
    """A family's special tokens: (id, text, rstrip) from `first_id` up; other ids there are placeholders."""

    family: str
    named: tuple[tuple[int, str, bool], ...]
    first_id: int
    bos: str
    eos: str
    pad: str
    eos_ids: tuple[int, ...]
    chat_template: str

    def id_of(self, text: str) -> int:
        return next(i for i, t, _ in self.named if t == text)


def _phi3_named() -> tuple[tuple[int, str, bool], ...]:
    """Phi-3-mini's added tokens 32000-32010. All but <|endoftext|> swallow the whitespace after them
    (rstrip), so the template's newlines cost no tokens."""
    texts = ["<|endoftext|>", "<|assistant|>", *(f"<|placeholder{n}|>" for n in range(1, 5))]
    texts += ["<|system|>", "<|end|>", "<|placeholder5|>", "<|placeholder6|>", "<|user|>"]
    return tuple((32000 + i, text, i > 0) for i, text in enumerate(texts))


PHI3_TOKENS = ChatTokens(
    family="phi3",
    named=_phi3_named(),
    first_id=32000,
    bos="<s>",
    eos="<|endoftext|>",
    pad="<|endoftext|>",
    eos_ids=(32000, 32001, 32007),
    chat_template=PHI3_CHAT_TEMPLATE,
)

# Phi-4-mini-instruct's ids (o200k's <|endoftext|> and <|endofprompt|>, then its chat and tool tokens):
# <|endoftext|> is bos, eos and pad; <|end|> closes every turn.
PHI4_TOKENS = ChatTokens(
    family="phi4",
    named=(
        (199999, "<|endoftext|>", False),
        (200018, "<|endofprompt|>", False),
        (200019, "<|assistant|>", False),
        (200020, "<|end|>", False),
        (200021, "<|user|>", False),
        (200022, "<|system|>", False),
        (200023, "<|tool|>", False),
        (200024, "<|/tool|>", False),
        (200025, "<|tool_call|>", False),
        (200026, "<|/tool_call|>", False),
        (200027, "<|tool_response|>", False),
        (200028, "<|tag|>", False),
    ),
    first_id=199999,
    bos="<|endoftext|>",
    eos="<|endoftext|>",
    pad="<|endoftext|>",
    eos_ids=(200020, 199999),
    chat_template=PHI4_CHAT_TEMPLATE,
)

# --- model shapes ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ModelShape:
    """The numbers that fix a model's tensors; `original_context_length` < `context_length` means LongRoPE."""

    name: str
    model_type: str
    hidden_size: int
    num_layers: int
    num_heads: int
    num_kv_heads: int
    head_size: int
    intermediate_size: int
    vocab_size: int
    context_length: int
    original_context_length: int
    rotary_dim: int
    tokens: ChatTokens
    rope_theta: float = 10000.0
    rms_norm_eps: float = 1e-5

    @property
    def qkv_size(self) -> int:
        return (self.num_heads + 2 * self.num_kv_heads) * self.head_size

    @property
    def long_rope(self) -> bool:
        return self.original_context_length < self.context_length

    @property
    def kv_bytes_per_token(self) -> int:
        """fp32 KV cache per token of max_length (og preallocates max_length tokens per sequence)."""
        return self.num_layers * self.num_kv_heads * self.head_size * 2 * 4


PRESETS: dict[str, ModelShape] = {
    s.name: s
    for s in (
        # Phi-3's tokenizer and vocabulary; everything else as small as GroupQueryAttention allows
        # (rotary needs head_size % 16 == 0): about 5 MB, mostly the 32064 x 32 fp32 embedding.
        ModelShape("tiny", "phi3", 32, 2, 2, 1, 16, 64, 32064, 4096, 4096, 16, PHI3_TOKENS),
        ModelShape("phi3-mini-4k", "phi3", 3072, 32, 32, 32, 96, 8192, 32064, 4096, 4096, 96, PHI3_TOKENS),
        # Partial rotary (0.75 of 128) and LongRoPE from 4096 to 131072 positions, as Phi-4-mini.
        ModelShape("phi4-mini", "phi3", 3072, 32, 24, 8, 128, 8192, 200064, 131072, 4096, 96, PHI4_TOKENS),
    )
}


def shape_of(preset: str | ModelShape) -> ModelShape:
    """A preset by name (or a shape of one's own, checked), else ValueError saying what is wrong."""
    if isinstance(preset, str):
        if preset not in PRESETS:
            raise ValueError(f"unknown preset {preset!r}; known: {', '.join(PRESETS)}")
        preset = PRESETS[preset]
    problems = _shape_problems(preset)
    if problems:
        raise ValueError(f"model shape {preset.name!r}: {'; '.join(problems)}")
    return preset


def _shape_problems(shape: ModelShape) -> list[str]:
    """The limits of MatMulNBits (32-value blocks) and of GroupQueryAttention's rotary on CPU."""
    checks = [
        (shape.hidden_size % 32 == 0 and shape.intermediate_size % 32 == 0, "sizes must be multiples of 32"),
        ((shape.num_heads * shape.head_size) % 32 == 0, "num_heads * head_size must be a multiple of 32"),
        (shape.num_heads % shape.num_kv_heads == 0, "num_heads must be a multiple of num_kv_heads"),
        (shape.head_size % 16 == 0, "head_size must be a multiple of 16 (rotary)"),
        (
            shape.rotary_dim <= shape.head_size and shape.rotary_dim % 16 == 0,
            "rotary_dim: 16, 32, ... head_size",
        ),
        (shape.original_context_length <= shape.context_length, "original_context_length > context_length"),
        (
            len(_piece_list())
            <= shape.tokens.first_id
            < max(i for i, _, _ in shape.tokens.named)
            < shape.vocab_size,
            f"vocab_size must exceed the {shape.tokens.family} special ids",
        ),
    ]
    return [message for ok, message in checks if not ok]


# --- genai_config.json -------------------------------------------------------------------------


def genai_config(shape: ModelShape) -> dict[str, Any]:
    """genai_config.json as the builder writes it for CPU (no provider options; greedy by default)."""
    tokens = shape.tokens
    decoder = {
        "session_options": {"log_id": "onnxruntime-genai", "provider_options": []},
        "filename": "model.onnx",
        "head_size": shape.head_size,
        "hidden_size": shape.hidden_size,
        "inputs": {
            "input_ids": "input_ids",
            "attention_mask": "attention_mask",
            "past_key_names": "past_key_values.%d.key",
            "past_value_names": "past_key_values.%d.value",
        },
        "outputs": {
            "logits": "logits",
            "present_key_names": "present.%d.key",
            "present_value_names": "present.%d.value",
        },
        "num_attention_heads": shape.num_heads,
        "num_hidden_layers": shape.num_layers,
        "num_key_value_heads": shape.num_kv_heads,
    }
    model = {
        "bos_token_id": _token_id(tokens, tokens.bos),
        "context_length": shape.context_length,
        "decoder": decoder,
        "eos_token_id": list(tokens.eos_ids),
        "pad_token_id": _token_id(tokens, tokens.pad),
        "type": shape.model_type,
        "vocab_size": shape.vocab_size,
    }
    return {"model": model, "search": _search_defaults(shape.context_length)}


def _search_defaults(context_length: int) -> dict[str, Any]:
    return {
        "diversity_penalty": 0.0,
        "do_sample": False,
        "early_stopping": True,
        "length_penalty": 1.0,
        "max_length": context_length,
        "min_length": 0,
        "no_repeat_ngram_size": 0,
        "num_beams": 1,
        "num_return_sequences": 1,
        "past_present_share_buffer": True,  # GroupQueryAttention updates the KV cache in place
        "repetition_penalty": 1.0,
        "temperature": 1.0,
        "top_k": 1,
        "top_p": 1.0,
    }


def _token_id(tokens: ChatTokens, text: str) -> int:
    return _BASE_PIECES.index(text) if text in _BASE_PIECES else tokens.id_of(text)


# --- describe ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Description:
    """What `write_model` would write for a preset, computed without generating any weights."""

    shape: ModelShape
    genai_config: dict[str, Any]
    parameters: int  # values in all tensors (an int4 value counts as one)
    weight_bytes: int  # bytes of all tensors
    data_file_bytes: int  # size of model.onnx.data; 0 when the weights stay inside model.onnx


def describe(preset: str | ModelShape) -> Description:
    """`describe("phi3-mini-4k").data_file_bytes` → 2722861056, without writing anything."""
    shape = shape_of(preset)
    counter = _CountingSink()
    _build_model(shape, counter, np.random.default_rng(0), live_tokens=range(0))
    external = counter.external_bytes if counter.total_bytes > _EXTERNAL_OVER else 0
    return Description(shape, genai_config(shape), counter.parameters, counter.total_bytes, external)


# --- writing -----------------------------------------------------------------------------------

_MODEL_FILE = "model.onnx"
_DATA_FILE = "model.onnx.data"
_INLINE_BYTES = 1024  # tensors this small stay in model.onnx, as onnx's own external-data writer does
_EXTERNAL_OVER = 64 * 2**20  # weights beyond this go to model.onnx.data (protobuf caps a file at 2 GiB)


def write_model(out_dir: Path, preset: str | ModelShape = "tiny", seed: int = 0) -> Path:
    """Writes genai_config.json, model.onnx (+ model.onnx.data when large), tokenizer.json,
    tokenizer_config.json (with the Phi chat template), special_tokens_map.json, added_tokens.json;
    returns out_dir. `preset` names one of PRESETS or is a ModelShape; the same seed gives the same
    files."""
    shape = shape_of(preset)
    out_dir.mkdir(parents=True, exist_ok=True)
    # Removed first and written last: a folder whose writing was interrupted fails to load.
    (out_dir / "genai_config.json").unlink(missing_ok=True)
    for name, content in tokenizer_files(shape).items():
        (out_dir / name).write_text(json.dumps(content, ensure_ascii=False, indent=2), encoding="utf-8")
    _write_onnx(out_dir, shape, seed)
    config = json.dumps(genai_config(shape), indent=4)
    (out_dir / "genai_config.json").write_text(config + "\n", encoding="utf-8")
    return out_dir


def _write_onnx(out_dir: Path, shape: ModelShape, seed: int) -> None:
    rng = np.random.default_rng(seed)
    # Only trained pieces get random lm_head rows: greedy output is then always printable text.
    live = range(len(_BASE_PIECES), len(_piece_list()))
    data_path = out_dir / _DATA_FILE
    data_path.unlink(missing_ok=True)  # never leave a stale data file from an earlier, larger model
    counter = _CountingSink()
    _build_model(shape, counter, rng, live)
    if counter.total_bytes <= _EXTERNAL_OVER:
        model = _build_model(shape, _InlineSink(), rng, live)
    else:
        with _ExternalSink(data_path) as sink:
            model = _build_model(shape, sink, rng, live)
    onnx.save_model(model, str(out_dir / _MODEL_FILE))


# --- tensor sinks: where initializer bytes go --------------------------------------------------

Chunks = Callable[[], Iterator[npt.NDArray[Any]]]


class _Sink(Protocol):
    def put(self, name: str, dtype: np.dtype[Any], dims: tuple[int, ...], chunks: Chunks) -> TensorProto:
        """An initializer whose values `chunks()` yields, split along the first dimension."""
        ...


def _empty_tensor(name: str, dtype: np.dtype[Any], dims: tuple[int, ...]) -> TensorProto:
    """A tensor's name, type and shape; its values are filled in, or pointed at, by the sink."""
    tensor = TensorProto()
    tensor.name = name
    tensor.data_type = helper.np_dtype_to_tensor_dtype(dtype)
    tensor.dims.extend(dims)
    return tensor


class _InlineSink:
    """Keeps values inside model.onnx: small models only."""

    def put(self, name: str, dtype: np.dtype[Any], dims: tuple[int, ...], chunks: Chunks) -> TensorProto:
        parts = list(chunks())
        array = parts[0] if len(parts) == 1 else np.concatenate(parts)
        return numpy_helper.from_array(np.asarray(array, dtype=dtype).reshape(dims), name)


class _ExternalSink:
    """Streams values into model.onnx.data chunk by chunk, so no large tensor is ever whole in memory."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._handle = path.open("wb")
        self._offset = 0

    def __enter__(self) -> _ExternalSink:
        return self

    def __exit__(self, *exc: object) -> None:
        self._handle.close()

    def put(self, name: str, dtype: np.dtype[Any], dims: tuple[int, ...], chunks: Chunks) -> TensorProto:
        nbytes = dtype.itemsize * math.prod(dims)
        if nbytes <= _INLINE_BYTES:
            return _InlineSink().put(name, dtype, dims, chunks)
        start = self._offset
        for chunk in chunks():
            np.ascontiguousarray(chunk, dtype=dtype).tofile(self._handle)
            self._offset += chunk.nbytes
        if self._offset - start != nbytes:
            raise AssertionError(f"{name}: wrote {self._offset - start} bytes, expected {nbytes}")
        tensor = _empty_tensor(name, dtype, dims)
        tensor.data_location = TensorProto.EXTERNAL
        for key, value in (("location", self._path.name), ("offset", str(start)), ("length", str(nbytes))):
            entry = tensor.external_data.add()
            entry.key, entry.value = key, value
        return tensor


class _CountingSink:
    """Adds up sizes without generating values: for describe() and to choose inline or external."""

    def __init__(self) -> None:
        self.parameters = 0
        self.total_bytes = 0
        self.external_bytes = 0

    def put(self, name: str, dtype: np.dtype[Any], dims: tuple[int, ...], chunks: Chunks) -> TensorProto:
        count = math.prod(dims)
        nbytes = dtype.itemsize * count
        self.parameters += count * 2 if name.endswith(_INT4_SUFFIX) else count
        self.total_bytes += nbytes
        self.external_bytes += nbytes if nbytes > _INLINE_BYTES else 0
        return _empty_tensor(name, dtype, dims)


# --- random values -----------------------------------------------------------------------------

_BLOCK = 32  # int4 values per fp32 scale
_INT4_SUFFIX = ".weight_Q4G32"
_WEIGHT_STD = 0.02
# Symmetric MatMulNBits dequantises (q - 8) * scale. Uniform nibbles would average -0.5, a bias shared by
# every weight that 32 layers amplify until all logits share one sign; nibble 0 is therefore moved to 8,
# making values -7..7 symmetric (0 twice as likely), with variance 2 * (1² + ... + 7²) / 16 = 17.5.
_INT4_SCALE = _WEIGHT_STD / math.sqrt(17.5)
_ZERO_INT4_BYTE = 0x88  # two nibbles of 8: weight 0
# Random byte -> the same byte with each 0 nibble made 8: one table lookup instead of two masked passes.
_SYMMETRIC_BYTE = np.array([((b >> 4 or 8) << 4) | (b & 0x0F or 8) for b in range(256)], dtype=np.uint8)
_CHUNK_BYTES = 32 * 2**20


def _row_ranges(rows: int, row_bytes: int) -> Iterator[tuple[int, int]]:
    step = max(1, _CHUNK_BYTES // max(row_bytes, 1))
    for start in range(0, rows, step):
        yield start, min(rows, start + step)


def _normal_rows(rng: np.random.Generator, rows: int, width: int) -> Chunks:
    def chunks() -> Iterator[npt.NDArray[np.float32]]:
        for start, stop in _row_ranges(rows, width * 4):
            values = rng.standard_normal((stop - start, width), dtype=np.float32)
            values *= _WEIGHT_STD
            yield values

    return chunks


def _int4_rows(rng: np.random.Generator, n: int, k: int, dead: npt.NDArray[np.bool_] | None) -> Chunks:
    """MatMulNBits weight [N, K/32, 16]: random nibbles; rows marked dead are zero."""
    blocks = k // _BLOCK

    def chunks() -> Iterator[npt.NDArray[np.uint8]]:
        for start, stop in _row_ranges(n, blocks * _BLOCK // 2):
            size = (stop - start) * blocks * _BLOCK // 2
            raw = np.frombuffer(rng.bytes(size), dtype=np.uint8)
            values = _SYMMETRIC_BYTE[raw].reshape(stop - start, blocks, _BLOCK // 2)
            if dead is not None:
                values[dead[start:stop]] = _ZERO_INT4_BYTE
            yield values

    return chunks


def _filled(count: int, value: float) -> Chunks:
    def chunks() -> Iterator[npt.NDArray[np.float32]]:
        for start, stop in _row_ranges(count, 4):
            yield np.full(stop - start, value, dtype=np.float32)

    return chunks


def _array(value: npt.NDArray[Any]) -> Chunks:
    return lambda: iter([value])


def _rotary_chunks(shape: ModelShape, length: int, long: bool, sine: bool) -> Chunks:
    return lambda: iter([_rotary_cache(shape, length, long, sine)])


def _rotary_cache(shape: ModelShape, length: int, long: bool, sine: bool) -> npt.NDArray[np.float32]:
    """cos or sin of position x frequency, [length, rotary_dim / 2], as GroupQueryAttention reads it."""
    exponents = np.arange(0, shape.rotary_dim, 2, dtype=np.float64) / shape.rotary_dim
    factors = np.ones(shape.rotary_dim // 2)
    scale = 1.0
    if shape.long_rope:
        ratio = shape.context_length / shape.original_context_length
        # LongRoPE stretches low frequencies more; both caches share the builder's "su" magnitude scale.
        factors = ratio ** np.linspace(0.0, 1.0, shape.rotary_dim // 2) if long else factors
        scale = math.sqrt(1 + math.log(ratio) / math.log(shape.original_context_length))
    inv_freq = 1.0 / (factors * shape.rope_theta**exponents)
    angles = np.outer(np.arange(length, dtype=np.float64), inv_freq)
    return ((np.sin(angles) if sine else np.cos(angles)) * scale).astype(np.float32)


# --- the graph ---------------------------------------------------------------------------------

_MS = "com.microsoft"
_F32 = np.dtype(np.float32)
_U8 = np.dtype(np.uint8)


class _Graph:
    """Collects nodes and initializers; every initializer passes through the sink as it is declared."""

    def __init__(self, shape: ModelShape, sink: _Sink, rng: np.random.Generator, live_tokens: range) -> None:
        self.shape = shape
        self.sink = sink
        self.rng = rng
        self.live_tokens = live_tokens  # ids whose lm_head rows are random; the others stay zero
        self.nodes: list[onnx.NodeProto] = []
        self.initializers: list[TensorProto] = []

    def weight(self, name: str, dtype: np.dtype[Any], dims: tuple[int, ...], chunks: Chunks) -> str:
        self.initializers.append(self.sink.put(name, dtype, dims, chunks))
        return name

    def const(self, name: str, value: npt.NDArray[Any]) -> str:
        return self.weight(name, value.dtype, value.shape, _array(value))

    def node(
        self,
        op: str,
        inputs: list[str],
        name: str,
        outputs: int | list[str] = 1,
        domain: str = "",
        attrs: dict[str, Any] | None = None,
        **more_attrs: Any,
    ) -> list[str]:
        """Adds a node; returns its output names (`name/output_i` unless given)."""
        names = [f"{name}/output_{i}" for i in range(outputs)] if isinstance(outputs, int) else outputs
        all_attrs = {**(attrs or {}), **more_attrs}
        self.nodes.append(helper.make_node(op, inputs, names, name=name, domain=domain, **all_attrs))
        return names

    def matmul4(self, name: str, x: str, n: int, k: int, output: str | None = None) -> str:
        dead = None
        if output == "logits":
            dead = np.ones(n, dtype=bool)
            dead[self.live_tokens] = False
        weight = self.weight(
            f"{name}{_INT4_SUFFIX}", _U8, (n, k // _BLOCK, _BLOCK // 2), _int4_rows(self.rng, n, k, dead)
        )
        scales = self.weight(
            f"{name}.weight_scale", _F32, (n * k // _BLOCK,), _filled(n * k // _BLOCK, _INT4_SCALE)
        )
        outputs: int | list[str] = [output] if output else 1
        node_name = f"/{name}/MatMulNBits"
        # accuracy_level 4: int8 activations, as Microsoft's CPU int4 builds (rtn, block 32, acc-level-4).
        attrs = {"K": k, "N": n, "bits": 4, "block_size": _BLOCK, "accuracy_level": 4}
        return self.node("MatMulNBits", [x, weight, scales], node_name, outputs, _MS, attrs)[0]


def _build_model(
    shape: ModelShape, sink: _Sink, rng: np.random.Generator, live_tokens: range
) -> onnx.ModelProto:
    g = _Graph(shape, sink, rng, live_tokens)
    seqlens_k, total_len, total_len_i64 = _mask_subgraph(g)
    cos, sin = _rotary_subgraph(g, total_len_i64)
    embedded = g.weight(
        "model.embed_tokens.weight",
        _F32,
        (shape.vocab_size, shape.hidden_size),
        _normal_rows(rng, shape.vocab_size, shape.hidden_size),
    )
    hidden = g.node("Gather", [embedded, "input_ids"], "/model/embed_tokens/Gather")[0]
    residual = hidden
    attention = _AttentionInputs(seqlens_k, total_len, cos, sin)
    for layer in range(shape.num_layers):
        hidden, residual = _decoder_layer(g, layer, hidden, residual, attention)
    normed = _skip_norm(g, "model.norm", hidden, residual, last=True)[0]
    g.matmul4("lm_head", normed, shape.vocab_size, shape.hidden_size, output="logits")
    return _finish(g)


@dataclass(frozen=True)
class _AttentionInputs:
    seqlens_k: str
    total_len: str
    cos: str
    sin: str


def _mask_subgraph(g: _Graph) -> tuple[str, str, str]:
    """seqlens_k = sum(mask) - 1 per row (int32) and total_sequence_length = mask width (int32)."""
    base = "/model/attn_mask_reformat/attn_mask_subgraph"
    one = g.const("/model/constants/INT64/[1]", np.array([1], dtype=np.int64))
    summed = g.node("ReduceSum", ["attention_mask", one], f"{base}/ReduceSum", keepdims=0)[0]
    less_one = g.node("Sub", [summed, one], f"{base}/Sub")[0]
    seqlens_k = g.node("Cast", [less_one], f"{base}/Sub/Cast", to=TensorProto.INT32)[0]
    dims = g.node("Shape", ["attention_mask"], f"{base}/Shape")[0]
    index = g.const("/model/constants/INT64/1", np.array(1, dtype=np.int64))
    width = g.node("Gather", [dims, index], f"{base}/Gather", axis=0)[0]
    total_len = g.node("Cast", [width], f"{base}/Gather/Cast", to=TensorProto.INT32)[0]
    return seqlens_k, total_len, width


def _rotary_subgraph(g: _Graph, total_len_i64: str) -> tuple[str, str]:
    """The cos/sin caches; with LongRoPE an If picks the long pair once the sequence outgrows the short."""
    shape = g.shape
    half = shape.rotary_dim // 2

    def caches(length: int, long: bool, suffix: str) -> tuple[str, str]:
        cos = g.weight(f"cos_cache{suffix}", _F32, (length, half), _rotary_chunks(shape, length, long, False))
        sin = g.weight(f"sin_cache{suffix}", _F32, (length, half), _rotary_chunks(shape, length, long, True))
        return cos, sin

    if not shape.long_rope:
        return caches(shape.context_length, long=False, suffix="")
    large = caches(shape.context_length, long=True, suffix="_large")
    small = caches(shape.original_context_length, long=False, suffix="_small")
    limit = g.const(
        f"/model/constants/INT64/{shape.original_context_length}", np.array(shape.original_context_length)
    )
    is_long = g.node("Greater", [total_len_i64, limit], "/model/rope_caches_subgraph/Greater")[0]
    branches = {
        key: _identity_graph(f"{key}_rope_caches_graph", pair, half)
        for key, pair in (("then_branch", large), ("else_branch", small))
    }
    cos, sin = g.node(
        "If", [is_long], "/model/rope_caches_subgraph/If", ["cos_cache", "sin_cache"], **branches
    )
    return cos, sin


def _identity_graph(name: str, sources: tuple[str, str], half: int) -> onnx.GraphProto:
    """A branch that returns two outer-scope initializers, so the caches can live in model.onnx.data."""
    outputs = [f"{name}/{source}" for source in sources]
    nodes = [
        helper.make_node("Identity", [s], [o], name=f"{o}/Identity")
        for s, o in zip(sources, outputs, strict=True)
    ]
    infos = [
        helper.make_tensor_value_info(o, TensorProto.FLOAT, ["max_sequence_length", half]) for o in outputs
    ]
    return helper.make_graph(nodes, name, [], infos)


def _decoder_layer(
    g: _Graph, layer: int, hidden: str, residual: str, attn: _AttentionInputs
) -> tuple[str, str]:
    """One pre-norm decoder layer; returns (MLP output, residual stream) for the next skip-norm."""
    prefix = f"model.layers.{layer}"
    if layer == 0:
        normed = _first_norm(g, f"{prefix}.input_layernorm", hidden)
    else:
        normed, residual = _skip_norm(g, f"{prefix}.input_layernorm", hidden, residual)
    attended = _attention(g, layer, normed, attn)
    normed, residual = _skip_norm(g, f"{prefix}.post_attention_layernorm", attended, residual)
    return _mlp(g, prefix, normed), residual


def _norm_weight(g: _Graph, name: str) -> str:
    return g.weight(f"{name}.weight", _F32, (g.shape.hidden_size,), _filled(g.shape.hidden_size, 1.0))


def _first_norm(g: _Graph, name: str, x: str) -> str:
    weight = _norm_weight(g, name)
    return g.node(
        "SimplifiedLayerNormalization",
        [x, weight],
        f"/{name}/LayerNorm",
        axis=-1,
        epsilon=g.shape.rms_norm_eps,
        stash_type=1,
    )[0]


def _skip_norm(g: _Graph, name: str, x: str, skip: str, last: bool = False) -> tuple[str, str]:
    """RMS-norm of x + skip; also returns x + skip (the residual stream) unless it is the last norm."""
    weight = _norm_weight(g, name)
    outputs = [f"/{name}/output_0"] if last else [f"/{name}/output_0", "", "", f"/{name}/output_3"]
    g.node(
        "SkipSimplifiedLayerNormalization",
        [x, skip, weight],
        f"/{name}/SkipLayerNorm",
        outputs,
        _MS,
        epsilon=g.shape.rms_norm_eps,
    )
    return outputs[0], outputs[-1]


def _attention(g: _Graph, layer: int, x: str, attn: _AttentionInputs) -> str:
    shape = g.shape
    prefix = f"model.layers.{layer}.attn"
    qkv = g.matmul4(f"{prefix}.qkv_proj", x, shape.qkv_size, shape.hidden_size)
    inputs = [qkv, "", "", f"past_key_values.{layer}.key", f"past_key_values.{layer}.value"]
    inputs += [attn.seqlens_k, attn.total_len, attn.cos, attn.sin]
    outputs = [f"/{prefix}/GroupQueryAttention/output_0", f"present.{layer}.key", f"present.{layer}.value"]
    g.node(
        "GroupQueryAttention",
        inputs,
        f"/{prefix}/GroupQueryAttention",
        outputs,
        _MS,
        num_heads=shape.num_heads,
        kv_num_heads=shape.num_kv_heads,
        scale=1.0 / math.sqrt(shape.head_size),
        local_window_size=-1,
        softcap=0.0,
        do_rotary=1,
        rotary_interleaved=0,
    )
    return g.matmul4(f"{prefix}.o_proj", outputs[0], shape.hidden_size, shape.num_heads * shape.head_size)


def _mlp(g: _Graph, prefix: str, x: str) -> str:
    shape = g.shape
    gate = g.matmul4(f"{prefix}.mlp.gate_proj", x, shape.intermediate_size, shape.hidden_size)
    up = g.matmul4(f"{prefix}.mlp.up_proj", x, shape.intermediate_size, shape.hidden_size)
    sigmoid = g.node("Sigmoid", [gate], f"/{prefix}/mlp/act_fn/Sigmoid")[0]
    silu = g.node("Mul", [gate, sigmoid], f"/{prefix}/mlp/act_fn/Mul")[0]
    product = g.node("Mul", [silu, up], f"/{prefix}/mlp/Mul")[0]
    return g.matmul4(f"{prefix}.mlp.down_proj", product, shape.hidden_size, shape.intermediate_size)


def _finish(g: _Graph) -> onnx.ModelProto:
    shape = g.shape
    kv_past: list[str | int] = ["batch_size", shape.num_kv_heads, "past_sequence_length", shape.head_size]
    kv_present: list[str | int] = ["batch_size", shape.num_kv_heads, "total_sequence_length", shape.head_size]
    inputs = [
        helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch_size", "sequence_length"]),
        helper.make_tensor_value_info(
            "attention_mask", TensorProto.INT64, ["batch_size", "total_sequence_length"]
        ),
    ]
    logits_dims: list[str | int] = ["batch_size", "sequence_length", shape.vocab_size]
    outputs = [helper.make_tensor_value_info("logits", TensorProto.FLOAT, logits_dims)]
    for layer in range(shape.num_layers):
        for kind in ("key", "value"):
            inputs.append(
                helper.make_tensor_value_info(f"past_key_values.{layer}.{kind}", TensorProto.FLOAT, kv_past)
            )
            outputs.append(
                helper.make_tensor_value_info(f"present.{layer}.{kind}", TensorProto.FLOAT, kv_present)
            )
    graph = helper.make_graph(g.nodes, "main_graph", inputs, outputs, g.initializers)
    opsets = [helper.make_opsetid("", 21), helper.make_opsetid(_MS, 1)]
    model = helper.make_model(graph, opset_imports=opsets, producer_name="kisanbot.synth", ir_version=10)
    return model


# --- tokenizer ---------------------------------------------------------------------------------

# Pieces before the trained ones, in LLaMA's order: the three specials, then byte fallback <0x00>..<0xFF>.
_BASE_PIECES = ("<unk>", "<s>", "</s>", *(f"<0x{b:02X}>" for b in range(256)))
_SPACE = "\u2581"  # SentencePiece's word-start mark


# The split onnxruntime-extensions applies to LLaMA-style tokenizer.json files before BPE (its
# LLAMA_REGEX_PATTERN): letters are cut from combining marks and punctuation, so a merge across such a
# boundary would never fire in og. Training on the same pieces keeps og and HF `tokenizers` in agreement.
_OG_LLAMA_SPLIT = regex.compile(
    r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*"
    r"|\s*[\r\n]+|\s+(?!\S)|\s+"
)


def _training_words() -> Iterator[str]:
    """CORPUS cut as og cuts text: a leading space added, the regex split, spaces shown as ▁."""
    for line in CORPUS:
        for piece in _OG_LLAMA_SPLIT.findall(" " + line):
            yield piece.replace(" ", _SPACE)


@functools.cache
def _trained_bpe() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(pieces, merges "a b") of a BPE trained on CORPUS; each training item is one og pre-token."""
    tokenizer = Tokenizer(models.BPE(unk_token="<unk>", byte_fallback=True))
    trainer = trainers.BpeTrainer(vocab_size=8000, min_frequency=2, show_progress=False)
    tokenizer.train_from_iterator(_training_words(), trainer)
    model = json.loads(tokenizer.to_str())["model"]
    pieces = tuple(sorted(model["vocab"], key=model["vocab"].__getitem__))
    merges = tuple(m if isinstance(m, str) else " ".join(m) for m in model["merges"])
    return pieces, merges


@functools.cache
def _piece_list() -> tuple[str, ...]:
    """The pieces every synthetic tokenizer numbers from 0: <unk> <s> </s>, 256 bytes, trained ones."""
    return (*_BASE_PIECES, *(p for p in _trained_bpe()[0] if p not in _BASE_PIECES))


def _added_token(token_id: int, text: str, rstrip: bool = False) -> dict[str, Any]:
    return {
        "id": token_id,
        "content": text,
        "single_word": False,
        "lstrip": False,
        "rstrip": rstrip,
        "normalized": False,
        "special": True,
    }


def _added_tokens(shape: ModelShape) -> list[dict[str, Any]]:
    """<unk> <s> </s>, then every id from the family's first special id up to vocab_size - 1."""
    tokens = shape.tokens
    named = {i: (text, rstrip) for i, text, rstrip in tokens.named}
    added = [_added_token(i, text) for i, text in enumerate(_BASE_PIECES[:3])]
    # Unnamed ids continue the family's placeholder numbering (Phi-3 names placeholders 1 to 6 itself).
    numbers = itertools.count(1 + sum("placeholder" in text for text, _ in named.values()))
    for token_id in range(tokens.first_id, shape.vocab_size):
        text, rstrip = named.get(token_id) or (f"<|placeholder{next(numbers)}|>", tokens.family == "phi3")
        added.append(_added_token(token_id, text, rstrip))
    return added


def tokenizer_json(shape: ModelShape) -> dict[str, Any]:
    """tokenizer.json in the layout of Phi-3's (LLaMA SentencePiece-BPE as HF `tokenizers` writes it)."""
    vocab_list = list(_piece_list())
    # Unreachable filler pieces (no merge produces them) so that every id below the specials exists.
    vocab_list += [f"<unused{i}>" for i in range(shape.tokens.first_id - len(vocab_list))]
    decoder = [
        {"type": "Replace", "pattern": {"String": _SPACE}, "content": " "},
        {"type": "ByteFallback"},
        {"type": "Fuse"},
        {"type": "Strip", "content": " ", "start": 1, "stop": 0},
    ]
    return {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": _added_tokens(shape),
        "normalizer": {
            "type": "Sequence",
            "normalizers": [
                {"type": "Prepend", "prepend": _SPACE},
                {"type": "Replace", "pattern": {"String": " "}, "content": _SPACE},
            ],
        },
        "pre_tokenizer": None,
        "post_processor": {
            "type": "TemplateProcessing",
            "single": [{"Sequence": {"id": "A", "type_id": 0}}],
            "pair": [{"Sequence": {"id": "A", "type_id": 0}}, {"Sequence": {"id": "B", "type_id": 1}}],
            "special_tokens": {},
        },
        "decoder": {"type": "Sequence", "decoders": decoder},
        "model": {
            "type": "BPE",
            "dropout": None,
            "unk_token": "<unk>",
            "continuing_subword_prefix": None,
            "end_of_word_suffix": None,
            "fuse_unk": True,
            "byte_fallback": True,
            "ignore_merges": False,
            "vocab": {piece: i for i, piece in enumerate(vocab_list)},
            "merges": list(_trained_bpe()[1]),
        },
    }


def tokenizer_files(shape: ModelShape) -> dict[str, dict[str, Any]]:
    """The four tokenizer files by name, as JSON values."""
    tokens = shape.tokens
    specials = {
        "bos_token": tokens.bos,
        "eos_token": tokens.eos,
        "unk_token": "<unk>",
        "pad_token": tokens.pad,
    }
    config = {
        "add_bos_token": False,  # Phi-3's ONNX tokenizer never added <s> by itself
        "add_eos_token": False,
        **specials,
        "clean_up_tokenization_spaces": False,
        "legacy": False,
        "model_max_length": shape.context_length,
        "padding_side": "left",
        "tokenizer_class": "LlamaTokenizer",
        "chat_template": tokens.chat_template,
    }
    added = {t["content"]: t["id"] for t in _added_tokens(shape) if t["id"] >= tokens.first_id}
    return {
        "tokenizer.json": tokenizer_json(shape),
        "tokenizer_config.json": config,
        "special_tokens_map.json": specials,
        "added_tokens.json": added,
    }


# --- training corpus ---------------------------------------------------------------------------

#: A few sentences on farming per language (one line each): the tokenizer's whole training text.
CORPUS: tuple[str, ...] = (
    # English
    "Farmers should test the soil before sowing. Drip irrigation saves water and keeps the roots healthy. "
    "Spray neem oil in the evening when aphids attack the cotton crop. Store the harvested grain in a dry, "
    "clean place and sell it when the market price is good.",
    "Apply 50 kg of urea per hectare in two splits. If the leaves turn yellow, check the drainage first. "
    "Rain is expected on Monday (70%), so delay spraying until Wednesday!",
    # Hindi
    "किसान भाई बुवाई से पहले मिट्टी की जांच कराएं। ड्रिप सिंचाई से पानी की बचत होती है और जड़ें स्वस्थ रहती हैं। "
    "कपास की फसल पर माहू का हमला हो तो शाम को नीम का तेल छिड़कें। कटाई के बाद अनाज को सूखी और साफ जगह पर "
    "रखें और अच्छा भाव मिलने पर बेचें।",
    "गेहूं की फसल में पहली सिंचाई बुवाई के 21 दिन बाद करें। पत्तियां पीली हों तो खेत में पानी की निकासी देखें।",
    # Marathi
    "शेतकऱ्यांनी पेरणीपूर्वी मातीची तपासणी करावी. ठिबक सिंचनामुळे पाण्याची बचत होते आणि मुळे निरोगी राहतात. "
    "कापसावर मावा आल्यास संध्याकाळी कडुलिंबाचे तेल फवारावे. काढणीनंतर धान्य कोरड्या व स्वच्छ जागी साठवावे "
    "आणि चांगला भाव मिळाल्यावर विकावे.",
    # Bengali
    "কৃষকদের বীজ বোনার আগে মাটি পরীক্ষা করা উচিত। ড্রিপ সেচে জল বাঁচে এবং শিকড় সুস্থ থাকে। ধানের জমিতে "
    "পোকার আক্রমণ হলে সন্ধ্যায় নিম তেল স্প্রে করুন। ফসল কাটার পর শস্য শুকনো ও পরিষ্কার জায়গায় রাখুন এবং "
    "ভালো দাম পেলে বিক্রি করুন।",
    # Telugu
    "రైతులు విత్తనాలు వేసే ముందు మట్టి పరీక్ష చేయించాలి. బిందు సేద్యం వల్ల నీరు ఆదా అవుతుంది మరియు వేర్లు "
    "ఆరోగ్యంగా ఉంటాయి. పత్తి పంటపై పేనుబంక దాడి చేస్తే సాయంత్రం వేప నూనె పిచికారీ చేయండి. కోత తర్వాత "
    "ధాన్యాన్ని పొడిగా, శుభ్రంగా ఉన్న చోట నిల్వ చేసి మంచి ధర వచ్చినప్పుడు అమ్మండి.",
    # Tamil
    "விவசாயிகள் விதைப்பதற்கு முன் மண் பரிசோதனை செய்ய வேண்டும். சொட்டு நீர் பாசனம் தண்ணீரைச் சேமிக்கிறது, "
    "வேர்களை ஆரோக்கியமாக வைக்கிறது. நெல் வயலில் பூச்சித் தாக்குதல் இருந்தால் மாலையில் வேப்பெண்ணெய் தெளிக்கவும். "
    "அறுவடைக்குப் பின் தானியத்தை உலர்ந்த, சுத்தமான இடத்தில் சேமித்து நல்ல விலை கிடைக்கும்போது விற்கவும்.",
    # Kannada
    "ರೈತರು ಬಿತ್ತನೆಗೆ ಮೊದಲು ಮಣ್ಣಿನ ಪರೀಕ್ಷೆ ಮಾಡಿಸಬೇಕು. ಹನಿ ನೀರಾವರಿಯಿಂದ ನೀರು ಉಳಿತಾಯವಾಗುತ್ತದೆ ಮತ್ತು ಬೇರುಗಳು "
    "ಆರೋಗ್ಯವಾಗಿರುತ್ತವೆ. ಹತ್ತಿ ಬೆಳೆಗೆ ಸಸ್ಯಹೇನು ಬಾಧೆ ಇದ್ದರೆ ಸಂಜೆ ಬೇವಿನ ಎಣ್ಣೆ ಸಿಂಪಡಿಸಿ. ಕೊಯ್ಲಿನ ನಂತರ ಧಾನ್ಯವನ್ನು "
    "ಒಣ ಮತ್ತು ಸ್ವಚ್ಛ ಸ್ಥಳದಲ್ಲಿ ಸಂಗ್ರಹಿಸಿ, ಒಳ್ಳೆಯ ಬೆಲೆ ಸಿಕ್ಕಾಗ ಮಾರಾಟ ಮಾಡಿ.",
    # Malayalam
    "കർഷകർ വിതയ്ക്കുന്നതിന് മുമ്പ് മണ്ണ് പരിശോധന നടത്തണം. തുള്ളിനന വെള്ളം ലാഭിക്കുകയും വേരുകളെ "
    "ആരോഗ്യത്തോടെ നിലനിർത്തുകയും ചെയ്യുന്നു. നെൽവയലിൽ കീടങ്ങളുടെ ആക്രമണം ഉണ്ടായാൽ വൈകുന്നേരം വേപ്പെണ്ണ "
    "തളിക്കുക. വിളവെടുപ്പിനുശേഷം ധാന്യം ഉണങ്ങിയതും വൃത്തിയുള്ളതുമായ സ്ഥലത്ത് സൂക്ഷിച്ച് നല്ല വില കിട്ടുമ്പോൾ "
    "വിൽക്കുക.",
    # Gujarati
    "ખેડૂતોએ વાવણી પહેલાં જમીનની ચકાસણી કરાવવી જોઈએ. ટપક સિંચાઈથી પાણીની બચત થાય છે અને મૂળ તંદુરસ્ત રહે છે. "
    "કપાસના પાકમાં મોલોનો ઉપદ્રવ હોય તો સાંજે લીમડાનું તેલ છાંટો. લણણી પછી અનાજને સૂકી અને સ્વચ્છ જગ્યાએ "
    "સંગ્રહ કરો અને સારો ભાવ મળે ત્યારે વેચો.",
    # Punjabi
    "ਕਿਸਾਨਾਂ ਨੂੰ ਬਿਜਾਈ ਤੋਂ ਪਹਿਲਾਂ ਮਿੱਟੀ ਦੀ ਜਾਂਚ ਕਰਵਾਉਣੀ ਚਾਹੀਦੀ ਹੈ। ਤੁਪਕਾ ਸਿੰਚਾਈ ਨਾਲ ਪਾਣੀ ਦੀ ਬੱਚਤ ਹੁੰਦੀ ਹੈ ਅਤੇ "
    "ਜੜ੍ਹਾਂ ਤੰਦਰੁਸਤ ਰਹਿੰਦੀਆਂ ਹਨ। ਕਣਕ ਦੀ ਫ਼ਸਲ ਉੱਤੇ ਤੇਲੇ ਦਾ ਹਮਲਾ ਹੋਵੇ ਤਾਂ ਸ਼ਾਮ ਨੂੰ ਨਿੰਮ ਦੇ ਤੇਲ ਦਾ ਛਿੜਕਾਅ ਕਰੋ। "
    "ਵਾਢੀ ਤੋਂ ਬਾਅਦ ਅਨਾਜ ਨੂੰ ਸੁੱਕੀ ਅਤੇ ਸਾਫ਼ ਥਾਂ ਤੇ ਸੰਭਾਲੋ ਅਤੇ ਚੰਗਾ ਭਾਅ ਮਿਲਣ ਤੇ ਵੇਚੋ।",
    # Odia
    "ଚାଷୀମାନେ ବୁଣିବା ପୂର୍ବରୁ ମାଟି ପରୀକ୍ଷା କରାଇବା ଉଚିତ। ବିନ୍ଦୁ ଜଳସେଚନରେ ପାଣି ସଞ୍ଚୟ ହୁଏ ଏବଂ ଚେର ସୁସ୍ଥ ରହେ। "
    "ଧାନ ଜମିରେ ପୋକ ଆକ୍ରମଣ ହେଲେ ସନ୍ଧ୍ୟାରେ ନିମ୍ବ ତେଲ ସିଞ୍ଚନ କରନ୍ତୁ। ଅମଳ ପରେ ଶସ୍ୟକୁ ଶୁଖିଲା ଓ ସଫା ସ୍ଥାନରେ "
    "ରଖନ୍ତୁ ଏବଂ ଭଲ ଦାମ ମିଳିଲେ ବିକ୍ରି କରନ୍ତୁ।",
    # Urdu
    "کسانوں کو بوائی سے پہلے مٹی کا ٹیسٹ کروانا چاہیے۔ ڈرپ آبپاشی سے پانی کی بچت ہوتی ہے اور جڑیں صحت مند "
    "رہتی ہیں۔ کپاس کی فصل پر تیلے کا حملہ ہو تو شام کو نیم کا تیل چھڑکیں۔ کٹائی کے بعد اناج کو خشک اور صاف "
    "جگہ پر رکھیں اور اچھی قیمت ملنے پر بیچیں۔",
    # Swahili
    "Wakulima wanapaswa kupima udongo kabla ya kupanda mbegu. Umwagiliaji wa matone huokoa maji na kuweka "
    "mizizi katika afya njema. Wadudu wakishambulia mahindi, nyunyizia mafuta ya mwarobaini jioni. Baada ya "
    "mavuno, hifadhi nafaka mahali pakavu na safi, na uuze bei ikiwa nzuri sokoni.",
    # Spanish
    "Los agricultores deben analizar el suelo antes de sembrar. El riego por goteo ahorra agua y mantiene "
    "sanas las raíces. Si los pulgones atacan el algodón, rocíe aceite de neem al atardecer. Después de la "
    "cosecha, guarde el grano en un lugar seco y limpio, y véndalo cuando el precio del mercado sea bueno.",
    # French
    "Les agriculteurs doivent analyser le sol avant les semis. L'irrigation goutte à goutte économise l'eau "
    "et garde les racines en bonne santé. Si les pucerons attaquent le coton, pulvérisez de l'huile de neem "
    "le soir. Après la récolte, stockez le grain dans un endroit sec et propre, et vendez-le quand le prix "
    "du marché est bon.",
    # Portuguese
    "Os agricultores devem analisar o solo antes do plantio. A irrigação por gotejamento economiza água e "
    "mantém as raízes saudáveis. Se os pulgões atacarem o algodão, pulverize óleo de nim ao entardecer. "
    "Depois da colheita, guarde os grãos em local seco e limpo e venda quando o preço do mercado estiver "
    "bom.",
)

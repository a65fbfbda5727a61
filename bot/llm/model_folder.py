"""Checks a model folder before loading it, so a broken download fails with its path and cause."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import onnx

#: Model types of the Phi family as their genai_config.json names them.
PHI_TYPES = frozenset({"phi3", "phi4", "phi"})
_LFS_POINTER = b"version https://git-lfs"


class ModelError(Exception):
    """A model folder that cannot be used; the message names the path and the likely cause."""


@dataclass(frozen=True)
class ModelFolder:
    path: Path
    config: dict[str, Any]
    model_file: Path
    model_type: str
    context_length: int
    vocab_size: int
    eos_token_ids: tuple[int, ...]

    @property
    def name(self) -> str:
        return self.path.name


def check_folder(path: Path) -> ModelFolder:
    """`check_folder(Path("models/phi3"))` → ModelFolder, or ModelError naming what is wrong."""
    if not path.exists():
        raise ModelError(f"{path}: the model folder does not exist (get one with `kisanbot model download`)")
    if not path.is_dir():
        raise ModelError(f"{path}: not a folder; MODEL_DIR must name the folder that holds genai_config.json")
    config_path = path / "genai_config.json"
    if not config_path.exists():
        raise ModelError(f"{config_path}: missing, so this is not an ONNX Runtime GenAI model folder")
    try:
        config = json.loads(config_path.read_text(encoding="utf-8"))
        model = config["model"]
        decoder = model["decoder"]
        model_file = path / decoder["filename"]
        model_type = str(model["type"])
        context_length = int(model["context_length"])
    except (json.JSONDecodeError, KeyError, TypeError, ValueError) as error:
        raise ModelError(f"{config_path}: unreadable or incomplete ({error!r})") from error
    if model_type not in PHI_TYPES:
        raise ModelError(f"{config_path}: model type {model_type!r} is not of the Phi family")
    if not (path / "tokenizer.json").exists():
        raise ModelError(f"{path / 'tokenizer.json'}: missing; the model folder is incomplete")
    _check_onnx(model_file)
    eos = model.get("eos_token_id", [])
    return ModelFolder(
        path=path,
        config=config,
        model_file=model_file,
        model_type=model_type,
        context_length=context_length,
        vocab_size=int(model.get("vocab_size", 0)),
        eos_token_ids=tuple(eos if isinstance(eos, list) else [eos]),
    )


def _check_onnx(model_file: Path) -> None:
    if not model_file.exists():
        raise ModelError(f"{model_file}: missing (named by genai_config.json)")
    if _is_lfs_pointer(model_file):
        raise ModelError(f"{model_file}: a Git LFS pointer, not the model; fetch it with `git lfs pull`")
    try:
        graph = onnx.load(str(model_file), load_external_data=False)
    except Exception as error:  # onnx raises DecodeError and friends without a common base
        cause = f"not a readable ONNX model: truncated or corrupt ({error})"
        raise ModelError(f"{model_file}: {cause}") from error
    for data_file, needed in _external_data_extents(graph, model_file.parent).items():
        if not data_file.exists():
            raise ModelError(f"{data_file}: missing; the model's weights live there")
        if _is_lfs_pointer(data_file):
            raise ModelError(f"{data_file}: a Git LFS pointer, not the weights; fetch it with `git lfs pull`")
        size = data_file.stat().st_size
        if size < needed:
            raise ModelError(
                f"{data_file}: truncated ({size:,} bytes of {needed:,}); the download did not finish"
            )


def _external_data_extents(graph: onnx.ModelProto, folder: Path) -> dict[Path, int]:
    """For each external data file, how many bytes the graph's tensors need from it."""
    extents: dict[Path, int] = {}
    for tensor in graph.graph.initializer:
        if tensor.data_location != onnx.TensorProto.EXTERNAL:
            continue
        entries = {entry.key: entry.value for entry in tensor.external_data}
        data_file = folder / entries["location"]
        end = int(entries.get("offset", 0)) + int(entries.get("length", 0))
        extents[data_file] = max(extents.get(data_file, 0), end)
    return extents


def _is_lfs_pointer(path: Path) -> bool:
    with path.open("rb") as handle:
        return handle.read(len(_LFS_POINTER)) == _LFS_POINTER

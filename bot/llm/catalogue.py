"""The real models kisanbot can run, where to download them, and how big they are."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Download:
    key: str
    repo: str
    variant: str  # the folder inside the repository holding the CPU int4 model
    size: str

    def target(self, models_dir: Path) -> Path:
        return models_dir / self.key


CATALOGUE: dict[str, Download] = {
    d.key: d
    for d in (
        Download(
            "phi3-mini-4k",
            "microsoft/Phi-3-mini-4k-instruct-onnx",
            "cpu_and_mobile/cpu-int4-rtn-block-32-acc-level-4",
            "2.7 GB",
        ),
        Download(
            "phi3.5-mini",
            "microsoft/Phi-3.5-mini-instruct-onnx",
            "cpu_and_mobile/cpu-int4-awq-block-128-acc-level-4",
            "2.8 GB",
        ),
        Download(
            "phi4-mini",
            "microsoft/Phi-4-mini-instruct-onnx",
            "cpu_and_mobile/cpu-int4-rtn-block-32-acc-level-4",
            "4.9 GB",
        ),
    )
}
DEFAULT = "phi3-mini-4k"


def download(repo: str, variant: str, target: Path) -> Path:
    """Fetches one model variant with huggingface_hub; returns the folder to set as MODEL_DIR."""
    from huggingface_hub import snapshot_download  # imported here: only users with internet need it

    snapshot_download(repo_id=repo, allow_patterns=[f"{variant}/*"], local_dir=str(target))
    return target / variant

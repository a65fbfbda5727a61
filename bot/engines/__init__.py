"""Engines turn a routed question and its cards into an answer: Phi-3 on the CPU, or the cards."""

from bot.engines.base import (
    Engine,
    FarmerContext,
    Generation,
    GenerationControl,
    GenerationRequest,
    OnText,
    Turn,
)

__all__ = [
    "Engine",
    "FarmerContext",
    "Generation",
    "GenerationControl",
    "GenerationRequest",
    "OnText",
    "Turn",
]

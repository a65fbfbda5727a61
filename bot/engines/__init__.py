"""Engines turn a routed question and its cards into an answer: Phi-3 on the CPU, or the cards."""

from bot.engines.base import Engine, Generation, GenerationRequest, OnText, Turn

__all__ = ["Engine", "Generation", "GenerationRequest", "OnText", "Turn"]

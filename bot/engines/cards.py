"""The cards engine: answers straight from the best cards' localized summaries. No model needed."""

from __future__ import annotations

from bot import ui_text
from bot.card_search import Match
from bot.engines.base import Generation, GenerationControl, GenerationRequest, OnText
from bot.i18n import Translator

#: A second card is shown only when it fits nearly as well as the best.
_SECOND_CARD_RATIO = 0.75
_MAX_CARDS = 2


class CardEngine:
    """`CardEngine(Translator()).generate(request)` → the matched cards, in the farmer's language."""

    name = "cards"

    def __init__(self, translator: Translator) -> None:
        self._translator = translator

    def generate(
        self,
        request: GenerationRequest,
        on_text: OnText | None = None,
        control: GenerationControl | None = None,
    ) -> Generation:
        language = request.language
        chosen = _chosen(request.matches, request.route.crops)
        if request.route.courtesy == "thanks":
            paragraphs = [self._translator.text(language, ui_text.THANKS)]
        elif request.route.courtesy == "greeting":
            paragraphs = [self._translator.text(language, ui_text.GREETING)]
        elif not chosen:
            paragraphs = [self._translator.text(language, ui_text.NO_CARD)]
            if not request.route.crops and request.route.topic in ("other", "pest", "crop"):
                paragraphs.append(self._translator.text(language, ui_text.ASK_DETAILS))
        else:
            paragraphs = [f"{m.card.title_in(language)}\n{m.card.summary_in(language)}" for m in chosen]
        for index, paragraph in enumerate(paragraphs):
            if on_text:
                on_text(paragraph if index == 0 else "\n\n" + paragraph)
        flags = ["no-card"] if not chosen and not request.route.courtesy else []
        return Generation("\n\n".join(paragraphs), self.name, [m.card.id for m in chosen], flags=flags)


def _chosen(matches: list[Match], crops: list[str]) -> list[Match]:
    """The best card, and a second one only if it fits nearly as well and is about the same crop."""
    if not matches:
        return []
    best = matches[0].score
    chosen = [matches[0]]
    for match in matches[1:_MAX_CARDS]:
        other_crop = bool(crops and match.card.crops and not set(crops) & set(match.card.crops))
        if match.score >= best * _SECOND_CARD_RATIO and not other_crop:
            chosen.append(match)
    return chosen

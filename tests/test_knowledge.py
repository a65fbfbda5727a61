"""Cards: the collection passes its own check, the check catches bad cards, search finds the right one."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import regex
import yaml

from bot.advisor import Analyser
from bot.card_search import CardSearch
from bot.config import PROJECT_ROOT
from bot.knowledge import check, load_cards
from bot.languages import SUPPORTED
from bot.lexicon import words

KNOWLEDGE_DIR = PROJECT_ROOT / "knowledge"

TOPICS = {"crop", "pest", "soil", "weather", "irrigation", "market", "livestock", "scheme", "other"}


def test_the_shipped_cards_pass_the_check_and_cover_every_topic() -> None:
    cards, problems = check(KNOWLEDGE_DIR)
    assert [str(p) for p in problems] == []
    assert len(cards) >= 40
    assert {card.topic for card in cards} == TOPICS
    for card in cards:
        assert set(SUPPORTED) <= set(card.summary)


@pytest.fixture
def knowledge_copy(tmp_path: Path) -> Path:
    target = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE_DIR / "lexicon", target / "lexicon")
    source = KNOWLEDGE_DIR / "cards" / "pest" / "rice-stem-borer.yaml"
    (target / "cards" / "pest").mkdir(parents=True)
    shutil.copy(source, target / "cards" / "pest" / source.name)
    return target


def _edit(folder: Path, change: dict[str, object]) -> Path:
    path = folder / "cards" / "pest" / "rice-stem-borer.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data.update(change)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def _problems(folder: Path) -> str:
    return "\n".join(str(p) for p in check(folder)[1])


def test_a_valid_copy_has_no_problems(knowledge_copy: Path) -> None:
    assert _problems(knowledge_copy) == ""


def test_a_missing_language_is_reported(knowledge_copy: Path) -> None:
    card = yaml.safe_load((knowledge_copy / "cards/pest/rice-stem-borer.yaml").read_text(encoding="utf-8"))
    del card["summary"]["or"]
    _edit(knowledge_copy, {"summary": card["summary"]})
    assert "summary lacks or" in _problems(knowledge_copy)


def test_a_recommended_banned_pesticide_is_reported(knowledge_copy: Path) -> None:
    _edit(knowledge_copy, {"body": "Spray monocrotophos 36 SL at 1.5 ml per litre of water at tillering."})
    assert "banned" in _problems(knowledge_copy)


def test_a_warning_against_a_banned_pesticide_is_allowed(knowledge_copy: Path) -> None:
    _edit(knowledge_copy, {"body": "Never use monocrotophos or endosulfan: both are banned in India."})
    assert "banned" not in _problems(knowledge_copy)


def test_a_dose_without_unit_and_a_low_risk_chemical_card_are_reported(knowledge_copy: Path) -> None:
    _edit(
        knowledge_copy, {"body": "Apply 25 of the granules. Spray neem oil at 5 ml per litre.", "risk": "low"}
    )
    problems = _problems(knowledge_copy)
    assert "dose without a unit" in problems
    assert "risk must be high" in problems


def test_an_unknown_crop_id_and_a_mismatched_id_are_reported(knowledge_copy: Path) -> None:
    _edit(knowledge_copy, {"crops": ["paddy-rice"], "id": "stem-borer"})
    problems = _problems(knowledge_copy)
    assert "unknown crop" in problems
    assert "differs from the file name" in problems


def test_indic_words_stay_whole_in_the_index() -> None:
    """FTS5's default tokenizer would cut पत्तियां at its vowel signs; the index keeps it whole."""
    cards = load_cards(KNOWLEDGE_DIR)
    search = CardSearch(cards)
    search._db.execute("CREATE VIRTUAL TABLE vocabulary USING fts5vocab(card_text, 'row')")
    terms = {term for (term,) in search._db.execute("SELECT term FROM vocabulary")}
    hindi_words = {w for card in cards for w in words(card.summary["hi"]) if regex.search(r"\p{Mc}", w)}
    assert hindi_words and hindi_words <= terms
    assert "त" not in terms  # no lone consonant fragments


@pytest.mark.parametrize(
    ("text", "card"),
    [
        ("rice dead heart stem borer", "rice-stem-borer"),
        ("धान में तना छेदक", "rice-stem-borer"),
        ("Mahindi yangu yana viwavi jeshi", "maize-fall-armyworm"),
        ("how to test my soil", "soil-testing"),
        ("मेरी गाय को थनैला रोग", "mastitis"),
        ("pm kisan ki kist", "pm-kisan"),
        ("alternate wetting and drying in paddy", "rice-alternate-wetting-drying"),
    ],
)
def test_search_puts_the_right_card_first(analyser: Analyser, text: str, card: str) -> None:
    analysis = analyser.analyse(text)
    assert analysis.matches, f"no card for {text!r}"
    assert analysis.matches[0].card.id == card


def test_nonsense_finds_no_card(analyser: Analyser) -> None:
    assert analyser.analyse("qwzx vbnm plkj").matches == []

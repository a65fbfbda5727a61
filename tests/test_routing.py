"""Routing: nine topics, and the crops, animals and pests named in any supported language."""

from __future__ import annotations

import pytest

from bot.advisor import Analyser


@pytest.mark.parametrize(
    ("text", "language", "topic"),
    [
        ("when to sow wheat", "en", "crop"),
        ("धान की रोपाई कब करें", "hi", "crop"),
        ("my tomato leaves have black spots", "en", "pest"),
        ("कपास में गुलाबी सुंडी का इलाज", "hi", "pest"),
        ("Mahindi yangu yana viwavi jeshi", "sw", "pest"),
        ("how much urea for maize", "en", "soil"),
        ("udongo wangu una chumvi nyingi", "sw", "soil"),
        ("kal barish hogi kya", "hi", "weather"),
        ("¿va a llover mañana?", "es", "weather"),
        ("how often should I irrigate onion", "en", "irrigation"),
        ("gehu me pani kab dena hai", "hi", "irrigation"),
        ("what is the price of onion in the mandi", "en", "market"),
        ("precio del café hoy", "es", "market"),
        ("my cow is not eating and has fever", "en", "livestock"),
        ("ma vache a de la fièvre", "fr", "livestock"),
        ("how to apply for crop insurance", "en", "scheme"),
        ("pm kisan ka paisa nahi aaya", "hi", "scheme"),
        ("hello", "en", "other"),
        ("asante sana", "sw", "other"),
    ],
)
def test_topics(analyser: Analyser, text: str, language: str, topic: str) -> None:
    assert analyser.router.route(text, language).topic == topic


@pytest.mark.parametrize(
    ("text", "language", "crop"),
    [
        ("धान में कीड़ा", "hi", "rice"),
        ("dhaan me keeda", "hi", "rice"),
        ("వరిలో పురుగు", "te", "rice"),
        ("நெல் பயிர்", "ta", "rice"),
        ("gehu ki buvai", "hi", "wheat"),
        ("mahindi", "sw", "maize"),
        ("maíz", "es", "maize"),
        ("maiz", "es", "maize"),
        ("mhogo", "sw", "cassava"),
        ("tomates", "fr", "tomato"),
        ("ਕਣਕ", "pa", "wheat"),
    ],
)
def test_local_crop_names_map_to_canonical_ids(
    analyser: Analyser, text: str, language: str, crop: str
) -> None:
    assert crop in analyser.router.route(text, language).crops


def test_pests_and_animals_are_named(analyser: Analyser) -> None:
    route = analyser.router.route("fall armyworm in my maize", "en")
    assert "fall-armyworm" in route.pests
    assert route.topic == "pest"
    cow = analyser.router.route("गाय को खुरपका मुंहपका", "hi")
    assert "cattle" in cow.crops
    assert cow.topic == "livestock"


def test_a_greeting_with_a_question_is_a_question(analyser: Analyser) -> None:
    route = analyser.router.route("hello, when to sow wheat?", "en")
    assert route.topic == "crop"
    assert route.courtesy is None
    assert analyser.router.route("namaste ji", "hi").courtesy == "greeting"
    assert analyser.router.route("dhanyavad", "hi").courtesy == "thanks"

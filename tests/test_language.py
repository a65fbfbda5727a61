"""Language detection: scripts decide, lexicons and langdetect help, short messages keep the prior."""

from __future__ import annotations

import pytest

from bot.advisor import Analyser
from bot.languages import SUPPORTED, normalize_code


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("ধানের পাতা হলুদ হয়ে যাচ্ছে", "bn"),
        ("ਕਣਕ ਨੂੰ ਪਾਣੀ ਕਦੋਂ ਲਾਈਏ", "pa"),
        ("કપાસમાં ગુલાબી ઈયળ", "gu"),
        ("ଧାନରେ ପୋକ ଲାଗିଛି", "or"),
        ("நெல்லில் பூச்சி தாக்குதல்", "ta"),
        ("వరిలో పురుగు ఉంది", "te"),
        ("ಭತ್ತಕ್ಕೆ ಯಾವ ಗೊಬ್ಬರ ಹಾಕಬೇಕು", "kn"),
        ("നെല്ലിന് വളം എപ്പോൾ ഇടണം", "ml"),
        ("گندم میں کون سی کھاد ڈالیں", "ur"),
    ],
)
def test_a_script_used_by_one_language_decides_it(analyser: Analyser, text: str, language: str) -> None:
    detection = analyser.detector.detect(text)
    assert detection.language == language
    assert detection.confidence > 0.9
    assert not detection.romanized


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("गेहूं की फसल में पीलापन आ गया है क्या करें", "hi"),
        ("मेरी कपास की पत्तियां मुड़ रही हैं", "hi"),
        ("माझ्या सोयाबीन पिकावर अळी आली आहे काय करावे", "mr"),
        ("कांद्याला पाणी किती दिवसांनी द्यावे", "mr"),
    ],
)
def test_hindi_and_marathi_are_told_apart(analyser: Analyser, text: str, language: str) -> None:
    assert analyser.detector.detect(text).language == language


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("When should I sow wheat in my field?", "en"),
        ("Mahindi yangu yana viwavi jeshi, nifanye nini?", "sw"),
        ("¿Cuándo debo sembrar el maíz?", "es"),
        ("Quand faut-il semer le mil?", "fr"),
        ("Quando devo plantar o feijão?", "pt"),
    ],
)
def test_latin_script_languages(analyser: Analyser, text: str, language: str) -> None:
    detection = analyser.detector.detect(text)
    assert detection.language == language
    assert not detection.romanized


@pytest.mark.parametrize(
    "text",
    ["kal barish hogi kya", "gehu me peela pan aa gaya kya kare", "mere khet me pani kab dena chahiye"],
)
def test_romanized_hindi_is_hindi(analyser: Analyser, text: str) -> None:
    detection = analyser.detector.detect(text)
    assert (detection.language, detection.romanized) == ("hi", True)


@pytest.mark.parametrize("text", ["ok", "👍", "urea", "?", "123"])
def test_a_short_or_unsure_message_keeps_the_farmers_language(analyser: Analyser, text: str) -> None:
    detection = analyser.detector.detect(text, prior="ta")
    assert detection.language == "ta"


def test_a_clear_message_in_another_script_does_switch(analyser: Analyser) -> None:
    assert analyser.detector.detect("వరిలో పురుగు ఉంది", prior="hi").language == "te"


def test_a_mixed_script_message_is_read_as_the_native_script(analyser: Analyser) -> None:
    assert analyser.detector.detect("मेरे cotton में pink bollworm लग गया").language == "hi"
    assert analyser.detector.detect("என் tomato செடியில் leaf curl").language == "ta"


def test_detection_is_repeatable(analyser: Analyser) -> None:
    text = "habari ya mvua kesho"
    first = analyser.detector.detect(text)
    assert all(analyser.detector.detect(text) == first for _ in range(5))


def test_app_language_tags_map_to_supported_codes() -> None:
    assert normalize_code("pt-BR") == "pt"
    assert normalize_code("hi") == "hi"
    assert normalize_code("de") is None
    assert normalize_code(None) is None
    assert len(SUPPORTED) == 16

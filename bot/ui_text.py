"""Every sentence kisanbot itself says to a farmer, as gettext message ids (English).

Translations live in `bot/translations/<lang>/LC_MESSAGES/kisanbot.po`; a test checks that each
language translates every id here.
"""

from __future__ import annotations


def N_(message: str) -> str:
    """Marks a message for translation without translating it (gettext's convention)."""
    return message


EMPTY = N_(
    "Please type your question about your crop, animals, soil, weather, water, market or a government scheme."
)
NO_WORDS = N_("I can read words, not only emoji or symbols. Please type your question in a few words.")
TOO_LONG = N_(
    "Your message was very long, so I read only the first part. Short questions get the best answers."
)
GREETING = N_(
    "Hello! I am kisanbot. Ask me about your crop, pests, soil, weather, irrigation, market prices,"
    " animals or government schemes."
)
THANKS = N_("You are welcome. Ask me again any time.")
NO_CARD = N_(
    "I do not have checked advice on this question yet. Please ask your local agricultural extension"
    " officer or call your farmers' helpline."
)
ASK_DETAILS = N_("Please tell me the crop and what you see, in a few words.")
DRAFT_LABEL = N_("AI answer from advice cards — not yet reviewed by an extension officer.")
REVIEWED_LABEL = N_("Reviewed by an extension officer.")
BASED_ON = N_("Based on: %(cards)s")
CALL_VET = N_("For a sick animal, call a veterinarian quickly.")
SEE_DOCTOR = N_("For illness or poisoning in a person, see a doctor at once.")
CHEMICAL_CAUTION = N_(
    "Any chemical dose must come from the product label or your extension officer."
    " Wear gloves and a mask when spraying."
)
INJECTION = N_(
    "I cannot change my instructions. I can help with your farm: crops, pests, soil, weather, water,"
    " markets, animals and schemes."
)
UNSAFE_REPLACED = N_(
    "I cannot give that advice safely. Please ask your local agricultural extension officer which"
    " product and dose to use."
)
QUEUE_POSITION = N_(
    "Many farmers are asking right now. You are number %(position)s in line; your answer will come."
)
BUSY = N_("The advisor is very busy right now. Please send your question again in a few minutes.")
CUT_SHORT = N_("This answer was cut short because it took too long. Ask again for more detail.")
ERROR = N_("Sorry, something went wrong on our side. Please try again in a few minutes.")

ALL: tuple[str, ...] = (
    EMPTY,
    NO_WORDS,
    TOO_LONG,
    GREETING,
    THANKS,
    NO_CARD,
    ASK_DETAILS,
    DRAFT_LABEL,
    REVIEWED_LABEL,
    BASED_ON,
    CALL_VET,
    SEE_DOCTOR,
    CHEMICAL_CAUTION,
    INJECTION,
    UNSAFE_REPLACED,
    QUEUE_POSITION,
    BUSY,
    CUT_SHORT,
    ERROR,
)

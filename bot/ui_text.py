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

# --- The Telegram door: onboarding, commands, feedback -------------------------------------------
WELCOME_CONSENT = N_(
    "Welcome to kisanbot, a free farm advisor. To answer you, I keep your messages, your language and"
    " the place and crops you tell me. Extension officers may read them to check my answers; they are"
    " used for nothing else. Send /profile to see what is kept and /forget to erase it all."
)
CHOOSE_LANGUAGE = N_("Choose your language:")
LANGUAGE_SET = N_("I will answer in %(language)s.")
ASK_PLACE = N_(
    "Where is your farm? Tap the button to share your location, or type the name of your village or"
    " district. You can skip this."
)
SHARE_LOCATION_BUTTON = N_("📍 Share my location")
SKIP_BUTTON = N_("Skip")
PLACE_SAVED = N_("Saved your place: %(place)s.")
LOCATION_SAVED = N_("Saved your farm's location. Weather advice will be for this place.")
ASK_CROPS = N_("Which crops do you grow? Tap one, or type its name. You can skip this.")
ASK_SOWING = N_("When did you sow %(crop)s?")
SOWN_THIS_WEEK = N_("This week")
SOWN_TWO_WEEKS = N_("2 weeks ago")
SOWN_ONE_MONTH = N_("1 month ago")
SOWN_TWO_MONTHS = N_("2 months ago")
SOWN_THREE_MONTHS = N_("3 months ago or more")
NOT_SOWN_YET = N_("Not sown yet")
CROP_SAVED = N_("Saved: %(crop)s.")
CROP_SAVED_SOWN = N_("Saved: %(crop)s, sown on %(date)s.")
CROP_NOT_KNOWN = N_("I do not know that crop yet. Please tap one of the buttons or type another name.")
ADD_CROP_BUTTON = N_("➕ Add a crop")
DONE_BUTTON = N_("Done")
ASK_TIPS = N_("Would you like one short weather tip each morning for your place and crops?")
TIPS_AT_BUTTON = N_("Yes, at %(time)s")
TIPS_OFF_BUTTON = N_("No, thanks")
TIPS_ON = N_("Weather tips are on, each day at %(time)s.")
TIPS_OFF = N_("Weather tips are off.")
SETUP_DONE = N_(
    "All set. Ask me anything about your farm, in your own words. Send /help to see what I can do."
)
HELP = N_(
    "I answer questions about crops, pests, soil, weather, irrigation, markets, animals and government"
    " schemes. Type your question in your own language.\n"
    "/language — change the language\n"
    "/profile — see and change what I keep about you\n"
    "/crops — your crops and sowing dates\n"
    "/tips — morning weather tips on or off\n"
    "/expert — ask an extension officer to check my last answer\n"
    "/forget — erase everything I keep about you"
)
COMMAND_START = N_("Start and set up")
COMMAND_HELP = N_("What I can do")
COMMAND_LANGUAGE = N_("Change the language")
COMMAND_PROFILE = N_("See what I keep about you")
COMMAND_CROPS = N_("Your crops")
COMMAND_TIPS = N_("Morning weather tips")
COMMAND_EXPERT = N_("Ask an extension officer")
COMMAND_FORGET = N_("Erase your data")
PROFILE = N_(
    "This is what I keep about you:\n"
    "Language: %(language)s\n"
    "Place: %(place)s\n"
    "Location: %(location)s\n"
    "Crops: %(crops)s\n"
    "Weather tips: %(tips)s\n"
    "Messages kept: %(messages)s\n"
    "Agreed on: %(consent)s"
)
NOT_SET = N_("not set")
LOCATION_SHARED = N_("shared")
TIPS_VALUE_ON = N_("on, at %(time)s")
TIPS_VALUE_OFF = N_("off")
LANGUAGE_BUTTON = N_("Language")
PLACE_BUTTON = N_("Place")
CROPS_BUTTON = N_("Crops")
TIPS_BUTTON = N_("Weather tips")
FORGET_BUTTON = N_("Erase my data")
CROPS_LIST = N_("Your crops (tap one to remove it):")
NO_CROPS = N_("You have not told me any crops yet.")
CROP_REMOVED = N_("Removed: %(crop)s.")
FORGET_CONFIRM = N_(
    "This erases everything I keep about you: your messages, place, crops and settings. It cannot be"
    " undone. Erase everything?"
)
FORGET_YES = N_("Yes, erase everything")
FORGET_NO = N_("No, keep it")
FORGOTTEN = N_("Done. I have erased everything I kept about you. Send /start if you want to begin again.")
FORGET_CANCELLED = N_("Nothing was erased.")
EXPERT_OPENED = N_(
    "I have sent your last question and my answer to an extension officer. Their reply will come here."
)
EXPERT_NOTHING = N_(
    "Ask your question first. Then send /expert and an extension officer will check my answer."
)
ASK_EXPERT_BUTTON = N_("Ask an expert")
FEEDBACK_THANKS = N_("Thank you for your feedback.")
FEEDBACK_WHY = N_("Sorry this did not help. What was wrong?")
REASON_WRONG = N_("Wrong advice")
REASON_UNCLEAR = N_("Hard to understand")
REASON_OFF_TOPIC = N_("Not what I asked")
REASON_LANGUAGE = N_("Wrong language")
FEEDBACK_TO_OFFICER = N_("Thank you. An extension officer will check this answer.")
NOT_TEXT = N_(
    "I cannot open voice notes, photos, stickers or files yet. Please type your question in a few"
    " words, in your own language. You can share your farm's location with the 📍 button."
)
FLOOD = N_(
    "You are sending messages very fast. Please wait for my answer before you send more; I answer one"
    " question at a time."
)

# --- weather tips and weather answers (bot/weather/) ---------------------------------------------
# Numbers arrive already formatted for the language; each line starts with its day ("Today: ...")
# so that no language has to fit a day name into the middle of a sentence.
TIP_HEADER = N_("🌦 Weather tip for %(date)s")
WEATHER_HEADER = N_("🌦 Weather forecast for your farm:")
WEATHER_DAY = N_(
    "%(day)s: %(t_min)s–%(t_max)s °C, rain %(rain)s mm (chance %(chance)s%%), wind up to %(wind)s km/h."
)
DAY_TODAY = N_("Today")
DAY_TOMORROW = N_("Tomorrow")
TIP_HEAVY_RAIN = N_(
    "%(day)s: heavy rain expected (%(rain)s mm). Do not spray or put fertilizer before it; clear the"
    " drainage channels so water does not stand in the field."
)
TIP_IRRIGATION = N_(
    "Dry days ahead: your %(crop)s (day %(days)s after sowing) needs about %(mm)s mm of water over the"
    " next 3 days."
)
TIP_IRRIGATION_AREA = N_("For your %(area)s hectares that is about %(litres)s litres.")
TIP_DRY_NO_STAGE = N_(
    "Dry days ahead: the soil loses about %(mm)s mm of water a day. Tell me your crop and its sowing"
    " date (/crops) to get your crop's water need."
)
TIP_HEAT = N_(
    "%(day)s: heat up to %(t_max)s °C. Water in the evening, cover the soil with mulch, and give"
    " animals shade and plenty of water."
)
TIP_COLD = N_(
    "%(day)s: a cold night down to %(t_min)s °C. A light irrigation in the evening protects the crop;"
    " cover nurseries and young plants."
)
TIP_WIND = N_("Today: strong wind up to %(wind)s km/h. Do not spray today.")
TIP_DISEASE = N_("Warm and humid weather favours diseases. Check your crops for: %(diseases)s.")
TIP_SPRAY_WINDOW = N_("Next dry, calm day for spraying: %(day)s.")
TIP_NO_SPRAY_WINDOW = N_("No dry, calm day for spraying in the next 5 days.")
TIP_NO_RISK = N_("No weather risk for your crops today.")
TIP_LABEL = N_("Automatic advice from the weather forecast and fixed rules; not reviewed by an officer.")
WEATHER_NEED_LOCATION = N_(
    "To tell you the weather for your own farm I need its location. Please tap the button below to"
    " share it (📍). I keep only the place, to give you weather advice."
)
WEATHER_UNAVAILABLE = N_("The weather forecast cannot be reached right now. Here is general advice:")
TIPS_NEED_LOCATION = N_(
    "Weather tips need your farm's location. Please tap the button below to share it (📍)."
)

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
    WELCOME_CONSENT,
    CHOOSE_LANGUAGE,
    LANGUAGE_SET,
    ASK_PLACE,
    SHARE_LOCATION_BUTTON,
    SKIP_BUTTON,
    PLACE_SAVED,
    LOCATION_SAVED,
    ASK_CROPS,
    ASK_SOWING,
    SOWN_THIS_WEEK,
    SOWN_TWO_WEEKS,
    SOWN_ONE_MONTH,
    SOWN_TWO_MONTHS,
    SOWN_THREE_MONTHS,
    NOT_SOWN_YET,
    CROP_SAVED,
    CROP_SAVED_SOWN,
    CROP_NOT_KNOWN,
    ADD_CROP_BUTTON,
    DONE_BUTTON,
    ASK_TIPS,
    TIPS_AT_BUTTON,
    TIPS_OFF_BUTTON,
    TIPS_ON,
    TIPS_OFF,
    SETUP_DONE,
    HELP,
    COMMAND_START,
    COMMAND_HELP,
    COMMAND_LANGUAGE,
    COMMAND_PROFILE,
    COMMAND_CROPS,
    COMMAND_TIPS,
    COMMAND_EXPERT,
    COMMAND_FORGET,
    PROFILE,
    NOT_SET,
    LOCATION_SHARED,
    TIPS_VALUE_ON,
    TIPS_VALUE_OFF,
    LANGUAGE_BUTTON,
    PLACE_BUTTON,
    CROPS_BUTTON,
    TIPS_BUTTON,
    FORGET_BUTTON,
    CROPS_LIST,
    NO_CROPS,
    CROP_REMOVED,
    FORGET_CONFIRM,
    FORGET_YES,
    FORGET_NO,
    FORGOTTEN,
    FORGET_CANCELLED,
    EXPERT_OPENED,
    EXPERT_NOTHING,
    ASK_EXPERT_BUTTON,
    FEEDBACK_THANKS,
    FEEDBACK_WHY,
    REASON_WRONG,
    REASON_UNCLEAR,
    REASON_OFF_TOPIC,
    REASON_LANGUAGE,
    FEEDBACK_TO_OFFICER,
    NOT_TEXT,
    FLOOD,
    TIP_HEADER,
    WEATHER_HEADER,
    WEATHER_DAY,
    DAY_TODAY,
    DAY_TOMORROW,
    TIP_HEAVY_RAIN,
    TIP_IRRIGATION,
    TIP_IRRIGATION_AREA,
    TIP_DRY_NO_STAGE,
    TIP_HEAT,
    TIP_COLD,
    TIP_WIND,
    TIP_DISEASE,
    TIP_SPRAY_WINDOW,
    TIP_NO_SPRAY_WINDOW,
    TIP_NO_RISK,
    TIP_LABEL,
    WEATHER_NEED_LOCATION,
    WEATHER_UNAVAILABLE,
    TIPS_NEED_LOCATION,
)

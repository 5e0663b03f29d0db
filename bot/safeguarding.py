"""Messages that say a student may be in danger get a person, not a careers answer.

The assistant is a careers bot on a school's site. A student who writes that they want to hurt
themselves, or that someone is hurting them, must not get "My sources only cover careers"
or a guess at an intent. The channels check every message here first: a match gets a short,
kind reply that points to people who can help (the school's counsellor, with the contact the
server has for the page's school; a trusted adult; the local emergency number) and is not passed
to the model. The phrases are deliberately plain and few; a match errs on the side of care.
No helpline number is given: the right one depends on the country, and a wrong one is worse.
"""

from __future__ import annotations

import re
from typing import Mapping, Optional

PHRASES = (
    r"(kill|hurt|harm|cut|hang|shoot|drown|poison)(s|ed|ing|ting)? (my ?self|myself)",
    r"(end|take) my (own )?life",
    r"su[i1]c[i1]d(e|al)",
    r"self[- ]?harm(ing)?",
    r"(want|going) to die",
    r"(wanna|gonna) die",
    r"(don'?t|do not|dont) want to (live|be alive|exist)",
    r"no (reason|point) (to|in) (live|living)",
    r"better off dead",
    r"(he|she|they|someone|somebody|my (dad|mum|mom|stepdad|stepmum|stepmom|parent|parents|uncle|brother|"
    r"boyfriend|girlfriend|teacher|coach)) (is |are |keeps |kept )?(hitting|hurting|abusing|touching) me",
    r"(i am|i'?m|im) being (abused|hurt|hit|bullied)",
)
CONCERNING = re.compile(r"\b(?:" + "|".join(PHRASES) + r")\b", re.IGNORECASE)


def concerning(text: object) -> bool:
    """True when the message says the student may be in danger (see PHRASES)."""
    return isinstance(text, str) and CONCERNING.search(" ".join(text.split())) is not None


def reply(metadata: Optional[Mapping[str, str]] = None) -> str:
    """A kind answer that names people who can help, with the school's counsellor when the server knows them."""
    metadata = metadata or {}
    who = metadata.get("counsellor_name") or "your school counsellor"
    contacts = [c for c in (metadata.get("counsellor_email"), metadata.get("counsellor_phone")) if c]
    reach = f" ({' or '.join(contacts)})" if contacts else ""
    return ("I'm really sorry you're going through this. I'm only a careers bot, so I can't help with it "
            f"myself, but you don't have to deal with it alone. Please talk to someone today: {who}{reach}, "
            "a teacher, or an adult you trust. If you are in danger right now, call your local emergency number.")

"""Messages that say a student may be in danger get a person, not a careers answer.

The assistant is a careers bot on a school's site. A student who writes that they want to hurt
themselves, or that someone is hurting them, must not get "My sources only cover careers"
or a guess at an intent. The channels check every message here first: a match gets a short,
kind reply that points to people who can help (the school's counsellor, with the contact the
server has for the page's school; a trusted adult; the local emergency number) and is not passed
to the model. The phrases are deliberately plain and few; a match errs on the side of care.
No helpline number is given: the right one depends on the country, and a wrong one is worse.

Spanish (SPANISH) is read the way US teens and parents type it: accents are dropped before
matching (so "papá" and "papa" are one), with a few common misspellings ("kiero", "golpia",
"biolencia", "buling") and Spanglish ("mi stepdad me pega", "me hacen bullying"). Idioms that only
share a word stay careers questions: "me muero de ganas", "me mata de risa", "se mueren de
aburrimiento", "cortar imágenes", "me voy a cortar el pelo", "no quiero vivir en otra ciudad".
The Spanish list is longer than the English one because Spanish drops the subject ("me pegan")
and "matarme" or "hacerme daño" can also mean "kill me" or "hurt me" (the radiation, a patient), so
those only match with a first-person "quiero", "voy a" or "me quiero". Like "suicide" and "self
harm", "suicidio" and "autolesiones" match whatever the sentence. reply() answers in Spanish when
the caller says the language is Spanish; it does not guess the language.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Mapping, Optional

from knowledge.language import page_language

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

# Written without accents: the text is folded the same way (_folded) before it is matched.
WANT = r"(?:(?:qu|k|q)iero|(?:qu|k)isiera|voy a|ganas de|pienso en|pensando en|intente|trate de)"
ME_WANT = r"me (?:(?:qu|k|q)iero|(?:qu|k)isiera|voy a)"
IDIOM = (r"(?! de (?:risa|hambre|sed|aburrimiento|verguenza|pena|sueno|frio|calor|ganas|nervios|miedo|"
         r"cansancio|envidia|amor|emocion|la risa))")  # "me quiero morir de risa" is a joke, not a plan
NOT_HAIR = r"(?! (?:el|la|las|los|mi|mis) (?:pelo|cabello|fleco|flequillo|barba|bigote|unas|puntas))"
NOT_BODY = (r"(?! (?:el|la|los|las|mi|mis) (?:espalda|hombros?|manos?|munecas?|rodillas?|cuello|brazos?|ojos|vista|"
            r"oidos?|pies?|columna|dedos?))")  # "lastimarme la espalda" is a careers worry, not self-harm
PERSON = (r"(?:papa|papi|padre|mama|mami|madre|padrastro|madrastra|tio|tia|hermano|hermana|primo|prima|abuelo|"
          r"abuela|novio|novia|pareja|maestro|maestra|profe|profesor|profesora|profesores|entrenador|entrenadora|"
          r"companero|companera|dad|mom|stepdad|stepmom)s?")
WHO = (r"(?:(?:(?:mi|mis|my|el|la|los|las|un|una|su) )?" + PERSON + r"|(?:el|la) (?:novio|novia|pareja|esposo|esposa)"
       r" de mi (?:mama|papa|madre|padre)|el|ella|ellos|ellas|alguien)")
CHILD = r"mi (?:hijo|hija|nieto|nieta|hermanito|hermanita)s?"
HURTS = (r"(?:(?:peg|golpe|golpi|maltrat|lastim|pate|manose)(?:a|an|o|aron|aba|aban)|(?:hace|hacen|hizo|hacia)"
         r" dano|abus(?:a|an|o|aba|aron) de mi|[bv]iol(?:a|an|o|aron))")
BULLYING = r"(?:ciber|cyber)?bul+[yi]*i?ng?"
SPANISH = (
    r"su[i1]?[cs][i1]d(?:io|a|as|ar|arme|arse|ando)",  # suicidio, suicida, me quiero suicidar, suisidarme
    ME_WANT + r" (?:morir|matar|ahorcar)" + IDIOM,
    r"se (?:quiere|quieren) (?:morir|matar|ahorcar)" + IDIOM + r"|se va a (?:matar|ahorcar)",
    WANT + r" (?:morir(?:me)?|matarme|ahorcarme|estar muert[oa])" + IDIOM,
    r"ojala (?:me muera|estuviera muert[oa]|no hubiera nacido)",
    r"quitarme la vida|(?:acabar|terminar) con mi (?:propia )?vida",
    r"no (?:(?:qu|k|q)iero|tengo ganas de) (?:seguir )?(?:[bv]i[bv]ir|[bv]i[bv]iendo|estar viv[oa]|existir)"
    r"(?! (?:en|lejos|cerca|fuera)\b(?! (?:este|esta) (?:mundo|vida)))",  # "no quiero vivir en otra ciudad"
    r"no (?:tengo|hay|tiene) (?:(?:una |ninguna )?razon|razones|motivos?|sentido) (?:para|de) [bv]i[bv]ir"
    r"|no vale la pena (?:seguir )?[bv]i[bv]ir",
    r"mejor (?:estar )?muert[oa]s?",
    r"auto ?-?lesi(?:on|ones|onarme|ono|ona|onando)",
    r"me (?:corto|corte|cortaba|(?:estoy|he estado|sigo) cortando|(?:(?:qu|k|q)iero|voy a) cortar)" + NOT_HAIR
    + r"|cortarme" + NOT_HAIR,
    ME_WANT + r" (?:hacer dano|lastimar|herir)" + NOT_BODY + "|" + WANT + r" (?:hacerme dano|lastimarme|herirme)"
    + NOT_BODY + r"|me hago dano",
    CHILD + r" (?:dice que )?(?:se (?:corta|esta cortando|sigue cortando|hace dano|lastima)|(?:quiere|piensa en) "
    r"(?:morir|matarse|cortarse|lastimarse))",
    WHO + r" (?:(?:siempre|a veces|seguido|todavia|aun|tambien|ya) )?(?:(?:me|nos) " + HURTS
    + r"|abus(?:a|o|aba) de mi|le " + HURTS + r" a mi (?:mama|papa|madre|padre|hermano|hermana|hermanito|hermanita))",
    r"(?<!se )me (?:pegan|pegaron|golpean|golpian|golpearon|maltratan|maltrataron|manosean|[bv]iolan|[bv]iolaron|"
    r"acosan|abusan de mi|abusaron de mi)",
    r"a " + CHILD + r" (?:le|la|lo|les|los|las) (?:pegan|golpean|golpian|maltratan|acosan|manosean|[bv]iolaron|"
    r"hacen dano)",
    r"(?:me|nos) (?:esta|estan) (?:pegando|golpeando|golpiando|maltratando|lastimando|haciendo dano|abusando|"
    r"[bv]iolando|manoseando|acosando)|(?:pegandome|golpeandome|golpiandome|maltratandome|[bv]iolandome|manoseandome)",
    r"(?:estoy siendo|soy|fui|he sido) (?:abusad|maltratad|golpead|[bv]iolad|acosad)[oa]",
    r"(?:me|le|les|nos) (?:hacen|hacian|estan haciendo) (?:el )?" + BULLYING + r"|me bul+[yi]*(?:ean|eando|earon)"
    r"|sufro (?:de )?(?:" + BULLYING + r"|abuso|maltrato|[bv]iolencia|acoso)",
    r"[bv]iolencia (?:domestica |familiar |intrafamiliar )?en (?:mi (?:casa|familia|hogar)|la casa)"
    r"|en mi (?:casa|familia) hay (?:mucha )?[bv]iolencia",
)
CONCERNING = re.compile(r"\b(?:" + "|".join(PHRASES + SPANISH) + r")\b", re.IGNORECASE)
ENGLISH_CONCERNING = re.compile(r"\b(?:" + "|".join(PHRASES) + r")\b", re.IGNORECASE)
SPANISH_CONCERNING = re.compile(r"\b(?:" + "|".join(SPANISH) + r")\b", re.IGNORECASE)


def _folded(text: str) -> str:
    """Accents dropped and white space folded, so "papá" and "papa" match the same phrase."""
    plain = "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))
    return " ".join(plain.split())


def language(text: str, metadata: Optional[Mapping[str, str]] = None) -> str:
    """The reply's language: Spanish when the message says it in Spanish, else the page's language, else
    English. The message never reaches the model, so its words decide, not the detector."""
    folded = _folded(text)
    spanish, english = SPANISH_CONCERNING.search(folded), ENGLISH_CONCERNING.search(folded)
    if bool(spanish) != bool(english):
        return "es" if spanish else "en"
    return page_language(metadata) or "en"


def concerning(text: object) -> bool:
    """True when the message says the student may be in danger (see PHRASES and SPANISH)."""
    return isinstance(text, str) and CONCERNING.search(_folded(text)) is not None


def _or_es(contacts: list[str]) -> str:
    """The contacts joined with Spanish "o", which is "u" before an o sound ("u ortiz@", "u 800...")."""
    joined = contacts[0]
    for contact in contacts[1:]:
        joined += (" u " if contact.lower().startswith(("o", "ho", "8")) else " o ") + contact
    return joined


def reply(metadata: Optional[Mapping[str, str]] = None, language: str = "en") -> str:
    """A kind answer that names people who can help, with the school's counsellor when the server knows them.

    `language` "es" (or "es-MX" and the like) gets the same answer in Spanish; anything else gets English.
    """
    metadata = metadata or {}
    contacts = [c for c in (metadata.get("counsellor_email"), metadata.get("counsellor_phone")) if c]
    if (language or "").lower().split("-")[0] == "es":
        who = metadata.get("counsellor_name") or "tu consejero o consejera escolar"
        reach = f" ({_or_es(contacts)})" if contacts else ""
        return ("Siento mucho que estés pasando por esto. Solo soy un bot de carreras, así que yo no puedo ayudarte "
                f"con esto, pero no tienes que enfrentarlo a solas. Por favor, habla hoy con alguien: {who}{reach}, "
                "un maestro o una maestra, o un adulto de tu confianza. Si estás en peligro ahora mismo, llama "
                "al número de emergencias de tu zona.")
    who = metadata.get("counsellor_name") or "your school counsellor"
    reach = f" ({' or '.join(contacts)})" if contacts else ""
    return ("I'm really sorry you're going through this. I'm only a careers bot, so I can't help with it "
            f"myself, but you don't have to deal with it alone. Please talk to someone today: {who}{reach}, "
            "a teacher, or an adult you trust. If you are in danger right now, call your local emergency number.")

"""The form of a question, where it changes the answer: "which states", "in Canada", "which job pays most",
"a safe dose", "who supervises them", "is it a good job".

The intent says what a question is about (licences, pay); these say what kind of answer fits it. Each
returns None when the message has no such form, and the ordinary answer follows. Each English pattern has its
Spanish one beside it (`..._ES`), matched over the folded text (knowledge.language.folded: lower case, no accents,
ñ kept), so that "¿en qué estados?" and "en que estados" are one form.
"""

from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.context import CHECKED, say
from actions.phrases import EN, phrase, spanish, term
from knowledge.language import folded
from knowledge.names import CONTEXT_REFERENCE, OCCUPATION, OTHER_JOB, REFERENCE
from knowledge.places import Place, named_place
from knowledge.query import KnowledgeBase
from knowledge.vocabulary import CLASSIFICATION, LICENCE_STATES_ORDER, NOT_COVERED

MAX_TEXT = 1000  # longer messages are read in their first part only

WHICH_STATES = re.compile(
    r"\b(?:which|what|wich|name|list|tell me)\b(?:\s+\w+){0,3}\s+states?\b|\bstates? (?:pays?|is|are) (?:the )?best\b"
    r"|\bbest[- ]paying states?\b|\bstate by state\b|\beach state\b|\bper state\b", re.IGNORECASE)
# "¿en qué estados?", "¿cuál estado paga más?", "dime los estados", "estado por estado": never Estados Unidos
WHICH_STATES_ES = re.compile(
    r"\b(?:que|cual|cuales|nombra(?:me)?|dime|lista(?:me)?|menciona(?:me)?)\b(?:\s+\w+){0,3}\s+estados?\b(?!\s+unidos)"
    r"|\bestados?\s+(?:que\s+)?(?:mejor\s+)?pagan?\s+(?:mas|mejor)\b|\bmejor(?:es)?\s+estados?\b(?!\s+unidos)"
    r"|\bestado por estado\b|\b(?:cada|por) estado\b")
# "which job pays most", "what one needs a licence in the fewest states", "who needs the most schooling"
ACROSS_JOBS = re.compile(
    r"\b(?:which|what|wich)\s+(?:(?:imaging |medical |of the |kind of |type of )?(?:jobs?|ones?|careers?|techs?|"
    r"technicians?|technologists?|professions?)|of (?:them|these|those|the jobs))\b|\bwho\b|"
    r"\bwhich\s+(?:needs?|pays?|earns?|makes?|requires?|has|have|gets?|takes?)\b", re.IGNORECASE)
EXTREMES = re.compile(
    r"\b(?:most|least|fewest|highest|lowest|best|worst|longest|shortest|quickest|fastest|more|less|fewer)\b",
    re.IGNORECASE)
# "¿cuál paga más?", "¿qué trabajo necesita menos estudios?", "¿cuál de ellos gana más?", "¿quién gana más?"
ACROSS_JOBS_ES = re.compile(
    r"\b(?:cual|cuales|que)\s+(?:(?:de\s+)?(?:los\s+|las\s+|estos\s+|estas\s+|esos\s+|esas\s+)?(?:trabajos?|empleos?|"
    r"carreras?|profesion(?:es)?|ocupacion(?:es)?|puestos?|tecnic[oa]s?|tecnolog[oa]s?|opcion(?:es)?)|de\s+(?:ellos|ellas|"
    r"estos|estas|esos|esas|los trabajos|las carreras))\b|\bquien(?:es)?\b|\ben cual\b|"
    r"\bcual(?:es)?\s+(?:(?:es|son)\s+(?:el|la|los|las)\s+que\s+)?(?:mas\s+|menos\s+)?(?:necesitan?|pagan?|ganan?|"
    r"requieren?|piden?|tienen?|llevan?|toman?|exigen?|duran?|cobran?)\b|"
    r"\bcual(?:es)?\s+(?:es|son)\s+(?:el\s+|la\s+)?(?:mas|menos|mejor|peor)\b")
EXTREMES_ES = re.compile(r"\b(?:mas|menos|mayor|menor|mejor(?:es)?|peor(?:es)?|maxim[oa]|minim[oa])\b")
DOSE = re.compile(
    r"\b(?:doses?|dosage|how much radiation|safe (?:level|amount|limit)s?|radiation limits?|sieverts?|"
    r"millisieverts?|msv|rems?)\b", re.IGNORECASE)
DOSE_ES = re.compile(
    r"\b(?:dosis|cuanta radiacion|(?:nivel(?:es)?|cantidad(?:es)?|limites?)\s+(?:segur[oa]s?|permitid[oa]s?|"
    r"maxim[oa]s?|de (?:radiacion|exposicion|dosis))|sieverts?|milisieverts?|msv)\b")
# "who supervises them", "who is their boss", "do they work under a doctor": not "do they supervise the machines"
SUPERVISION = re.compile(
    r"\bwho\b[^?.!]{0,30}\b(?:supervises|supervise|oversees|oversee|is in charge|manages|bosses)\b|"
    r"\b(?:supervised by|supervisors?|their boss|bosses|reports? to|work(?:s|ing)? under|answers? to)\b",
    re.IGNORECASE)
# "¿quién los supervisa?", "¿quién es su jefe?", "¿trabajan bajo un médico?", "¿a quién le reportan?"
SUPERVISION_ES = re.compile(
    r"\bquien(?:es)?\b[^?.!]{0,30}\b(?:supervisa|supervisan|vigila|vigilan|dirige|dirigen|manda|mandan|esta a cargo|"
    r"estan a cargo|(?:es|son) (?:el|la|los|las|su|sus) (?:jef[ea]s?|responsables?|supervisor(?:es|as?)?)|reporta|"
    r"reportan)\b|\b(?:supervisad[oa]s? por|bajo (?:la )?supervision|supervisor(?:es|as?)?|sus? jef[ea]s?|"
    r"trabaja(?:n|r)? bajo|(?:a|bajo) las ordenes de|(?:reporta|reportan|responde|responden|rinden? cuentas) "
    r"(?:directamente )?(?:a|al|ante)\s+(?:(?:un|una|el|la|los|las|su|sus)\s+)?(?:medic|doctor|radiolog|jef|supervis|"
    r"encargad)\w*)")
IN_CHARGE = re.compile(r"\bin charge\b|\ba cargo\b|\bsupervis", re.IGNORECASE)  # the sentence of a fact that says who
GOOD_JOB = re.compile(
    r"\b(?:good|great|bad|decent|nice|smart) (?:job|career|choice|idea|option|path|field|profession)\b|"
    r"\bworth it\b|\bworth (?:doing|going into|studying)\b|\bshould i (?:become|be|do|go into|pick|choose)\b|"
    r"\bis it (?:a )?good\b|\bwould you recommend\b", re.IGNORECASE)
GOOD_JOB_ES = re.compile(
    r"\b(?:buen|buena|mal|mala|excelente|gran) (?:trabajo|empleo|carrera|opcion|idea|camino|campo|profesion|futuro|"
    r"decision|eleccion)\b|\b(?:trabajo|empleo|carrera|opcion|profesion) (?:buen[oa]|mal[oa]|recomendable)\b|"
    r"\bvale la pena\b|\b(?:me|te|nos) conviene\b|\bdeberia (?:ser|estudiar|hacerme|elegir|escoger|meterme)\b|"
    r"\b(?:me |lo |la |los |las )?recomienda(?:s|n)?\b|\b(?:es|sera|seria) bueno\b")
# A patient's question about their own (or their family's) scan or health, not about the job: "is ultrasound
# safe for my baby", "can the radiation from my ct scan give me cancer". The sources are about careers.
PATIENT = re.compile(
    r"\bmy (?:\w+ )?(?:scans?|x-?rays?|xrays?|ultrasounds?|mri|mris|ct|mammograms?|results?|reports?|appointments?|"
    r"baby|babies|pregnancy|doctor|child|son|daughter|kids?|body|health|treatment|chemo|radiotherapy)\b|"
    r"\bmy (?:grandma|grandmother|grandpa|grandfather|nan|nana|mom|mum|mother|dad|father|sister|brother|wife|"
    r"husband|partner|aunt|uncle|friend|cousin)\b|"
    r"\bfor (?:the|a|an|your|our) (?:unborn )?(?:baby|babies|fetus|kid|child|children|toddler)\b|"
    r"\btoo many (?:x-?rays?|xrays|scans|ct scans|ct|mris?)\b|\bhow many (?:x-?rays?|xrays|scans|ct scans|cts|mris|"
    r"mammograms)\b[^?.!]{0,30}\btoo many\b|"
    r"\bi(?:'m|m| am) pregnant\b|\bfor me\b|\bwhile (?:pregnant|breastfeeding)\b|\bi (?:have|had|got) (?:an? )?"
    r"(?:scans?|x-?rays?|mri|ct|ultrasound|mammogram)\b", re.IGNORECASE)
# "la tomografía que me hicieron", "¿me puede dar cáncer?", "mi mamá se va a hacer una resonancia", "estoy embarazada"
PATIENT_ES = re.compile(
    r"\bmis? (?:\w+ )?(?:estudio|tomografias?|tac|radiografias?|rayos|placas?|ecografias?|ecos?|ultrasonidos?|"
    r"resonancias?|mamografias?|resultados?|citas?|bebes?|embarazo|doctor(?:a)?|medic[oa]|hij[oa]s?|nin[oa]s?|cuerpo|"
    r"salud|tratamiento|quimio(?:terapia)?|radioterapia|analisis|diagnostico)\b|"
    r"\bmis? (?:mama|mami|madre|papa|papi|padre|abuel[oa]|herman[oa]|espos[oa]|marido|pareja|novi[oa]|ti[oa]|"
    r"prim[oa]|amig[oa]|suegr[oa])s?\b|"
    r"\bme (?:hicieron|hice|van a hacer|voy a hacer|tengo que hacer|toca hacer|mandaron(?: a)? hacer|hare|haran|"
    r"tomaron|sacaron|dieron|pusieron|inyectaron)\b|\bhacerme (?:un|una|el|la|otr[oa])\b|"
    r"\b(?:me|le|nos) (?:puede|pueden|podria|podrian|va a|van a|da|dan|dara|daria|causa|causara) (?:dar |causar |"
    r"provocar )?(?:cancer|leucemia|tumor(?:es)?|dano)\b|"
    r"\b(?:estoy|estaba|quede|sigo) embarazada\b|\b(?:durante|en|mientras)(?: el| la| mi)? (?:embarazo|lactancia)\b|"
    r"\bamamantando\b|\bpara mi(?=\s*(?:[?.!,]|$))|\b(?:me|le|nos) (?:va|van) a (?:curar|sanar|doler)\b|"
    r"\btengo (?:una|un) (?:tomografia|tac|radiografia|resonancia|ecografia|mamografia|ultrasonido|estudio)\b")
# Words of a career question: with one of these, "my" is a student's ("my mom says rad techs earn a lot").
CAREER = re.compile(
    r"\b(?:jobs?|careers?|work(?:s|ing|er)?|become|becoming|study|studying|course|degree|school|college|train(?:ing)?|"
    r"techs?|technicians?|technologists?|sonographers?|radiographers?|therapists?|licen[cs]e|certifi\w*|salary|pay|"
    r"earn\w*|hours|shifts?|staff|employee)\b", re.IGNORECASE)
CAREER_ES = re.compile(
    r"\b(?:trabaj\w*|emple\w*|carreras?|profesion\w*|estudiar|estudiando|estudie|estudia|curso\w*|titulo\w*|"
    r"licencia\w*|certifica\w*|sueldos?|salarios?|pag[ao]n?|ganan?|ganar|escuela|universidad|colegio|formacion|"
    r"capacitacion|entrena\w*|tecnic[oa]s?|tecnolog[oa]s?|ecografistas?|radiologos?|radiografos?|sonografistas?|"
    r"terapeutas?|radioterapeutas?|mamografistas?|turnos?|horarios?|horas|personal|convertirme|llegar a ser|"
    r"(?:quier[eo]n?|quieres|quisiera|piensa|pienso|desea|sueña con) (?:ser|estudiar|dedicarse)|"
    r"techs?|technicians?|technologists?|sonographers?|radiographers?)\b")  # Spanglish: "mi hijo quiere ser rad tech"
# "what is a black hole", "¿qué es un agujero negro?": a definition of a thing that names no job, field or group,
# read as the overview (the group's, or the job in context). The sources define no such thing. Generic words of a
# career question ("what is the job like", "¿qué es lo que hacen?") keep the ordinary answer.
WHAT_IS_THING = re.compile(
    r"^\W*(?:(?:and|so|ok|y|pero|oye|entonces)\W+)?(?:what(?:'s|s| is| are)|que (?:es|son)|q (?:es|son))\s+"
    r"(?:a|an|the|un|una|el|la|los|las)\s+(?P<thing>[a-zñ0-9][a-zñ0-9' -]{1,40}?)\W*$", re.IGNORECASE)
CAREER_THING = re.compile(
    r"\b(?:jobs?|careers?|work|day|life|pay|salary|group|field|profession|occupation|difference|best|worst|"
    r"technicians?|technologists?|techs?|training|course|degree|licen[cs]e|schedule|shift|hours|equipment|machines?|"
    r"tasks?|duties|dut(?:y|ies)|responsibilit\w*|roles?|requirements?|steps?|process|procedures?|future|outlook|"
    r"demand|options?|chances?|risks?|tareas?|funcion\w*|requisitos?|pasos?|proceso|futuro|demanda|rol|papel|"
    r"opcion\w*|riesgos?|"
    r"trabajo|carrera|dia|vida|sueldo|salario|grupo|campo|profesion|ocupacion|diferencia|mejor|peor|tecnic[oa]s?|"
    r"tecnolog[oa]s?|formacion|curso|titulo|licencia|horario|turno|horas|equipo|maquinas?|que|lo)\b")
# "¿cuánto cuesta un PS5?", "how much does it cost": a price, never pay; the sources give no prices.
COST = re.compile(r"\b(?:cost|costs|costing|price|prices|priced)\b", re.IGNORECASE)
COST_ES = re.compile(r"\b(?:cuesta|cuestan|costo|costos|coste|precio|precios|vale|valen)\b(?! la pena)")
PAY_WORDS = re.compile(r"\b(?:earn\w*|pay|paid|salary|salaries|wages?|make|income|gana\w*|sueldos?|salarios?|"
                       r"pagan?|paga|ingresos?)\b", re.IGNORECASE)


def asks_what_a_thing_is(text: str, names_anything: bool) -> bool:
    """"what is a black hole": a definition, in either language, of something that is no job, field or group
    (`names_anything`: the message has an entity of the group's jobs, another job or a reference)."""
    if names_anything or not text:
        return False
    found = WHAT_IS_THING.match(folded(text).strip())
    return found is not None and CAREER_THING.search(found.group("thing")) is None


def names_a_job(tracker: Tracker) -> bool:
    """Whether the latest message names a job, another job or the group, by name or by reference."""
    return any(isinstance(e, dict) and e.get("entity") in NAMING_ENTITIES
               for e in (tracker.latest_message or {}).get("entities") or [])


def asks_a_price(text: str) -> bool:
    """"¿cuánto cuesta un PS5?" read as pay: a price or cost, with no word of pay."""
    plain = folded(text)
    return bool((COST.search(text) or COST_ES.search(plain)) and not PAY_WORDS.search(plain))


NAMING_ENTITIES = (OCCUPATION, OTHER_JOB, REFERENCE, CONTEXT_REFERENCE)  # what a message names a job by
# Topics a place changes: the article's pay and licence rules are the US's; its training words too.
PLACE_TOPICS = ("salary", "license", "education", "best_paying", "outlook", "hours", "program_length")


def asks_which_states(tracker: Tracker) -> bool:
    """"Which states are those?": asked after a licence or pay answer, whatever intent it was read as."""
    return _says(WHICH_STATES, WHICH_STATES_ES, _text(tracker))


def _text(tracker: Tracker) -> str:
    text = (tracker.latest_message or {}).get("text")
    return text[:MAX_TEXT] if isinstance(text, str) and not text.startswith("/") else ""


def _says(english: "re.Pattern[str]", spanish: "re.Pattern[str]", text: str) -> bool:
    return bool(english.search(text) or spanish.search(folded(text)))


def asks_for_patients(text: str) -> bool:
    """A patient's own scan or health, in either language, and no word of a career question in that language."""
    plain = folded(text)
    return bool((PATIENT.search(text) and not CAREER.search(text)) or
                (PATIENT_ES.search(plain) and not CAREER_ES.search(plain)))


def shaped_answer(dispatcher: CollectingDispatcher, kb: KnowledgeBase, tracker: Tracker, topic: str,
                  occupation_id: Optional[str], named_jobs: List[str],
                  lang: str) -> Optional[List[Dict[Text, Any]]]:
    """The answer a question's form calls for, or None for the ordinary answer."""
    text = _text(tracker)
    if not text:
        return None
    if topic in ("license", "salary", "best_paying") and _says(WHICH_STATES, WHICH_STATES_ES, text):
        return which_states(dispatcher, kb, topic, occupation_id, lang)
    place = named_place(text, lang)
    # Elsewhere, every topic: even duties may differ there, and the sources describe the US's jobs and
    # Pakistan's list. Pakistan's classification does cover the group's titles, tasks and overview.
    if place is not None and (place.kind == "elsewhere" or (place.kind == "pakistan" and topic in PLACE_TOPICS)):
        return other_place(dispatcher, kb, place, topic, lang)
    if asks_for_patients(text):
        return for_patients(dispatcher, kb, lang)
    if topic == "overview" and asks_what_a_thing_is(text, names_a_job(tracker)):
        return say(dispatcher, kb, phrase("forms.not_a_career_thing", lang), kb.all_sources(), label=CHECKED,
                   kind=NOT_COVERED, language=lang)
    if topic == "salary" and asks_a_price(text):
        return say(dispatcher, kb, phrase("forms.no_prices", lang), kb.all_sources(), label=CHECKED,
                   kind=NOT_COVERED, language=lang)
    if topic == "safety" and _says(DOSE, DOSE_ES, text):
        return no_dose(dispatcher, kb, occupation_id, lang)
    if _says(SUPERVISION, SUPERVISION_ES, text) and topic in ("duties", "overview"):
        return supervision(dispatcher, kb, occupation_id, lang)
    return None


def elsewhere(tracker: Tracker, lang: str = EN) -> Optional[Place]:
    """A place neither source covers, named in the message ("sonographer jobs in toronto"), or None."""
    place = named_place(_text(tracker), lang)
    return place if place is not None and place.kind == "elsewhere" else None


def across_jobs(tracker: Tracker, named_jobs: List[str]) -> bool:
    """"Which job pays most?": a superlative over the group's jobs, with fewer than two named."""
    text = _text(tracker)
    plain = folded(text)
    return len(named_jobs) < 2 and (bool(ACROSS_JOBS.search(text) and EXTREMES.search(text)) or
                                    bool(ACROSS_JOBS_ES.search(plain) and EXTREMES_ES.search(plain)))


def good_job_intro(tracker: Tracker, lang: str) -> Optional[str]:
    """"Is it a good job?": the sources don't judge; the answer says so before what they do say."""
    if not _says(GOOD_JOB, GOOD_JOB_ES, _text(tracker)):
        return None
    return phrase("forms.good_job", lang)


def which_states(dispatcher: CollectingDispatcher, kb: KnowledgeBase, topic: str,
                 occupation_id: Optional[str], lang: str) -> List[Dict[Text, Any]]:
    """The sources name no state: say so, with what they do say (how many states, in their word)."""
    if topic != "license":
        return say(dispatcher, kb, phrase("forms.no_state_pay", lang), kb.all_sources(), label=CHECKED, language=lang)
    ids = [occupation_id] if occupation_id and occupation_id != kb.group().id else [o.id for o in kb.featured()]
    facts = list(dict.fromkeys(f for o in ids if (f := kb.find_fact(o, "license")) is not None
                               and f.states in LICENCE_STATES_ORDER))  # not the group's "varies by occupation"
    # each fact named by its own job (an MRI technologist's question gets the radiologic technologists' word)
    said = [phrase("forms.states_for", lang, states=term(f.states or "", lang), jobs=owner.plural)
            for f in facts if (owner := kb.occupation(f.occupation_id))]
    body = phrase("forms.no_state_names", lang)
    if said:
        body += " " + phrase("forms.only_say_licence", lang, said="; ".join(said))
    body += " " + phrase("forms.your_state", lang)
    return say(dispatcher, kb, body, [], label=CHECKED, facts=facts, kind=NOT_COVERED, language=lang)


def place_name(place: Place, lang: str) -> str:
    """How a reply names a place the student typed ("the UK"; in Spanish without the English article)."""
    shown = place.shown()
    if not spanish(lang):
        return shown
    if shown.startswith("the "):
        shown = shown[len("the "):]
    if shown.startswith("pay in "):
        shown = phrase("forms.pay_in", lang, currency=shown[len("pay in "):])
    return shown


def other_place(dispatcher: CollectingDispatcher, kb: KnowledgeBase, place: Place,
                topic: str, lang: str) -> List[Dict[Text, Any]]:
    """A place the sources don't cover: say so, and what they do cover, never the US rule as the answer."""
    if place.kind == "pakistan":
        gap = kb.gap("pakistan_rules")
        body = gap.text if gap else phrase("forms.nothing_for_pakistan", lang)
    else:
        body = phrase("forms.elsewhere", lang, place=place_name(place, lang))
    body += " " + phrase("forms.counsellor_place", lang)
    checked = [kb.source_for_role(CLASSIFICATION).id] + [s for s in kb.all_sources()
                                                        if s != kb.source_for_role(CLASSIFICATION).id]
    return say(dispatcher, kb, body, checked, label=CHECKED, language=lang)


def for_patients(dispatcher: CollectingDispatcher, kb: KnowledgeBase, lang: str) -> List[Dict[Text, Any]]:
    """A patient's own scan or health: the sources describe the jobs, so say so and who can answer."""
    return say(dispatcher, kb, phrase("forms.patients", lang), kb.all_sources(), label=CHECKED, kind=NOT_COVERED,
               language=lang)


def no_dose(dispatcher: CollectingDispatcher, kb: KnowledgeBase,
            occupation_id: Optional[str], lang: str) -> List[Dict[Text, Any]]:
    """The sources give no dose or safe limit: say so, then what they do say on safety for the job."""
    body = phrase("forms.no_dose", lang)
    facts = []
    fact = kb.find_fact(occupation_id, "safety") if occupation_id else kb.fact(kb.group().id, "safety")
    if fact is not None and not kb.withheld(occupation_id or kb.group().id, fact):
        owner = kb.occupation(fact.occupation_id)
        if owner is not None:
            body += " " + phrase("forms.safety_say_about", lang, jobs=owner.plural, text=fact.text)
        else:
            body += " " + phrase("forms.safety_say", lang, text=fact.text)
        facts = [fact]
    return say(dispatcher, kb, body, kb.all_sources() if not facts else [], label=CHECKED, facts=facts,
               kind=NOT_COVERED, language=lang)


def supervision(dispatcher: CollectingDispatcher, kb: KnowledgeBase,
                occupation_id: Optional[str], lang: str) -> List[Dict[Text, Any]]:
    """Who is in charge: the group's description says radiation treatments are supervised; nothing more."""
    group = kb.group()
    fact = kb.fact(group.id, "overview")
    occupation = kb.occupation(occupation_id) if occupation_id else None
    who = occupation.plural if occupation is not None and occupation.id != group.id else phrase("forms.each_job", lang)
    sentences = re.split(r"(?<=[.!?])\s+", fact.text) if fact else []
    said = " ".join(s for s in sentences if IN_CHARGE.search(s)) or " ".join(sentences)
    body = phrase("forms.supervision", lang, said=said, who=who)
    return say(dispatcher, kb, body, [], facts=[fact] if fact else [], language=lang)

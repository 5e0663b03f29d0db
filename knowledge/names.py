"""The one name resolver: which job a typed name means, and where job names hide in a message.

Both the knowledge base (for the actions) and the NLU component `OccupationEntities` ask it,
so "radiograhper" means the same job everywhere. It knows the group's aliases and those of the
jobs outside the group ("radiologist"), so a close misspelling of an outside job is never read
as the nearest title in the group.

Fuzzy matching mends misspelt words only: each word that differs from the alias's must be one that
is no English word (spaCy's lookup tables, plus the aliases' own words), so "medical lab
technician" is never "medical x-ray technician", and a missing word is never filled in. A job
phrase is its head word (technician, doctor, nurse ...) with its modifiers: a group name inside a
longer job phrase ("nuclear medicine physician", "veterinary ultrasound technician") names a job
outside the group (`outside_phrase`), never the group's job.
"""

from __future__ import annotations

import difflib
import gzip
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Dict, FrozenSet, Iterable, List, Optional, Sequence, Tuple

from knowledge.language import folded

OCCUPATION = "occupation"
OTHER_JOB = "other_job"
REFERENCE = "reference"  # the ruler's label for a phrase that points at an occupation without naming it ("this group")
# ... and for one that points at the job the conversation is about, or the occupation when it is about none
# ("this career", "esta carrera"): the job in context wins, so a follow-up keeps its job.
CONTEXT_REFERENCE = "context_reference"
CUTOFF = 0.85  # difflib ratio from which a typed name is the alias it resembles
MIN_FUZZY_LENGTH = 5  # shorter words ("ct", "mri", "scan") must be typed exactly
MAX_WINDOW = 4  # words in the longest alias worth searching for
WORD = re.compile(r"[\w]+(?:-[\w]+)*")
# Words that never begin or end a job name; they keep "a sonografer" from matching as a whole.
EDGE_WORDS = frozenset(
    "a an the and or of to in on for at is are do does what whats how much many who which about as be "
    "i im u you me my your they them their it its this that these those with from like so than then".split())


# The last word of a job phrase that is never the group's: a name in the group followed by one of these
# ("nuclear medicine physician", "x-ray doctor") is another job's name. Technician, technologist and
# therapist are the group's own heads ("mri technician" is the group's MRI technologist).
HEAD_WORDS = frozenset(
    "doctor doctors physician physicians nurse nurses assistant assistants engineer engineers scientist "
    "scientists hygienist hygienists aide aides oncologist oncologists surgeon surgeons consultant "
    "consultants physicist physicists dentist dentists vet vets veterinarian veterinarians receptionist "
    "receptionists scheduler schedulers secretary secretaries clerk clerks coordinator coordinators manager "
    "managers administrator administrators porter porters transporter transporters biller billers coder coders "
    "salesperson salespeople rep reps representative representatives teacher teachers instructor instructors "
    "professor professors researcher researchers".split())
# Words before a group name that make it another job: "veterinary ultrasound technician".
OUTSIDE_MODIFIERS = frozenset(
    "veterinary vet animal dental pharmacy lab laboratory surgical anesthesia anaesthesia anesthesiology "
    "dialysis respiratory sterile orthopedic orthopaedic "
    # imaging outside medicine: "thermal imaging technician", "photo imaging technician"
    "thermal infrared photo photographic print satellite industrial seismic geophysical document".split())
# A word that names a profession on its own ("cardiologist", "paediatrician", "paramedics"), never one of the
# group's (technologist, technician, and their misspellings "techologist", "tecnician"): another job, unless
# a listed name or a group name covers it. Doctors, physicians and nurses are left out: "do they work with
# doctors?" mentions them, it doesn't ask about them. The assistants come first, so that "physician assistant"
# is found whole before "physician" alone.
PROFESSION = re.compile(
    r"\b(?:dental|medical|nursing|physician|pharmacy|veterinary|vet|teachers?'?|teaching) assistants?\b|"
    r"\b(?!te[ck])[a-z]+(?:ologists?|iatrists?|icians?|metrists?)\b|\b(?:paramedics?|emts?|midwife|midwives|chiropractors?|"
    r"pharmacists?|optometrists?|dentists?|lawyers?|attorneys?|plumbers?|electricians?|pilots?|accountants?|"
    r"programmers?|firefighters?|mechanics?|architects?|veterinarians?|physiotherapists?|psychologists?|"
    r"phlebotomists?|perfusionists?|hygienists?|designers?|(?:truck|bus|taxi|uber|delivery) drivers?|"
    r"developers?|chefs?|influencers?|youtubers?|streamers?|actors?|actress(?:es)?|singers?|"
    r"musicians?|artists?|writers?|journalists?|soldiers?|police(?: officers?)?|cops?|farmers?|carpenters?|"
    r"welders?|barbers?|hairdressers?|cashiers?|bankers?|athletes?|footballers?|scientists?|economists?|"
    r"(?:nba|nfl|mlb|nhl|pro|professional|football|soccer|basketball|baseball|hockey|tennis|golf|esports?) players?|"
    r"nann(?:y|ies)|babysitters?|paralegals?|entrepreneurs?|bakers?|butchers?|brokers?|realtors?|"
    r"astronauts?|zookeepers?|librarians?|photographers?|nutritionists?|dietitians?)\b",
    re.IGNORECASE)
# "pharmacy tech", "sterile processing technician": a technician, technologist or tech whose modifier is an
# English word that no name of the group uses is another job. A misspelt group word ("nucular tech") is
# no English word, so the resolver, not this, reads it.
TECH_PHRASE = re.compile(r"\b([a-z]+)[\s-]+(?:techs?|technicians?|technologists?)\b", re.IGNORECASE)
# Modifiers that say nothing about which job: "a medical technician" may be the group's (asked back).
PLAIN_MODIFIERS = frozenset(
    "medical health healthcare hospital clinic clinical certified licensed registered senior junior chief head "
    "lead student trainee new good best qualified experienced hospital's their them those these cardiac "
    "cardiovascular vascular echo heart brain hearing sleep bone dexa pet nuke "
    # other words for the group's own work: a "mammogram tech" is a mammographer, a "cardiology tech" often an
    # ECG technician, a "neurology tech" an EEG one; saying "outside the group" to them would refuse a fair question
    "mammogram mammograms sonogram sonograms audiology audiologic densitometry density oncology cancer "
    "cardiology cardiography neurology diagnostic scanning".split())
NOT_A_PROFESSION_ASKED = frozenset({"physician", "physicians"})
NURSE = "nurse"  # other_jobs.yml's nurse: what SPANISH_NURSE finds ("nurse" alone is no alias in any language)

# --- the same in Spanish, matched over folded() text (lower case, no accents, ñ kept) ---
# A Spanish profession word: an -ólogo or -iatra ("cardiólogo", "nutrióloga", "histotecnólogo", "pediatra"), a
# -metrista ("dosimetrista", "optometrista"), or a common profession ("abogado", "partera", "trailero", "agente de
# bienes raíces"). Never the group's own: "tecnólogo" and its misspellings, "técnico radiólogo" (the -ólogo after
# técnico), "audiometrista" and "densitometrista". "radiólogo" alone is the doctor (other_jobs.yml). Nurses come
# apart (SPANISH_NURSE), doctors not at all, as in English: "¿trabajan con médicos?" mentions them.
SPANISH_PROFESSION = re.compile(
    r"\b(?:asistentes?|auxiliar(?:es)?|ayudantes?) (?:de |en )?(?:enfermeria|farmacia|odontologia|laboratorio|"
    r"veterinaria|pediatria|cirugia|quirofano|dentista)\b|"
    r"(?<!tecnico )(?<!tecnica )(?<!tecnicos )(?<!tecnicas )\b(?!te[cgk]|prolog|monolog|homolog)[a-zñ]{2,}olog[oa]s?\b|"
    r"\b[a-zñ]+iatras?\b|\b(?!audio|densito)[a-zñ]+metristas?\b|"
    r"\b(?:paramedic[oa]s?|parteras?|comadronas?|matronas?|quiropractic[oa]s?|dentistas?|abogad[oa]s?|notari[oa]s?|"
    r"plomer[oa]s?|fontaner[oa]s?|electricistas?|pilotos?|contador(?:es|as?)?(?! geiger)|contables?|"
    r"programador(?:es|as?)?|bomber[oa]s?|"
    r"mecanicos?|arquitect[oa]s?|veterinarios?|flebotomistas?|perfusionistas?|higienistas?|disenador(?:es|as?)?|"
    r"desarrollador(?:es|as?)?|(?:chofer(?:es)?|conductor(?:es|as?)?) de (?:camion(?:es)?|trailer|autobus|taxi|uber)|"
    r"chofer(?:es)?|camioner[oa]s?|trailer[oa]s?|taxistas?|chefs?|cociner[oa]s?|influencers?|youtubers?|streamers?|"
    r"actor(?:es)?|actriz|actrices|cantantes?|musicos?|artistas?|escritor(?:es|as?)?|periodistas?|soldados?|"
    r"policias?|carpinter[oa]s?|soldador(?:es|as?)?|barber[oa]s?|peluquer[oa]s?|estilistas?|cajer[oa]s?|"
    r"banquer[oa]s?|atletas?|futbolistas?|deportistas?|economistas?|nin[eo]ras?|emprendedor(?:es|as?)?|"
    r"panader[oa]s?|carnicer[oa]s?|vendedor(?:es|as?)?|astronautas?|bibliotecari[oa]s?|fotograf[oa]s?|"
    r"nutricionistas?|dietistas?|agricultor(?:es|as?)?|granjer[oa]s?|"
    r"(?:agentes?|corredor(?:es|as?)?) (?:de bienes raices|inmobiliari[oa]s?|de seguros))\b")
# "una enfermera", "ser enfermero", "la enfermera es ...": a nurse asked about; "con enfermeras", "a la enfermera",
# "médicos y enfermeras" only mention them.
SPANISH_NURSE = re.compile(
    r"(?<!\bcon )(?<!\bpara )(?<!\ba )(?<!\by )(?<!\be )\b(?:un|una|unos|unas|el|la|los|las|ser|como|de|soy|sea)\s+"
    r"(?P<job>enfermer[oa]s?)\b")
# "técnico en anestesia", "técnica de farmacia", "tecnólogo en alimentos": a technician or technologist whose field
# is a Spanish word that no name of the group uses is another job, as TECH_PHRASE's English ones are.
SPANISH_TECH_PHRASE = re.compile(
    r"\b(?:tecnic[oa]s?|tecnolog[oa]s?)(?: superior(?:es)?)? (?:en|de|del)\s+(?:(?:la|el|los|las) )?"
    r"(?P<modifier>[a-zñ]+)\b")
# Fields that say nothing about which job, or that are the group's own work under another name (as PLAIN_MODIFIERS).
SPANISH_PLAIN_MODIFIERS = frozenset(
    "salud hospital hospitales clinica clinicas centro medicina sanitario sanitaria atencion turno guardia noche dia "
    "apoyo area servicio servicios planta nivel grado escuela instituto universidad programa curso carrera empresa "
    "cardiologia cardiaco cardiaca cardiovascular vascular ecocardiografia ecocardiogramas corazon cerebro neurologia "
    "audiologia audicion hueso huesos densitometria densidad oncologia cancer angiografia fluoroscopia hemodinamia "
    "intervencionismo diagnostico estudios pruebas mamogramas eco ecos imagen imagenes".split())
# Fields that no Spanish lexicon word list has, but that name another job plainly.
SPANISH_OUTSIDE_MODIFIERS = frozenset("dialisis quirofano esterilizacion anestesiologia".split())
SPANISH_EDGE_WORDS = frozenset(
    "un una unos unas el la los las mi tu su mis tus sus este esta ese esa que como para por con y o lo al del "
    "nuestro nuestra".split())
# Spanish job phrases put the head first: "asistente de radiología", "profesor de ultrasonido" name another job
# (as "radiology assistant" does), unless the head is itself an adjective after técnico ("técnica médica de ...").
SPANISH_HEAD_WORDS = frozenset(
    "medico medicos medica medicas doctor doctores doctora doctoras enfermero enfermera enfermeros enfermeras "
    "asistente asistentes auxiliar auxiliares ayudante ayudantes ingeniero ingeniera ingenieros ingenieras "
    "cientifico cientifica cientificos cientificas fisico fisica fisicos fisicas higienista higienistas cirujano "
    "cirujana cirujanos cirujanas oncologo oncologa oncologos oncologas consultor consultora consultores dentista "
    "dentistas veterinario veterinaria veterinarios veterinarias recepcionista recepcionistas secretario "
    "secretaria secretarios secretarias administrativo administrativa administrativos administrativas coordinador "
    "coordinadora coordinadores gerente gerentes administrador administradora administradores camillero "
    "camillera camilleros vendedor vendedora vendedores representante representantes profesor profesora "
    "profesores profesoras maestro maestra maestros maestras instructor instructora instructores investigador "
    "investigadora investigadores".split())
SPANISH_LINKS = frozenset({"de", "del", "en"})
# Words after a group name that make it another job: "técnico de ultrasonido veterinario", "... para animales".
SPANISH_AFTER_MODIFIERS = frozenset("veterinario veterinaria veterinarios veterinarias".split())
SPANISH_ANIMALS = frozenset("animales mascotas perros gatos caballos".split())
# "is a nurse one of these jobs", "are dosimetrists part of this group": a question whether a named job is one
# of the group's, whatever else the message asks. The list word is required ("in this group", not "in the uk").
MEMBER = re.compile(
    r"\b(?:is|are|r)\s+(?:a |an |the )?(?P<name>[a-z][a-z -]{1,40}?)\s+(?:"
    r"one of (?:these|them|those|the (?:jobs|titles|careers|ones|group'?s?)\b)|"
    r"(?:in|part of|included in|a member of|inside|under|listed in|counted in|on) (?:this|the|that|these|your|"
    r"group) ?(?:\w+ )?(?:group|list|category|classification|family|jobs|titles|careers|ones|field|3211)\b|"
    r"(?:in )?the same group)", re.IGNORECASE)
NOT_A_NAME = frozenset("it this that they he she there what which who job jobs".split())


# The same question in Spanish, over folded() text: "¿el dosimetrista es parte de este grupo?", "¿es la partera uno
# de estos?", "¿el técnico de farmacia está en la lista?", "¿un barbero entra aquí?", "¿la enfermera cuenta como
# técnico de imágenes?". The name is one to four words, none of them a word of the question around it.
_ES_NOT_IN_A_NAME = (
    "el la los las lo un una unos unas y o u e ni pero si no que cual cuales quien quienes como donde cuando cuanto "
    "cuantos es son esta estan entra entran cuenta cuentan cabe caben forma forman pertenece pertenecen aparece "
    "aparecen queda quedan califica califican va van seria serian se tambien parte miembro miembros incluido "
    "incluida incluidos incluidas me te le nos les mi tu su mis tus sus este ese esa estos esos estas esas eso esto "
    "ello ella ellos ellas yo usted ustedes a al de del en con por para sin oye oiga hola sabes")
_ES_WORD = r"(?!(?:" + "|".join(_ES_NOT_IN_A_NAME.split()) + r")\b)[a-zñ]+(?:-[a-zñ]+)*"
_ES_ARTICLE = r"(?:el|la|los|las|un|una|unos|unas)\s+"
_ES_LIST = r"(?:grupo|lista|listado|categoria|clasificacion|familia|trabajos|empleos|titulos|carreras|profesiones|" \
           r"ocupaciones|puestos|3211)"
_ES_THESE = r"(?:estos|estas|esos|esas|ellos|ellas|aquellos|aquellas)"
_ES_THIS = r"(?:este|ese|esta|esa|estos|esos|estas|esas|tu|tus|su|sus)"
_ES_OF_THIS = _ES_THIS + r"\s+"
_ES_SAME = r"(?:mism[oa]s?\s+)?"
_ES_VERB = (r"(?:tambien\s+)?(?:es|son|esta|estan|entra|entran|cuenta|cuentan|cabe|caben|forma|forman|pertenece|"
            r"pertenecen|aparece|aparecen|queda|quedan|califica|califican|se incluye|se incluyen|se considera|"
            r"se consideran|va|van|seria|serian|estaria|estarian)(?:\s+tambien)?")
_ES_TAIL = (
    rf"(?:(?:parte|miembros?)\s+(?:de\s+{_ES_OF_THIS}{_ES_SAME}{_ES_LIST}|del\s+{_ES_SAME}{_ES_LIST}|de\s+{_ES_THESE})|"
    rf"un[oa]s?\s+(?:mas\s+)?de\s+(?:{_ES_THESE}|(?:los|las|tus|sus|estos|estas|esos|esas)\s+{_ES_LIST})|"
    rf"(?:(?:incluid|listad|contad|considerad)[oa]s?\s+|dentro\s+)?(?:(?:en|dentro\s+de)\s+(?:el|la|los|las|{_ES_THIS})\s+|"
    rf"de\s+{_ES_OF_THIS}|del\s+|al\s+|a\s+{_ES_OF_THIS}){_ES_SAME}{_ES_LIST}|"
    r"como\s+(?:un[oa]?\s+)?(?:tecnic|tecnolog)[a-z]*\s+(?:en|de)\s+(?:imagen\w*|radiolog\w*|rayos|diagnostico)|"
    r"(?:aqui|aca)|(?:parte|incluid[oa]s?)(?=\s*[?.!]|\s*$))\b")
_ES_COUNTS = r"(?:tambien\s+)?(?:cuenta|cuentan|entra|entran|califica|califican)(?:\s+tambien)?(?=\s*[?.!]|\s*$)"


def _es_name(group: str) -> str:
    """The name asked about, as a named group: one to four words, joined by "de", "del", "en" or "para"."""
    return rf"(?P<{group}>{_ES_WORD}(?:\s+(?:(?:de|del|en|para)\s+)?{_ES_WORD}){{0,3}})"


MEMBER_ES = re.compile(
    rf"(?<![\w-])(?:{_ES_ARTICLE})?{_es_name('name')}\s+(?:{_ES_VERB}\s+{_ES_TAIL}|{_ES_COUNTS})|"  # el X es parte ...
    rf"\b(?:es|son|esta|estan|entra|entran|cuenta|cuentan|forma|forman|pertenece|pertenecen|aparece|aparecen)\s+"
    rf"{_ES_ARTICLE}{_es_name('verb_first')}\s+(?:tambien\s+)?{_ES_TAIL}|"  # es el X parte ...
    rf"\bhay\s+(?:algun[oa]?s?\s+)?{_es_name('there_is')}\s+{_ES_TAIL}")  # hay X en este grupo
NOT_A_NAME_ES = frozenset(
    "que cual cuales quien quienes eso esto ello trabajo trabajos empleo empleos carrera carreras profesion "
    "profesiones ocupacion ocupaciones titulo titulos puesto puestos todo todos todas alguno alguna algunos "
    "ninguno otro otra otros uno hay aqui donde como cuanto cuantos grupo lista".split())


def asked_member(text: str) -> Optional[str]:
    """The name a membership question asks about ("is a nurse one of these jobs" -> "nurse"; "¿la partera está en
    la lista?" -> "partera", as typed), or None."""
    match = MEMBER.search(text[:300])
    name = match.group("name").strip() if match else ""
    if name:
        return name if name.split()[0].lower() not in NOT_A_NAME else None
    match = MEMBER_ES.search(folded(text[:300]))
    group = next((g for g in ("name", "verb_first", "there_is") if match.group(g)), "") if match else ""
    if not match or not group or match.group(group).split()[0] in NOT_A_NAME_ES:
        return None
    return text[match.start(group):match.end(group)]


# What an unlisted job phrase is resolved to: other_jobs.yml's catch-all entry.
UNLISTED_JOB = "other_health_technician"


@lru_cache(maxsize=1)
def english_words() -> FrozenSet[str]:
    """Every English word spaCy's lookup data knows (WordNet's lemmas and their inflected forms)."""
    import spacy_lookups_data

    folder = Path(spacy_lookups_data.__file__).parent / "data"
    with gzip.open(folder / "en_lemma_index.json.gz", "rt", encoding="utf-8") as handle:
        words = {w for part in json.load(handle).values() for w in part}
    with gzip.open(folder / "en_lemma_lookup.json.gz", "rt", encoding="utf-8") as handle:
        words.update(json.load(handle))
    return frozenset(w.lower() for w in words)


@lru_cache(maxsize=1)
def spanish_words() -> FrozenSet[str]:
    """Every Spanish word form spaCy's lookup data knows, folded: what tells "anestesia" from a misspelt group word."""
    import spacy_lookups_data

    folder = Path(spacy_lookups_data.__file__).parent / "data"
    with gzip.open(folder / "es_lemma_lookup.json.gz", "rt", encoding="utf-8") as handle:
        lookup = json.load(handle)
    return frozenset(folded(w) for pair in lookup.items() for w in pair)


def key(text: str) -> str:
    """How a typed name is looked up among the aliases: lower case, single spaces, no underscores."""
    return " ".join(text.lower().replace("_", " ").split())[:128]


def found_spans(found: Sequence[Tuple[int, int, str]]) -> List[Tuple[int, int]]:
    """The spans of what was found so far, so that later matches never overlap earlier ones."""
    return [(start, end) for start, end, _ in found]


@dataclass(frozen=True)
class Found:
    """A job name found in a message by `Names.find`."""

    start: int
    end: int
    text: str
    kind: str  # OCCUPATION or OTHER_JOB
    id: str


class Names:
    """Aliases of the group's jobs and of the jobs outside it, exact and approximate."""

    def __init__(self, aliases: Dict[str, str], others: Dict[str, str], ids: Iterable[str] = (),
                 other_ids: Iterable[str] = (), cutoff: float = CUTOFF) -> None:
        self.aliases = {key(a): i for a, i in aliases.items()}
        self.others = {key(a): i for a, i in others.items()}
        self.ids = set(ids) | set(self.aliases.values())
        self.other_ids = set(other_ids) | set(self.others.values())
        self.cutoff = cutoff
        self.words = english_words() | {w for name in [*self.aliases, *self.others] for w in name.split()}
        self.spanish_words = spanish_words()
        self.group_words = frozenset(w for name in self.aliases for w in name.split())
        self.folded_group_words = frozenset(folded(w) for w in self.group_words)
        self.max_words = max((len(n.split()) for n in [*self.aliases, *self.others]), default=1)
        self._by_initial: Dict[str, List[str]] = {}
        for name in [*self.aliases, *self.others]:
            if len(name) >= MIN_FUZZY_LENGTH:
                self._by_initial.setdefault(name[0], []).append(name)

    def classify(self, text: object) -> Optional[Tuple[str, str]]:
        """(OCCUPATION or OTHER_JOB, id) for a typed name: an id, an alias, or a close misspelling."""
        if not isinstance(text, str):
            return None
        if text in self.ids:
            return OCCUPATION, text
        if text in self.other_ids:
            return OTHER_JOB, text
        typed = key(text)
        if not typed:
            return None
        if typed in self.aliases:
            return OCCUPATION, self.aliases[typed]
        if typed in self.others:
            return OTHER_JOB, self.others[typed]
        return self._close(typed)

    def resolve(self, text: object) -> Optional[str]:
        """The occupation id in the group that `text` names, or None (an outside job is None too)."""
        found = self.classify(text)
        return found[1] if found and found[0] == OCCUPATION else None

    def _close(self, typed: str) -> Optional[Tuple[str, str]]:
        """The alias `typed` misspells: same first letter, at least `cutoff` alike."""
        if len(typed) < MIN_FUZZY_LENGTH:
            return None
        if all(self.is_word(word) for word in typed.split()):  # nothing misspelt: only an exact name could match
            return None
        candidates = [n for n in self._by_initial.get(typed[0], ())
                      if abs(len(n) - len(typed)) <= max(2, len(n) // 4)]
        close = [n for n in difflib.get_close_matches(typed, candidates, n=3, cutoff=self.cutoff)
                 if self.mends(typed, n)]
        if not close:
            return None
        name = close[0]
        return (OCCUPATION, self.aliases[name]) if name in self.aliases else (OTHER_JOB, self.others[name])

    def mends(self, typed: str, name: str) -> bool:
        """`typed` is `name` with misspelt words: as many words, and each one that differs is no word."""
        typed_words, name_words = typed.split(), name.split()
        return len(typed_words) == len(name_words) and all(
            a == b or not self.is_word(a) for a, b in zip(typed_words, name_words, strict=True))

    def is_word(self, word: str) -> bool:
        """An English or Spanish word, or a word of a job name: never mended into another ("histologia" is not a
        misspelt "radiologia")."""
        return word in self.words or folded(word) in self.spanish_words

    def outside_phrase(self, text: str, start: int, end: int) -> Optional[Tuple[int, int, str]]:
        """(start, end, id) of the longer job phrase around a group name at text[start:end], when that
        phrase names a job outside the group: a head word right after it that is not part of a group
        alias ("nuclear medicine physician"), or an outside modifier right before it ("veterinary
        ultrasound technician"). The id is the outside job's, or UNLISTED_JOB."""
        words = [(m.start(), m.end(), m.group().lower()) for m in WORD.finditer(text)]
        inside = [i for i, w in enumerate(words) if w[0] >= start and w[1] <= end]
        if not inside:
            return None
        first, last = inside[0], inside[-1]
        lo, hi = first, last
        while hi + 1 < len(words) and words[hi + 1][2] in HEAD_WORDS and hi - last < 2:
            hi += 1
        while lo > 0 and words[lo - 1][2] in OUTSIDE_MODIFIERS and first - lo < 2:
            lo -= 1
        lo, hi = self._spanish_phrase(words, lo, hi, first, last)
        if (lo, hi) == (first, last):
            return None
        phrase = " ".join(w[2] for w in words[lo:hi + 1])
        if phrase in self.aliases:
            return None  # a longer name of the group's (the ruler finds it first anyway)
        return words[lo][0], words[hi][1], self.others.get(phrase, UNLISTED_JOB)

    @staticmethod
    def _spanish_phrase(words: Sequence[Tuple[int, int, str]], lo: int, hi: int, first: int,
                        last: int) -> Tuple[int, int]:
        """outside_phrase's bounds widened the Spanish way: a head before the name ("asistente de radiología"),
        a modifier after it ("técnico de ultrasonido veterinario", "... para animales")."""
        plain = [folded(w[2]) for w in words]
        if hi == last and hi + 1 < len(words) and plain[hi + 1] in SPANISH_AFTER_MODIFIERS:
            hi += 1
        elif hi == last and hi + 2 < len(words) and plain[hi + 1] in ("para", "de") and \
                plain[hi + 2] in SPANISH_ANIMALS:
            hi += 2
        if lo == first and lo >= 2 and plain[lo - 1] in SPANISH_LINKS and plain[lo - 2] in SPANISH_HEAD_WORDS \
                and not (lo >= 3 and plain[lo - 3].startswith(("tecnic", "tecnolog"))):
            lo -= 2
        return lo, hi

    def professions(self, text: str, taken: Sequence[Tuple[int, int]] = ()) -> List[Tuple[int, int, str]]:
        """(start, end, id) of profession words outside the `taken` spans: a listed other job's id, else
        UNLISTED_JOB. A group name is never one (the ruler has taken it, and technologists are excluded)."""
        found = []
        for match in PROFESSION.finditer(text[:2000]):
            word = match.group().lower()
            if word in NOT_A_PROFESSION_ASKED or word in self.aliases:
                continue
            if any(match.start() < end and start < match.end() for start, end in taken):
                continue
            found.append((match.start(), match.end(), self.others.get(word, UNLISTED_JOB)))
        for match in TECH_PHRASE.finditer(text[:2000]):
            modifier = match.group(1).lower()
            if modifier in EDGE_WORDS or modifier in PLAIN_MODIFIERS or modifier in self.group_words \
                    or modifier not in english_words():
                continue
            if any(match.start() < end and start < match.end() for start, end in [*taken, *found_spans(found)]):
                continue
            phrase = " ".join(match.group().lower().replace("-", " ").split())
            found.append((match.start(), match.end(), self.others.get(phrase, UNLISTED_JOB)))
        return sorted(found + self._spanish_professions(text, [*taken, *found_spans(found)]))

    def _spanish_professions(self, text: str, taken: Sequence[Tuple[int, int]]) -> List[Tuple[int, int, str]]:
        """professions() in Spanish, over the folded text (its spans are the typed text's)."""
        plain = folded(text[:2000])
        found: List[Tuple[int, int, str]] = []
        nurse = NURSE if NURSE in self.other_ids else UNLISTED_JOB

        def free(start: int, end: int) -> bool:
            return not any(start < b and a < end for a, b in [*taken, *found_spans(found)])

        for match in SPANISH_PROFESSION.finditer(plain):
            word = match.group()
            if word not in self.aliases and free(match.start(), match.end()):
                found.append((match.start(), match.end(), self.others.get(word, UNLISTED_JOB)))
        for match in SPANISH_NURSE.finditer(plain):
            if free(match.start("job"), match.end("job")):
                found.append((match.start("job"), match.end("job"), self.others.get(match.group("job"), nurse)))
        for match in SPANISH_TECH_PHRASE.finditer(plain):
            modifier = match.group("modifier")
            if modifier in SPANISH_EDGE_WORDS or modifier in SPANISH_PLAIN_MODIFIERS or \
                    modifier in self.folded_group_words or not free(match.start(), match.end()) or \
                    (modifier not in SPANISH_OUTSIDE_MODIFIERS and modifier not in spanish_words()):
                continue
            found.append((match.start(), match.end(), self.others.get(match.group(), UNLISTED_JOB)))
        return found

    def exact(self, text: str, taken: Sequence[Tuple[int, int]] = (), others: bool = True) -> List[Found]:
        """Names typed exactly, longest first, outside the `taken` spans: the one alias scanner.

        The entity ruler matches the same aliases (knowledge/build.py makes its patterns from them); the
        job mask (components/job_mask.py) and the search over facts' texts (knowledge/search.py) call this.
        `others=False` looks for the group's names only: a fact's "tell a doctor" is a word, not a job.
        """
        words = [(m.start(), m.end(), m.group().lower()) for m in WORD.finditer(text)]
        busy = list(taken)
        found: List[Found] = []
        for size in range(min(self.max_words, len(words)), 0, -1):
            for first in range(len(words) - size + 1):
                start, end = words[first][0], words[first + size - 1][1]
                if any(start < b and a < end for a, b in busy):
                    continue
                typed = key(" ".join(w[2] for w in words[first:first + size]))
                if typed in self.aliases:
                    found.append(Found(start, end, text[start:end], OCCUPATION, self.aliases[typed]))
                elif others and typed in self.others:
                    found.append(Found(start, end, text[start:end], OTHER_JOB, self.others[typed]))
                else:
                    continue
                busy.append((start, end))
        return sorted(found, key=lambda f: f.start)

    def mentions(self, text: str, others: bool = True) -> List[Found]:
        """Every job name in a text, in order: exact names first, then misspellings in the rest.

        For a text that the NLU has not read (training examples, facts); a message's names are NLU's entities.
        """
        exact = self.exact(text, others=others)
        misspelt = [f for f in self.find(text, [(f.start, f.end) for f in exact]) if others or f.kind == OCCUPATION]
        return sorted([*exact, *misspelt], key=lambda f: f.start)

    def find(self, text: str, taken: Sequence[Tuple[int, int]] = ()) -> List[Found]:
        """Misspelt job names in free text, longest first, outside the `taken` (start, end) spans.

        Exact names are the entity ruler's; this finds what it cannot: "radiograhper",
        "nucular medcine techs".
        """
        words = [(m.start(), m.end(), m.group().lower()) for m in WORD.finditer(text)]
        busy = list(taken)
        found: List[Found] = []
        for size in range(min(MAX_WINDOW, len(words)), 0, -1):
            for first in range(len(words) - size + 1):
                window = words[first:first + size]
                if window[0][2] in EDGE_WORDS or window[-1][2] in EDGE_WORDS:
                    continue
                start, end = window[0][0], window[-1][1]
                if any(start < b and a < end for a, b in busy):
                    continue
                typed = " ".join(w[2] for w in window)
                job = self._close(typed) if typed not in self.aliases and typed not in self.others else None
                if job is not None:
                    found.append(Found(start, end, text[start:end], job[0], job[1]))
                    busy.append((start, end))
        return sorted(found, key=lambda f: f.start)

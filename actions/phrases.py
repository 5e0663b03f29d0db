"""Every sentence the actions write themselves, in English and in Spanish: one catalogue, so a reply is in the
conversation's language without a second copy of any action.

A phrase is a template with named placeholders ({jobs}, {label}); the placeholders take the knowledge base's
own words (names, facts, figures), which the knowledge base gives in the conversation's language. English is the
text the actions always wrote, byte for byte. Spanish is neutral Latin American Spanish for a 15-year-old, "tú",
with the same facts and the same numbers; source titles and publishers stay as published.
"""

from __future__ import annotations

import re
from typing import Dict, Sequence, Tuple

from knowledge.vocabulary import ENGLISH as EN
from knowledge.vocabulary import LANGUAGES, TOPIC_LABELS, TOPIC_LABELS_ES
from knowledge.vocabulary import SPANISH as ES

__all__ = ["EN", "ES", "LANGUAGES", "TOPIC_LABELS_ES", "PHRASES", "TERMS_ES", "phrase", "term", "topic_label",
           "joined", "spanish"]

# key: (English, Spanish). Sentences only: the code adds the spaces and line breaks between them.
PHRASES: Dict[str, Tuple[str, str]] = {
    # --- the source line (actions/context.py say) and the note that the sources are in English ---
    "source.label": ("Source", "Fuente"),
    "source.label_many": ("Source", "Fuentes"),
    "source.label_checked": ("Sources checked", "Fuentes consultadas"),
    "source.citing": (", citing {credit}", ", que cita a {credit}"),
    "source.figures_for": (", figures for {year}", ", cifras de {year}"),
    "source.in_english": ("My sources are in English.", "Mis fuentes están en inglés."),
    # --- a field word instead of a job (actions/context.py field_intro) ---
    "field.one": ("{written} is a field of work, not one job. In my sources, the group's job in it is {job}, "
                  "so this is about them:",
                  "{written} es un área de trabajo, no un solo empleo. En mis fuentes, el empleo del grupo en esa "
                  "área es: {job}. Así que esto es sobre ellos:"),
    "field.many": ("{written} is a field of work, not one job. In my sources, the group's jobs in it are {jobs}. "
                   "This is about {first}:",
                   "{written} es un área de trabajo, no un solo empleo. En mis fuentes, los empleos del grupo en esa "
                   "área son: {jobs}. Esto es sobre {first}:"),
    # --- answers (actions/answers.py) ---
    "answer.what_they_do": ("What they do:", "Qué hacen:"),
    "answer.not_as_far": ("No, not as far as my sources say.", "No, por lo que dicen mis fuentes."),
    "answer.yes": ("Yes. {text}", "Sí. {text}"),
    "answer.which_job": ("Which job would you like to know more about?", "¿Sobre qué empleo quieres saber más?"),
    "answer.depends": ("It depends on the job. Which one do you mean? (I'll tell you about its {label}.)",
                       "Depende del empleo. ¿Cuál quieres decir? (Te contaré sobre {label}.)"),
    "answer.task": ("{intro}; this is the one you asked about:\n{line}",
                    "{intro}; esta es la tarea por la que preguntaste:\n{line}"),
    "borrowed.reading": ("The sources don't cover {label} for {jobs} specifically. They list {jobs} in group 3211 "
                         "and say no more. I take them as {owner}: that is my reading of the title, not the sources'. "
                         "So this is about {owner}:",
                         "Las fuentes no cubren {label} de {jobs} en particular. Solo incluyen a {jobs} en el grupo "
                         "3211 y no dicen más. Los considero {owner}: es mi interpretación del título, no lo dicen "
                         "las fuentes. Así que esto es sobre {owner}:"),
    "borrowed.parent": ("The sources don't cover {label} for {jobs} specifically. {Jobs} come under {owner}, so "
                        "this is about {owner}:",
                        "Las fuentes no cubren {label} de {jobs} en particular. {Jobs} están dentro de {owner}, así "
                        "que esto es sobre {owner}:"),
    "borrowed.group": ("The sources don't cover {label} for {jobs} specifically. They belong to group 3211 "
                       "({owner}), and this is what the sources say about the whole group:",
                       "Las fuentes no cubren {label} de {jobs} en particular. Pertenecen al grupo 3211 ({owner}), "
                       "y esto es lo que dicen las fuentes sobre todo el grupo:"),
    "borrowed.none": ("The sources don't give {label} for {jobs}.", "Las fuentes no dan {label} de {jobs}."),
    "borrowed.for_comparison": ("For comparison, this is what they say about other jobs in the group:",
                                "Para comparar, esto es lo que dicen sobre otros empleos del grupo:"),
    "not_covered": ("The sources don't say anything about the {label} of {jobs}.",
                    "Las fuentes no dicen nada sobre {label} de {jobs}."),
    "not_covered.no_carry": ("What they say about the {label} of {parent} doesn't carry over to {jobs}.",
                             "Lo que dicen sobre {label} de {parent} no se aplica a {jobs}."),
    "not_covered.only_listed": ("They only list {name} as one of the job titles in group 3211.",
                                "Solo incluyen el puesto de {name} en la lista de títulos del grupo 3211."),
    "not_covered.counsellor": ("Your school counsellor may be able to help you find out more.",
                               "Tu orientador escolar quizás pueda ayudarte a saber más."),
    "other_job.which": ("Which one did you mean?", "¿Cuál quisiste decir?"),
    "other_job.offer": ("Would you like to hear about one of the jobs that is in the group?",
                        "¿Quieres saber sobre alguno de los empleos que sí están en el grupo?"),
    "gap.fallback": ("My sources don't cover that.", "Mis fuentes no cubren eso."),
    "gap.they_do_say": ("What they do say: {text}", "Lo que sí dicen: {text}"),
    "counsellor.up_to_date": ("Your school counsellor can help you find information that is up to date.",
                              "Tu orientador escolar puede ayudarte a encontrar información actualizada."),
    # --- comparisons (actions/compare.py) ---
    "compare.not_given": ("not given", "sin datos"),
    "compare.versus": ("{left} vs {right}", "{left} vs. {right}"),
    "compare.no_schooling_rank": ("The sources can't rank these jobs by how much schooling they need: they don't "
                                  "give each one's training in the same terms.",
                                  "Las fuentes no permiten ordenar estos empleos según cuánto estudio piden: no "
                                  "describen la formación de cada uno de la misma manera."),
    "compare.pay_kind": ("• Pay ({kind}): {values}", "• Sueldo ({kind}): {values}"),
    "compare.pay": ("• Pay: {values}", "• Sueldo: {values}"),
    "compare.among_all": ("Of these", "De estos"),
    "compare.among_figured": ("Of those the sources give figures for", "De los que tienen cifras en las fuentes"),
    "compare.pay_highest": ("{among}, {jobs} have the highest {statistic} pay (${value:,}).",
                            "{among}, {jobs} tienen la {statistic} de sueldo más alta (${value:,})."),
    "compare.pay_lowest": ("{among}, {jobs} have the lowest {statistic} pay (${value:,}).",
                           "{among}, {jobs} tienen la {statistic} de sueldo más baja (${value:,})."),
    "compare.no_licence_rank": ("The sources can't rank all of these: they don't say how many states want a "
                                "licence for each.",
                                "Las fuentes no permiten ordenarlos todos: no dicen en cuántos estados se pide "
                                "licencia para cada uno."),
    "compare.licence_highest": ("Of these, {jobs} need a licence in the most states (“{word}” states, in the "
                                "article's words).",
                                "De estos, {jobs} necesitan licencia en la mayor cantidad de estados (“{word}” "
                                "estados, en palabras del artículo)."),
    "compare.licence_lowest": ("Of these, {jobs} need a licence in the fewest states (“{word}” states, in the "
                               "article's words).",
                               "De estos, {jobs} necesitan licencia en la menor cantidad de estados (“{word}” "
                               "estados, en palabras del artículo)."),
    "compare.licence": ("Licence", "Licencia"),
    "compare.licence_scoped": ("Licence ({scopes})", "Licencia ({scopes})"),
    "compare.licence_needed": ("needed in {states} states", "necesaria en {states} estados"),
    "compare.education": ("• Education: {values}", "• Estudios: {values}"),
    "compare.lacking_some": ("The sources give {what} only for {described}. {lacking} are not among them.",
                             "Las fuentes dan {what} solo para {described}. {lacking} no están entre ellos."),
    "compare.lacking_all": ("The sources give no {what} for {lacking}.", "Las fuentes no dan {what} para {lacking}."),
    # --- finding a job (actions/discover.py) ---
    "discover.again": ("Find a job in this field", "Buscar un empleo en esta área"),
    "discover.start_again": ("Start again", "Empezar de nuevo"),
    "discover.offer": ("So, going by my sources:", "Entonces, según mis fuentes:"),
    "discover.about": ("About {jobs}", "Sobre {jobs}"),
    "discover.more": ("Want to know more about one of them?", "¿Quieres saber más sobre alguno de ellos?"),
    "discover.three_jobs": ("My sources describe three jobs in detail:",
                            "Mis fuentes describen tres empleos en detalle:"),
    "discover.these_jobs": ("My sources describe these jobs:", "Mis fuentes describen estos empleos:"),
    "discover.more_titles": ("The classification lists {count} more job titles; ask me for the list to see them all. "
                             "I can help you find one that goes with what you like.",
                             "La clasificación nombra {count} títulos de empleo más; pídeme la lista para verlos "
                             "todos. Puedo ayudarte a encontrar uno que vaya con lo que te gusta."),
    "discover.rules_none_out": ("That doesn't rule any job out.", "Eso no descarta ningún empleo."),
    "discover.none_fits": ("None of the jobs my sources describe fits all of that.",
                           "Ninguno de los empleos que describen mis fuentes encaja con todo eso."),
    "discover.same_for_all": ("{name}: {summary}, so my sources can't tell the jobs apart on it.",
                              "{name}: {summary}, así que mis fuentes no pueden distinguir los empleos en eso."),
    "discover.none_avoids": ("{name}: {summary}, so none of them avoids it.",
                             "{name}: {summary}, así que ninguno lo evita."),
    "discover.without": ("Without {name}:", "Sin {name}:"),
    "discover.left_out": ("Left out, because of {name}: {jobs}.", "Quedan fuera, por {name}: {jobs}."),
    "discover.no_figures": ("My sources give no figures for {name}.", "Mis fuentes no dan cifras sobre {name}."),
    "discover.ranked": ("{name}: pay{kind}, highest first:", "{name}: sueldo{kind}, de mayor a menor:"),
    "discover.reading": ("(that link is my reading, not the sources')",
                         "(esa relación es mi interpretación, no de las fuentes)"),
    "discover.listed_only": ("{name}: the classification lists {titles}. That it has to do with {preference} is my "
                             "reading of the name: my sources don't describe the work.",
                             "{name}: la clasificación nombra {titles}. Que tenga que ver con {preference} es mi "
                             "interpretación del nombre: mis fuentes no describen el trabajo."),
    # --- the form of a question (actions/forms.py) ---
    "forms.good_job": ("My sources don't say whether it's a good job: that depends on what you want from work, and "
                       "your school counsellor can help you weigh it up. Here is what they do say:",
                       "Mis fuentes no dicen si es un buen empleo: eso depende de lo que buscas en un trabajo, y tu "
                       "orientador escolar puede ayudarte a pensarlo. Esto es lo que sí dicen:"),
    "forms.no_state_pay": ("My sources don't give pay for single states, so they can't say which state pays best. "
                           "They give one figure for the whole United States for each job they describe.",
                           "Mis fuentes no dan sueldos por estado, así que no pueden decir qué estado paga mejor. "
                           "Dan una sola cifra para todo Estados Unidos por cada empleo que describen."),
    "forms.states_for": ("{states} states for {jobs}", "en {states} estados para {jobs}"),
    "forms.no_state_names": ("My sources don't name the states.", "Mis fuentes no nombran los estados."),
    "forms.only_say_licence": ("They only say a licence is needed in {said}.",
                               "Solo dicen que se necesita licencia {said}."),
    "forms.your_state": ("Your state's own rules, or your school counsellor, can tell you which states those are.",
                         "Las reglas de tu estado, o tu orientador escolar, pueden decirte qué estados son."),
    "forms.nothing_for_pakistan": ("My sources have nothing on this for Pakistan.",
                                   "Mis fuentes no tienen nada sobre esto para Pakistán."),
    "forms.elsewhere": ("My sources don't cover {place}. The career article's pay figures and licence rules are for "
                        "the United States, and Pakistan's classification lists job titles and tasks only.",
                        "Mis fuentes no cubren {place}. Las cifras de sueldo y las reglas de licencia del artículo "
                        "son de Estados Unidos, y la clasificación de Pakistán solo nombra títulos de empleo y "
                        "tareas."),
    "forms.pay_in": ("pay in {currency}", "sueldos en {currency}"),
    "forms.counsellor_place": ("Your school counsellor can help you find the rules and pay where you want to work.",
                               "Tu orientador escolar puede ayudarte a encontrar las reglas y los sueldos del lugar "
                               "donde quieres trabajar."),
    "forms.patients": ("That sounds like a question about your own scan or health, or your family's. My sources are "
                       "about careers in medical imaging, so I can't answer it: please ask your doctor, or the staff "
                       "where the scan is done. I can tell you about the jobs of the people who do the scans, if you "
                       "like.",
                       "Eso parece una pregunta sobre tu propio estudio o tu salud, o la de tu familia. Mis fuentes "
                       "tratan de carreras en imágenes médicas, así que no puedo responderla: pregúntale a tu médico "
                       "o al personal del lugar donde se hace el estudio. Si quieres, puedo contarte sobre los "
                       "empleos de las personas que hacen los estudios."),
    "forms.not_a_career_thing": ("My sources are about careers in medical imaging, and they don't explain that. "
                                 "Ask me what one of the jobs does, what it pays or what training it needs.",
                                 "Mis fuentes tratan de carreras en imágenes médicas y no explican eso. Pregúntame "
                                 "qué hace uno de los empleos, cuánto gana o qué formación necesita."),
    "forms.no_prices": ("My sources don't give any prices or costs. They do give the pay of three imaging jobs.",
                        "Mis fuentes no dan precios ni costos. Sí dan el sueldo de tres empleos de imágenes."),
    "forms.no_dose": ("My sources don't give any radiation dose or safe limit.",
                      "Mis fuentes no dan ninguna dosis de radiación ni un límite seguro."),
    "forms.safety_say": ("What they do say on safety: {text}", "Lo que sí dicen sobre la seguridad: {text}"),
    "forms.safety_say_about": ("What they do say on safety about {jobs}: {text}",
                               "Lo que sí dicen sobre la seguridad de {jobs}: {text}"),
    "forms.each_job": ("each job", "cada empleo"),
    "forms.supervision": ("My sources say little about who is in charge. Their description of the whole group says: "
                          "{said} They don't say who supervises {who} day to day.",
                          "Mis fuentes dicen poco sobre quién está a cargo. Su descripción de todo el grupo dice: "
                          "{said} No dicen quién supervisa a {who} en el día a día."),
    # --- where an answer is from (actions/sources.py) ---
    "sources.topic_from": ("My information on {label} comes from:", "Mi información sobre {label} viene de:"),
    "sources.answer_from": ("That answer comes from:", "Esa respuesta viene de:"),
    "sources.nothing_yet": ("I haven't answered a question yet. Everything I say comes from these sources:",
                            "Todavía no he respondido ninguna pregunta. Todo lo que digo viene de estas fuentes:"),
    "sources.by": (", by {author}", ", de {author}"),
    "sources.author": ("“{title}” is by {author} ({publisher}).", "“{title}” es de {author} ({publisher})."),
    "sources.no_author": ("“{title}” names no author; it is published by {publisher}.",
                          "“{title}” no nombra autor; lo publica {publisher}."),
    "sources.published": ("“{title}” was published {published}.", "“{title}” se publicó {published}."),
    "sources.not_dated": ("“{title}” doesn't say when it was published, so I don't know.",
                          "“{title}” no dice cuándo se publicó, así que no lo sé."),
    "sources.figures_year": ("Its figures are for {year}.", "Sus cifras son de {year}."),
    "sources.the_article": ("the article", "el artículo"),
    "sources.the_classification": ("the classification", "la clasificación"),
    "sources.credit": ("{holder} says it got some or all of that from {credit}.",
                       "{holder} dice que tomó parte o todo eso de {credit}."),
    "sources.credit_overview": ("{holder} credits some of its facts to {credit}. They are about {what}.",
                                "{holder} atribuye algunos de sus datos a {credit}. Tratan sobre {what}."),
    # --- the counsellor and the fallback (actions/support.py) ---
    "suggest.ask_overview": ("What is this job?", "¿Qué es este empleo?"),
    "suggest.ask_duties": ("What do they do?", "¿Qué hacen?"),
    "suggest.ask_education": ("What training do I need?", "¿Qué formación necesito?"),
    "suggest.ask_license": ("Do I need a licence?", "¿Necesito una licencia?"),
    "suggest.ask_salary": ("How much do they earn?", "¿Cuánto ganan?"),
    "suggest.ask_best_paying": ("Which industry pays best?", "¿Qué industria paga mejor?"),
    "suggest.ask_specialties": ("What can they specialise in?", "¿En qué se pueden especializar?"),
    "suggest.ask_safety": ("Is it safe?", "¿Es seguro?"),
    "suggest.ask_equipment": ("What equipment do they use?", "¿Qué equipo usan?"),
    "suggest.ask_titles": ("Which jobs are in this group?", "¿Qué empleos hay en este grupo?"),
    "suggest.compare_occupations": ("Compare the jobs", "Comparar los empleos"),
    "suggest.ask_counsellor": ("Talk to my counsellor", "Hablar con mi orientador"),
    "suggest.help": ("What can you do?", "¿Qué puedes hacer?"),
    "counsellor.default": ("your careers counsellor", "tu orientador vocacional"),
    "counsellor.at": (" at {school}", " de {school}"),
    "counsellor.contacts": ("You can talk to {who}{where}: {contacts}. They can help with questions my sources "
                            "can't answer.",
                            "Puedes hablar con {who}{where}: {contacts}. Te puede ayudar con preguntas que mis "
                            "fuentes no pueden responder."),
    "counsellor.no_contacts": ("The best person to talk to is {who}{where}. I don't have their contact details, so "
                               "ask at your school office or on your school's website.",
                               "La mejor persona para hablar es {who}{where}. No tengo sus datos de contacto, así "
                               "que pregunta en la oficina de tu escuela o en su sitio web."),
    "counsellor.next_steps": ("Next steps from your counsellor:", "Próximos pasos de tu orientador:"),
    "fallback.closest": ("Here is the closest thing my sources say:", "Esto es lo más parecido que dicen mis fuentes:"),
    "fallback.closest_about": ("Here is the closest thing my sources say about {jobs}:",
                               "Esto es lo más parecido que dicen mis fuentes sobre {jobs}:"),
    "fallback.closest_task": ("{intro}; this is the one closest to your question:\n{line}",
                              "{intro}; esta es la tarea más cercana a tu pregunta:\n{line}"),
    "fallback.not_sure": ("Sorry, I'm not sure what you mean. Did you mean one of these?",
                          "Perdón, no estoy seguro de lo que quieres decir. ¿Quisiste decir una de estas?"),
    "fallback.otherwise": ("If you meant something else, try one of these:",
                           "Si querías decir otra cosa, prueba una de estas:"),
    # --- the job titles (actions/titles.py) ---
    "titles.deny_unlisted": ("No, as far as my sources go. Pakistan's classification doesn't list “{name}” as a "
                             "title in group 3211 ({group}). So my sources don't describe that job. Ask me for the "
                             "list of titles to see the jobs they do cover.",
                             "No, según mis fuentes. La clasificación de Pakistán no incluye “{name}” como título "
                             "del grupo 3211 ({group}). Así que mis fuentes no describen ese empleo. Pídeme la lista "
                             "de títulos para ver los empleos que sí cubren."),
    "titles.deny": ("No. That title isn't in group 3211 ({group}). Pakistan's classification doesn't list it. {note}",
                    "No. Ese título no está en el grupo 3211 ({group}). La clasificación de Pakistán no lo incluye. "
                    "{note}"),
    "titles.confirm": ("Yes. {name} belongs to group 3211, {group}. Pakistan's classification lists it as {listed}.",
                       "Sí. {name} pertenece al grupo 3211, {group}. La clasificación de Pakistán lo incluye como "
                       "{listed}."),
    "titles.reading": ("I take it as a kind of {parent}: that is my reading of the title, not the sources'.",
                       "Lo considero un tipo de {parent}: es mi interpretación del título, no lo dicen las fuentes."),
    "titles.comes_under": ("It comes under {parent}.", "Está dentro de {parent}."),
    "titles.list": ("Group 3211 ({group}) includes:\n• The jobs the career article describes: {main}.\n• Other titles "
                    "in the classification: {others}.\nA job that isn't on this list isn't part of group 3211 in this "
                    "classification.",
                    "El grupo 3211 ({group}) incluye:\n• Los empleos que describe el artículo: {main}.\n• Otros "
                    "títulos de la clasificación: {others}.\nUn empleo que no está en esta lista no forma parte del "
                    "grupo 3211 en esta clasificación."),
}

# Values of the knowledge base that answers show but that are no text of a fact: what a figure is, a source's
# scope and place, whom a source credits, and the article's words for how many states want a licence. Until the
# knowledge base gives them in Spanish, they are rendered here; a value not listed is shown as it is.
TERMS_ES = {
    "median": "mediana",
    "USD per year": "USD al año",
    "United States": "Estados Unidos",
    "Pakistan's national classification PSCO-2164, which maps to ISCO-08 unit group 3211":
        "clasificación nacional de Pakistán PSCO-2164, que corresponde al grupo primario 3211 de la CIUO-08",
    "Pakistan Standard Classification of Occupations, PSCO-2164 (unit group 3211 of ISCO-08)":
        "Pakistan Standard Classification of Occupations, PSCO-2164 (grupo primario 3211 de la CIUO-08)",
    "careertrend.com career article": "artículo sobre carreras de careertrend.com",
    "Pakistan Bureau of Statistics, PSCO-2164, unit group 3211":
        "Pakistan Bureau of Statistics, PSCO-2164, grupo primario 3211",
    "the US Bureau of Labor Statistics": "la Oficina de Estadísticas Laborales de Estados Unidos",
    "most": "la mayoría de los",
    "some": "algunos",
    "only a few": "solo unos pocos",
}

_CONTRACTIONS = re.compile(r"\b(de|De|a|A) el\b")  # "de el sueldo" is "del sueldo" in Spanish


def spanish(language: object) -> bool:
    """True for a Spanish conversation; anything else is English, so a stray value never breaks a reply."""
    return language == ES


def phrase(key: str, language: str, **values: object) -> str:
    """The catalogue's sentence in the conversation's language, its placeholders filled."""
    english, translated = PHRASES[key]
    if not spanish(language):
        return english.format(**values)
    return _CONTRACTIONS.sub(lambda m: m.group(1) + "l", translated.format(**values))


def term(value: str, language: str) -> str:
    """A knowledge-base value an answer shows (a figure's statistic, a source's scope) in the language."""
    return TERMS_ES.get(value, value) if spanish(language) else value


def topic_label(topic: str, language: str) -> str:
    """How an answer names a topic ("pay", "el sueldo")."""
    return TOPIC_LABELS_ES[topic] if spanish(language) else TOPIC_LABELS[topic]


def joined(items: Sequence[str], language: str, word: str = "and") -> str:
    """"a", "a and b", "a, b and c" ("y", or "e" before an i sound; "o", or "u" before an o sound)."""
    if len(items) == 1:
        return items[0]
    last = items[-1]
    if spanish(language):
        sound = last.lower()
        if word == "and":
            word = "e" if sound.startswith(("i", "hi")) and not sound.startswith(("ia", "ie", "io", "hie")) else "y"
        else:
            word = "u" if sound.startswith(("o", "ho")) else "o"
    return ", ".join(items[:-1]) + f" {word} " + last


def either(items: Sequence[str], language: str) -> str:
    """"a or b or c", as a list of jobs the sources say nothing for is written ("o"/"u" in Spanish)."""
    if not spanish(language):
        return " or ".join(items)
    out = items[0]
    for item in items[1:]:
        out += (" u " if item.lower().startswith(("o", "ho")) else " o ") + item
    return out


def versus(items: Sequence[str], language: str) -> str:
    """A comparison's values side by side ("a vs b vs c")."""
    out = items[0] if items else ""
    for item in items[1:]:
        out = phrase("compare.versus", language, left=out, right=item)
    return out

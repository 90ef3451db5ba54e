"""`percorso flows check`: what would break a conversation, found before anyone chats.

Fails on a missing translation, words for a choice that does not exist, a placeholder that
differs between languages, an unknown node, an unreachable node, a dead end, an action or a
request the engine does not know, a message that renders to more than three SMS segments, or
English left untranslated in another catalogue. Also reports the SMS cost of every message and
of one complete intake, per language, and the actions of the engine the flow never uses.
"""

from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime

from dialogs import segments
from dialogs.engine import ACTIONS, ENGINE_TEXTS, REQUESTS, command_names, step
from dialogs.model import RETURN, Catalogue, DialogState, Flow, Message, MessageCreated, Node, Start
from dialogs.render import numbered, placeholders, render
from nlp.understanding import Place, TaxonomyMatch, Understanding

MAX_SEGMENTS = 3
MAX_INTAKE_STEPS = 200
SAMPLE_FACTS = {
    "sites": "Porto - Rua de Santa Catarina 312, tel. 222 000 000\n"
             "Bologna - Via dell'Indipendenza 8, tel. 051 000 000",
    "notice_version": "2026-11",
}
SAMPLE_APPOINTMENT = {
    "when": "qui 3 dez, 10:00",
    "place": "Quiosque da Vida Activa - Porto",
    "address": "Rua de Santa Catarina 312, 4000-443 Porto.",
    "map": "https://www.openstreetmap.org/search?query=Rua+de+Santa+Catarina+312%2C+4000-443+Porto",
}
SAMPLE_TEXT_ANSWER = "Porto"
# What the NLP might understand of an experience, so that its confirmation is counted too,
# and of the place where the person lives.
SAMPLE_UNDERSTANDING = Understanding(
    lang="en",
    places=(Place("Porto", "PT", "Porto", "Porto", "Porto", 41.14961, -8.61099, 1.0),),
    occupations=(TaxonomyMatch("urn:sample:cook", "cozinheiro/cozinheira", 0.9, "5120"),),
    activities=(TaxonomyMatch("urn:sample:meals", "preparar refeições", 1.0),),
    skills=(TaxonomyMatch("urn:sample:care", "cuidar de outros", 0.9),),
)


@dataclass
class Report:
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    segments: dict[str, dict[str, int]] = field(default_factory=dict)
    intake_segments: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors


def check(flow: Flow) -> Report:
    report = Report()
    _check_translations(flow, report)
    _check_names(flow, report)
    _check_words(flow, report)
    if report.errors:
        return report
    _check_graph(flow, report)
    for lang in flow.languages:
        _check_segments(flow, lang, report)
        cost = _complete_intake_segments(flow, lang)
        if cost is None:
            report.errors.append(f"{lang}: answering 1 everywhere never completes the intake")
        report.intake_segments[lang] = cost or 0
    return report


def used_keys(flow: Flow) -> set[str]:
    keys = set(ENGINE_TEXTS)
    for node in flow.nodes.values():
        keys |= {k for k in (node.text, node.help, node.topic) if k}
        keys |= {c.text for c in node.choices}
    keys |= {rule.reason for rule in flow.tracks} | {f"track.{r.track}" for r in flow.tracks}
    return keys | {f"field.{name}" for name in flow.summary_fields}


def _check_translations(flow: Flow, report: Report) -> None:
    missing_langs = [lang for lang in flow.languages if lang not in flow.catalogues]
    report.errors += [f"{lang}: no text catalogue" for lang in missing_langs]
    catalogues = [c for lang, c in flow.catalogues.items() if lang in flow.languages]
    all_keys = used_keys(flow).union(*(c.texts for c in catalogues))
    for catalogue in catalogues:
        for key in sorted(all_keys - catalogue.texts.keys()):
            report.errors.append(f"{catalogue.lang}: missing translation for {key}")
        for command in sorted(set(command_names()) - catalogue.commands.keys()):
            report.errors.append(f"{catalogue.lang}: no words for the command {command}")
    for key in sorted(all_keys):
        shapes = {c.lang: placeholders(c.texts[key]) for c in catalogues if key in c.texts}
        if len({frozenset(s) for s in shapes.values()}) > 1:
            report.errors.append(f"{key}: placeholders differ between languages {shapes}")
        report.errors += [
            f"{lang}: empty text for {key}"
            for lang, c in flow.catalogues.items()
            if key in c.texts and not c.texts[key]
        ]
    _check_untranslated(catalogues, report)


def _check_untranslated(catalogues: list[Catalogue], report: Report) -> None:
    """English left in another catalogue: a text with words, the same as the English one,
    unless the catalogue says it is the same in its language ("No" in Italian)."""
    english = next((c for c in catalogues if c.lang == "en"), None)
    if english is None:
        return
    for catalogue in catalogues:
        if catalogue is english:
            continue
        report.errors += [
            f"{catalogue.lang}: {key} is still in English ({text!r})"
            for key, text in sorted(catalogue.texts.items())
            if text == english.texts.get(key)
            and any(ch.isalpha() for ch in text)
            and not key.startswith("lang.")  # a language's own name, the same everywhere
            and key not in catalogue.same_as_english
        ]


def _check_words(flow: Flow, report: Report) -> None:
    """Every phrase of dialogs/words/ names a question and a choice that exist."""
    for lang, catalogue in flow.catalogues.items():
        for node_id, by_choice in catalogue.answers.items():
            node = flow.nodes.get(node_id)
            if node is None or node.kind not in ("choice", "multi", "summary"):
                report.errors.append(f"{lang}: words for {node_id}, which is no choice question")
                continue
            ids = {c.id for c in node.choices}
            report.errors += [f"{lang}: words for {node_id}: no choice {choice}"
                              for choice in sorted(by_choice.keys() - ids)]
            report.errors += [f"{lang}: words for {node_id}.{choice}: an empty phrase"
                              for choice, phrases in by_choice.items()
                              if not all(p.strip() for p in phrases)]


def _successors(node: Node) -> set[str]:
    return (
        {r.to for r in node.routes}
        | {c.next for c in node.choices if c.next}
        | set(node.outcomes.values())
    )


def _check_graph(flow: Flow, report: Report) -> None:
    entries = [flow.start, flow.language_node, flow.stuck_node, flow.erase_node,
               flow.consent_node, flow.first_question, flow.booking_node, flow.cancel_node,
               flow.reminder_node, flow.follow_up_node, *filter(None, [flow.switch_node])]
    seen, queue = set(entries), deque(entries)
    while queue:
        for target in _successors(flow.node(queue.popleft())) - {RETURN} - seen:
            seen.add(target)
            queue.append(target)
    report.errors += [f"node {n}: unreachable" for n in sorted(flow.nodes.keys() - seen)]
    for node in flow.nodes.values():
        if _is_dead_end(node):
            report.errors.append(f"node {node.id}: dead end (no way on from it)")


def _check_names(flow: Flow, report: Report) -> None:
    for node in flow.nodes.values():
        report.errors += [f"node {node.id}: unknown action {name}"
                          for name in sorted(_actions(node)) if name not in ACTIONS]
        if node.request and node.request not in REQUESTS:
            report.errors.append(f"node {node.id}: unknown request {node.request}")
    used = set().union(*(_actions(node) for node in flow.nodes.values()))
    unused = sorted(ACTIONS.keys() - used)
    report.notes += [f"action {name}: registered but not used by the flow" for name in unused]


def _actions(node: Node) -> set[str]:
    return {a for a in (node.action, node.choice_action, *(c.action for c in node.choices)) if a}


def _is_dead_end(node: Node) -> bool:
    if node.kind == "end":
        return False
    if node.kind in ("message", "route") or not node.choices:
        return not node.routes
    if node.routes:
        return False
    return any(not c.next and not _navigates(c.action) for c in node.choices)


def _navigates(action: str | None) -> bool:
    return action in ACTIONS and ACTIONS[action].navigates


def _sms_text(flow: Flow, lang: str, text_key: str, choice_keys: list[str]) -> str:
    catalogue = flow.catalogues[lang]
    values = {
        **SAMPLE_FACTS, **SAMPLE_APPOINTMENT, "count": 6, "max": 1000, "topic": "...",
        "code": "K7QX2-9ZMBA", "minutes": 15,
        "found": "; ".join(m.label for m in (*SAMPLE_UNDERSTANDING.occupations,
                                               *SAMPLE_UNDERSTANDING.activities,
                                               *SAMPLE_UNDERSTANDING.skills)),
    }
    text = render(catalogue.sms.get(text_key) or catalogue.texts[text_key], values)
    return segments.plain(numbered(text, [catalogue.texts[k] for k in choice_keys]))


def _check_segments(flow: Flow, lang: str, report: Report) -> None:
    costs: dict[str, int] = {}
    messages = [(n.text, [c.text for c in n.choices]) for n in flow.nodes.values() if n.text]
    messages += [(key, []) for key in ENGINE_TEXTS]
    messages += [(n.help, []) for n in flow.nodes.values() if n.help]
    for text_key, choice_keys in messages:
        cost = segments.count(_sms_text(flow, lang, text_key, choice_keys)).segments
        costs[text_key] = cost
        if cost > MAX_SEGMENTS:
            report.errors.append(f"{lang}: {text_key} renders to {cost} SMS segments")
    report.segments[lang] = costs


def _complete_intake_segments(flow: Flow, lang: str) -> int | None:
    """SMS segments of one whole intake: first choices everywhere, consent given, confirmed,
    an occupation and a skill understood in the experience."""
    now = datetime(2026, 1, 1, tzinfo=UTC)
    result = step(flow, DialogState(flow=flow.id), Start(lang=lang), now, SAMPLE_FACTS)
    messages = list(result.messages)
    session = result.session
    for _ in range(MAX_INTAKE_STEPS):
        if session.status != "active":
            break
        node = flow.node(session.node or flow.start)
        if node.kind == "text":
            answer = Message(SAMPLE_TEXT_ANSWER, SAMPLE_UNDERSTANDING)
        else:
            answer = Message("1")
        result = step(flow, session, answer, now, SAMPLE_FACTS)
        messages += result.messages
        session = result.session
    else:
        return None
    return sum(_cost(m) for m in messages)


def _cost(message: MessageCreated) -> int:
    text = numbered(message.sms_text or message.text, [c.label for c in message.choices])
    return segments.count(segments.plain(text)).segments

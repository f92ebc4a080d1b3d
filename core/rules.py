"""The service-rules engine: where (groups) + when (conditions) + do (actions).

Condition and action kinds come from plugins (``sanshe_rule_conditions``,
``sanshe_rule_actions``); the engine itself knows only the text conditions
``keywords`` and ``regex``.  All keywords of all rules go into one
Aho-Corasick automaton and all regexes into one combined pattern, compiled
once, so the cost of a message does not grow with the number of rules: only
rules whose text matched are looked at further.  While a rule's actions run,
``context.fired`` says which rule fired and what kinds of content it matched.
"""

from __future__ import annotations

import inspect
import logging
import re
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import ahocorasick

from .actions import Action
from .i18n import Translator
from .model import Community, Group, Person, Rule
from .plugins import as_actions, await_me_maybe
from .privacy import excerpt
from .timers import on_networks

if TYPE_CHECKING:
    from .context import Context

log = logging.getLogger(__name__)

TEXT_CONDITIONS = ("keywords", "regex")


@dataclass(frozen=True, slots=True)
class Condition:
    """A condition kind for ``when:``.

    ``parse`` checks and prepares the YAML value once at load (raise
    ``ValueError(key)`` or ``ValueError(key, {values})`` with a catalogue key
    whose text tells a moderator what is wrong); a ``parse`` with a parameter
    named ``community`` is also given the community, to check names against
    it.  ``check`` answers for one event; ``describe`` says it in plain words
    for ``/rules`` in the reader's language (a ``describe`` with a parameter
    named ``community`` is given it too, to name custom roles with
    :func:`sanshe.core.names.role_name`).
    """

    name: str
    check: Callable[[Context, Any], bool | Awaitable[bool]]
    describe: Callable[..., str]
    parse: Callable[..., Any] = lambda value: value
    found: Callable[[Context, Any], Iterable[str]] | None = None
    """For a condition about content: the kinds it found in this event (``phone``…)."""
    plugin: str = ""
    """The plugin that contributed it (filled in by core)."""


@dataclass(frozen=True, slots=True)
class Fired:
    """A rule whose actions are running, and what it matched, never the matched text itself.

    ``keywords`` are the rule's own keywords found in the message; ``kinds``
    the other kinds of content (``pattern``, ``phone``, ``id_number``…), each
    named in the catalogues as ``content.<kind>``.
    """

    rule: Rule
    keywords: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class RuleAction:
    """An action kind for ``do:`` (same ``parse``/``describe`` contract as :class:`Condition`)."""

    name: str
    run: Callable[[Context, Any], Action | Iterable[Action] | None | Awaitable[Any]]
    describe: Callable[..., str]
    parse: Callable[..., Any] = lambda value: value
    plugin: str = ""
    """The plugin that contributed it (filled in by core)."""
    once: bool = False
    """At most once per event: of several rules that hold, only the first one's runs it (one
    clarification in the group for one message)."""


class RuleProblem(Exception):
    """A rule that cannot be used; ``path`` points into the YAML under ``rules``."""

    def __init__(
        self,
        path: tuple[str | int, ...],
        key: str,
        at_key: bool = False,
        reason_values: Mapping[str, object] | None = None,
        **values: object,
    ) -> None:
        super().__init__(key)
        self.path = path
        self.key = key
        self.at_key = at_key
        self.values = values
        self.reason_values = reason_values or {}
        """The values of ``values["reason"]``, a catalogue key of its own."""


@dataclass(slots=True)
class _Compiled:
    rule: Rule
    keywords: tuple[str, ...]
    regexes: tuple[re.Pattern[str], ...]
    conditions: tuple[tuple[Condition, Any], ...]
    steps: tuple[tuple[RuleAction, Any], ...]


def _parse_keywords(value: Any, path: tuple[str | int, ...]) -> tuple[str, ...]:
    items = [value] if isinstance(value, str) else value
    if (
        not isinstance(items, list)
        or not items
        or not all(isinstance(k, str) and k.strip() for k in items)
    ):
        raise RuleProblem(path, "config.rule_keywords")
    return tuple(k.strip().lower() for k in items)


def _parse_regexes(value: Any, path: tuple[str | int, ...]) -> tuple[re.Pattern[str], ...]:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not items:
        raise RuleProblem(path, "config.rule_regex_type")
    compiled = []
    for i, item in enumerate(items):
        where = path if isinstance(value, str) else path + (i,)
        if not isinstance(item, str):
            raise RuleProblem(where, "config.rule_regex_type")
        try:
            compiled.append(re.compile(item, re.IGNORECASE))
        except re.error as exc:
            raise RuleProblem(where, "config.bad_regex", error=exc.msg, position=exc.pos) from exc
    return tuple(compiled)


class RuleBook:
    """The compiled rules of a community."""

    def __init__(
        self,
        community: Community,
        conditions: Mapping[str, Condition],
        actions: Mapping[str, RuleAction],
    ) -> None:
        self.community = community
        self.problems: list[RuleProblem] = []
        self._rules: list[_Compiled] = []
        for i, rule in enumerate(community.rules):
            compiled = self._compile(rule, ("rules", i), conditions, actions)
            if compiled is not None:
                self._rules.append(compiled)
        self._automaton: Any = None
        keyword_rules: dict[str, list[int]] = {}
        regex_parts: list[str] = []
        for index, compiled in enumerate(self._rules):
            for keyword in compiled.keywords:
                keyword_rules.setdefault(keyword, []).append(index)
            regex_parts.extend(f"(?:{p.pattern})" for p in compiled.regexes)
        if keyword_rules:
            self._automaton = ahocorasick.Automaton()
            for keyword, indexes in keyword_rules.items():
                self._automaton.add_word(keyword, tuple(indexes))
            self._automaton.make_automaton()
        self._any_regex = re.compile("|".join(regex_parts), re.IGNORECASE) if regex_parts else None
        self._regex_only = tuple(
            i for i, c in enumerate(self._rules) if c.regexes and not c.keywords
        )
        self._untexted = tuple(
            i for i, c in enumerate(self._rules) if not c.keywords and not c.regexes
        )
        self._plain: dict[tuple[str, str], tuple[int, ...]] = {}

    def _compile(
        self,
        rule: Rule,
        path: tuple[str | int, ...],
        conditions: Mapping[str, Condition],
        actions: Mapping[str, RuleAction],
    ) -> _Compiled | None:
        """Compile one rule; note every problem in it and return None if there is any."""
        found: list[RuleProblem] = []
        keywords: tuple[str, ...] = ()
        regexes: tuple[re.Pattern[str], ...] = ()
        checks = []
        for name, value in rule.when.items():
            where = path + ("when", name)
            try:
                if name == "keywords":
                    keywords = _parse_keywords(value, where)
                elif name == "regex":
                    regexes = _parse_regexes(value, where)
                elif name in conditions:
                    condition = conditions[name]
                    checks.append(
                        (condition, _parse(condition.parse, value, where, self.community))
                    )
                else:
                    known = ", ".join(sorted({*conditions, *TEXT_CONDITIONS}))
                    raise RuleProblem(
                        where, "config.unknown_condition", at_key=True, name=name, known=known
                    )
            except RuleProblem as problem:
                found.append(problem)
        steps = []
        for i, step in enumerate(rule.do):
            where = path + ("do", i)
            try:
                if len(step) != 1:
                    raise RuleProblem(where, "config.rule_step_shape")
                ((name, value),) = step.items()
                if name not in actions:
                    known = ", ".join(sorted(actions))
                    raise RuleProblem(where, "config.unknown_rule_action", name=name, known=known)
                steps.append(
                    (actions[name], _parse(actions[name].parse, value, where, self.community))
                )
            except RuleProblem as problem:
                found.append(problem)
        self.problems.extend(found)
        if found:
            return None
        return _Compiled(rule, keywords, regexes, tuple(checks), tuple(steps))

    def _plain_rules(self, group: Group, on: str) -> tuple[int, ...]:
        """Rules for ``group`` and ``on`` that have no text condition (looked at for every event)."""
        key = (group.id, on)
        found = self._plain.get(key)
        if found is None:
            found = tuple(
                i
                for i in self._untexted
                if self._rules[i].rule.on == on and self._rules[i].rule.where.covers(group)
            )
            self._plain[key] = found
        return found

    def candidates(self, group: Group, on: str, text: str) -> list[int]:
        """Indexes of the rules that may apply: in scope, and their text conditions hold."""
        hits: set[int] = set()
        lowered = text.lower()
        if self._automaton is not None and lowered:
            for _end, indexes in self._automaton.iter(lowered):
                hits.update(indexes)
        if self._any_regex is not None and self._any_regex.search(text) is not None:
            hits.update(self._regex_only)
        chosen = [
            i
            for i in hits
            if self._rules[i].rule.on == on
            and self._rules[i].rule.where.covers(group)
            and (not self._rules[i].regexes or any(p.search(text) for p in self._rules[i].regexes))
        ]
        chosen.extend(self._plain_rules(group, on))
        chosen.sort()
        return chosen

    async def apply(self, context: Context, on: str = "message") -> list[Action]:
        """Run every rule that holds for this event; return the actions they produce.

        A plugin's condition or action that raises is logged with its plugin and
        the rule's id: that condition does not hold, that action gives nothing,
        and the rule's other actions and the other rules still run.
        """
        if context.group is None:
            return []
        actions: list[Action] = []
        ran: set[str] = set()
        for index in self.candidates(context.group, on, context.text):
            actions.extend(await self._run(self._rules[index], context, ran))
        return _unique(actions)

    async def verdicts(
        self, context: Context, _: Translator, on: str = "message"
    ) -> list[tuple[Rule, list[str]]]:
        """The rules that hold for this event, each with what it would do, in the words of
        ``_``; no action runs (``sanshe rules test``)."""
        if context.group is None:
            return []
        found = []
        for index in self.candidates(context.group, on, context.text):
            compiled = self._rules[index]
            if await _holds(compiled, context):
                steps = [self._said(a.describe, _, v) for a, v in compiled.steps]
                found.append((compiled.rule, steps))
        return found

    async def _run(self, compiled: _Compiled, context: Context, ran: set[str]) -> list[Action]:
        """The actions of ``compiled`` if its conditions hold for ``context``; of its ``once``
        steps, those not in ``ran`` (the names of those an earlier rule ran), noted there."""
        if not await _holds(compiled, context):
            return []
        if self._dry(compiled, context):
            return self._would(compiled, context)
        actions: list[Action] = []
        context.fired = _fired(compiled, context)
        try:
            for step, value in compiled.steps:
                if step.once:
                    if step.name in ran:
                        continue
                    ran.add(step.name)
                try:
                    actions.extend(as_actions(await await_me_maybe(step.run(context, value))))
                except Exception:
                    log.exception(
                        "rule %r: action %r of plugin %r failed; the rule's other actions "
                        "and the other rules still run",
                        compiled.rule.id,
                        step.name,
                        step.plugin,
                    )
        finally:
            context.fired = None
        return actions

    def _dry(self, compiled: _Compiled, context: Context) -> bool:
        """Whether ``compiled`` only reports: it is ``dry_run``, or a step's plugin is."""
        return compiled.rule.dry_run or any(
            context.dry_run(step.plugin) for step, _value in compiled.steps
        )

    def _would(self, compiled: _Compiled, context: Context) -> list[Action]:
        """What a dry run does instead of ``compiled``'s steps: tell the moderation log them."""
        _ = context.translator(Person(id="moderation-log", known=False))
        rule = compiled.rule
        event = context.event
        return context.moderated(
            "dry_run",
            context.person,
            "rules.dry_run",
            rule=_.pick(rule.description) if rule.description else rule.id,
            group=context.group.name if context.group else "",
            who=excerpt(context.person.name or event.sender_name or event.sender),
            what=_("rules.list_sep").join(self._said(a.describe, _, v) for a, v in compiled.steps),
        )

    def describe(self, group: Group, _: Translator) -> list[str]:
        """Each rule that watches ``group``, in plain words."""
        lines = []
        for compiled in self._rules:
            rule = compiled.rule
            if not rule.where.covers(group):
                continue
            if rule.description:
                lines.append(_.pick(rule.description))
                continue
            when = []
            if compiled.keywords:
                when.append(_("rules.when_keywords", words=_.join(compiled.keywords)))
            if compiled.regexes:
                when.append(_("rules.when_regex"))
            when.extend(self._said(c.describe, _, v) for c, v in compiled.conditions)
            do = [self._said(a.describe, _, v) for a, v in compiled.steps]
            lines.append(
                _(
                    "rules.line",
                    on=_on(rule, _),
                    when=_("rules.and").join(when) if when else _("rules.always"),
                    do=_("rules.list_sep").join(do),
                )
            )
        return lines

    async def apply_scheduled(self, context: Context, rule_id: str) -> list[Action]:
        """Run the rule ``rule_id`` (one ``on`` a schedule) in each chat of each group it watches.

        ``context`` is its timer's; the actions go to those chats' networks.
        """
        compiled = next((c for c in self._rules if c.rule.id == rule_id), None)
        if compiled is None:
            return []
        actions: list[Action] = []
        for group in self.community.groups:
            if not compiled.rule.where.covers(group):
                continue
            for place in context.in_chats_of(group):
                found = await self._run(compiled, place, set())
                actions.extend(on_networks(found, place.event.network))
        return _unique(actions)

    def _said(self, describe: Callable[..., str], _: Translator, value: Any) -> str:
        """A condition's or action's ``describe`` (given the community, if it asks)."""
        if _wants_community(describe):
            return describe(_, value, community=self.community)
        return describe(_, value)


def _on(rule: Rule, _: Translator) -> str:
    """When ``rule`` runs, in words: on which event, or on which schedule."""
    if isinstance(rule.on, str):
        return _(f"rules.on_{rule.on}")
    if rule.on.every == "day":
        return _("rules.on_every_day", at=rule.on.at or "00:00")
    return _("rules.on_every", interval=rule.on.every)


async def _holds(compiled: _Compiled, context: Context) -> bool:
    """Whether every plugin condition of ``compiled`` holds; one that raises does not (logged)."""
    for condition, value in compiled.conditions:
        try:
            if not await await_me_maybe(condition.check(context, value)):
                return False
        except Exception:
            log.exception(
                "rule %r: condition %r of plugin %r failed; the rule does not apply",
                compiled.rule.id,
                condition.name,
                condition.plugin,
            )
            return False
    return True


def _fired(compiled: _Compiled, context: Context) -> Fired:
    """What ``compiled`` matched in ``context``'s event (a condition whose ``found`` raises adds nothing)."""
    lowered = context.text.lower()
    kinds = ["pattern"] if compiled.regexes else []
    for condition, value in compiled.conditions:
        if condition.found is None:
            continue
        try:
            kinds.extend(k for k in condition.found(context, value) if k not in kinds)
        except Exception:
            log.exception(
                "rule %r: what condition %r of plugin %r found is unknown",
                compiled.rule.id,
                condition.name,
                condition.plugin,
            )
    keywords = tuple(k for k in compiled.keywords if k in lowered)
    return Fired(compiled.rule, keywords, tuple(kinds))


def _parse(
    parse: Callable[..., Any], value: Any, where: tuple[str | int, ...], community: Community
) -> Any:
    try:
        if _wants_community(parse):
            return parse(value, community=community)
        return parse(value)
    except ValueError as exc:
        reason = exc.args[0] if exc.args else ""
        values = exc.args[1] if len(exc.args) > 1 and isinstance(exc.args[1], dict) else {}
        raise RuleProblem(
            where, "config.rule_value", reason_values=values, reason=str(reason)
        ) from exc


def _wants_community(function: Callable[..., Any]) -> bool:
    try:
        return "community" in inspect.signature(function).parameters
    except (TypeError, ValueError):
        return False


def _unique(actions: list[Action]) -> list[Action]:
    seen: set[Action] = set()
    unique = []
    for action in actions:
        if action not in seen:
            seen.add(action)
            unique.append(action)
    return unique

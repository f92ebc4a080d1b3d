"""Everything stored about one person: written out (``sanshe person export``) or erased
(``sanshe person erase``).

A person is named by their id (the YAML's, a stored person's ``p-…``, or
``network:handle`` for someone never registered).  What core keeps about
them: their stored person and handles, role grants, records and form dialogs,
the audit log's link to them (their pseudonym), chats they bound, outbox
actions and dead letters that carry one of their handles, adapter positions
keyed by one, and timers whose data names them.  Plugins add their tables
through ``sanshe_person_export`` / ``sanshe_person_erase``.  Erasing is one
transaction; it keeps the chats bound (the binding no longer says by whom),
and the audit log's entries (they name nobody once the pseudonym is gone),
and adds one entry saying a person was erased, which names no erased data.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from .model import Community, Person
from .plugins import Plugins, answer_of, call_hook
from .storage import Storage
from .storage import audit as audit_log
from .storage.models import (
    AdapterState,
    AuditEntry,
    ChatBinding,
    DeadLetter,
    FormSession,
    OutboxAction,
    PersonHandle,
    Pseudonym,
    Record,
    RoleGrant,
    StoredPerson,
    Timer,
    stored_person,
)
from .storage.writes import Writes

#: Who erases and exports: the operator at the command line (as the audit log names them).
OPERATOR = "cli:operator"


@dataclass(frozen=True, slots=True)
class Subject:
    """The person whose data is exported or erased: their id and every handle known for them."""

    id: str
    handles: dict[str, str] = field(default_factory=dict)

    def named_in(self, value: Any) -> bool:
        """Whether ``value`` (a JSON-ready value) mentions the person's id or one of their handles."""
        text = json.dumps(value, ensure_ascii=False, default=str)
        return any(f'"{word}"' in text for word in self.words)

    @property
    def words(self) -> set[str]:
        """The person's id and handles, as values stored in JSON carry them."""
        return {self.id, *self.handles.values()}


async def subject(community: Community, person_id: str) -> Subject:
    """The person ``person_id``, with the handles of the file and of storage."""
    handles: dict[str, str] = {}
    known = community.person(person_id)
    if known is not None:
        handles.update(known.handles)
    for row in await PersonHandle.filter(person_id=person_id):
        handles[row.network] = row.handle
    network, colon, handle = person_id.partition(":")
    if colon and not handles:
        handles[network] = handle  # someone never registered: ``network:handle``
    return Subject(person_id, handles)


def _person(target: Subject) -> Person:
    return Person.model_construct(
        id=target.id, name="", locale=None, handles=dict(target.handles), roles=(), known=True
    )


async def export(
    storage: Storage, community: Community, pm: Plugins, person_id: str
) -> dict[str, Any]:
    """Everything stored about ``person_id``, JSON-ready; the export is audited."""
    target = await subject(community, person_id)
    key = stored_person(person_id)
    stored = await StoredPerson.get_or_none(id=person_id)
    pseudonym = await Pseudonym.get_or_none(person=key)
    data: dict[str, Any] = {
        "person": person_id,
        "handles": target.handles,
        "stored": {"name": stored.name, "locale": stored.locale, "details": stored.details}
        if stored
        else None,
        "grants": [
            {
                "role": g.role,
                "groups": g.groups,
                "granted_by": g.granted_by,
                "reason": g.reason,
                "from": g.starts_at.isoformat(),
                "until": g.until.isoformat() if g.until else None,
                "revoked": g.revoked_at.isoformat() if g.revoked_at else None,
            }
            for g in await RoleGrant.filter(person_id=key)
        ],
        "records": [
            {
                "id": r.id,
                "form": r.form_id,
                "group": r.group_id,
                "at": r.created_at.isoformat(),
                "answers": r.data,
            }
            for r in await Record.filter(person=key).order_by("id")
        ],
        "dialogs": [
            {"form": s.form_id, "step": s.step, "answers": s.answers}
            for s in await FormSession.filter(person=key)
        ],
        "bound_chats": [
            {"network": b.network, "chat": b.chat, "group": b.group_id}
            for b in await ChatBinding.filter(bound_by=key)
        ],
        "audit": [
            {"at": e.at.isoformat(), "action": e.action, "subject": e.subject, "detail": e.detail}
            for e in await AuditEntry.filter(actor=pseudonym.pseudonym).order_by("id")
        ]
        if pseudonym
        else [],
    }
    person = _person(target)
    for name, answer in _named_answers(pm, "sanshe_person_export", person=person):
        section = await answer_of(answer)  # an async implementation reads its tables
        if section is not None:
            data.setdefault("plugins", {})[name] = section
    await storage.audit(OPERATOR, "export", f"person:{person_id}", "", datetime.now(UTC))
    written: dict[str, Any] = json.loads(json.dumps(data, ensure_ascii=False, default=str))
    return written


async def erase(
    storage: Storage, community: Community, pm: Plugins, person_id: str
) -> dict[str, int]:
    """Remove everything stored about ``person_id`` in one transaction; what was removed, by kind.

    The YAML's entry for them, if any, is the community file's to change.
    """
    target = await subject(community, person_id)
    key = stored_person(person_id)
    removed: dict[str, int] = {}
    writes = Writes()

    def count(kind: str, statement: Any) -> None:
        async def run(db: BaseDBAsyncClient) -> None:
            removed[kind] = removed.get(kind, 0) + int(await statement(db))

        writes.run(run)

    count("records", lambda db: Record.filter(person=key).using_db(db).delete())
    count("dialogs", lambda db: FormSession.filter(person=key).using_db(db).delete())
    count("grants", lambda db: RoleGrant.filter(person_id=key).using_db(db).delete())
    count(
        "grants given",
        lambda db: RoleGrant.filter(granted_by=key).using_db(db).update(granted_by=""),
    )
    count(
        "grants revoked",
        lambda db: RoleGrant.filter(revoked_by=key).using_db(db).update(revoked_by=""),
    )
    count("handles", lambda db: PersonHandle.filter(person_id=person_id).using_db(db).delete())
    count("person", lambda db: StoredPerson.filter(id=person_id).using_db(db).delete())
    count(
        "bound chats", lambda db: ChatBinding.filter(bound_by=key).using_db(db).update(bound_by="")
    )
    for kind, rows in (
        ("outbox", await OutboxAction.all()),
        ("dead letters", await DeadLetter.all()),
        ("timers", await Timer.all()),
    ):
        ids = [r.pk for r in rows if target.named_in(_stored(r))]
        if ids:
            model = type(rows[0])
            count(
                kind,
                lambda db, model=model, ids=ids: model.filter(pk__in=ids).using_db(db).delete(),
            )
    positions = [s.id for s in await AdapterState.all() if _names(target, (s.key, s.value))]
    if positions:
        count("positions", lambda db: AdapterState.filter(id__in=positions).using_db(db).delete())
    for answer in call_hook(pm.hook.sanshe_person_erase, person=_person(target), writes=writes):
        await answer_of(answer)  # an async implementation reads its tables before noting

    async def audited(db: BaseDBAsyncClient) -> None:
        # The entry names the person by their pseudonym, deleted next: it names nobody.
        at = datetime.now(UTC)
        await audit_log.append(db, OPERATOR, "erase", f"person:{person_id}", "", at)
        removed["audit link"] = int(await audit_log.forget(db, person_id))

    writes.run(audited)
    await storage.write(writes)
    return {kind: n for kind, n in removed.items() if n}


def _stored(row: OutboxAction | DeadLetter | Timer) -> Any:
    if isinstance(row, OutboxAction):
        return row.payload
    if isinstance(row, DeadLetter):
        return row.event
    return row.data


def _names(target: Subject, values: Iterable[str]) -> bool:
    """Whether one of ``values`` (an adapter's key or value) holds the person's id or a handle as
    a whole: ``dm:anna`` names ``anna``, ``dm:annabel`` and ``hannah`` do not."""
    return any(
        re.search(rf"(?<![\w@.+-]){re.escape(word)}(?![\w.+-])", value)
        for value in values
        for word in target.words
        if word
    )


def _named_answers(pm: Plugins, hook: str, **kwargs: Any) -> list[tuple[str, Any]]:
    """Each plugin's answer to ``hook``, with its name (plugins that do not implement it left out)."""
    caller = getattr(pm.hook, hook)
    answers = []
    for impl in caller.get_hookimpls():
        others = [p for _n, p in pm.list_name_plugin() if p is not impl.plugin and p is not None]
        answer = pm.subset_hook_caller(hook, remove_plugins=others)(**kwargs)
        answers.append((impl.plugin_name, answer[0] if answer else None))
    return answers

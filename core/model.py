"""The community model: groups, roles, people, rules and forms as read from YAML.

These pydantic models are both the schema of the YAML files (unknown keys are
refused) and the frozen domain objects the rest of Sanshe works with.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any, Literal, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PrivateAttr, field_validator

#: A plugin's settings model (see ``sanshe_settings``).
SettingsModel = TypeVar("SettingsModel", bound=BaseModel)

#: Text written in YAML: one string, or one string per locale (``{zh_CN: …, en: …}``).
Text = str | Annotated[dict[str, str], Field(min_length=1)]

#: Text a person must be shown (a question, a title): not empty.
ShownText = Annotated[str, Field(min_length=1)] | Annotated[dict[str, str], Field(min_length=1)]

#: Built-in group kinds of the model (DOMAIN.md): the three core tiers, the four
#: support groups and the other groups the guide names.  Value: the role a member
#: not otherwise known has in a group of that kind.
GROUP_KINDS: dict[str, str | None] = {
    "resident": "resident",
    "focus_service": "client",
    "key_accompaniment": "client",
    "prevention_work": None,
    "volunteer_pool": None,
    "volunteer_dispatch": None,
    "expert_supervision": None,
    "landlord": "resident",
    "business": "resident",
    "home_living_support": "resident",
    "home_observation": "client",
}

#: Built-in roles (DOMAIN.md, "People and roles").
ROLES: tuple[str, ...] = (
    "community_worker",
    "grid_worker",
    "building_leader",
    "resident_group_leader",
    "property_staff",
    "social_worker",
    "medical_volunteer",
    "psych_volunteer",
    "general_volunteer",
    "expert",
    "resident",
    "client",
    "group_admin",
)
#: The consultation groups' kinds (DOMAIN.md): where people in need are served, and where a
#: crisis anywhere escalates to.
CONSULTATION_KINDS: frozenset[str] = frozenset({"focus_service", "key_accompaniment"})
#: The built-in roles whose holders serve shifts in the consultation groups (DOMAIN.md).
SHIFT_ROLES: frozenset[str] = frozenset(
    {"social_worker", "medical_volunteer", "psych_volunteer", "general_volunteer"}
)


@dataclass(frozen=True, slots=True)
class Names:
    """Marks a text of a plugin's settings as naming one of the community's roles, group kinds,
    groups or forms: checking the file refuses one it does not have, at its line."""

    what: Literal["role", "kind", "group", "form"]


RoleName = Annotated[str, Names("role")]
"""A role of the community (built-in or declared), in a plugin's settings."""
KindName = Annotated[str, Names("kind")]
"""A group kind of the community, in a plugin's settings."""
GroupName = Annotated[str, Names("group")]
"""A group id of the community, in a plugin's settings."""
FormName = Annotated[str, Names("form")]
"""A form id of the community, in a plugin's settings."""
Length = Annotated[str, Field(pattern=r"^(\d{1,2}d)?(\d{1,3}h)?(\d{1,4}m)?$", min_length=2)]
"""A length of time in a plugin's settings: ``30m``, ``2h``, ``1d``, ``1h30m`` (read it with
:func:`sanshe.core.arguments.duration`)."""
TimeOfDay = Annotated[str, Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")]
"""A time of day in the settings, ``HH:MM`` (24-hour clock), read in the community's time zone
(a daily timer at it: :meth:`sanshe.core.services.Services.keep_daily`)."""


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class CommunityInfo(_Frozen):
    """Who the community is."""

    id: str
    name: str
    locale: Literal["zh_CN", "en"] = "zh_CN"
    timezone: str = "Asia/Shanghai"
    admins: tuple[str, ...] = ("community_worker",)
    """Roles whose community-wide holders are the community's admins (see :meth:`Community.admins`)."""
    dead_letter_after: int = Field(default=3, gt=0)
    """Tries of an event core cannot handle before it is set aside as a dead letter."""
    moderation_log: str | None = None
    """The group whose chats are told of every moderation action and dry run (the prevention
    work group…); None: the audit log only (see :mod:`.moderation_log`)."""


class GroupKind(_Frozen):
    """A group kind declared by the community (landlord groups, business groups…)."""

    id: str
    name: Text = ""
    member_role: str | None = None
    """The role an otherwise unknown member has in groups of this kind."""


class CustomRole(_Frozen):
    """A role the community adds to the built-in ones."""

    id: str
    name: Text = ""


class Building(_Frozen):
    """A building of the community, whose households a resident group serves."""

    id: Annotated[str, Field(min_length=1)]
    name: Text = ""
    rooms: tuple[str, ...] = ()
    """Its rooms: numbers (``"302"``) or ranges of numbers (``"101-106"``)."""
    area: Annotated[str, Field(min_length=1, max_length=40, pattern=r"\S")] | None = None
    """The part of the community it stands in (``东区``): errands go to its volunteers next."""

    def room_list(self) -> tuple[str, ...]:
        """Every room, ranges written out (``"101-103"`` -> 101, 102, 103), in the order given."""
        found: list[str] = []
        for item in self.rooms:
            first, dash, last = item.partition("-")
            if dash and first.strip().isdecimal() and last.strip().isdecimal():
                found.extend(str(n) for n in range(int(first), int(last) + 1))
            else:
                found.append(item.strip())
        return tuple(dict.fromkeys(found))


class Group(_Frozen):
    """One chat group of the community, of a kind from the model."""

    id: str
    kind: str
    name: str
    purpose: Text = ""
    building: str | None = None
    capacity: int | None = Field(default=None, gt=0)
    join_approval: bool = True
    administered_by: tuple[str, ...] = ()
    """Roles whose holders (in this group's scope) administer it."""
    chats: dict[str, str] = {}
    """The group's chat on each network: ``{matrix: "!room:server", telegram: "-100…"}``."""
    escalates_to: str | None = None
    """The consultation group whose on-shift staff a crisis here reaches (None: the community's
    first focus service group); see :meth:`Community.escalation_group`."""

    @field_validator("chats", mode="before")
    @classmethod
    def _ids_as_text(cls, value: Any) -> Any:
        if isinstance(value, dict):
            return {k: str(v) if isinstance(v, int) else v for k, v in value.items()}
        return value


class Grant(_Frozen):
    """A role held by a person, community-wide or in named groups only."""

    role: str
    groups: tuple[str, ...] | None = None
    """None: community-wide."""

    def covers(self, group_id: str | None) -> bool:
        """Whether this grant applies in ``group_id`` (None: outside any group)."""
        return self.groups is None or (group_id is not None and group_id in self.groups)

    def counts_at(self, now: datetime | None) -> bool:
        """Whether the grant counts at ``now``: one of the YAML always does."""
        return True


class RuntimeGrant(Grant):
    """A role given in chat (``/grant``) or by a plugin, kept in storage (see :mod:`.people`)."""

    id: int
    person_id: str
    granted_by: str
    reason: str = ""
    starts_at: datetime
    until: datetime | None = None
    """None: until revoked."""

    def counts_at(self, now: datetime | None) -> bool:
        """Whether the grant counts at ``now`` (None: the system's time): begun, not yet ended."""
        now = now or datetime.now(UTC)
        return self.starts_at <= now and (self.until is None or now < self.until)


def _grant(value: Any) -> Any:
    return {"role": value} if isinstance(value, str) else value


class Person(_Frozen):
    """A member of staff or a volunteer known in advance, or (``known=False``) anyone else."""

    id: str
    name: str = ""
    locale: Literal["zh_CN", "en"] | None = None
    handles: dict[str, str] = {}
    """The person's id on each network: ``{matrix: "@wang:example.org", telegram: 123, console: wang}``."""
    roles: tuple[Annotated[Grant, BeforeValidator(_grant)], ...] = ()
    known: bool = True

    @field_validator("handles", mode="before")
    @classmethod
    def _handles_as_text(cls, value: Any) -> Any:
        if isinstance(value, dict):
            return {k: str(v) if isinstance(v, int) else v for k, v in value.items()}
        return value


class RuleScope(_Frozen):
    """Which groups a rule watches; empty means every group."""

    kinds: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()

    def covers(self, group: Group) -> bool:
        """Whether the rule applies in ``group``."""
        if not self.kinds and not self.groups:
            return True
        return group.kind in self.kinds or group.id in self.groups


class RuleSchedule(_Frozen):
    """``on: {every: day, at: "20:00"}`` or ``on: {every: 30m}``: a rule run on a schedule.

    ``every`` is ``day`` (at ``at``, local time of the community's time zone;
    midnight without ``at``) or a duration (``30m``, ``2h``, ``1d``).
    """

    every: Annotated[str, Field(pattern=r"^(day|[1-9]\d*\s*(m|min|h|d))$")]
    at: TimeOfDay | None = None


class Rule(_Frozen):
    """A service rule: where (groups) + when (conditions) + do (actions).

    A rule ``on`` a schedule runs in each group of its scope when it falls due.
    """

    id: str
    description: Text = ""
    on: (
        Literal[
            "message",
            "join_request",
            "member_joined",
            "member_left",
            "member_renamed",
            "button_pressed",
            "form_submitted",
        ]
        | RuleSchedule
    ) = "message"
    where: RuleScope = RuleScope()
    when: dict[str, Any] = {}
    do: tuple[dict[str, Any], ...] = Field(min_length=1)
    dry_run: bool = False
    """Do nothing to anyone: tell the moderation log what the rule would have done."""

    @field_validator("do", mode="before")
    @classmethod
    def _steps(cls, value: Any) -> Any:
        if isinstance(value, str | dict):
            value = [value]
        if isinstance(value, list):
            return [{v: None} if isinstance(v, str) else v for v in value]
        return value


#: The types a form's field may have; an ``agreement`` is answered only with ``/agree``
#: (``/同意``), agreeing to the text of the form's ``intro``.
FIELD_TYPES = (
    "text",
    "long_text",
    "integer",
    "number",
    "choice",
    "multi_choice",
    "yes_no",
    "phone",
    "id_number",
    "age",
    "temperature",
    "date",
    "agreement",
)


class FormField(_Frozen):
    """One question of a form."""

    id: str
    type: str = "text"
    label: ShownText
    help: Text = ""
    required: bool = True
    choices: dict[str, ShownText] = {}
    min: float | None = Field(default=None, allow_inf_nan=False)
    max: float | None = Field(default=None, allow_inf_nan=False)
    pattern: str | None = None
    sensitive: bool = False
    """Personal data (phone, ID number, health): never echoed into a group."""
    column: ShownText | None = None
    """Its column's header in an export, as the paper form names it; None: its label."""
    column_group: ShownText | None = None
    """The header over a run of neighbouring columns (one merged cell in a spreadsheet)."""


class Form(_Frozen):
    """A form filled through a private step-by-step dialog and stored as a record."""

    id: str
    title: ShownText
    intro: Text = ""
    fill: Literal["anyone"] | tuple[str, ...] = "anyone"
    """Who may fill it: ``anyone`` or a list of roles."""
    view: tuple[str, ...] = ("social_worker", "community_worker")
    """Roles that may read its records (permission ``record.read:<id>``)."""
    export: tuple[str, ...] | None = None
    """Roles that may export its records (``record.export:<id>``); None: those of ``view``."""
    retention_days: int | None = Field(default=None, gt=0)
    """Days its records are kept (then deleted by the retention plugin); None: until erased."""
    fields: tuple[FormField, ...] = Field(min_length=1)

    @property
    def exporters(self) -> tuple[str, ...]:
        """The roles that may export its records: ``export``, else ``view``."""
        return self.view if self.export is None else self.export


class PluginSettings(_Frozen):
    """Which plugins run for this community, and each plugin's own section (``plugins: {name: …}``).

    Checking the file (:mod:`sanshe.core.config`) makes a running plugin's
    section an instance of the model it declares (``sanshe_settings``), its
    defaults when the file has no section; a disabled plugin's stays as written.
    """

    model_config = ConfigDict(frozen=True, extra="allow")

    disable: tuple[str, ...] = ()
    dry_run: tuple[str, ...] = ()
    """Plugins whose rule actions and automatic sanctions are only reported to the moderation
    log, not done (see :meth:`Context.dry_run <sanshe.core.context.Context.dry_run>`)."""

    @property
    def sections(self) -> dict[str, Any]:
        """Each plugin's section by plugin name: a model instance, or as written (disabled)."""
        return dict(self.model_extra or {})

    def of(self, model: type[SettingsModel]) -> SettingsModel:
        """The settings of the plugin whose model is ``model``; LookupError if none is in force."""
        for section in (self.model_extra or {}).values():
            if type(section) is model:
                return section
        raise LookupError(
            f"no {model.__qualname__} settings: is the plugin declaring it (sanshe_settings) "
            "running, and was the community checked with its vocabulary?"
        )


class StorageSettings(_Frozen):
    """Where records and checkpoints live; ``SANSHE_DB_URL`` overrides ``db_url``."""

    db_url: str = "sqlite://sanshe.sqlite3"
    key_file: Annotated[str, Field(min_length=1)] | None = None
    """The file of the key that seals personal data (relative to the community file's folder);
    ``SANSHE_KEY`` and ``SANSHE_KEY_FILE`` override it (see :mod:`.storage.sealed`)."""


class Community(_Frozen):
    """A whole community file: who, its groups, roles, people, rules and forms."""

    community: CommunityInfo
    kinds: tuple[GroupKind, ...] = ()
    roles: tuple[CustomRole, ...] = ()
    grants: dict[str, tuple[str, ...]] = {}
    """Per role, the roles its holders may grant at runtime, where they hold it (``/grant``)."""
    buildings: tuple[Building, ...] = ()
    groups: tuple[Group, ...] = ()
    people: tuple[Person, ...] = ()
    rules: tuple[Rule, ...] = ()
    forms: tuple[Form, ...] = ()
    plugins: PluginSettings = PluginSettings()
    storage: StorageSettings = StorageSettings()
    adapters: dict[str, dict[str, Any]] = {}

    @property
    def locale(self) -> str:
        """The community's language."""
        return self.community.locale

    def group(self, group_id: str) -> Group | None:
        """The group with this id, if any."""
        return self._groups.get(group_id)

    def person(self, person_id: str) -> Person | None:
        """The known person with this id, if any."""
        return self._people.get(person_id)

    def building(self, building_id: str | None) -> Building | None:
        """The building with this id, if the file lists it."""
        return next((b for b in self.buildings if b.id == building_id), None)

    def escalation_group(self, group: Group | None) -> Group | None:
        """The consultation group whose on-shift staff answer a crisis in ``group``.

        A consultation group answers for itself; another group (or a private chat: None) escalates
        to its ``escalates_to``, by default the first focus service group of the file.
        """
        if group is not None and group.kind in CONSULTATION_KINDS:
            return group
        if group is not None and group.escalates_to is not None:
            return self.group(group.escalates_to)
        return next((g for g in self.groups if g.kind == "focus_service"), None)

    def form(self, form_id: str) -> Form | None:
        """The form with this id, if any."""
        return self._forms.get(form_id)

    def admins(self) -> tuple[Person, ...]:
        """The community's admins: the people holding a role of ``community.admins`` community-wide.

        Told privately of what needs a person, such as an event set aside as a dead letter.
        """
        roles = set(self.community.admins)
        return tuple(
            p for p in self.people if any(g.groups is None and g.role in roles for g in p.roles)
        )

    def resident_groups(self, building: str) -> list[Group]:
        """The resident groups (groups whose members are residents) of ``building``."""
        return [
            g
            for g in self.groups
            if g.building == building and self.member_role(g.kind) == "resident"
        ]

    def member_role(self, kind: str) -> str | None:
        """The role an unknown member has in a group of ``kind``."""
        for custom in self.kinds:
            if custom.id == kind:
                return custom.member_role
        return GROUP_KINDS.get(kind)

    def model_post_init(self, _: Any) -> None:
        self._groups = {g.id: g for g in self.groups}
        self._people = {p.id: p for p in self.people}
        self._forms = {f.id: f for f in self.forms}

    _groups: dict[str, Group] = PrivateAttr(default_factory=dict)
    _people: dict[str, Person] = PrivateAttr(default_factory=dict)
    _forms: dict[str, Form] = PrivateAttr(default_factory=dict)
    _computed_roles: dict[str, str] = PrivateAttr(default_factory=dict)

    @property
    def computed_roles(self) -> dict[str, str]:
        """The roles plugins compute (``sanshe_computed_roles``) -> the catalogue key of each
        name: filled when the file is checked with the plugins' vocabulary."""
        return self._computed_roles


def all_roles(community: Community) -> set[str]:
    """Built-in, community and computed roles (the names rules, forms and grants may use)."""
    return set(ROLES) | {r.id for r in community.roles} | set(community.computed_roles)


def all_kinds(community: Community) -> set[str]:
    """Built-in and community group kinds."""
    return set(GROUP_KINDS) | {k.id for k in community.kinds}

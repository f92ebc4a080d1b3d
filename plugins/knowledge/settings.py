"""The knowledge plugin's settings: ``plugins: {knowledge: {...}}`` in the community file.

::

    plugins:
      knowledge:
        staff: [social_worker, community_worker, medical_volunteer, psych_volunteer]
        stale_days: 30           # an entry not confirmed for this long is flagged to its author
        check_at: "09:00"        # when, each day, stale entries are looked for
        synonyms:                # words that mean the same here, added to the shipped table
          parking: [停车, 车位, parking]
        resources:               # the resource map's entries kept in the file
          - {id: pharmacy, kind: pharmacy, name: 阳光大药房, needs: [药品, medicine],
             area: 1号楼对面, hours: "8:00-22:00", contact: 021-6234 5678}
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from sanshe.core.model import RoleName, ShownText, Text, TimeOfDay
from sanshe.core.privacy import personal_data

#: The kinds of resource, as the map names them.
KINDS = ("supplies", "service", "hotline", "pharmacy")
STAFF = ("social_worker", "community_worker", "medical_volunteer", "psych_volunteer")


def _public(text: Text) -> Text:
    """Refuse a mobile, ID or card number: the map is shown in groups."""
    texts = [text] if isinstance(text, str) else list(text.values())
    if any(personal_data(t) for t in texts):
        raise ValueError("no mobile, ID or bank card number: the map is shown in groups")
    return text


Public = Annotated[Text, AfterValidator(_public)]
ShownPublic = Annotated[ShownText, AfterValidator(_public)]
Need = Annotated[str, Field(min_length=1), AfterValidator(_public)]


class Resource(BaseModel):
    """A resource of the map kept in the file: what it is, the needs it meets, where and when."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")]
    kind: Literal["supplies", "service", "hotline", "pharmacy"]
    name: ShownPublic
    needs: Annotated[tuple[Need, ...], Field(min_length=1)]
    """Words of the needs it meets, in any language (``/resource <need>`` finds it by them)."""
    area: Public = ""
    """Where it is, or which buildings it serves."""
    hours: Public = ""
    """When it is open."""
    contact: Public = ""
    """A landline or hotline (no mobile number: the map is shown in groups)."""


def _words(words: tuple[str, ...]) -> tuple[str, ...]:
    if not words:
        raise ValueError("a synonym group needs at least one word")
    return words


Word = Annotated[str, Field(min_length=1, max_length=100)]
Group = Annotated[tuple[Word, ...], AfterValidator(_words)]
Meaning = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")]


def _unique(resources: tuple[Resource, ...]) -> tuple[Resource, ...]:
    ids = [r.id for r in resources]
    if twice := sorted({i for i in ids if ids.count(i) > 1}):
        raise ValueError(f"each resource needs an id of its own: {', '.join(twice)} twice")
    return resources


class KnowledgeSettings(BaseModel):
    """Who adds to the answer library and the resource map, when an entry is stale, and the
    resources kept in the file."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    staff: Annotated[tuple[RoleName, ...], Field(min_length=1)] = STAFF
    """Who may add, confirm and remove entries (holding one of these roles anywhere)."""
    stale_days: int = Field(default=30, gt=0, le=3650)
    """An entry added or confirmed longer ago than this is flagged to its author."""
    check_at: TimeOfDay = "09:00"
    """When, each day (the community's time zone), stale entries are looked for."""
    resources: Annotated[tuple[Resource, ...], AfterValidator(_unique)] = ()
    """The resources of the map kept in the file (staff add more with ``/resource add``)."""
    synonyms: dict[Meaning, Group] = {}
    """Words that mean the same thing here, by meaning, added to the shipped synonym table
    (``lexicon/synonyms.yaml``): a meaning it has gains the words, a new one is a group."""

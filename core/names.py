"""A role's or a group kind's name in the reader's language, built-in or from the YAML."""

from __future__ import annotations

from .i18n import Translator
from .model import GROUP_KINDS, ROLES, Community


def role_name(community: Community, role: str, _: Translator) -> str:
    """``role``'s name: the catalogue's for a built-in or computed role, else the YAML's name."""
    if role in ROLES:
        return _(f"role.{role}")
    if role in community.computed_roles:
        return _(community.computed_roles[role])
    for custom in community.roles:
        if custom.id == role and custom.name:
            return _.pick(custom.name)
    return role


def kind_name(community: Community, kind: str, _: Translator) -> str:
    """``kind``'s name: the catalogue's for a built-in kind, the YAML's ``kinds:`` name else."""
    if kind in GROUP_KINDS:
        return _(f"kind.{kind}")
    for custom in community.kinds:
        if custom.id == kind and custom.name:
            return _.pick(custom.name)
    return kind


def building_name(community: Community, building: str, _: Translator) -> str:
    """How ``building`` is named (``1号楼``): its name in the file in ``_``'s language, else its id."""
    found = community.building(building)
    return (_.pick(found.name) if found is not None and found.name else "") or building

"""The volunteers plugin's settings: ``plugins: {volunteers: {…}}`` in the community file."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from sanshe.core.model import FormName, RoleName, ShownText, Text


class ClassRoles(BaseModel):
    """The role an approved volunteer of each class is given (``class_roles:``): one the
    community has."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    medical: RoleName = "medical_volunteer"
    psychological: RoleName = "psych_volunteer"
    general: RoleName = "general_volunteer"
    other: RoleName = "general_volunteer"


class TrainingItem(BaseModel):
    """One pre-job training item: what a volunteer reads (and opens) before being dispatched."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9_-]{0,31}$")]
    """What the volunteer types to confirm it (``/trained rules``); its number does too."""
    title: ShownText
    text: Text = ""
    link: Annotated[str, Field(pattern=r"^https?://\S+$")] | None = None


class VolunteerSettings(BaseModel):
    """The forms the pipeline uses, the role of each class, and the training items."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    registration_form: FormName = "volunteer_registration"
    """The form ``/volunteer`` opens; its ``name`` answer names the volunteer."""
    agreement_form: FormName = "confidentiality_agreement"
    """The form ``/agreement`` opens: the confidentiality agreement, its intro the text signed."""
    class_roles: ClassRoles = ClassRoles()
    training: tuple[TrainingItem, ...] = ()

"""What a volunteer types into the example's registration form (form 1) and confidentiality
agreement (form 2): one place for the volunteers tests, in the sandbox and end to end."""

from __future__ import annotations

ID_NUMBER = "110101199003074573"
PHONE = "13812345678"


def registration_answers(
    name: str,
    *,
    skills: str = "护理",
    region: str = "阳光社区",
    qualifications: str = "护士执业证书",
    hours: str = "周末全天",
    roles: str = "1,3",
) -> list[str]:
    """Answers to the 16 questions, in order (the optional ones skipped but the qualifications);
    ``roles`` by the choices' numbers (1 medical, 3 general)."""
    return [
        name,
        "1",  # gender: female
        "/skip",  # political status
        ID_NUMBER,
        "5",  # years of work
        "/skip",  # school
        "/skip",  # major and degree
        skills,
        region,
        PHONE,
        "/skip",  # chat handle
        "/skip",  # employer
        "/skip",  # experience
        qualifications,
        hours,
        roles,
    ]


def agreement_answers(name: str, organiser: str = "阳光社工站") -> list[str]:
    """Answers to the agreement's questions before its ``/agree`` and its date."""
    return [organiser, "01012345678", name, ID_NUMBER, PHONE]

"""``sanshe certificate <person> --as <social worker>``: a volunteer's certificate of hours as a
PDF file, from the terminal.

``--as`` names who issues it (an id of the community file or one stored at
runtime): their roles decide, as ``/certificate`` decides in chat, and the
audit log names them, refused or not.  The file is made readable by its owner
only.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

from sanshe.core.audit import person_subject
from sanshe.core.i18n import Translator
from sanshe.core.names import kind_name
from sanshe.core.offline import CONSOLE
from sanshe.core.verbs import CliCommand, Invocation, write_private

from .certificate import certify, file_name, may_certify
from .report import OVERSEER, POOL


def add_arguments(parser: argparse.ArgumentParser, _: Translator) -> None:
    parser.add_argument("person", help=_("hours.cli.person"))
    parser.add_argument("--as", dest="issuer", required=True, help=_("hours.cli.as"))
    parser.add_argument("--output", metavar="FILE", help=_("hours.cli.output"))


async def run_certificate(invocation: Invocation) -> int:
    """Write the certificate of the person's hours, issued by ``--as``, to ``--output``."""
    __ = invocation._
    args = invocation.args
    community = invocation.community
    bot = await invocation.bot()
    issuer = bot.people.person(community, args.issuer)
    volunteer = bot.people.person(community, args.person)
    for typed, found in ((args.issuer, issuer), (args.person, volunteer)):
        if found is None:
            print(__("hours.cli.no_person", person=typed), file=sys.stderr)
            return 1
    assert issuer is not None and volunteer is not None
    ctx = bot.context_for(CONSOLE, issuer, None, direct=True)
    subject = person_subject(volunteer.id)
    if not may_certify(ctx):
        await bot.services.audit(issuer.id, "certificate_refused", subject)
        role, pool = bot.role_name(OVERSEER, __), kind_name(community, POOL, __)
        print(__("hours.cli.refused", person=args.issuer, role=role, pool=pool), file=sys.stderr)
        return 1
    name = volunteer.name or volunteer.id
    made = await certify(ctx, volunteer)
    if made is None:
        print(__("hours.cli.no_hours", name=name), file=sys.stderr)
        return 1
    content, count = made
    on = bot.clock.now().astimezone(ZoneInfo(community.community.timezone)).date()
    path = Path(args.output) if args.output else Path(file_name(volunteer, on))
    path.parent.mkdir(parents=True, exist_ok=True)
    write_private(path, content)
    await bot.services.audit(issuer.id, "certificate", subject, f"months={count}")
    print(__.plural("hours.cli.written", count, name=name, path=path))
    return 0


def commands() -> list[CliCommand]:
    """``sanshe certificate``."""
    return [
        CliCommand(
            "certificate",
            help="hours.cli.certificate",
            run=run_certificate,
            add_arguments=add_arguments,
        )
    ]

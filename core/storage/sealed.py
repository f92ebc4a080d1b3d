"""Columns that may hold a person's words, sealed with the deployment's key.

Form answers, records, the outbox's actions, dead letters, stored people's
names and details, the reasons of role grants and timers' data are kept as
AES-256-GCM ciphertext (``cryptography``): a version byte, a random 12-byte
nonce, then the sealed JSON (or text).  The version byte names the key (one for
now), so keys can be rotated later.

The key is the deployment's: ``SANSHE_KEY`` (32 bytes, URL-safe base64), else
the file ``SANSHE_KEY_FILE``, else the YAML's ``storage.key_file``, else a file
beside a SQLite database (``<database>.key``).  A file named but missing is
created (0600) only while the database holds nothing sealed; a database sealed
with another key, or whose key is missing, is refused at start
(:class:`~sanshe.core.storage.CannotOpen`), never read or written in plaintext.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import hashlib
import hmac
import logging
import os
from pathlib import Path
from typing import Any, TypeVar

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from tortoise import fields
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import OperationalError
from tortoise.models import Model

log = logging.getLogger(__name__)

#: The first byte of a sealed value: which key sealed it.
VERSION = b"\x01"
_NONCE = 12
_KEY_BYTES = 32

T = TypeVar("T")


class KeyProblem(Exception):
    """The key cannot be used; ``key`` and ``values`` are core's catalogue sentence for it."""

    def __init__(self, key: str, **values: object) -> None:
        super().__init__(key)
        self.key = key
        self.values = values


class Unsealable(Exception):
    """A stored value is not sealed with the loaded key (plaintext, damaged, or another key's)."""


class Seal:
    """Seals and opens values with one key (AES-256-GCM, a random nonce per value)."""

    __slots__ = ("_aead", "fingerprint")

    def __init__(self, key: bytes) -> None:
        self._aead = AESGCM(key)
        self.fingerprint = hmac.new(key, b"sanshe key check", hashlib.sha256).hexdigest()[:32]
        """What the database keeps to tell this key from another (not the key)."""

    def seal(self, plain: bytes) -> bytes:
        """``plain`` sealed: version byte, nonce, ciphertext and tag."""
        nonce = os.urandom(_NONCE)
        return VERSION + nonce + self._aead.encrypt(nonce, plain, None)

    def open(self, sealed: bytes) -> bytes:
        """What :meth:`seal` sealed; raises :class:`Unsealable` for anything else."""
        if sealed[:1] != VERSION:
            raise Unsealable("the value is not sealed")
        try:
            return self._aead.decrypt(sealed[1 : 1 + _NONCE], sealed[1 + _NONCE :], None)
        except InvalidTag:
            raise Unsealable("the value was sealed with another key, or damaged") from None


_loaded: Seal | None = None


def use(seal: Seal | None) -> None:
    """Seal and open the sealed columns with ``seal`` from now on (None: none may be read).

    One per process, like tortoise's connections (:class:`~sanshe.core.storage.Storage` sets it).
    """
    global _loaded
    _loaded = seal


def loaded() -> Seal:
    """The seal in use; raises :class:`Unsealable` when no database is open."""
    if _loaded is None:
        raise Unsealable("no key is loaded: open the storage first")
    return _loaded


def new_key() -> bytes:
    """A fresh random key."""
    return AESGCM.generate_key(bit_length=8 * _KEY_BYTES)


def key_text(key: bytes) -> str:
    """``key`` as ``SANSHE_KEY`` and key files give it: URL-safe base64."""
    return base64.urlsafe_b64encode(key).decode("ascii")


def key_of(text: str, where: str) -> bytes:
    """The key written as ``text`` (URL-safe base64 of 32 bytes); ``where`` names it in the error."""
    try:
        key = base64.urlsafe_b64decode(text.strip().encode("ascii"))
    except (binascii.Error, UnicodeEncodeError, ValueError):
        key = b""
    if len(key) != _KEY_BYTES:
        raise KeyProblem("storage.key_malformed", where=where)
    return key


@dataclasses.dataclass(frozen=True)
class KeySource:
    """Where the deployment's key is: given (``text`` as ``SANSHE_KEY`` writes it, or ``key``),
    or in a file (created if missing and allowed)."""

    key: bytes | None = None
    file: Path | None = None
    text: str | None = None

    @property
    def named(self) -> str:
        """How a sentence names it."""
        return str(self.file) if self.file is not None else "$SANSHE_KEY"

    def read(self, *, may_create: bool) -> bytes | None:
        """The key; None when there is none and ``may_create`` is false.

        With ``may_create``, a missing file is created (0600) with a new key and
        where it is logged.  Raises :class:`KeyProblem` for an unreadable or
        malformed key.
        """
        if self.text is not None:
            return key_of(self.text, self.named)
        if self.key is not None or self.file is None:
            return self.key
        try:
            return key_of(self.file.read_text(encoding="ascii"), str(self.file))
        except FileNotFoundError:
            if not may_create:
                return None
        except (OSError, ValueError) as exc:  # ValueError: not text, or a NUL in the name
            raise KeyProblem("storage.key_unreadable", where=str(self.file), reason=exc) from exc
        try:
            return self._create()
        except OSError as exc:
            raise KeyProblem("storage.key_uncreatable", where=str(self.file), reason=exc) from exc

    def _create(self) -> bytes:
        assert self.file is not None
        key = new_key()
        self.file.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        try:
            handle = os.open(self.file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process made it meanwhile
            return key_of(self.file.read_text(encoding="ascii"), str(self.file))
        with os.fdopen(handle, "w", encoding="ascii") as out:
            out.write(key_text(key) + "\n")
        log.warning(
            "created the key that seals personal data in the database: %s; keep a copy "
            "apart from the database (without it the data cannot be read)",
            self.file,
        )
        return key


def key_source(db_url: str, key_file: str | None = None, base: Path | None = None) -> KeySource:
    """Where the key of ``db_url`` is: ``SANSHE_KEY``, ``SANSHE_KEY_FILE``, ``key_file`` (the
    YAML's, relative to ``base``), a file beside a SQLite database; a fresh key for an
    in-memory one; else none (:meth:`KeySource.read` gives None)."""
    if os.environ.get("SANSHE_KEY"):
        return KeySource(text=os.environ["SANSHE_KEY"])
    if os.environ.get("SANSHE_KEY_FILE"):
        return KeySource(file=Path(os.environ["SANSHE_KEY_FILE"]).expanduser())
    if key_file:
        return KeySource(file=(base or Path()) / Path(key_file).expanduser())
    if db_url.startswith("sqlite://"):
        path = db_url.removeprefix("sqlite://").split("?", 1)[0]
        if path == ":memory:":
            return KeySource(key=new_key())
        database = Path(path).expanduser()
        return KeySource(file=database.with_name(database.name + ".key"))
    return KeySource()


class SealedJSONField(fields.JSONField[T]):
    """A JSON value kept sealed (a BLOB, BYTEA for PostgreSQL); not filterable by its content."""

    SQL_TYPE = "BLOB"

    class _db_postgres:
        SQL_TYPE = "BYTEA"

    class _db_mssql:
        SQL_TYPE = "VARBINARY(MAX)"

    class _db_oracle:
        SQL_TYPE = "BLOB"

    def to_db_value(self, value: Any, instance: type[Model] | Model) -> bytes | None:  # type: ignore[override]
        self.validate(value)
        if value is None:
            return None
        return loaded().seal(self.encoder(value).encode("utf-8"))

    def to_python_value(self, value: Any) -> Any:
        if isinstance(value, bytes | bytearray | memoryview):
            return self.decoder(loaded().open(bytes(value)))
        if isinstance(value, str):
            raise Unsealable("a sealed column holds plaintext")
        return value


class SealedTextField(fields.Field[str], str):  # type: ignore[misc]
    """Text kept sealed (a BLOB, BYTEA for PostgreSQL): a name, a reason; not filterable."""

    SQL_TYPE = "BLOB"
    indexable = False

    class _db_postgres:
        SQL_TYPE = "BYTEA"

    def to_db_value(self, value: Any, instance: type[Model] | Model) -> bytes | None:
        self.validate(value)
        if value is None:
            return None
        return loaded().seal(str(value).encode("utf-8"))

    def to_python_value(self, value: Any) -> Any:
        if isinstance(value, bytes | bytearray | memoryview):
            return loaded().open(bytes(value)).decode("utf-8")
        return value


async def _fingerprint(connection: BaseDBAsyncClient) -> str | None:
    """The fingerprint of the key the database is sealed with; None before the first seal."""
    try:
        rows = await connection.execute_query_dict(
            f'SELECT "fingerprint" FROM "seal_key" WHERE "version" = {VERSION[0]}'
        )
    except OperationalError:  # no such table: a database older than sealing, or a new one
        return None
    return str(rows[0]["fingerprint"]) if rows else None


async def load_key(connection: BaseDBAsyncClient, source: KeySource) -> tuple[Seal, bool]:
    """The seal of the database on ``connection``, and whether it was sealed before.

    The key is created (see :meth:`KeySource.read`) only for a database not
    sealed yet.  Raises :class:`KeyProblem` when there is no key, or another
    key than the one the database was sealed with.
    """
    stored = await _fingerprint(connection)
    key = source.read(may_create=stored is None)
    if key is None:
        problem = "storage.key_missing" if stored else "storage.key_needed"
        raise KeyProblem(problem, where=source.named)
    seal = Seal(key)
    if stored is not None and not hmac.compare_digest(stored, seal.fingerprint):
        raise KeyProblem("storage.key_wrong", where=source.named)
    return seal, stored is not None


async def remember_key(connection: BaseDBAsyncClient, seal: Seal, source: KeySource) -> None:
    """Note which key seals the database (first seal); raises :class:`KeyProblem` when
    another process sealed it with another key meanwhile."""
    mark = "$1" if connection.capabilities.dialect == "postgres" else "?"
    await connection.execute_query(
        f'INSERT INTO "seal_key" ("version", "fingerprint") VALUES ({VERSION[0]}, {mark}) '
        'ON CONFLICT ("version") DO NOTHING',
        [seal.fingerprint],
    )
    if await _fingerprint(connection) != seal.fingerprint:
        raise KeyProblem("storage.key_wrong", where=source.named)

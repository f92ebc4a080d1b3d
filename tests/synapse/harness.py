"""A real Synapse homeserver on loopback, for end-to-end tests.

Synapse lives in its own virtualenv, ``<repo>/.venv-synapse`` (gitignored), so its pins never
clash with the project's; :func:`ensure_synapse` creates it on first use. :class:`Homeserver` writes a test configuration (SQLite, no federation, rate
limits raised, registration only through the shared-secret admin API) into a work directory
and runs Synapse as a subprocess listening on ``127.0.0.1``.

The subprocess is not tied to any asyncio event loop: every lifecycle method has a blocking
form (``start_blocking``, ``stop_blocking``) for synchronous code such as a session-scoped
pytest fixture, and an ``async`` form for tests.
"""

from __future__ import annotations

import asyncio
import atexit
import ctypes
import fcntl
import hashlib
import hmac
import json
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import IO, Any

SYNAPSE_SERIES = "1.163"
"""The Synapse release line the harness installs and is tested against."""
SYNAPSE_SPEC = f"matrix-synapse=={SYNAPSE_SERIES}.*"

REPO_ROOT = Path(__file__).resolve().parents[2]
SYNAPSE_VENV = REPO_ROOT / ".venv-synapse"

_PR_SET_PDEATHSIG = 1


class HomeserverError(RuntimeError):
    """Synapse could not be installed, started, or asked to do something."""


@dataclass(frozen=True)
class RegisteredUser:
    """A user created through the shared-secret admin API, with a fresh access token."""

    user_id: str
    password: str
    access_token: str
    device_id: str


def _venv_python(venv: Path) -> Path:
    return venv / "bin" / "python"


def _installed_synapse_version(venv: Path) -> str | None:
    """The matrix-synapse version recorded in ``venv``'s site-packages, if any (no import)."""
    for dist in sorted(venv.glob("lib/python*/site-packages/matrix_synapse-*.dist-info")):
        if (dist / "RECORD").exists():
            return dist.name.removeprefix("matrix_synapse-").removesuffix(".dist-info")
    return None


def _synapse_ready(venv: Path) -> bool:
    version = _installed_synapse_version(venv)
    return (
        _venv_python(venv).exists()
        and version is not None
        and version.startswith(SYNAPSE_SERIES + ".")
    )


def _synapse_importable(python: Path) -> bool:
    probe = subprocess.run(
        [str(python), "-I", "-c", "import synapse.app.homeserver"],
        capture_output=True,
        timeout=120,
    )
    return probe.returncode == 0


def ensure_synapse(venv: Path = SYNAPSE_VENV) -> Path:
    """Make sure ``venv`` has Synapse installed and return its python.

    Quick (a directory listing) when the pinned Synapse is already there; otherwise creates
    the virtualenv and pip-installs :data:`SYNAPSE_SPEC` (about a minute), printing progress
    to stderr. Concurrent callers wait on a file lock. Raises :class:`HomeserverError` if the
    install fails.
    """
    python = _venv_python(venv)
    if _synapse_ready(venv):
        return python
    venv.mkdir(parents=True, exist_ok=True)
    with open(venv / ".harness-install.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not _synapse_ready(venv):
            _install_synapse(venv)
    return python


def _install_synapse(venv: Path) -> None:
    python = _venv_python(venv)
    started = time.monotonic()
    if not python.exists():
        print(f"[synapse harness] creating virtualenv {venv}", file=sys.stderr, flush=True)
        base = getattr(sys, "_base_executable", sys.executable)
        done = subprocess.run([base, "-m", "venv", str(venv)], capture_output=True, text=True)
        if done.returncode != 0:
            raise HomeserverError(f"creating {venv} failed:\n{done.stderr[-4000:]}")
    print(
        f"[synapse harness] installing {SYNAPSE_SPEC} into {venv} (about a minute)",
        file=sys.stderr,
        flush=True,
    )
    done = subprocess.run(
        [
            str(python),
            "-I",
            "-m",
            "pip",
            "install",
            "--disable-pip-version-check",
            "-q",
            SYNAPSE_SPEC,
        ],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0 or not _synapse_importable(python):
        raise HomeserverError(
            f"pip install {SYNAPSE_SPEC} failed (exit {done.returncode}):\n"
            f"{(done.stdout + done.stderr)[-4000:]}"
        )
    print(
        f"[synapse harness] Synapse installed in {time.monotonic() - started:.0f} s",
        file=sys.stderr,
        flush=True,
    )


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def port_is_free(port: int) -> bool:
    """Whether nothing listens on 127.0.0.1:``port`` (binds like Synapse, with SO_REUSEADDR)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


_UNLIMITED = {"per_second": 100000, "burst_count": 100000}


def _rate_limits() -> dict[str, Any]:
    """Every ``rc_*`` option of Synapse 1.163 that could slow a test, raised very high."""
    flat = [
        "rc_message",
        "rc_registration",
        "rc_registration_token_validity",
        "rc_admin_redaction",
        "rc_joins_per_room",
        "rc_3pid_validation",
        "rc_third_party_invite",
        "rc_media_create",
        "rc_delayed_event_mgmt",
        "rc_room_creation",
        "rc_reports",
        "rc_user_directory",
        "rc_profile",
        "rc_key_requests",
    ]
    limits: dict[str, Any] = {key: dict(_UNLIMITED) for key in flat}
    limits["rc_login"] = {k: dict(_UNLIMITED) for k in ("address", "account", "failed_attempts")}
    limits["rc_joins"] = {k: dict(_UNLIMITED) for k in ("local", "remote")}
    limits["rc_invites"] = {k: dict(_UNLIMITED) for k in ("per_room", "per_user", "per_issuer")}
    limits["rc_presence"] = {"per_user": dict(_UNLIMITED)}
    return limits


def _set_parent_death_signal() -> None:
    """In the child: get SIGTERM when the thread that spawned us dies (Linux only)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):
        pass


_LIVE: set[Homeserver] = set()


@atexit.register
def _stop_all_at_exit() -> None:
    for server in list(_LIVE):
        server.stop_blocking(grace=5)


class Homeserver:
    """One Synapse process serving the client API on ``http://127.0.0.1:<port>``.

    Data (SQLite database, signing key, media) lives in ``workdir`` and survives
    :meth:`restart`; the port is chosen once and kept across restarts.
    """

    def __init__(
        self,
        workdir: Path,
        port: int | None = None,
        server_name: str = "localhost",
    ) -> None:
        self.workdir = Path(workdir).resolve()
        self.port = port if port is not None else free_port()
        self._server_name = server_name
        self._shared_secret = secrets.token_hex(32)
        self._secret_file = self.workdir / "registration_shared_secret"
        self._proc: subprocess.Popen[bytes] | None = None
        self._stdio: IO[bytes] | None = None

    # -- properties -----------------------------------------------------------------------

    @property
    def url(self) -> str:
        """Base URL of the client API, e.g. ``http://127.0.0.1:8008``."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def server_name(self) -> str:
        """The Matrix server name: user IDs look like ``@alice:<server_name>``."""
        return self._server_name

    @property
    def config_path(self) -> Path:
        """The ``homeserver.yaml`` written by :meth:`start`."""
        return self.workdir / "homeserver.yaml"

    @property
    def log_path(self) -> Path:
        """Synapse's own log (WARNING and above)."""
        return self.workdir / "homeserver.log"

    @property
    def stdio_path(self) -> Path:
        """Synapse's captured stdout and stderr (config errors land here)."""
        return self.workdir / "synapse.stdio.log"

    @property
    def running(self) -> bool:
        """Whether the Synapse process is alive."""
        return self._proc is not None and self._proc.poll() is None

    # -- configuration --------------------------------------------------------------------

    def write_config(self) -> Path:
        """Write ``homeserver.yaml`` and the log config into the work directory."""
        self.workdir.mkdir(parents=True, exist_ok=True)
        if self._secret_file.exists():
            self._shared_secret = self._secret_file.read_text().strip()
        else:
            self._secret_file.write_text(self._shared_secret)
        log_config = self.workdir / "log.config.yaml"
        log_config.write_text(
            json.dumps(
                {
                    "version": 1,
                    "formatters": {
                        "precise": {
                            "format": "%(asctime)s - %(name)s - %(lineno)d - "
                            "%(levelname)s - %(request)s - %(message)s"
                        }
                    },
                    "handlers": {
                        "file": {
                            "class": "logging.FileHandler",
                            "formatter": "precise",
                            "filename": str(self.log_path),
                            "encoding": "utf8",
                        }
                    },
                    "root": {"level": "WARNING", "handlers": ["file"]},
                    "disable_existing_loggers": False,
                },
                indent=2,
            )
        )
        config: dict[str, Any] = {
            "server_name": self._server_name,
            "public_baseurl": self.url + "/",
            "listeners": [
                {
                    "port": self.port,
                    "bind_addresses": ["127.0.0.1"],
                    "type": "http",
                    "tls": False,
                    "x_forwarded": False,
                    "resources": [{"names": ["client"], "compress": False}],
                }
            ],
            "database": {
                "name": "sqlite3",
                "args": {"database": str(self.workdir / "homeserver.db")},
            },
            "log_config": str(log_config),
            "media_store_path": str(self.workdir / "media_store"),
            "signing_key_path": str(self.workdir / f"{self._server_name}.signing.key"),
            "registration_shared_secret_path": str(self._secret_file),
            "macaroon_secret_key": self._shared_secret + "-macaroon",
            "form_secret": self._shared_secret + "-form",
            "report_stats": False,
            "enable_registration": False,
            "bcrypt_rounds": 4,
            "presence": {"enabled": False},
            "trusted_key_servers": [],
            "suppress_key_server_warning": True,
            "federation_domain_whitelist": [],
            "serve_server_wellknown": False,
            "url_preview_enabled": False,
            "enable_metrics": False,
            **_rate_limits(),
        }
        # JSON is valid YAML, and needs no YAML library in this venv.
        self.config_path.write_text(json.dumps(config, indent=2))
        return self.config_path

    # -- lifecycle ------------------------------------------------------------------------

    def _spawn(self) -> None:
        if self.running:
            raise HomeserverError(f"Synapse is already running on {self.url}")
        # Otherwise /health could be answered by whatever already holds the port.
        if not port_is_free(self.port):
            raise HomeserverError(f"port {self.port} on 127.0.0.1 is already in use")
        python = ensure_synapse()
        self.write_config()
        self._stdio = open(self.stdio_path, "ab")  # closed in _reap()
        # PDEATHSIG fires when the spawning *thread* exits, so only use it from the main
        # thread, which lives as long as the test process.
        in_main = threading.current_thread() is threading.main_thread()
        self._proc = subprocess.Popen(
            [str(python), "-I", "-m", "synapse.app.homeserver", "-c", str(self.config_path)],
            cwd=self.workdir,
            stdin=subprocess.DEVNULL,
            stdout=self._stdio,
            stderr=subprocess.STDOUT,
            preexec_fn=_set_parent_death_signal if in_main else None,
        )
        _LIVE.add(self)

    def _health(self) -> bool:
        try:
            with urllib.request.urlopen(self.url + "/health", timeout=2) as resp:
                return resp.status == 200 and resp.read().strip() == b"OK"
        except (OSError, urllib.error.URLError):
            return False

    def log_tail(self, lines: int = 40) -> str:
        """The last lines of Synapse's log and of its stdout/stderr, for error messages."""
        parts = []
        for path in (self.stdio_path, self.log_path):
            if path.exists():
                text = path.read_text(errors="replace").splitlines()[-lines:]
                parts.append(f"--- {path.name} (tail) ---\n" + "\n".join(text))
        return "\n".join(parts) or "(no Synapse output)"

    def _check_alive(self) -> None:
        assert self._proc is not None
        code = self._proc.poll()
        if code is not None:
            self._reap()
            raise HomeserverError(f"Synapse exited with code {code} on startup\n{self.log_tail()}")

    def _not_healthy(self, timeout: float) -> HomeserverError:
        return HomeserverError(
            f"Synapse was not healthy on {self.url} after {timeout} s\n{self.log_tail()}"
        )

    def start_blocking(self, timeout: float = 60) -> None:
        """Start Synapse and block until ``GET /health`` says OK.

        Raises :class:`HomeserverError` with the tail of Synapse's log if the process
        exits or is not healthy within ``timeout`` seconds.
        """
        self._spawn()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self._check_alive()
            if self._health():
                self._check_alive()
                return
            time.sleep(0.1)
        self.stop_blocking()
        raise self._not_healthy(timeout)

    async def start(self, timeout: float = 60) -> None:
        """Start Synapse and wait until ``GET /health`` says OK (see :meth:`start_blocking`)."""
        await asyncio.to_thread(ensure_synapse)  # a first-time install must not block the loop
        self._spawn()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self._check_alive()
            if await asyncio.to_thread(self._health):
                self._check_alive()
                return
            await asyncio.sleep(0.1)
        await self.stop()
        raise self._not_healthy(timeout)

    def _reap(self) -> None:
        if self._stdio is not None:
            self._stdio.close()
            self._stdio = None
        self._proc = None
        _LIVE.discard(self)

    def stop_blocking(self, grace: float = 10) -> None:
        """Send SIGTERM, wait up to ``grace`` seconds, then SIGKILL. No-op if not running."""
        proc = self._proc
        if proc is None:
            return
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        self._reap()

    async def stop(self, grace: float = 10) -> None:
        """Send SIGTERM, wait up to ``grace`` seconds, then SIGKILL. No-op if not running."""
        proc = self._proc
        if proc is None:
            return
        if proc.poll() is None:
            proc.terminate()
            deadline = time.monotonic() + grace
            while proc.poll() is None and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
            if proc.poll() is None:
                proc.kill()
                await asyncio.to_thread(proc.wait)
        self._reap()

    async def restart(self, timeout: float = 60) -> None:
        """Stop and start again on the same port, keeping all data."""
        await self.stop()
        await self.start(timeout=timeout)

    def restart_blocking(self, timeout: float = 60) -> None:
        """Blocking form of :meth:`restart`."""
        self.stop_blocking()
        self.start_blocking(timeout=timeout)

    async def __aenter__(self) -> Homeserver:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    def __enter__(self) -> Homeserver:
        self.start_blocking()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop_blocking()

    # -- users ----------------------------------------------------------------------------

    def _admin_register_request(self, path: str, body: dict[str, Any] | None) -> dict[str, Any]:
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(
            self.url + path,
            data=data,
            method="GET" if body is None else "POST",
            headers={"Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                return dict(json.loads(resp.read()))
        except urllib.error.HTTPError as err:
            detail = err.read().decode(errors="replace")
            raise HomeserverError(f"{req.method} {path} -> {err.code}: {detail}") from err
        except urllib.error.URLError as err:
            raise HomeserverError(f"{req.method} {self.url}{path} failed: {err.reason}") from err

    def register_blocking(
        self, localpart: str, password: str = "pw", admin: bool = False
    ) -> RegisteredUser:
        """Blocking form of :meth:`register`."""
        path = "/_synapse/admin/v1/register"
        nonce = str(self._admin_register_request(path, None)["nonce"])
        mac = hmac.new(self._shared_secret.encode(), digestmod=hashlib.sha1)
        for part in (nonce, localpart, password):
            mac.update(part.encode())
            mac.update(b"\x00")
        mac.update(b"admin" if admin else b"notadmin")
        reply = self._admin_register_request(
            path,
            {
                "nonce": nonce,
                "username": localpart,
                "password": password,
                "admin": admin,
                "mac": mac.hexdigest(),
            },
        )
        return RegisteredUser(
            user_id=str(reply["user_id"]),
            password=password,
            access_token=str(reply["access_token"]),
            device_id=str(reply["device_id"]),
        )

    async def register(
        self, localpart: str, password: str = "pw", admin: bool = False
    ) -> RegisteredUser:
        """Create ``@localpart:<server_name>`` via the shared-secret admin API.

        Returns the user with a new access token and device. Raises
        :class:`HomeserverError` on an HTTP error (e.g. the user already exists).
        """
        return await asyncio.to_thread(self.register_blocking, localpart, password, admin)

"""One writer at a time: the warehouse's write lock, ``<warehouse>/.ingest.lock``.

Two ways to hold it, chosen by what the system offers (:func:`lock_method`):

``flock`` (Linux, macOS, the BSDs)
    An advisory :func:`fcntl.flock` on the file, which holds the holder's process id. The system releases it when
    the process dies (kill -9 included), so no stale lock is ever left behind.
``pidfile`` (Windows, or any system without ``fcntl``)
    The file is created exclusively (``O_CREAT | O_EXCL``, atomic on every local file system and on SMB/NFS v3+)
    holding the holder's process id and host name, and deleted on release. A lock whose process is gone (same host,
    no such process) is stale: the next ingest takes it over, renaming it aside first so that two of them cannot
    both break it.

A second ingest waits up to ``TRAILSTRENGTH_LOCK_TIMEOUT`` seconds (default 0), then refuses with
:class:`~trailstrength.errors.WarehouseLocked` naming the lock file and the holder's process id.
"""

from __future__ import annotations

import contextlib
import functools
import os
import socket
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from trailstrength import config
from trailstrength.errors import WarehouseLocked

LOCK = ".ingest.lock"  # held by the one ingest writing the warehouse; holds that process's id


def lock_method() -> str:
    """``"flock"`` where :mod:`fcntl` exists, else ``"pidfile"`` (Windows)."""
    try:
        import fcntl  # noqa: F401
    except ImportError:
        return "pidfile"
    return "flock"


@contextmanager
def lock(root: Path, timeout_s: float | None = None, *, method: str | None = None) -> Iterator[Path]:
    """Hold the warehouse's write lock (``<root>/.ingest.lock``) for the ``with`` block.

    Another holder makes this wait up to ``timeout_s`` (default :func:`trailstrength.config.lock_timeout_s`, 0),
    then raise :class:`~trailstrength.errors.WarehouseLocked` naming the lock file and the holder's process id.
    ``method`` (default :func:`lock_method`) is ``"flock"`` or ``"pidfile"`` (see the module docstring).
    """
    path = Path(root) / LOCK
    wait = config.lock_timeout_s() if timeout_s is None else timeout_s
    hold = _flock if (method or lock_method()) == "flock" else _pidfile
    with hold(path, time.monotonic() + wait) as held:
        yield held


def _refuse(path: Path, holder: str) -> WarehouseLocked:
    return WarehouseLocked(
        f"another ingest (process {holder or 'unknown'}) is writing the warehouse {path.parent}; it holds {path}. "
        "Wait for it to finish (or set TRAILSTRENGTH_LOCK_TIMEOUT to wait that many seconds)"
    )


def _pause(deadline: float) -> None:
    time.sleep(min(0.2, max(deadline - time.monotonic(), 0.01)))


@contextmanager
def _flock(path: Path, deadline: float) -> Iterator[Path]:
    import fcntl

    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise _refuse(path, os.pread(fd, 32, 0).decode("ascii", "replace").strip()) from None
                _pause(deadline)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        try:
            yield path
        finally:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


# ---------------------------------------------------------------------------------------------- pidfile
def _read_holder(path: Path) -> tuple[str, str] | None:
    """``(pid, host)`` written in a lock file (host ``""`` when not written), None when there is no file."""
    try:
        words = path.read_text(encoding="ascii", errors="replace").split()
    except FileNotFoundError:
        return None
    except OSError:
        return ("", "")
    return (words[0] if words else "", words[1] if len(words) > 1 else "")


def process_alive(pid: int) -> bool:
    """Whether process ``pid`` exists on this machine (never signals it; on Windows ``os.kill`` would end it)."""
    if pid <= 0:
        return False
    if sys.platform == "win32":
        import ctypes

        kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
        handle = kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
        if not handle:
            return kernel32.GetLastError() == 5  # access denied: it exists
        code = ctypes.c_ulong()
        kernel32.GetExitCodeProcess(handle, ctypes.byref(code))
        kernel32.CloseHandle(handle)
        return code.value == 259  # STILL_ACTIVE
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _stale(holder: tuple[str, str]) -> bool:
    """A lock left by a process of this host that is gone (or a file holding no process id at all)."""
    pid, host = holder
    if not pid.isdigit():
        return True
    if host and host != socket.gethostname():
        return False  # another machine's process: cannot tell, so never broken
    return not process_alive(int(pid))


def _break_stale(path: Path, holder: tuple[str, str]) -> None:
    """Rename the stale lock ``path`` aside and delete it; put it back if it changed hands meanwhile."""
    aside = path.with_name(f"{path.name}.{uuid.uuid4().hex}.stale")
    try:
        os.replace(path, aside)
    except FileNotFoundError:
        return  # someone else broke it first
    if _read_holder(aside) != holder:  # another ingest broke it and took the lock between our read and rename
        with contextlib.suppress(OSError):
            os.link(aside, path)  # back in place, unless yet another one was created meanwhile
    aside.unlink(missing_ok=True)


@contextmanager
def _pidfile(path: Path, deadline: float) -> Iterator[Path]:
    mine = f"{os.getpid()}\n{socket.gethostname()}\n"
    while True:
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            holder = _read_holder(path)
            if holder is not None and _stale(holder):
                _break_stale(path, holder)
                continue
            if time.monotonic() >= deadline:
                raise _refuse(path, holder[0] if holder else "") from None
            _pause(deadline)
            continue
        try:
            os.write(fd, mine.encode("ascii"))
        finally:
            os.close(fd)
        break
    try:
        yield path
    finally:
        with contextlib.suppress(OSError):
            if path.read_text(encoding="ascii", errors="replace") == mine:
                path.unlink()


def holding_lock(ingest):
    """Decorate an ``ingest(raw, *, warehouse=None, ...)`` so that it runs holding the lock of its warehouse."""

    @functools.wraps(ingest)
    def locked(raw=None, *, warehouse=None, **kwargs):
        root = config.path("warehouse", warehouse)
        root.mkdir(parents=True, exist_ok=True)
        with lock(root):
            return ingest(raw, warehouse=root, **kwargs)

    return locked

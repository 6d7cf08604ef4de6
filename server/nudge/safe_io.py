"""Reading and writing small files that someone else may have planted.

A cloned repository's `.nudge.toml` and anything in Nudge's state folder are
untrusted: either may be a symlink to a device, a FIFO or a file elsewhere.
`read_small_file` reads only a regular file, never more than a cap, and never
blocks on a FIFO. `write_atomically` writes a fresh temporary file beside the
target (created exclusively, never through a symlink) and renames it into place,
so a planted `*.tmp` link cannot redirect the write and a crash loses nothing.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path


class UnsafeFile(OSError):
    """A file Nudge refuses to read or write (not regular, too large, or outside)."""


def read_small_file(path: Path, limit: int) -> bytes:
    """Return the bytes of a regular file of at most `limit` bytes, else raise."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    fd = os.open(path, flags)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise UnsafeFile(f"{path} is not a regular file")
        with os.fdopen(fd, "rb", closefd=False) as handle:
            data = handle.read(limit + 1)
    finally:
        os.close(fd)
    if len(data) > limit:
        raise UnsafeFile(f"{path} is larger than {limit:,} bytes")
    return data


def inside(path: Path, root: Path) -> bool:
    """Tell whether `path`, with every symlink resolved, lies within `root`."""
    try:
        path.resolve().relative_to(root.resolve())
    except (OSError, ValueError, RuntimeError):
        return False
    return True


def write_atomically(path: Path, data: bytes, mode: int = 0o644) -> None:
    """Replace the file at `path` (not a symlink) with `data`, via an exclusive temporary file."""
    if path.is_symlink():
        raise UnsafeFile(f"{path} is a symbolic link; Nudge does not write through it")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise

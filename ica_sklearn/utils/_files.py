"""Files written so that a failure never leaves a half-written file, and
output paths checked up front with errors that say what to change.

:func:`atomic_write` writes into a temporary file beside the target, flushes
and ``fsync``\\ s it, then moves it onto the target with :func:`os.replace`
(atomic on POSIX and Windows): a reader sees the old file or the new one,
never a mix, and a failed or killed write leaves any earlier file as it was.
A killed process may leave its temporary file (``.NAME.*.tmp``) behind; it
can be deleted.

Examples
--------
>>> import tempfile
>>> from pathlib import Path
>>> from ica_sklearn.utils._files import atomic_write
>>> path = Path(tempfile.mkdtemp()) / "note.txt"
>>> atomic_write(path, lambda handle: handle.write(b"hello")).read_bytes()
b'hello'
"""

import os
import secrets
from contextlib import suppress
from pathlib import Path

__all__ = ["atomic_write", "atomic_write_text", "check_output_dir", "check_output_file"]


def check_output_file(path, *, what="file"):
    """Raise a clear ``OSError`` unless a file can be written at ``path``.

    The folder must exist and be writable, and ``path`` must not be a
    folder.  Returns ``path`` as a :class:`~pathlib.Path`.
    """
    path = Path(path)
    parent = path.parent
    if path.is_dir():
        raise IsADirectoryError(
            f"Cannot write the {what} to {os.fspath(path)!r}: it is a folder. "
            "Pass a file name inside it (e.g. 'model.pt')."
        )
    if not parent.exists():
        raise FileNotFoundError(
            f"Cannot write the {what} to {os.fspath(path)!r}: the folder "
            f"{os.fspath(parent)!r} does not exist. Create it first, or choose "
            "another path."
        )
    if not parent.is_dir():
        raise NotADirectoryError(
            f"Cannot write the {what} to {os.fspath(path)!r}: "
            f"{os.fspath(parent)!r} is a file, not a folder."
        )
    if not os.access(parent, os.W_OK | os.X_OK):
        raise PermissionError(
            f"Cannot write the {what} to {os.fspath(path)!r}: the folder "
            f"{os.fspath(parent)!r} is not writable. Choose a writable folder "
            "or change its permissions."
        )
    return path


def check_output_dir(path, *, what="output folder", create=True):
    """Raise a clear ``OSError`` unless files can be written into folder ``path``.

    With ``create``, a missing folder (and its parents) is created.  Returns
    ``path`` as a :class:`~pathlib.Path`.
    """
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise NotADirectoryError(
            f"The {what} {os.fspath(path)!r} is a file, not a folder. Choose a "
            "folder path."
        )
    if not path.exists():
        if not create:
            raise FileNotFoundError(f"The {what} {os.fspath(path)!r} does not exist.")
        try:
            path.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise _reworded(
                error,
                f"Cannot create the {what} {os.fspath(path)!r} "
                f"({error.strerror or error}). Choose a path in a writable folder.",
            ) from None
    if not os.access(path, os.W_OK | os.X_OK):
        raise PermissionError(
            f"The {what} {os.fspath(path)!r} is not writable. Choose a writable "
            "folder or change its permissions."
        )
    return path


def _reworded(error, message):
    """An OSError of the same type and errno as ``error`` with ``message``."""
    if error.errno is None:
        return type(error)(message)
    return type(error)(error.errno, message)


def _fsync_folder(folder):
    """Make the rename durable where the platform allows it."""
    with suppress(OSError, AttributeError):
        descriptor = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


def atomic_write(path, write, *, what="file"):
    """Write ``path`` all at once: ``write(handle)`` fills a temporary file
    (opened in binary mode), which then replaces ``path``.

    Parameters
    ----------
    path : str or os.PathLike
    write : callable
        Called with the open binary file handle; its return value is ignored.
    what : str, default="file"
        What is written, for the error messages.

    Returns
    -------
    path : pathlib.Path

    Raises
    ------
    OSError
        When the path cannot be written (see :func:`check_output_file`) or
        the write fails (disk full, file-size limit, ...); the message says
        that any earlier file at ``path`` is unchanged.
    """
    path = check_output_file(path, what=what)
    temporary = path.parent / f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp"
    try:
        # (a plain open, not tempfile's 0600 files: the result gets the usual permissions)
        with open(temporary, "xb") as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException as error:
        with suppress(OSError):
            os.unlink(temporary)
        if isinstance(error, OSError):
            raise _reworded(
                error,
                f"Could not write the {what} {os.fspath(path)!r} "
                f"({error.strerror or error}); any earlier file there is unchanged.",
            ) from error
        raise
    _fsync_folder(path.parent)
    return path


def atomic_write_text(path, text, *, what="file"):
    """:func:`atomic_write` of a UTF-8 text."""
    data = text.encode("utf-8")
    return atomic_write(path, lambda handle: handle.write(data), what=what)

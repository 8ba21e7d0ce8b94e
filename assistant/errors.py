"""The one exception type that reaches the user: it carries a Dutch sentence for her.

Exit codes (documented in the README): 2 for what the user typed or chose (a bad setting,
argument or file); the faults of the machine follow BSD's sysexits so scripts can tell them apart.
"""

EXIT_USER = 2          # a bad argument, setting or file given by the user
EXIT_DAMAGED = 65      # EX_DATAERR: the journal is damaged
EXIT_SOFTWARE = 70     # EX_SOFTWARE: a fault of the program itself (details in the log file)
EXIT_FOLDER = 73       # EX_CANTCREAT: a file stands where a folder should be
EXIT_DISK_FULL = 74    # EX_IOERR: the disk is full, or another input/output fault
EXIT_BUSY = 75         # EX_TEMPFAIL: the journal is in use by another program; try again
EXIT_PERMISSION = 77   # EX_NOPERM: no permission to read or write
EXIT_NEWER = 78        # EX_CONFIG: the journal was made by a newer version of the program


class UserError(Exception):
    """A fault the user can act on. ``str(err)`` is one clear Dutch sentence.

    ``detail`` is an optional English explanation for the developers' log; ``exit_code`` is
    what the command line ends with.
    """

    def __init__(self, message: str, detail: str = "", exit_code: int = EXIT_USER) -> None:
        super().__init__(message)
        self.detail = detail
        self.exit_code = exit_code


def os_fault(err: OSError) -> str:
    """The kind of a failed file operation: "full", "permission", "folder" (a file stands where a
    folder should be, or the reverse) or "other"."""
    import errno
    if err.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        return "full"
    if err.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return "permission"
    if err.errno in (errno.ENOTDIR, errno.EEXIST, errno.EISDIR):
        return "folder"
    return "other"


def interrupt_behind(err: BaseException) -> KeyboardInterrupt | None:
    """The Ctrl-C (or SIGTERM) during whose handling ``err`` was raised, if any.

    Why: a Ctrl-C can land inside the standard library's own locks (``Thread.start``,
    ``Event.wait``) and leave them broken, so what surfaces is their ``RuntimeError``; the user
    still asked to stop.
    """
    seen: set[int] = set()
    cause = err.__context__
    while cause is not None and id(cause) not in seen:
        if isinstance(cause, KeyboardInterrupt):
            return cause
        seen.add(id(cause))
        cause = cause.__context__
    return None

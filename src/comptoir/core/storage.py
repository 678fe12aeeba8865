"""When the node cannot write: a full disk, a read-only database, a database out of reach.

These are not bugs of a page but a state of the machine: the answer is a 503 that says so,
the transaction has rolled back (nothing half-written), and the same request works again
once space or write access returns. `storage_unavailable` tells them from real bugs (500).
"""

from __future__ import annotations

import errno

from django.db import InternalError, OperationalError

# OSError numbers of a storage that refuses writes: no space, read-only filesystem, quota, file too big.
STORAGE_ERRNOS = {errno.ENOSPC, errno.EROFS, errno.EDQUOT, errno.EFBIG}
# PostgreSQL SQLSTATEs: read-only transaction (a standby, default_transaction_read_only).
READ_ONLY_SQLSTATES = {"25006"}


def storage_unavailable(error: BaseException | None) -> bool:
    """True when `error` says the database or the disk cannot take writes (or cannot be reached)."""
    seen = 0
    while error is not None and seen < 5:  # the error may wrap the driver's in __cause__
        if isinstance(error, OperationalError):  # SQLite full/read-only/locked, PostgreSQL disk full or gone
            return True
        if isinstance(error, InternalError) and _sqlstate(error.__cause__) in READ_ONLY_SQLSTATES:
            return True
        if isinstance(error, OSError) and error.errno in STORAGE_ERRNOS:
            return True
        error, seen = error.__cause__ or error.__context__, seen + 1
    return False


def _sqlstate(error: BaseException | None) -> str:
    return str(getattr(error, "sqlstate", "") or getattr(error, "pgcode", "") or "")

"""The `comptoir` command: Django's management commands with our settings.

`comptoir demo`, `comptoir worker`, `comptoir catalog import-network FILE`,
`comptoir check --deploy`, `comptoir migrate` ... are all management commands.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "comptoir.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["comptoir", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()

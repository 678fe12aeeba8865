"""`comptoir roads import`: a wrong file is refused with a message saying what was expected."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import CommandError, call_command


def test_roads_import_refuses_a_file_that_is_not_an_extract(tmp_path: Path, settings: object) -> None:
    wrong = tmp_path / "town.csv"
    wrong.write_text("not a map")
    with pytest.raises(CommandError, match=r"expected an OpenStreetMap extract \(\.osm\.pbf"):
        call_command("roads", "import", str(wrong))

"""ISO 8601 durations as ONDC uses them (``PT30S``, ``P1D``, ``PT6H``), to timedelta and back."""

from __future__ import annotations

import re
from datetime import timedelta

_DURATION = re.compile(
    r"^P(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?(?:T(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+(?:\.\d+)?)S)?)?$"
)


def parse_duration(text: str) -> timedelta:
    """Years and months are refused: their length depends on the date, and no ttl needs them."""
    match = _DURATION.match(text or "")
    if not match or text in {"P", "PT"} or text.endswith("T"):
        raise ValueError(f"not an ISO 8601 duration of weeks, days, hours, minutes or seconds: {text!r}")
    parts = {key: float(value) for key, value in match.groupdict().items() if value}
    return timedelta(**parts)


def format_duration(value: timedelta) -> str:
    seconds = int(value.total_seconds())
    days, seconds = divmod(seconds, 86400)
    hours, seconds = divmod(seconds, 3600)
    minutes, seconds = divmod(seconds, 60)
    time = "".join(f"{n}{unit}" for n, unit in ((hours, "H"), (minutes, "M"), (seconds, "S")) if n)
    text = "P" + (f"{days}D" if days else "") + (f"T{time}" if time else "")
    return text if text != "P" else "PT0S"

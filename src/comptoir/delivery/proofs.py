"""What counts as a proof of delivery: a signature that is a real drawing (pure, no Django).

The phone sends the signature pad as a PNG data URL. Anything else a client
could send (a prefix followed by garbage, another format, a huge or
decompression-bomb image, an empty pad) is refused here, before it is stored
next to a delivered order.
"""

from __future__ import annotations

import base64
import binascii
import io
import warnings

from PIL import Image

PREFIX = "data:image/png;base64,"
MAX_BYTES = 150_000  # a 300×120 pad drawn by hand is 2–15 kB
MIN_SIDE, MAX_WIDTH, MAX_HEIGHT = 40, 1200, 600
MIN_INK_PIXELS = 30  # a few strokes; a dot or a stray tap is not a signature


class BadSignature(ValueError):
    """The signature cannot serve as a proof; the message says why (English, translated by the caller)."""


def check_signature(data_url: str) -> bytes:
    """The PNG bytes of a hand-drawn signature, or `BadSignature`."""
    if not data_url.startswith(PREFIX):
        raise BadSignature("not a PNG image")
    encoded = data_url[len(PREFIX) :]
    if len(encoded) > MAX_BYTES * 4 // 3 + 4:
        raise BadSignature("too large")
    try:
        raw = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError) as error:
        raise BadSignature("not valid base64") from error
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(raw), formats=["PNG"])
            width, height = image.size  # read from the header, before any pixel is decoded
            if not (MIN_SIDE <= width <= MAX_WIDTH and MIN_SIDE // 2 <= height <= MAX_HEIGHT):
                raise BadSignature(f"unexpected size {width}×{height}")
            image.load()
    except BadSignature:
        raise
    except (
        OSError,
        SyntaxError,
        ValueError,
        Image.DecompressionBombWarning,
        Image.DecompressionBombError,
    ) as error:
        raise BadSignature("not a readable PNG image") from error
    if _ink_pixels(image) < MIN_INK_PIXELS:
        raise BadSignature("blank")
    return raw


def _ink_pixels(image: Image.Image) -> int:
    """Pixels that are drawn: opaque enough and darker than the pad's paper."""
    rgba = image.convert("RGBA")
    alpha = rgba.getchannel("A").point(lambda a: 255 if a >= 128 else 0)
    dark = rgba.convert("L").point(lambda v: 255 if v < 160 else 0)
    drawn = Image.composite(dark, Image.new("L", rgba.size, 0), alpha)
    histogram = drawn.histogram()
    return histogram[255]

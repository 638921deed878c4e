"""Bytes in, text out: size cap, empty/binary/PDF refusal, charset detection.

Refusals raise ``InputError`` with reason ``too_large``, ``empty``, ``binary`` or
``invalid_encoding`` (see docs/CLEANING.md).  The size cap is checked before anything
else touches the body.
"""

from __future__ import annotations

import codecs
import re

from claimwire.errors import InputError

_BINARY_MAGIC = (
    (b"%PDF", "a PDF"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"PK\x03\x04", "a ZIP/Office archive"),
    (b"\x1f\x8b", "gzip data"),
    (b"\xd0\xcf\x11\xe0", "an OLE/Office document"),
    (b"\x7fELF", "an executable"),
)
_META_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_:.-]{2,40})""", re.IGNORECASE)
# C0 control characters other than tab, newline, carriage return, form feed
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
MAX_CONTROL_SHARE = 0.01
MAX_REPLACEMENT_SHARE = 0.01


def _check_decoded(text: str) -> None:
    sample = text[:100_000]
    if not sample:
        return
    if len(_CONTROL.findall(sample)) > MAX_CONTROL_SHARE * len(sample):
        raise InputError("binary", "input is binary (control characters)")
    if sample.count("\ufffd") > MAX_REPLACEMENT_SHARE * len(sample):
        raise InputError("invalid_encoding", "input is not valid text in any supported encoding")


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 sent without a byte-order mark: Latin-script text has a NUL in every other byte
    (odd bytes for little-endian, even for big-endian) and almost none in the others."""
    sample = data[:4096]
    half = len(sample) // 2
    if half < 4:
        return None
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    if odd >= 0.4 * half and even <= 0.02 * half:
        return "utf-16-le"
    if even >= 0.4 * half and odd <= 0.02 * half:
        return "utf-16-be"
    return None


def decode_bytes(data: bytes) -> str:
    """Decode a body: BOM, then UTF-8, then a declared <meta charset>, then cp1252."""
    for bom, enc in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(enc)
            except UnicodeDecodeError as exc:
                raise InputError("invalid_encoding", f"invalid {enc} after byte-order mark: {exc.reason}") from exc
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    match = _META_CHARSET.search(data[:4096])
    if match:
        name = match.group(1).decode("ascii", "ignore").lower()
        try:
            codec = codecs.lookup(name).name
        except LookupError:
            codec = None
        if codec and codec not in ("utf-8", "utf-16", "utf-16-le", "utf-16-be"):
            try:
                return data.decode(codec)
            except UnicodeDecodeError:
                pass
    # Western-European legacy pages: cp1252 decodes every byte but a few; too many
    # undecodable or control characters means this is not text at all.
    return data.decode("cp1252", errors="replace")


# Characters scrubbed from every decoded body before parsing (``scrub``):
# * C0 controls but tab/newline/CR (lxml refuses to build text nodes holding them: one stray
#   \x1f in a page crashed trafilatura), vertical tab and form feed become newlines;
# * the noncharacters U+FFFE/U+FFFF (libxml2 drops the whole document);
# * invisible format characters that split or disguise names: zero-width space, word joiner,
#   BOM, soft hyphen, bidi marks, embeddings, overrides and isolates ("Jo\u200bhn Smith" and
#   "John Smith" are one speaker; U+202E would reverse text in the web view);
# * zero-width (non-)joiners next to Latin letters or at a word edge; between two letters of
#   the scripts that need them (Persian, Indic, emoji sequences) they stay.
_SCRUB = re.compile("[\x00-\x08\x0e-\x1f\x7f\ufffe\uffff\u200b\u2060\ufeff\u00ad\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069\u180e]+")
_JOINERS = re.compile("(?:(?<=[\x00-\u024f])|^)[\u200c\u200d]+|[\u200c\u200d]+(?=[\x00-\u024f]|$)", re.MULTILINE)
_VERTICAL = re.compile("[\x0b\x0c]")


def scrub(text: str) -> str:
    """Text safe to parse and to key names by: see ``_SCRUB``.  Idempotent."""
    if not text:
        return text
    if "\x0b" in text or "\x0c" in text:
        text = _VERTICAL.sub("\n", text)
    text = _SCRUB.sub("", text)
    if "\u200c" in text or "\u200d" in text:  # the joiner pattern tries every position: only where one is
        text = _JOINERS.sub("", text)
    return text


def decode_body(body: str | bytes, *, max_bytes: int) -> str:
    if isinstance(body, str):
        size = len(body.encode("utf-8", "surrogatepass")) if len(body) * 4 > max_bytes else len(body)
        if size > max_bytes:
            raise InputError("too_large", f"input is {size} bytes, over the {max_bytes}-byte cap")
        text = body
        head = body[:16].encode("utf-8", "surrogatepass")
    elif isinstance(body, (bytes, bytearray, memoryview)):
        data = bytes(body)
        if len(data) > max_bytes:
            raise InputError("too_large", f"input is {len(data)} bytes, over the {max_bytes}-byte cap")
        head = data[:16]
        for magic, what in _BINARY_MAGIC:
            if data.startswith(magic):
                raise InputError("binary", f"input is {what}, not HTML or text")
        text = None
        if b"\x00" in data[:8192] and not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            codec = _utf16_without_bom(data)
            if codec is None:
                raise InputError("binary", "input is binary (contains NUL bytes)")
            try:
                text = data[: len(data) // 2 * 2].decode(codec)
            except UnicodeDecodeError as exc:
                raise InputError("invalid_encoding", f"invalid {codec} (no byte-order mark): {exc.reason}") from exc
    else:
        raise InputError("unsupported_type", f"body must be str or bytes, not {type(body).__name__}")
    if text is None:
        text = decode_bytes(data)
    for magic, what in _BINARY_MAGIC[:1]:
        if head.startswith(magic):
            raise InputError("binary", f"input is {what}, not HTML or text")
    if not text.strip():
        raise InputError("empty", "input is empty or whitespace only")
    if "\x00" in text[:8192]:
        raise InputError("binary", "input is binary (contains NUL characters)")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise InputError("invalid_encoding", "input contains lone surrogates") from exc
    _check_decoded(text)
    return text

"""Claim extractors: named, versioned components chosen by configuration.

Each extractor module registers itself with `@register(name, version)`; the
pipeline runs the ones named in settings (CLAIMWIRE_EXTRACTORS), in order,
and every claim carries the name and version of the extractor that made it.
"""

from __future__ import annotations

import dataclasses
import importlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

from claimwire.budget import check_current
from claimwire.claims import Claim

ExtractFn = Callable[[str, "str | None"], Iterable[Claim]]


@dataclass(frozen=True)
class Extractor:
    name: str
    version: str
    extract: ExtractFn


_REGISTRY: dict[str, Extractor] = {}
_BUILTIN_MODULES = ("casualties", "figures", "quotes", "statements")
_builtins_loaded = False


def register(name: str, version: str) -> Callable[[ExtractFn], ExtractFn]:
    def decorator(fn: ExtractFn) -> ExtractFn:
        _REGISTRY[name] = Extractor(name=name, version=version, extract=fn)
        return fn

    return decorator


def _load_builtins() -> None:
    global _builtins_loaded
    if _builtins_loaded:  # once per process: the lookups cost more than a claim per article
        return
    for module in _BUILTIN_MODULES:
        importlib.import_module(f"{__name__}.{module}")
    _builtins_loaded = True


def registered() -> dict[str, Extractor]:
    _load_builtins()
    return dict(_REGISTRY)


def get_extractor(name: str) -> Extractor:
    _load_builtins()
    extractor = _REGISTRY.get(name)
    if extractor is None:
        raise KeyError(f"no extractor registered as {name!r}; known: {sorted(_REGISTRY)}")
    return extractor


def extract_claims(text: str, title: str | None = None, names: Sequence[str] | None = None) -> list[Claim]:
    """Run the configured extractors over an article's cleaned text."""
    if names is None:
        from claimwire.settings import get_settings

        names = get_settings().extractors
    claims: list[Claim] = []
    for name in names:
        check_current(f"the {name} extractor")
        claims.extend(get_extractor(name).extract(text, title))
    return claims


CHUNK_CHARS = 128 * 1024  # a text longer than this is read in parts, so that a cap on claims can stop early


@dataclass(frozen=True, slots=True)
class ClaimsCut:
    """What the cap on claims per article left out: kept of found claims, and how far the text was read."""

    cap: int
    found: int
    kept: int
    read_chars: int
    text_chars: int

    def to_dict(self) -> dict[str, int]:
        return dataclasses.asdict(self)


def _chunks(text: str, size: int) -> Iterator[tuple[int, int]]:
    """Spans of TEXT of at most SIZE characters, ending at a line break (or a sentence end) where there is one."""
    start = 0
    while start < len(text):
        end = min(len(text), start + size)
        if end < len(text):
            cut = text.rfind("\n", start + size // 2, end)
            if cut < 0:
                cut = text.rfind(". ", start + size // 2, end)
                cut = cut + 1 if cut >= 0 else -1
            end = cut + 1 if cut >= 0 else end
        yield start, end
        start = end


def extract_claims_capped(
    text: str, title: str | None = None, names: Sequence[str] | None = None, *, max_claims: int
) -> tuple[list[Claim], ClaimsCut | None]:
    """`extract_claims` with at most MAX_CLAIMS claims (0: no cap), and what the cap cut, if anything.

    A text of up to CHUNK_CHARS is extracted whole, as by `extract_claims`; a longer one part by part (at
    line breaks, offsets kept relative to the whole text), stopping once the cap is reached. The claims
    kept are the title's, then the body's first in text order.
    """
    if max_claims <= 0:
        return extract_claims(text, title, names), None
    found: list[Claim] = []
    read = 0
    for start, end in _chunks(text, CHUNK_CHARS):
        check_current(f"characters {start}-{end}")
        part = extract_claims(text[start:end], title if start == 0 else None, names)
        found.extend(part if start == 0 else (dataclasses.replace(c, start=c.start + start, end=c.end + start) for c in part))
        read = end
        if len(found) >= max_claims:
            break
    if len(found) <= max_claims and read >= len(text):
        return found, None
    rank = sorted(range(len(found)), key=lambda i: (not found[i].extra.get("in_title"), found[i].start, i))
    kept = [found[i] for i in sorted(rank[:max_claims])]
    return kept, ClaimsCut(cap=max_claims, found=len(found), kept=len(kept), read_chars=read, text_chars=len(text))


def main_figures(claims: Iterable[Claim]) -> dict[str, Claim]:
    """The article's main killed / injured figures: the ones the ledger uses for its event.

    See claimwire.extractors.main for the rule.
    """
    from claimwire.extractors.main import main_figures as _main_figures

    return _main_figures(claims)

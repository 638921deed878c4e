"""Claim extractors: named, versioned components chosen by configuration.

Each extractor module registers itself with `@register(name, version)`; the
pipeline runs the ones named in settings (CLAIMWIRE_EXTRACTORS), in order,
and every claim carries the name and version of the extractor that made it.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from claimwire.claims import Claim

ExtractFn = Callable[[str, "str | None"], Iterable[Claim]]


@dataclass(frozen=True)
class Extractor:
    name: str
    version: str
    extract: ExtractFn


_REGISTRY: dict[str, Extractor] = {}
_BUILTIN_MODULES = ("casualties", "figures", "quotes", "statements")


def register(name: str, version: str) -> Callable[[ExtractFn], ExtractFn]:
    def decorator(fn: ExtractFn) -> ExtractFn:
        _REGISTRY[name] = Extractor(name=name, version=version, extract=fn)
        return fn

    return decorator


def _load_builtins() -> None:
    for module in _BUILTIN_MODULES:
        importlib.import_module(f"{__name__}.{module}")


def registered() -> dict[str, Extractor]:
    _load_builtins()
    return dict(_REGISTRY)


def get_extractor(name: str) -> Extractor:
    extractors = registered()
    if name not in extractors:
        raise KeyError(f"no extractor registered as {name!r}; known: {sorted(extractors)}")
    return extractors[name]


def extract_claims(text: str, title: str | None = None, names: Sequence[str] | None = None) -> list[Claim]:
    """Run the configured extractors over an article's cleaned text."""
    if names is None:
        from claimwire.settings import get_settings

        names = get_settings().extractors
    claims: list[Claim] = []
    for name in names:
        claims.extend(get_extractor(name).extract(text, title))
    return claims


def main_figures(claims: Iterable[Claim]) -> dict[str, Claim]:
    """The article's main killed / injured figures: the ones the ledger uses for its event.

    See claimwire.extractors.main for the rule.
    """
    from claimwire.extractors.main import main_figures as _main_figures

    return _main_figures(claims)

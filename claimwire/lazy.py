"""`cached_property` without the lock that Python 3.11's functools takes on every first read.

The ledger makes thousands of short-lived stories per rebuild (claimwire/ledger.py `Story`), each property read
once or twice, never from two threads: the lock cost more than most of the properties' own work. The value is
kept in the instance's __dict__, as functools does, so later reads do not call the descriptor at all.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

T = TypeVar("T")


class cached_property(Generic[T]):  # noqa: N801 - named as functools' one it stands in for
    def __init__(self, func: Callable[[Any], T]) -> None:
        self.func = func
        self.name = func.__name__
        self.__doc__ = func.__doc__

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, instance: Any, owner: type | None = None) -> Any:
        if instance is None:
            return self
        value = instance.__dict__[self.name] = self.func(instance)
        return value

# What sanshe uses of pyahocorasick (a C extension that ships no type information).
from collections.abc import Iterator
from typing import Any

STORE_ANY: int
STORE_INTS: int
STORE_LENGTH: int
KEY_STRING: int
KEY_SEQUENCE: int

class Automaton:
    def __init__(self, store: int = ..., key_type: int = ...) -> None: ...
    def add_word(self, key: str, value: Any = ...) -> bool: ...
    def make_automaton(self) -> None: ...
    def iter(
        self, string: str, start: int = ..., end: int = ..., ignore_white_space: bool = ...
    ) -> Iterator[tuple[int, Any]]: ...

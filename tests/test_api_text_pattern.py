"""The API's "text that says something" rule (`NOT_BLANK_PATTERN`) means the same to every reader of it: Python's
`re` (how schemathesis and clients written in Python read the document), pydantic's engine (how the server checks a
request) and the services, which strip white space with `str.strip()` and refuse what is left empty."""

from __future__ import annotations

import re
from typing import Annotated

from hypothesis import example, given
from hypothesis import strategies as st
from pydantic import Field, TypeAdapter, ValidationError

from parceria.api.schemas import NOT_BLANK_PATTERN

PYTHON_SPACE = "".join(chr(c) for c in range(0x110000) if chr(c).isspace())
#: Characters some regular-expression engine takes for white space and Python does not, or the reverse (U+FEFF is
#: space to ECMA-262; U+001C–U+001F are not to ECMA-262 or to Rust's engine).
EDGES = "\ufeff\u180e\u200b\u001c\u001d\u001e\u001f\u0085\u00a0"
SERVER = TypeAdapter(Annotated[str, Field(pattern=NOT_BLANK_PATTERN)])


def says_something(text: str) -> bool:
    """What the services accept: no NUL, and something left once `str.strip()` took the white space away."""
    return "\x00" not in text and text.strip() != ""


def server_accepts(text: str) -> bool:
    try:
        SERVER.validate_python(text)
    except ValidationError:
        return False
    return True


def test_the_pattern_names_exactly_pythons_white_space():
    for char in map(chr, range(0x110000)):
        assert (re.fullmatch(NOT_BLANK_PATTERN, char) is None) == (char.isspace() or char == "\x00"), hex(ord(char))


@given(st.text(alphabet=st.sampled_from(PYTHON_SPACE + EDGES + "\x00a ")) | st.text())
@example("\x1f")  # found by the API fuzz test: valid by the document, refused as blank by the server
@example("\ufeff")
@example(" \x1c\x1d\x1e\x1f\u3000 ")
def test_every_reader_of_the_pattern_agrees_with_the_services(text):
    expected = says_something(text)
    assert (re.fullmatch(NOT_BLANK_PATTERN, text) is not None) == expected
    assert server_accepts(text) == expected

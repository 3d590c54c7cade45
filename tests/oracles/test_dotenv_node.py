"""The doctor's Node reader against the real npm `dotenv` 16: the same key/value map for every
input, generated and hand-picked, and every key's line number pointing at the line it is on."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cognito_doctor.platform.dotenv_node import parse_node
from tests.oracles.conftest import run_node

# What @nestjs/config does: dotenv.parse(fs.readFileSync(path)), a Buffer of the file's bytes.
DOTENV_PARSE = """
const dotenv = require('dotenv');
const inputs = JSON.parse(require('fs').readFileSync(0, 'utf8'));
process.stdout.write(JSON.stringify(inputs.map((t) => dotenv.parse(Buffer.from(t, 'utf8')))));
"""

HAND_PICKED = [
    "COGNITO_REGION=eu-west-2#London\n",
    "COGNITO_REGION=eu-west-2 # London\n",
    "COGNITO_USER_POOL_ID=`eu-west-2_AbC123`\nCOGNITO_REGION=`eu-west-2`\n",
    'COGNITO_USER_POOL_ID="eu-west-2_AbC123 "\n',
    "COGNITO_ISSUER=https://cognito-idp.${COGNITO_REGION}.amazonaws.com/${POOL}\n",
    'A="value\nB=2\n',
    "A='value\nB=2\n",
    'export A="x"\r\nB: y\r\n\r\nC = z # c\r\n',
    'MULTI="first\r\nsecond"\nAFTER=1',
    "ESC=\"a\\nb\\rc\\td\"\nSINGLE='a\\nb'\nBACK=`a\\nb`\n",
    "EMPTY=\nNEXT=1\n",
    "EMPTY=   \n  NEXT=1\n",
    "\ufeffA=1\n",
    "A=1\u2028B=2\n",
    "A='a'\u2028b\n",
    "A=\u00a0x\u00a0\n",
    "A=\"q\\\"x\"\nB='q\\'x'\n",
    'A="a"b"\n',
    "A=a\rB=b\rC=c",
    "   \n\t\n# only comments\n  # indented\n",
    "KEY WITH SPACE=1\nK.E-Y_1=2\n",
    "export\nexport A\nexport  B=1\nexportC=2\n",
    "A==b\nB=:c\nC:d\nD: e\n",
    "A=\"#not comment\" # comment\nB='#'\nC=`#`#c\n",
    'A="multi\nline # not a comment\nend"\n',
    "A=1\nA=2\n",
    "A=x\\\nB=y\n",
]

# Characters where the two regex dialects and the quote rules differ or interact.
_ALPHABET = st.sampled_from(
    [
        *"AZaz09_.-=:#'\"`\\n $ {}\t",
        "\n",
        "\r",
        "\r\n",
        "export ",
        "\u2028",
        "\u00a0",
        "\ufeff",
        "\v",
        "\x1c",
        "\x85",
        "é",
    ]
)
_KEYS = st.from_regex(r"[A-Za-z_][A-Za-z0-9_.-]{0,6}", fullmatch=True)
_VALUES = st.lists(_ALPHABET, max_size=12).map("".join)
_QUOTE = st.sampled_from(["", "'", '"', "`"])
_LINE = st.builds(
    lambda export, key, sep, quote, value, close, tail: (
        f"{export}{key}{sep}{quote}{value}{quote if close else ''}{tail}"
    ),
    st.sampled_from(["", "export ", "  "]),
    _KEYS,
    st.sampled_from(["=", " = ", ": ", ":", "=  "]),
    _QUOTE,
    _VALUES,
    st.booleans(),
    st.sampled_from(["", " # note", "#x", "  "]),
)
_FILE = st.lists(st.one_of(_LINE, _VALUES), max_size=8).flatmap(
    lambda lines: st.sampled_from(["\n", "\r\n", "\r"]).map(lambda nl: nl.join(lines))
)
_BATCH = st.lists(st.one_of(_FILE, _VALUES), min_size=40, max_size=40)


def doctor_map(text: str) -> dict[str, str]:
    parsed: dict[str, str] = {}
    for binding in parse_node(text).bindings:
        parsed[binding.key] = binding.value
    return parsed


def assert_same(texts: list[str], node_modules: Path) -> None:
    expected = run_node(DOTENV_PARSE, node_modules, texts)
    for text, node_map in zip(texts, expected, strict=True):
        assert doctor_map(text) == node_map, f"input {text!r}"


def test_hand_picked_inputs_read_as_dotenv_16_reads_them(node_modules: Path) -> None:
    assert_same(HAND_PICKED, node_modules)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(batch=_BATCH)
def test_generated_inputs_read_as_dotenv_16_reads_them(
    node_modules: Path, batch: list[str]
) -> None:
    assert_same(batch, node_modules)


@pytest.mark.parametrize("text", HAND_PICKED)
def test_every_key_is_on_the_line_its_number_names(text: str) -> None:
    lines = re.sub(r"\r\n?", "\n", text).split("\n")
    for binding in parse_node(text).bindings:
        line = lines[binding.line - 1]
        assert re.match(rf"^[\s\ufeff]*(export\s+)?{re.escape(binding.key)}[\s=:]", line), (
            binding,
            line,
        )

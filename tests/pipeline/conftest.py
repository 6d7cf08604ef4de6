"""Pipeline fixtures: a fake Claude on 127.0.0.1 and the real anthropic client."""

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.fakes.fake_claude import FakeClaude  # noqa: E402


@pytest.fixture
def fake():
    with FakeClaude() as server:
        yield server

import datetime as dt
from pathlib import Path

import pytest

from eligibility import load_rules

ROOT = Path(__file__).resolve().parent.parent
RULES = ROOT / "rules"


@pytest.fixture(scope="session")
def book():
    return load_rules(RULES)


@pytest.fixture
def as_of():
    return dt.date(2024, 6, 30)

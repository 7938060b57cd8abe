"""eligibility: minimum-qualifications screening for civil-service job classes.

The public API is small: load the rules, read candidates, evaluate, explain.
"""

__version__ = "0.1.0"

from .candidate import Candidate, InputError, load_file, load_text, parse_candidates  # noqa: E402
from .determination import Determination  # noqa: E402
from .engine import EngineError  # noqa: E402
from .evaluate import evaluate  # noqa: E402
from .explain import explain  # noqa: E402
from .rulebook import LoadedClass, RuleBook, RuleError, load_rules  # noqa: E402

__all__ = [
    "Candidate", "Determination", "EngineError", "InputError", "LoadedClass", "RuleBook", "RuleError",
    "evaluate", "explain", "load_file", "load_rules", "load_text", "parse_candidates", "__version__",
]

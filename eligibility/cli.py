"""The `eligibility` command: a thin click shell over the library API."""

from __future__ import annotations

import click

from . import __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="eligibility")
def main() -> None:
    """Minimum-qualifications checker for civil-service job classes."""


if __name__ == "__main__":  # pragma: no cover
    main()

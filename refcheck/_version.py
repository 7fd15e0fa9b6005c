__version__ = "0.1.0"

#: The name refcheck is published under on the package index. The import name and the
#: command are ``refcheck``, but ``refcheck`` on the index is another project (a Markdown link
#: checker). pyproject.toml's ``name`` is this; a test holds every install line to it.
DISTRIBUTION = "scholarly-refcheck"


def install_hint(extra: str | None = None) -> str:
    """The command that installs refcheck, or one of its extras: ``pip install
    'scholarly-refcheck[docx]'``."""
    return f"pip install '{DISTRIBUTION}[{extra}]'" if extra else f"pip install {DISTRIBUTION}"

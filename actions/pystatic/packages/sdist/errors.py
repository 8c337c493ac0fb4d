"""The error of an sdist build: it names the package, the backend and the fix."""


class BuildError(Exception):
    """The sdist cannot become built-ins; the message names the package, the backend and the fix."""

"""A package whose own module imports `.__init__` by name (statsmodels.api: `from .__init__ import test`)."""


def test():
    return __name__

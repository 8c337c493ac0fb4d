"""pystatic-cli: an example application that uses much of the standard library."""

__version__ = "1.0.0"

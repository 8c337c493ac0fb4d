"""The same as observe, imported once the program changed the collector's settings."""

import gc

SEEN = {"threshold": gc.get_threshold(), "enabled": gc.isenabled(), "freeze_count": gc.get_freeze_count()}

"""Records what the collector looks like from inside a module body being imported."""

import gc

SEEN = {"threshold": gc.get_threshold(), "enabled": gc.isenabled(), "freeze_count": gc.get_freeze_count()}

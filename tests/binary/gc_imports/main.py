"""tests/integration/test_start_up_runtime.py: the cyclic garbage collector around imports of embedded
modules (runtime/gc_promote.c moves the objects a module's import made to the oldest generation)."""

import gc
import json
import sys

report = {"threshold": gc.get_threshold(), "enabled": gc.isenabled(), "freeze_count": gc.get_freeze_count()}

# Cyclic garbage an import left behind is freed, and its finalizer run, by a full collection.
import gcmods.cycle  # noqa: E402

gc.collect()
report["cycle_freed"] = gcmods.cycle.REF() is None
report["cycle_events"] = gcmods.cycle.EVENTS

# A module's objects are in the oldest generation once its import is done.
import gcmods.classes  # noqa: E402

report["generations_of_module_objects"] = sorted(
    {g for g in range(3) for o in gc.get_objects(g) if o is gcmods.classes.Thing or o is gcmods.classes.TABLE})
report["tuples_tracked"] = {"atomic": gc.is_tracked(gcmods.classes.ATOMIC),
                            "nested_atomic": gc.is_tracked(gcmods.classes.ATOMIC[3]),
                            "holds_a_list": gc.is_tracked(gcmods.classes.HOLDS_A_LIST)}

# The program's own settings hold inside and after an import.
gc.set_threshold(1234, 5, 6)
gc.disable()
keep = [[i] for i in range(100)]
gc.freeze()
frozen = gc.get_freeze_count()
report["frozen"] = frozen
import gcmods.observe  # noqa: E402

report["seen_inside"] = gcmods.observe.SEEN
report["after"] = {"threshold": gc.get_threshold(), "enabled": gc.isenabled(), "frozen_kept": gc.get_freeze_count() == frozen}
gc.enable()
import gcmods.observe_again  # noqa: E402

report["seen_inside_enabled"] = gcmods.observe_again.SEEN
report["after_enabled"] = {"threshold": gc.get_threshold(), "enabled": gc.isenabled(), "frozen_kept": gc.get_freeze_count() == frozen}
gc.unfreeze()

# A failing import raises its own exception.
try:
    import gcmods.broken  # noqa: F401
except ValueError as error:
    report["broken"] = str(error)
report["freeze_count_at_end"] = gc.get_freeze_count()
print(json.dumps(report, sort_keys=True))

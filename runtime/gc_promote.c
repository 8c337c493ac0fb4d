/* After an embedded module's code ran (blob_module.c's exec_module): the objects the cyclic
 * garbage collector tracks move from its young generations to the oldest one (docs/import-protocol.md,
 * "Start-up of large applications"). A module's functions, classes and constants live
 * as long as the module; left young, each of them is traversed by a young and then by a middle
 * collection that finds it alive (aws --version: 41 and 3 such collections during its imports;
 * moving the objects saves 2.5 % of its instructions). In the oldest generation a full collection
 * (gc.collect(), the automatic one, the collections at exit) still examines them and frees what is
 * garbage: nothing is kept past a full collection and nothing is frozen. What a program sets or
 * reads stays as it set it: thresholds, gc.isenabled(), gc.get_stats(), the counts of collections;
 * gc.get_count() restarts at 0 as after a young collection. On the way, tuples of untracked
 * objects are untracked, as every collection does to the generation it collected (http --version:
 * the collector's instructions 77 -> 70 M, the first full collection at exit no longer traverses
 * 17,000 tuples of constants).
 *
 * Not done when the collector is disabled, while a collection runs (an import from a finalizer),
 * or when the program froze objects (gc.freeze(): its permanent generation is left alone). The
 * generations are CPython 3.13's (internal/pycore_gc.h, the headers this runtime is compiled
 * against): other versions and the free-threaded build (no generations) do nothing here. */
#define Py_BUILD_CORE_BUILTIN 1
#include "Python.h"

#if PY_VERSION_HEX >= 0x030D0000 && PY_VERSION_HEX < 0x030E0000 && !defined(Py_GIL_DISABLED)
#include "internal/pycore_gc.h"
#include "internal/pycore_interp.h"
#include "internal/pycore_pystate.h"
#include "internal/pycore_tuple.h"

static int list_is_empty(PyGC_Head *list) {
    return list->_gc_next == (uintptr_t)list;
}

/* gc.c's gc_list_merge: appends `from` to `to` and empties `from` (flags in _gc_prev are kept). */
static void list_merge(PyGC_Head *from, PyGC_Head *to) {
    if (!list_is_empty(from)) {
        PyGC_Head *to_tail = _PyGCHead_PREV(to), *from_head = _PyGCHead_NEXT(from), *from_tail = _PyGCHead_PREV(from);
        _PyGCHead_SET_NEXT(to_tail, from_head);
        _PyGCHead_SET_PREV(from_head, to_tail);
        _PyGCHead_SET_NEXT(from_tail, to);
        _PyGCHead_SET_PREV(to, from_tail);
    }
    from->_gc_prev = (uintptr_t)from;
    from->_gc_next = (uintptr_t)from;
}

/* gc.c's untrack_tuples, which every collection runs over the generation it collected: a tuple
 * that holds only untracked objects (a code object's constants, names, defaults) cannot be part
 * of a cycle, and no collection needs to traverse it again. Promoted without a collection, those
 * tuples would stay tracked until the first full one (at exit: a third of its objects). Newest
 * first: marshal makes a tuple before the tuples it holds, so those are untracked before it is
 * looked at (gc.c's pass, oldest first, leaves such an outer tuple to a later collection). */
static void untrack_atomic_tuples(PyGC_Head *list) {
    for (PyGC_Head *gc = _PyGCHead_PREV(list), *prev; gc != list; gc = prev) {
        prev = _PyGCHead_PREV(gc); /* read first: untracking unlinks gc */
        PyObject *op = _Py_FROM_GC(gc);
        if (PyTuple_CheckExact(op)) _PyTuple_MaybeUntrack(op);
    }
}

void pystatic_gc_promote(void) {
    struct _gc_runtime_state *gc = &_PyInterpreterState_GET()->gc;
    if (!gc->enabled || _Py_atomic_load_int_relaxed(&gc->collecting) || !list_is_empty(&gc->permanent_generation.head))
        return;
    PyGC_Head *oldest = &gc->generations[NUM_GENERATIONS - 1].head;
    for (int i = 0; i < NUM_GENERATIONS - 1; i++) {
        untrack_atomic_tuples(&gc->generations[i].head);
        list_merge(&gc->generations[i].head, oldest);
    }
    gc->generations[0].count = 0; /* the young generation is empty, as after a collection of it */
}
#else
void pystatic_gc_promote(void) {}
#endif

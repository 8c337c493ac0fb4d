"""tests/integration/test_exit_behaviour.py: what happens at exit, which Py_FinalizeEx does as in
python3 (docs/import-protocol.md, "Start-up of large applications": why finalisation is kept).

exit_main.py MODE PREFIX: MODE is return, exit3, exitstr or raise; PREFIX names the files written."""

import atexit
import sys
import threading
import time

mode, prefix = sys.argv[1], sys.argv[2]
atexit.register(print, "atexit registered first")
atexit.register(print, "atexit registered second")


def worker():
    time.sleep(0.3)
    with open(prefix + ".thread", "w") as f:
        f.write("thread finished")
    print("thread printed")


threading.Thread(target=worker).start()  # not a daemon: joined at exit, before the atexit handlers

LOG = open(prefix + ".global", "w")  # never closed: flushed when the module is cleared at exit
LOG.write("global, never closed")


class Holder:
    pass


# A reference cycle alive at exit: clearing the module leaves it unreachable, and the collections
# of Py_FinalizeEx finalise it, which flushes its file (gc.freeze() before exit would lose the text).
holder = Holder()
holder.me = holder
holder.file = open(prefix + ".cycle", "w")
holder.file.write("in a cycle, never closed")
print("main printed", end=" ")  # a pipe: block-buffered until exit
if mode == "exit3":
    sys.exit(3)
if mode == "exitstr":
    sys.exit("exit message")
if mode == "raise":
    raise RuntimeError("raised at exit")

"""Phase 3: the actions of one py_static_binary, in order."""

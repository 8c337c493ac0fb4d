"""Phase 2: the static CPython distribution and its C libraries, built as Bazel actions."""

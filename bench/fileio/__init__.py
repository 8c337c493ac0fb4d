"""bench/run's file I/O program: `disk PATH N`, `view N`, `resources N` (see main.py)."""

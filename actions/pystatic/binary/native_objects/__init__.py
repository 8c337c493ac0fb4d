"""The shared objects of musllinux wheels that the executable's in-memory loader will load.

`elf_reading` reads one object, `loadability` checks it on its own, `system_names` names what the
C library and the C++ runtime own, `dependencies` resolves DT_NEEDED and the names each object
needs from the executable, `analysis` runs all of it over a binary's objects into `problems`
(package, file, reason, fix), `exports_table` writes (and reads back) the executable's export table.
"""

/* libdep.so: a bundled dependency (pkg.libs/), bound to by basic.so's JUMP_SLOT/GLOB_DAT. */
int dep_counter = 40;
int dep_value(void) { return ++dep_counter; }

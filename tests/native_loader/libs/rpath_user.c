/* Built twice: runpath.so (DT_RUNPATH) and rpath.so (DT_RPATH), both $ORIGIN/../pkg.libs. */
int dep2_value(void);
int rpath_value(void) { return dep2_value() + 1; }

/* libdep2-abc123.so: found through DT_RPATH $ORIGIN/../pkg.libs (auditwheel's layout). */
int dep2_value(void) { return 77; }

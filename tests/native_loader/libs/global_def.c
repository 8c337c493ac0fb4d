/* global_def.so: defines what weak.so references weakly; loaded RTLD_GLOBAL it must bind. */
int maybe_missing(void) { return 5; }

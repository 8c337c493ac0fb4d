/* weak.so: an undefined weak reference binds to 0. */
int maybe_missing(void) __attribute__((weak));
int weak_check(void) { return maybe_missing ? 1 : 0; }

/* libgone.so: linked against by missing_needed.so, then not shipped. */
int gone_value(void) { return 1; }

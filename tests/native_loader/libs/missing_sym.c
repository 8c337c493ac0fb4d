/* missing_sym.so: a strong reference nobody defines: dlopen must fail naming it. */
int no_such_function(void);
int missing_sym_call(void) { return no_such_function(); }

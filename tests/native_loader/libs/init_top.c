#include "harness_api.h"
int init_dep_value(void);
__attribute__((constructor)) static void init(void) { harness_log(init_dep_value() ? "init_top" : "init_top?"); }
__attribute__((destructor)) static void fini(void) { harness_log("fini_top"); }

/* libinit_dep.so: its initializer must run before init_top.so's; its finalizer after. */
#include <stdio.h>
#include "harness_api.h"
__attribute__((constructor)) static void init(int argc, char **argv, char **envp) {
    char line[256];
    snprintf(line, sizeof line, "init_dep argc=%d argv0=%s env=%d", argc, argv && argv[0] ? "set" : "null",
             envp && envp[0] ? 1 : 0);
    harness_log(line);
}
__attribute__((destructor)) static void fini(void) { harness_log("fini_dep"); }
int init_dep_value(void) { return 1; }

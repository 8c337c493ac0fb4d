/* provided.so: NEEDs libprovided.so.1, a library the executable provides (pystatic_provided_libraries). */
#include "harness_api.h"
int provided_call(void) { return harness_provided(); }

/* basic.so: every common relocation kind. RELATIVE (the string table), 64/ABS64 (a data pointer to
 * the executable's harness_data), GLOB_DAT (reading harness_data and dep_counter), JUMP_SLOT
 * (strlen from the export table, dep_value from libdep.so). */
#include <string.h>
#include "harness_api.h"
extern int dep_counter;
int dep_value(void);
static const char *const names[] = {"zero", "one", "two", "three"};
int *const data_pointer = &harness_data;
int (*const dep_pointer)(void) = dep_value;
int *basic_data_pointer(void) { return data_pointer; }
void *basic_dep_pointer(void) { return (void *)dep_pointer; }
int basic_check(void) {
    if (strlen(names[3]) != 5 || strcmp(names[1], "one") != 0) return 1;
    if (*data_pointer != harness_data || data_pointer != &harness_data) return 2;
    int before = dep_counter;
    if (dep_value() != before + 1 || dep_pointer() != before + 2) return 3;
    return 0;
}

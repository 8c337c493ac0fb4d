/* fuzz.so: corrupted a few hundred ways; has several relocation kinds, no initializer, and
 * functions harmless whatever they are called with. */
#include <string.h>
static const char *const words[] = {"alpha", "beta", "gamma"};
int fuzz_value(void) { return 42; }
int (*fuzz_pointer)(void) = fuzz_value;
const char *fuzz_word(void) { return words[1]; }
size_t (*fuzz_strlen)(const char *) = strlen;

/* ifunc.so: an exported IFUNC (STT_GNU_IFUNC, resolved when looked up) and a hidden one called
 * through an IRELATIVE relocation. clang ignores __attribute__((ifunc)) on musl targets: the
 * symbols are declared in assembly as GCC would emit them. */
static int impl_a(void) { return 11; }
static int impl_b(void) { return 22; }
__attribute__((visibility("hidden"), used)) void *resolve_a(void) { return (void *)impl_a; }
__attribute__((visibility("hidden"), used)) void *resolve_b(void) { return (void *)impl_b; }
__asm__(".globl ifunc_exported\n"
        ".type ifunc_exported, %gnu_indirect_function\n"
        ".set ifunc_exported, resolve_a\n"
        ".globl ifunc_local\n"
        ".hidden ifunc_local\n"
        ".type ifunc_local, %gnu_indirect_function\n"
        ".set ifunc_local, resolve_b\n");
__attribute__((visibility("hidden"))) int ifunc_local(void);
int ifunc_call_local(void) { return ifunc_local(); }

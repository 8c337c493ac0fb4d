/* rules_pystatic's C runtime: embeds CPython and imports from the resource blob linked into the
 * executable. See docs/import-protocol.md (start-up) and docs/resource-blob.md (the format). */
#ifndef PYSTATIC_RUNTIME_H
#define PYSTATIC_RUNTIME_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stddef.h>
#include <stdint.h>

/* Interpreter settings of one binary, from its py_static_binary attributes (generated glue). */
typedef struct {
    const char *entry_module;   /* run as __main__ when entry_function is "" */
    const char *entry_function; /* "" or a (dotted) attribute of entry_module to call */
    int allocator;           /* PYMEM_ALLOCATOR_* */
    int optimize;            /* sys.flags.optimize; the bytecode was compiled with the same level */
    int utf8_mode;
    int use_environment;     /* read PYTHON* variables (off by default: the binary is sealed) */
    int buffered_stdio;
    int file_view;                /* serve Python's file APIs below sys.executable from the blob */
    const char *extract_packages; /* comma-separated packages written to a cache directory */
    const char *left_out_builtins; /* comma-separated built-ins not linked in (stdlib = "imported") */
    const char *left_out_modules;  /* comma-separated stdlib modules not embedded (stdlib = "imported") */
    int interpreter;         /* py_static_interpreter: a python3 command line instead of an entry point */
} pystatic_settings_t;

/* Defined by the generated glue of each binary. */
extern const pystatic_settings_t pystatic_settings;
extern const struct _inittab pystatic_extra_inittab[]; /* ends with {NULL, NULL} */
extern const char pystatic_blob_sha256[];
extern const unsigned char pystatic_blob[];
extern const unsigned char pystatic_blob_end[];
/* ZSTD_decompress (with the blob's dictionary, if not NULL) when the binary was built with
 * compressed resources; else (size_t)-1. */
size_t pystatic_zstd_decompress(void *dst, size_t capacity, const void *src, size_t size, const void *dict,
                                size_t dict_size);

/* start_up.c: the start-up every OS's main shares (main.c, main_windows.c). */
/* Exits as CPython would for a failed status (its message, its exit code). */
void pystatic_die_status(PyStatus status);
/* sys.executable, sys.prefix and the rest = the executable (the virtual tree is rooted there). */
PyStatus pystatic_set_paths(PyConfig *config, const char *executable);
/* Appends one entry (bytes, decoded like a file name) to sys.path's initial value. */
PyStatus pystatic_append_search_path(PyConfig *config, const char *path);
/* _pystatic and the glue's extra built-ins, before pre-initialisation ends. */
int pystatic_append_inittab(void);
/* Between the two init phases: the importer, the main phase, the bytecode magic check. Returns the
 * _pystatic_bootstrap module, or NULL with *exit_code set. */
PyObject *pystatic_finish_start_up(const char *executable, const char *program, int *exit_code);
/* A binary with an entry point: initialise, run it, finalise; the exit status. `wide_argv` (Windows)
 * or NULL: argv decoded like file names; `executable` (malloc'd, freed here); `start_loader` or NULL:
 * run after pre-initialisation (the loader of embedded shared objects). */
int pystatic_run_app(int argc, char **argv, wchar_t **wide_argv, char *executable,
                     void (*start_loader)(int argc, char **argv, const char *executable));

/* blob.c */
int pystatic_blob_open(const unsigned char *start, const unsigned char *end, const char **error);
PyObject *PyInit__pystatic(void);
/* file_view.c: adds _pystatic.PathHook and set_view_root to the module. */
int pystatic_add_file_view(PyObject *module);
/* New reference to the code object of module `name`, or NULL with an exception set. */
PyObject *pystatic_get_code(const char *name);
/* The verified bytes of the embedded data file `name` (a path below the import root) when it is a
 * shared object (stored uncompressed and 64 KiB-aligned); else NULL. Any thread, no GIL needed. */
const unsigned char *pystatic_blob_shared_object(const char *name, size_t name_size, size_t *size);
/* blob_crc.c: zlib's crc32() of `size` bytes after `crc` (PCLMULQDQ on x86_64 when the CPU has it). */
uint32_t pystatic_crc32(uint32_t crc, const unsigned char *data, size_t size);
/* The blob's kinds and flags that the file view reads (docs/resource-blob.md; blob.c asserts them). */
enum {
    PYSTATIC_KIND_MODULE = 1,
    PYSTATIC_KIND_DATA = 2,
    PYSTATIC_KIND_METADATA = 3,
    PYSTATIC_FLAG_PACKAGE = 0x01,
    PYSTATIC_FLAG_HAS_SOURCE = 0x04,
};
/* The index for the file view (file_view.c): the first record >= (kind, name); record i's kind,
 * flags and name (0 past the end). */
uint32_t pystatic_blob_lower_bound(int kind, const char *name, size_t size);
int pystatic_blob_record(uint32_t i, int *kind, int *flags, const char **name, size_t *name_size);
/* native_images.c: embedded shared objects for the loader (native_loader.h), below `executable`/. */
void pystatic_native_images_init(const char *executable);
/* Whether the embedded bytecode is this interpreter's (its magic number); after start-up only. */
int pystatic_blob_bytecode_matches(void);
/* py_static_interpreter: whether the command line (UTF-8) or the environment picks the allocator (start_up.c). */
int pystatic_allocator_requested(int argc, char **argv);
/* py_static_interpreter once its config is read: initialise, the importer, Py_RunMain (start_up.c). */
int pystatic_run_interpreter(PyConfig *config, const char *executable, const char *program);
/* py_static_interpreter for Windows (interpreter_windows.c): python.exe's command line, then Py_RunMain. */
int pystatic_interpreter_main(int argc, char **argv, wchar_t **wide_argv, char *executable, const wchar_t *wide_executable);
/* py_static_interpreter: sys.executable and the base of a virtual environment (venv_paths.c). */
PyStatus pystatic_venv_paths(PyConfig *config, const char *argv0);

#endif

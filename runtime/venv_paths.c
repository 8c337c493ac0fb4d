/* Virtual environments of py_static_interpreter (docs/py_static_binary.md, Virtual environments and
 * pip): where python3's getpath finds a venv (pyvenv.cfg next to the path the interpreter was started
 * by, symlinks not resolved), the interpreter's config gets the venv's sys.executable and the base
 * it was made from; site.py then makes the venv sys.prefix, as in python3. */
#include "pystatic_runtime.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

/* `path` made lexically normal in place: no "//", "/./", "/x/.." (python3's abspath). */
static void normalize_path(char *path) {
    char *out = path, *in = path;
    while (*in) {
        if (in[0] == '/' && (in[1] == '/' || (in[1] == '\0' && out > path))) {
            in++; /* "//" and a trailing "/" (not the root's) */
        } else if (in[0] == '/' && in[1] == '.' && (in[2] == '/' || in[2] == '\0')) {
            in += 2; /* "/." */
        } else if (in[0] == '/' && in[1] == '.' && in[2] == '.' && (in[3] == '/' || in[3] == '\0')) {
            in += 3; /* "/..": drop the last component written */
            while (out > path && *--out != '/') {}
        } else {
            *out++ = *in++;
        }
    }
    if (out == path) *out++ = '/';
    *out = '\0';
}

/* The path python3's getpath calls the executable: argv[0] made absolute, or found on PATH when it
 * has no slash, symlinks NOT resolved (a venv's bin/python is a link to the interpreter). NULL if
 * not found. */
static char *invoked_path(const char *argv0) {
    char buffer[PATH_MAX], cwd[PATH_MAX];
    if (argv0 == NULL || argv0[0] == '\0') return NULL;
    if (strchr(argv0, '/') != NULL) {
        if (argv0[0] == '/') {
            snprintf(buffer, sizeof buffer, "%s", argv0);
        } else if (getcwd(cwd, sizeof cwd) == NULL ||
                   (size_t)snprintf(buffer, sizeof buffer, "%s/%s", cwd, argv0) >= sizeof buffer) {
            return NULL;
        }
        normalize_path(buffer);
        return strdup(buffer);
    }
    const char *path = getenv("PATH");
    while (path != NULL && *path) {
        const char *colon = strchr(path, ':');
        int dir_size = colon ? (int)(colon - path) : (int)strlen(path);
        const char *base = "";
        if (path[0] != '/') base = getcwd(cwd, sizeof cwd) ? cwd : NULL;
        if (base != NULL && dir_size > 0 &&
            (size_t)snprintf(buffer, sizeof buffer, "%s%s%.*s/%s", base, base[0] ? "/" : "", dir_size, path, argv0) <
                sizeof buffer &&
            access(buffer, X_OK) == 0) {
            normalize_path(buffer);
            return strdup(buffer);
        }
        path = colon ? colon + 1 : NULL;
    }
    return NULL;
}

static int is_file(const char *path) {
    struct stat info;
    return stat(path, &info) == 0 && S_ISREG(info.st_mode);
}

/* `invoked`'s pyvenv.cfg, if it is a virtual environment's python: one directory above it
 * (<venv>/bin/python) or beside it, where python3's getpath looks. Fills `config` (PATH_MAX). */
static int venv_config(const char *invoked, char *config) {
    const char *slash = strrchr(invoked, '/');
    if (slash == NULL) return 0;
    int dir_size = (int)(slash - invoked);
    const char *parent = memrchr(invoked, '/', (size_t)dir_size);
    if (parent != NULL &&
        (size_t)snprintf(config, PATH_MAX, "%.*s/pyvenv.cfg", (int)(parent - invoked), invoked) < PATH_MAX &&
        is_file(config))
        return 1;
    return (size_t)snprintf(config, PATH_MAX, "%.*s/pyvenv.cfg", dir_size, invoked) < PATH_MAX && is_file(config);
}

/* The interpreter a venv whose python is a copy (venv --copies, venv.create()'s default) was made
 * from, as python3's getpath finds it: <home>/<name of the copy> from pyvenv.cfg's `home`, else
 * <home>/python3 or <home>/python3.X; NULL if none is a file (the copy is then its own base). */
static char *venv_home_executable(const char *config, const char *invoked) {
    FILE *file = fopen(config, "r");
    if (file == NULL) return NULL;
    char line[PATH_MAX + 64], candidate[PATH_MAX], *found = NULL;
    while (found == NULL && fgets(line, sizeof line, file) != NULL) {
        char *equals = strchr(line, '=');
        if (equals == NULL) continue;
        char *key = line, *value = equals + 1, *end = equals;
        while (*key == ' ' || *key == '\t') key++;
        while (end > key && (end[-1] == ' ' || end[-1] == '\t')) end--;
        if (end - key != 4 || strncasecmp(key, "home", 4) != 0) continue;
        while (*value == ' ' || *value == '\t') value++;
        size_t size = strcspn(value, "\r\n");
        while (size > 0 && (value[size - 1] == ' ' || value[size - 1] == '\t')) size--;
        char version[16];
        snprintf(version, sizeof version, "python%d.%d", PY_MAJOR_VERSION, PY_MINOR_VERSION);
        const char *names[] = {strrchr(invoked, '/') + 1, "python3", version};
        for (size_t i = 0; i < sizeof names / sizeof names[0] && found == NULL; i++)
            if ((size_t)snprintf(candidate, sizeof candidate, "%.*s/%s", (int)size, value, names[i]) < sizeof candidate) {
                normalize_path(candidate); /* home = / gives /python, as getpath's joinpath */
                if (is_file(candidate)) found = strdup(candidate);
            }
        break; /* getpath reads the first `home` only */
    }
    fclose(file);
    return found;
}

/* In a virtual environment (pyvenv.cfg next to the path the interpreter was started by, as python3's
 * getpath finds it), sys.executable is that path, <venv>/bin/python, not the file it links to:
 * site then reads pyvenv.cfg and makes the venv sys.prefix, as in python3. The base (prefixes and
 * sys._base_executable) is the interpreter the venv was made from: the file the link resolves to,
 * or for a copy the one in pyvenv.cfg's `home`. sys._stdlib_dir stays the file that runs: the
 * embedded tree is inside it. */
PyStatus pystatic_venv_paths(PyConfig *config, const char *argv0) {
    char cfg[PATH_MAX];
    char *invoked = invoked_path(argv0);
    if (invoked == NULL || !venv_config(invoked, cfg)) {
        free(invoked);
        return PyStatus_Ok();
    }
    PyStatus status = PyConfig_SetBytesString(config, &config->executable, invoked);
    char *resolved = realpath(invoked, NULL);
    char *base = resolved != NULL && strcmp(resolved, invoked) != 0 ? NULL : venv_home_executable(cfg, invoked);
    wchar_t **fields[] = {&config->base_executable, &config->base_prefix, &config->base_exec_prefix,
                          &config->prefix, &config->exec_prefix};
    for (size_t i = 0; base != NULL && i < sizeof fields / sizeof fields[0] && !PyStatus_Exception(status); i++)
        status = PyConfig_SetBytesString(config, fields[i], base);
    free(base);
    free(resolved);
    free(invoked);
    return status;
}

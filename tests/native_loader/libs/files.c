/* C code of a "wheel" that reads files by path (runtime/native_files.c): each function calls the C
 * library's path functions as a loaded object binds them, and reports errno on failure. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The first bytes of `path` read through open (how 0), openat (1) or fopen (2); -errno. A write to
 * the descriptor must fail. */
long files_read(const char *path, int how, char *out, size_t size) {
    if (how == 2) {
        FILE *f = fopen(path, "re");
        if (f == NULL) return -errno;
        size_t n = fread(out, 1, size, f);
        int written = fputc('x', f) != EOF && fflush(f) == 0;
        fclose(f);
        return written ? -1000 : (long)n;
    }
    int fd = how == 1 ? openat(AT_FDCWD, path, O_RDONLY | O_CLOEXEC) : open(path, O_RDONLY);
    if (fd < 0) return -errno;
    ssize_t n = read(fd, out, size);
    int written = write(fd, "x", 1) >= 0;
    close(fd);
    return written ? -1000 : (long)n;
}

/* errno of open(path, flags) (0 if it opened) and of fopen(path, mode). */
int files_open_errno(const char *path, int flags) {
    int fd = open(path, flags, 0644);
    if (fd < 0) return errno;
    close(fd);
    return 0;
}

int files_fopen_errno(const char *path, const char *mode) {
    FILE *f = fopen(path, mode);
    if (f == NULL) return errno;
    fclose(f);
    return 0;
}

/* st_size through stat (how 0), lstat (1) or fstatat (2), its st_mode in *mode; -errno. */
long files_stat(const char *path, int how, unsigned *mode) {
    struct stat st;
    int r = how == 0 ? stat(path, &st) : how == 1 ? lstat(path, &st) : fstatat(AT_FDCWD, path, &st, 0);
    if (r != 0) return -errno;
    *mode = st.st_mode;
    return (long)st.st_size;
}

/* errno of access (how 0) or faccessat (1) with `amode`, 0 if allowed. */
int files_access(const char *path, int how, int amode) {
    int r = how == 0 ? access(path, amode) : faccessat(AT_FDCWD, path, amode, 0);
    return r == 0 ? 0 : errno;
}

int files_readlink_errno(const char *path) {
    char buffer[64];
    return readlink(path, buffer, sizeof buffer) < 0 ? errno : 0;
}

/* realpath(path) into out (malloc'd by realpath and copied), or errno. */
int files_realpath(const char *path, char *out, size_t size) {
    char *resolved = realpath(path, NULL);
    if (resolved == NULL) return errno;
    snprintf(out, size, "%s", resolved);
    free(resolved);
    return 0;
}

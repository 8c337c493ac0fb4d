/* The read-only file view for native code (docs/native-wheels.md, "Files inside the binary"). A
 * wheel's C code that opens a file of its package by path gets the embedded file: PROJ opening
 * proj.db through SQLite, libxml2 parsing a document, FreeType reading a font. These functions
 * stand in for the C library's path functions in every object the loader loads (native_relocate.c's
 * overrides): `open`, `openat`, `fopen` of an embedded file give a read-only descriptor of a sealed
 * memfd holding its bytes (decompressed); `stat`, `lstat`, `fstatat`, `access`, `faccessat`,
 * `readlink` and `realpath` describe the tree as Python's file view does (files 0644, directories
 * 0755, the executable's owner and times); writing is EROFS, a missing entry ENOENT. Any other path
 * (not below the executable, relative, through a symlink to it) goes to the C library unchanged.
 * The executable's own C code (CPython, built-in extensions) calls the C library directly. */
#define _GNU_SOURCE
#include "native_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* What `path` is in the tree (pystatic_tree_lookup of it normalized, then in *normalized, which the
 * caller frees); 0 (and NULL) for a path the C library answers: relative paths never reach the tree,
 * and the original path, not the normalized one, goes to the C library (`..` after a symlink). */
static int lookup(const char *path, struct pystatic_tree_entry *entry, char **normalized) {
    *normalized = NULL;
    if (path == NULL || path[0] != '/') return 0;
    char *absolute = native_normalize(path);
    int found = absolute ? pystatic_tree_lookup(absolute, entry) : 0;
    if (found) *normalized = absolute;
    else free(absolute);
    return found;
}

static int fail(int error) {
    errno = error;
    return -1;
}

static void free_keeping_errno(void *p) {
    int error = errno;
    free(p);
    errno = error;
}

static int write_all(int fd, const char *data, size_t size) {
    while (size > 0) {
        ssize_t n = write(fd, data, size);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return -1;
        data += n;
        size -= (size_t)n;
    }
    return 0;
}

/* An unnamed file for the bytes: a memfd, else (a kernel before 3.17, a seccomp filter) a file
 * unlinked at once from $TMPDIR or /tmp. */
static int unnamed_file(const char *name, int cloexec) {
    int fd = memfd_create(name, MFD_ALLOW_SEALING | (cloexec ? MFD_CLOEXEC : 0));
    if (fd >= 0) return fd;
    const char *dir = getenv("TMPDIR");
    char path[PATH_MAX];
    if (snprintf(path, sizeof path, "%s/pystatic-XXXXXX", dir && dir[0] ? dir : "/tmp") >= (int)sizeof path) return -1;
    fd = mkostemp(path, cloexec ? O_CLOEXEC : 0);
    if (fd >= 0) unlink(path);
    return fd;
}

/* A descriptor at offset 0 of a copy of the file entry's bytes, sealed against changes. */
static int open_copy(const char *normalized, const struct pystatic_tree_entry *entry, int cloexec) {
    const void *data;
    void *owned;
    if (pystatic_tree_read(entry, &data, &owned) < 0) return fail(EIO);
    const char *name = strrchr(normalized, '/');
    int fd = unnamed_file(name ? name + 1 : normalized, cloexec);
    if (fd >= 0 && write_all(fd, data, entry->size) < 0) {
        int error = errno;
        close(fd);
        fd = fail(error);
    }
    pystatic_tree_release(owned);
    if (fd < 0) return -1;
    fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL); /* a memfd only */
    lseek(fd, 0, SEEK_SET);
    return fd;
}

/* open(2) of a path below the executable (found: pystatic_tree_lookup's result, not 0). */
static int open_entry(int found, const struct pystatic_tree_entry *entry, const char *normalized, int flags) {
    int writing = (flags & O_ACCMODE) != O_RDONLY || (flags & O_TRUNC);
    if (found < 0) return fail(flags & O_CREAT ? EROFS : ENOENT);
    if ((flags & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL)) return fail(EEXIST);
    if (entry->type == PYSTATIC_TREE_DIR) /* no descriptor can stand for a directory of the tree */
        return fail((flags & O_TMPFILE) == O_TMPFILE ? EROFS : writing ? EISDIR : EACCES);
    if ((flags & O_DIRECTORY) == O_DIRECTORY) return fail(ENOTDIR);
    if (writing) return fail(EROFS);
    return open_copy(normalized, entry, flags & O_CLOEXEC);
}

static mode_t mode_argument(int flags, va_list ap) {
    return (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE ? va_arg(ap, mode_t) : 0;
}

/* openat(2), and open(2) as openat(AT_FDCWD, ...): the tree's answer, else the C library's. */
static int open_path(int dirfd, const char *path, int flags, mode_t mode) {
    struct pystatic_tree_entry entry;
    char *normalized;
    int found = lookup(path, &entry, &normalized);
    if (!found) return openat(dirfd, path, flags, mode);
    int fd = open_entry(found, &entry, normalized, flags);
    free_keeping_errno(normalized);
    return fd;
}

int pystatic_native_open(const char *path, int flags, ...) {
    va_list ap;
    va_start(ap, flags);
    mode_t mode = mode_argument(flags, ap);
    va_end(ap);
    return open_path(AT_FDCWD, path, flags, mode);
}

int pystatic_native_openat(int dirfd, const char *path, int flags, ...) {
    va_list ap;
    va_start(ap, flags);
    mode_t mode = mode_argument(flags, ap);
    va_end(ap);
    return open_path(dirfd, path, flags, mode);
}

FILE *pystatic_native_fopen(const char *restrict path, const char *restrict mode) {
    struct pystatic_tree_entry entry;
    char *normalized;
    int found = lookup(path, &entry, &normalized);
    if (!found) return fopen(path, mode);
    int flags = strchr(mode, '+') ? O_RDWR : mode[0] == 'r' ? O_RDONLY : O_WRONLY;
    if (mode[0] == 'w') flags |= O_CREAT | O_TRUNC;
    if (mode[0] == 'a') flags |= O_CREAT | O_APPEND;
    if (strchr(mode, 'x')) flags |= O_EXCL;
    if (strchr(mode, 'e')) flags |= O_CLOEXEC;
    int fd = open_entry(found, &entry, normalized, flags);
    free_keeping_errno(normalized);
    FILE *file = fd < 0 ? NULL : fdopen(fd, mode);
    if (fd >= 0 && file == NULL) {
        int error = errno;
        close(fd);
        errno = error;
    }
    return file;
}

/* stat(2) of a path below the executable: the executable's device, owner and times. */
static int stat_entry(int found, const struct pystatic_tree_entry *entry, char *normalized, struct stat *st) {
    if (found < 0) {
        free(normalized);
        return fail(ENOENT);
    }
    normalized[entry->root_size] = '\0'; /* the executable */
    if (stat(normalized, st) != 0) memset(st, 0, sizeof *st);
    free(normalized);
    int dir = entry->type == PYSTATIC_TREE_DIR;
    st->st_mode = dir ? S_IFDIR | 0755 : S_IFREG | 0644;
    st->st_ino = (ino_t)entry->inode;
    st->st_nlink = dir ? 2 : 1;
    st->st_size = (off_t)entry->size;
    st->st_blocks = (blkcnt_t)((entry->size + 511) / 512);
    st->st_rdev = 0;
    return 0;
}

int pystatic_native_stat(const char *restrict path, struct stat *restrict st) {
    struct pystatic_tree_entry entry;
    char *normalized;
    int found = lookup(path, &entry, &normalized);
    return found ? stat_entry(found, &entry, normalized, st) : stat(path, st);
}

/* No symlinks in the tree: lstat is stat. */
int pystatic_native_lstat(const char *restrict path, struct stat *restrict st) {
    struct pystatic_tree_entry entry;
    char *normalized;
    int found = lookup(path, &entry, &normalized);
    return found ? stat_entry(found, &entry, normalized, st) : lstat(path, st);
}

int pystatic_native_fstatat(int dirfd, const char *restrict path, struct stat *restrict st, int flag) {
    struct pystatic_tree_entry entry;
    char *normalized;
    int found = lookup(path, &entry, &normalized);
    return found ? stat_entry(found, &entry, normalized, st) : fstatat(dirfd, path, st, flag);
}

static int access_entry(int found, const struct pystatic_tree_entry *entry, char *normalized, int amode) {
    free(normalized);
    if (found < 0) return fail(ENOENT);
    if (amode & W_OK) return fail(EROFS);
    if ((amode & X_OK) && entry->type == PYSTATIC_TREE_FILE) return fail(EACCES);
    return 0;
}

int pystatic_native_access(const char *path, int amode) {
    struct pystatic_tree_entry entry;
    char *normalized;
    int found = lookup(path, &entry, &normalized);
    return found ? access_entry(found, &entry, normalized, amode) : access(path, amode);
}

int pystatic_native_faccessat(int dirfd, const char *path, int amode, int flag) {
    struct pystatic_tree_entry entry;
    char *normalized;
    int found = lookup(path, &entry, &normalized);
    return found ? access_entry(found, &entry, normalized, amode) : faccessat(dirfd, path, amode, flag);
}

ssize_t pystatic_native_readlink(const char *restrict path, char *restrict buffer, size_t size) {
    struct pystatic_tree_entry entry;
    char *normalized;
    int found = lookup(path, &entry, &normalized);
    if (!found) return readlink(path, buffer, size);
    free(normalized);
    return fail(found < 0 ? ENOENT : EINVAL); /* EINVAL: not a symlink */
}

/* The normalized path: the tree has no symlinks (the executable's own path is kept as it was given,
 * so the result stays below it). */
char *pystatic_native_realpath(const char *restrict path, char *restrict resolved) {
    struct pystatic_tree_entry entry;
    char *normalized;
    int found = lookup(path, &entry, &normalized);
    if (!found) return realpath(path, resolved);
    if (found < 0 || (resolved != NULL && strlen(normalized) >= PATH_MAX)) {
        free(normalized);
        errno = found < 0 ? ENOENT : ENAMETOOLONG;
        return NULL;
    }
    if (resolved == NULL) return normalized;
    strcpy(resolved, normalized);
    free(normalized);
    return resolved;
}

/* The runtime's blob reader (runtime/blob.c, blob_crc.c) built for Windows (x86_64-windows-gnu, the
 * UCRT) with a blob embedded by the COFF form of the glue (actions/pystatic/binary/blob_section.py):
 * tests/integration/test_windows_runtime.py runs it under wine. It opens the blob (header and index
 * checks), verifies every payload's checksum (a damaged one ends the process with exit 70, naming
 * it), says where the blob lies (read-only, aligned) and prints the data file named by argv[1]. */
#include "blob_internal.h"

#include <stdio.h>
#include <windows.h>

int main(int argc, char **argv) {
    const char *error = NULL;
    if (pystatic_blob_open(pystatic_blob, pystatic_blob_end, &error) < 0) {
        fprintf(stderr, "blob unusable: %s\n", error);
        return 70;
    }
    int kind, flags;
    const char *name;
    size_t size;
    uint32_t count = 0;
    for (uint32_t i = 0; pystatic_blob_record(i, &kind, &flags, &name, &size); i++, count++) {
        const blob_record *r = pystatic_blob_find_name(kind, name, size);
        if (flags & FLAG_HAS_PRIMARY) pystatic_blob_payload(r, 0);
        if (flags & FLAG_HAS_SOURCE) pystatic_blob_payload(r, 1);
        printf("entry %d %.*s %u\n", kind, (int)size, name, (unsigned)r->primary.size);
    }
    MEMORY_BASIC_INFORMATION info;
    if (VirtualQuery(pystatic_blob, &info, sizeof info) == 0) return 71;
    printf("entries %u, read-only %s, aligned %s\n", (unsigned)count, info.Protect == PAGE_READONLY ? "yes" : "no",
           (uintptr_t)pystatic_blob % 16 == 0 ? "yes" : "no");
    if (argc > 1) {
        const blob_record *r = pystatic_blob_find_name(KIND_DATA, argv[1], strlen(argv[1]));
        if (r == NULL) return 72;
        printf("%s: %.*s\n", argv[1], (int)r->primary.size, pystatic_blob_payload(r, 0));
    }
    return 0;
}

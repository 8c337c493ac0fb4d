#include <stdio.h>

int main(int argc, char **argv) {
    printf("e2e: %d args, linked by rules_pystatic's toolchain\n", argc - 1);
    return 0;
}

/* Built twice: gnuhash.so (--hash-style=gnu) and sysvhash.so (--hash-style=sysv). */
int hashed_alpha(void) { return 1; }
int hashed_beta(void) { return 2; }
int hashed_gamma(void) { return 3; }
int hashed_delta = 4;

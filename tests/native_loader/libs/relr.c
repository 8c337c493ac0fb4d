/* relr.so: linked with -z pack-relative-relocs: its many pointers are DT_RELR entries. */
#define S(n) "s" #n
#define ROW(n) S(n##0), S(n##1), S(n##2), S(n##3), S(n##4), S(n##5), S(n##6), S(n##7), S(n##8), S(n##9)
static const char *const strings[] = {ROW(1), ROW(2), ROW(3), ROW(4), ROW(5), ROW(6), ROW(7), ROW(8), ROW(9)};
static int gap1 = 1;
static const char *lone = "lone";
static int gap2[100] = {2};
static const char *const *table = strings;
int relr_check(void) {
    char expect[8];
    for (int i = 0; i < 90; i++) {
        int n = (i / 10 + 1) * 10 + i % 10;
        expect[0] = 's'; expect[1] = '0' + n / 10; expect[2] = '0' + n % 10; expect[3] = 0;
        const char *s = table[i];
        if (s[0] != expect[0] || s[1] != expect[1] || s[2] != expect[2] || s[3]) return i + 1;
    }
    if (lone[0] != 'l' || gap1 != 1 || gap2[0] != 2) return 100;
    return 0;
}

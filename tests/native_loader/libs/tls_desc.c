/* tls_desc.so: TLS descriptors (-mtls-dialect=gnu2 on x86_64, the default on aarch64). Values live
 * in registers across the descriptor call: the resolver must preserve them. */
__thread int td_counter = 7;
__thread double td_scale = 1.5;
__attribute__((noinline)) double td_mix(double a, double b, long c, long d) {
    double x = a * 2, y = b * 3;
    long p = c + 1, q = d + 2;
    int v = td_counter++;
    double s = td_scale;
    return x + y + (double)p + (double)q + v * s;
}
int td_get(void) { return td_counter; }

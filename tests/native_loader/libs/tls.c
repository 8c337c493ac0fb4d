/* tls.so: __thread data of a loaded object (general dynamic on x86_64: __tls_get_addr; TLS
 * descriptors on aarch64), with a large .tbss like OpenBLAS's. */
__thread int tls_counter = 5;
__thread char tls_big[150000];
__thread long tls_pair[2] = {7, 8};
int tls_get(void) { return tls_counter; }
int tls_add(int n) { return tls_counter += n; }
void *tls_big_address(void) { return tls_big; }
int tls_big_sum(void) { int s = 0; for (int i = 0; i < 150000; i += 997) s += tls_big[i]; return s; }
long tls_pair_sum(void) { return tls_pair[0] + tls_pair[1]; }

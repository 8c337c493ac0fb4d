/* tls_user.so: uses tls.so's __thread variable (DTPMOD64/DTPOFF64 or TLSDESC against a symbol). */
extern __thread int tls_counter;
int tls_user_get(void) { return tls_counter; }

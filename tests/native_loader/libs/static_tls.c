/* static_tls.so: initial-exec TLS (DF_STATIC_TLS, TPOFF relocations): must be refused. */
__attribute__((tls_model("initial-exec"))) __thread int st_value = 3;
int st_get(void) { return st_value; }

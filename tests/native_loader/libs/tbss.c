/* tbss.so: thread-local data with no initialized part (PT_TLS of .tbss only, file size 0), as
 * pyarrow's libarrow_compute has. */
static __thread int tbss_counter;
int tbss_bump(void) { return ++tbss_counter; }

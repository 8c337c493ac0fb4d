/* What the test executable exports to the synthetic libraries (tests/native_loader/harness.c). */
extern int harness_data;
void harness_log(const char *message);
int harness_provided(void);

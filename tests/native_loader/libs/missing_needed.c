int gone_value(void);
int missing_needed_call(void) { return gone_value(); }

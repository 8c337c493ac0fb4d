int cyc_a_value(void);
int cyc_b_value(void) { return 23; }
int cyc_b_sum(void) { return cyc_a_value() * 2 + cyc_b_value(); }

/* cyc_a.so and cyc_b.so NEED each other (like libfreetype and libharfbuzz). */
int cyc_b_value(void);
int cyc_a_value(void) { return 100; }
int cyc_a_sum(void) { return cyc_a_value() + cyc_b_value(); }

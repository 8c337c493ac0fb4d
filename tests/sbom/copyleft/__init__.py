GREETING = "a module under GPL-3.0-only (test data of the licence policy)"

"""Build actions of rules_pystatic: each module is a small script with a main()."""

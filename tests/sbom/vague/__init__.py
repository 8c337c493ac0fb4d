GREETING = "a module whose licence is not an SPDX expression"

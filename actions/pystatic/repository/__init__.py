"""Phase 1: repository rules and seeding (no toolchain yet)."""

import sys

print("unreachable: this app's wheels must fail the build", file=sys.stderr)

"""The outside workspace gets import names from rules_pystatic's manifest action."""

import json
import sys

with open(sys.argv[1], encoding="utf-8") as f:
    manifest = json.load(f)

got = [(r["kind"], r["name"]) for r in manifest["resources"]]
want = [("package", "app"), ("module", "app.main"), ("data", "app/motd.txt")]
if got != want:
    sys.exit(f"manifest resources {got}, expected {want}")
if not manifest["target"].endswith("//app:app_resources"):
    sys.exit(f"manifest names target {manifest['target']}")
print("ok:", got)

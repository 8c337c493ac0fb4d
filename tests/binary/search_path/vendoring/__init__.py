"""A package that puts its own directory on sys.path, as awscli does for its vendored botocore:
`import inner` then finds `vendoring/inner/` through importlib's PathFinder."""

import os
import sys

sys.path.append(os.path.dirname(__file__))

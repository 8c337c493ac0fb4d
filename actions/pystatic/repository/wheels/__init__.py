"""The library of the pystatic.wheels repository: lock, platforms, fetching, unpacking, resolution, rendering.

The script is ../wheel_repo.py (run by rules/private/wheels_repository.bzl); it reads the lock
(lock.py), resolves each package for each target platform (resolve.py, with platforms.py,
fetch.py, unpack.py) into a plan of pure data (plan.py), and renders the plan as BUILD files
(render.py).
"""

"""Requirements of the bundle's wheels that some patch release of the target Python needs and
this one does not (deploy/bundle.sh): pip resolves markers such as
``python_full_version < "3.11.3"`` against the Python it runs on, whatever --python-version
says. Prints one requirement a line, for `pip download`."""

import sys
import zipfile
from pathlib import Path

from packaging.markers import default_environment
from packaging.requirements import Requirement

folder, version = Path(sys.argv[1]), sys.argv[2]
needed = set()
for wheel in folder.glob("*.whl"):
    with zipfile.ZipFile(wheel) as z:
        meta = next(n for n in z.namelist() if n.endswith(".dist-info/METADATA"))
        lines = z.read(meta).decode("utf-8", "replace").splitlines()
    for line in lines:
        if not line.startswith("Requires-Dist:"):
            continue
        req = Requirement(line.split(":", 1)[1].strip())
        if req.marker is None or "extra" in str(req.marker):
            continue
        for patch in range(30):
            env = {**default_environment(), "python_version": version,
                   "python_full_version": f"{version}.{patch}"}
            if req.marker.evaluate(env):
                req.marker = None
                needed.add(str(req))
                break
print("\n".join(sorted(needed)))

"""Write the platform's Grafana dashboards as JSON into deploy/grafana/dashboards/.

    python deploy/grafana/generate.py          # (re)write the JSON files
    python deploy/grafana/generate.py --check  # exit 1 naming the files that differ

A script beside the `generator` package rather than `python -m`: Python puts this file's
folder first on the import path, so the package imports from any working directory without
installing anything and without making deploy/ a package of the project's own.
"""

from __future__ import annotations

import sys

from generator.cli import main

if __name__ == "__main__":
    sys.exit(main())

"""``python -m openaifs.server``: run the local server."""

import sys

from .cli import main

sys.exit(main())

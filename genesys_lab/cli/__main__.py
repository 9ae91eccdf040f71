"""``python -m genesys_lab.cli``: the same as the ``genesys-lab`` command."""

import sys

from genesys_lab.cli.main import main

sys.exit(main())

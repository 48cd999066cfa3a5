"""``python -m model_registry_client``: the ``model-registry`` command."""

import sys

from model_registry_client.cli import main

sys.exit(main())

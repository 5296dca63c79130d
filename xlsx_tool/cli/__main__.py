"""``python -m xlsx_tool.cli`` is ``xlsx-tool``."""
import sys

from . import main

sys.exit(main())

"""``python -m xlsx_tool`` is ``xlsx-tool``."""
import sys

from .cli import main

sys.exit(main())

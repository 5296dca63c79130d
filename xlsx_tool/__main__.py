"""``python -m xlsx_tool`` is ``xlsx-tool``."""
import sys

from .cli import main

# guarded: worker processes started with "spawn" (xlsx-tool serve) import the main module again
if __name__ == "__main__":
    sys.exit(main())

"""Children that a test interrupts with Ctrl-C (SIGINT) start with it at its default.

A shell running a script in the background (``tests & …``, ``nohup``, some CI runners) starts it
with SIGINT ignored, and every child inherits that: Python then never turns Ctrl-C into
``KeyboardInterrupt``, so a test sending SIGINT would wait for an interruption that cannot come.
A terminal user's Ctrl-C reaches the program at its default; so do the tests' children:
``subprocess.Popen(…, **CTRL_C_AT_DEFAULT)``.
"""
from __future__ import annotations

import os
import signal


def _default_ctrl_c() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


#: Keyword arguments for :class:`subprocess.Popen` (nothing where there is no ``preexec_fn``).
CTRL_C_AT_DEFAULT = {"preexec_fn": _default_ctrl_c} if os.name == "posix" else {}

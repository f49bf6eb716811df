"""The garbage collector in a long-lived process: the heap Django leaves behind at start-up is frozen.

Once Django has started, a process holds about 190,000 objects that live as long as it does: modules, settings,
models, URL patterns, translations. Python's cyclic garbage collector scans all of them on each full collection,
about 100 ms on the build machine, and a full collection comes whenever enough objects have survived the two
younger generations: in a web worker, within some request, whose answer it delays; in the close, during its JSON
answer (110 ms of a 285 ms close of 816 payouts). `gc.freeze()` moves every object alive now out of the collector's
sight for good (Python's documentation of `gc.freeze`, "for a process that forks", and the same for any long-lived
one), so a full collection scans only what was made since. One full collection first, so that nothing already garbage
is frozen with them.
"""

from __future__ import annotations

import gc

from django.urls import get_resolver


def freeze_startup_heap() -> None:
    """Load the URL patterns (and so every view, which the first request or a command's system checks would
    load), collect once, then freeze every object alive. Called by the web server's workers once the application
    is loaded (config/wsgi.py) and by the `parceria` command line once Django is set up (cli.py)."""
    get_resolver().url_patterns  # noqa: B018
    gc.collect()
    gc.freeze()

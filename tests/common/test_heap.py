"""common/heap.py: start-up's heap is frozen, and what is made afterwards is still collected."""

from __future__ import annotations

import gc
import weakref

from parceria.common.heap import freeze_startup_heap


class Node:
    def __init__(self) -> None:
        self.other: Node | None = None


def test_the_start_up_heap_is_frozen_and_new_garbage_is_still_collected():
    gc.unfreeze()
    try:
        freeze_startup_heap()
        assert gc.get_freeze_count() > 10_000  # Django, the apps, the URL patterns: well over
        a, b = Node(), Node()
        a.other, b.other = b, a  # a cycle: only the collector frees it
        gone = weakref.ref(a)
        del a, b
        gc.collect()
        assert gone() is None
    finally:
        gc.unfreeze()

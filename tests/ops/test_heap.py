"""Start-up objects kept out of the garbage collector's sight; what is made later is still
collected."""

from __future__ import annotations

import gc

from bot.ops.heap import freeze_start_up_objects


def test_start_up_objects_are_frozen_and_later_garbage_is_still_collected() -> None:
    try:
        frozen = freeze_start_up_objects()

        assert frozen == gc.get_freeze_count()
        assert frozen > 50_000  # the country names and the gazetteer among them
        cycle: list[object] = []
        cycle.append(cycle)
        del cycle
        assert gc.collect() >= 1  # a cycle made after start-up is still found
    finally:
        gc.unfreeze()

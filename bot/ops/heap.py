"""The objects start-up makes, kept out of the garbage collector's sight.

A full collection walks every object the process holds and stops every thread while it
does, chat handlers included. After start-up that is about 115,000 objects, most of them
the country-name index and the offline gazetteer, which live as long as the process, and
a full collection over them took about 35 ms on the development machine. Polls make many
objects and so set off full collections: while a 10 MB JSON answer was parsed, the event
loop waited up to 72 ms (median of 15) with the start-up objects in sight, 25 ms without
(`python benchmarks/parse.py --large-json`).
"""

from __future__ import annotations

import gc

from bot.countries import destination_countries, from_coordinates


def freeze_start_up_objects() -> int:
    """Load what the first poll would load (country names, the gazetteer), then move
    every object alive into the collector's permanent generation; how many that was."""
    destination_countries("Germany")
    from_coordinates(0.0, 0.0)
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()

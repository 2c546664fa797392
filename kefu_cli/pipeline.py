"""Runs records from an order file through a command's per-record work to the output layer.

`transform` (optional) is an object with `process(records) -> records` and `take_stats()`
(what it counted since the last call); `merge(stats)` folds those counts together in the parent.
Large plain CSV/TSV files go to kefu_cli.orders.parallel; everything else runs here in order.
"""

from __future__ import annotations

from typing import BinaryIO, Callable

from kefu_cli.orders.reader import OrderFile
from kefu_cli.output import Renderer, write_records


def run(order_file: OrderFile, renderer: Renderer, stream: BinaryIO, transform=None,
        merge: Callable[[object], None] | None = None, jobs: int | None = None) -> None:
    from kefu_cli.orders import parallel
    if parallel.usable(order_file, renderer.streaming, jobs):
        parallel.run(order_file, renderer, stream, transform, jobs, merge)
        return
    records = order_file.records()
    if transform is not None:
        records = transform.process(records)
    write_records(records, renderer, stream)
    if transform is not None and merge is not None:
        merge(transform.take_stats())

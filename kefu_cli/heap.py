"""The process heap, set for a batch of records.

A batch frees its records, rows and rendered chunks every thousand rows, and glibc's malloc
hands the freed top of the heap back to the kernel each time (its trim threshold is 128 KiB, and
moves only as far as the largest mmapped block freed), so the next thousand rows take the same
pages again through page faults. Measured on 1,000,000 Taobao rows (`kefu orders --jobs 1`):
700,000 minor page faults and 1.7 s of system time, about an eighth of the run; with the trim
threshold raised, 5,000 faults and 0.06 s. The memory kept is memory the batch already used at
its peak (the heap only keeps what it once held), so peak RSS does not grow.

Done once per process, and only by a reader about to stream a large or piped input (ctypes
costs ~2 ms, which start-up does not pay); workers forked afterwards inherit it. Elsewhere than
glibc (musl, macOS) there is no mallopt and nothing is done.
"""

from __future__ import annotations

import sys

_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3  # glibc malloc.h
TRIM_THRESHOLD = 64 * 1024 * 1024
# setting the trim threshold freezes the mmap threshold at 128 KiB, and a worker's 2 MiB blocks
# (orders/parallel.py), their text and their rendered bytes would each be mapped and unmapped
# again: they come from the heap too, up to glibc's largest (32 MiB on 64-bit)
MMAP_THRESHOLD = 32 * 1024 * 1024

_done = False


def roomy() -> bool:
    """Keep up to TRIM_THRESHOLD of freed heap instead of returning it to the kernel; True when
    the C library took it."""
    global _done
    if _done:
        return True
    _done = True
    if not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes

        libc = ctypes.CDLL(None)
        mallopt = libc.mallopt  # glibc only: musl has none (AttributeError)
        gnu = libc.gnu_get_libc_version
    except (OSError, AttributeError):
        return False
    del gnu
    return mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD) == 1 and mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD) == 1

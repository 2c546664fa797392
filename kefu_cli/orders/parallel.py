"""Reading a large CSV/TSV order file on every core.

The file is cut into blocks of 2 MiB at line ends that lie outside quoted fields (an even
number of `"` before them; a quote inside an unquoted cell, a character to csv, inverts that: a
block csv ends inside a quoted cell is found after it was read, _ends_clean, and the file is read
from that block on in one go). That is safe byte-wise for UTF-8 and GB18030: neither `"` nor `\\n`
ever occurs inside a multi-byte character. Each worker process (forked, so it inherits the
column plan, the configuration and the command's per-record work) decodes and parses its block
with the same RowConverter as the sequential reader, starting from the block's first line
number (`OrderFile.block_records`: the reader's own row loop), and returns rendered bytes; the
parent writes blocks in file order, holding at most two per worker (memory stays flat). Each
worker has a pipe of its own (no pool: see _start).

`kefu aftersales` reads in shares of the order numbers instead (share_records, run_shares,
write_merged): a case and its order must meet in one worker.

Used only where the result cannot differ from the sequential reader: a regular file, CSV or TSV
(LF or CRLF line ends), one row per order (no grouping of item rows across blocks), no --items
join, and a streaming output format. Everything else reads sequentially.
"""

from __future__ import annotations

import errno
import io
import multiprocessing
import os
import shutil
import signal
import tempfile
from collections import deque
from contextlib import contextmanager
from operator import itemgetter
from typing import BinaryIO, Callable, Iterator

from kefu_cli.orders.reader import OrderFile, Stats
from kefu_cli.output import BATCH, write_body

BLOCK = 2 * 1024 * 1024
MIN_SIZE = 8 * 1024 * 1024

# set in the parent just before the workers fork; they inherit it
_JOB: tuple | None = None


def worker_count(jobs: int | None) -> int:
    if jobs is not None:
        return max(1, jobs)
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def usable(order_file: OrderFile, streaming_output: bool, jobs: int | None) -> bool:
    return (
        worker_count(jobs) > 1
        and streaming_output
        and large([order_file.path])
        and splittable(order_file)
    )


def large(paths: list[str]) -> bool:
    """Whether these regular files come to MIN_SIZE together: smaller, forking costs more than it saves."""
    return sum(_size(p) for p in paths) >= MIN_SIZE


def splittable(order_file: OrderFile) -> bool:
    """Whether worker processes can read parts of this file with the sequential reader's result:
    a regular CSV/TSV file in an encoding `"` and `\n` never occur inside a character of, one row
    per order (no item rows grouped, no --items join), a header row that ends."""
    return (
        order_file.path != "-"
        and order_file.format in ("csv", "tsv")
        and order_file.encoding in ("utf-8", "utf-8-sig", "gb18030", "gbk")
        and not order_file.plan.item_rows
        and order_file.items_by_order is None
        and b"\n" in order_file.sample
        and "fork" in multiprocessing.get_all_start_methods()
        and data_start(order_file) is not None
    )


def _size(path: str) -> int:
    try:
        st = os.stat(path)
    except OSError:
        return 0
    import stat

    return st.st_size if stat.S_ISREG(st.st_mode) else 0


def data_start(order_file: OrderFile) -> tuple[int, int] | None:
    """(byte offset, line number) of the row after the header, as the reader's csv.reader read
    the header — its quotes (a `"` inside an unquoted cell is a character) and its line ends (a
    lone CR ends a line) — worked out on the file's sample; None when the header does not end in
    it. The sample is decoded with surrogateescape so that the header encodes back to its bytes."""
    import codecs
    import csv

    sample, encoding = order_file.sample, order_file.encoding
    bom = b""
    if encoding == "utf-8-sig":
        encoding = "utf-8"
        if sample.startswith(codecs.BOM_UTF8):
            bom = codecs.BOM_UTF8
    text = sample[len(bom):].decode(encoding, errors="surrogateescape")
    consumed: list[str] = []

    def lines():
        for line in io.StringIO(text, newline=""):
            consumed.append(line)
            yield line

    reader = csv.reader(lines(), delimiter=order_file.delimiter)
    try:
        next(reader)
    except (StopIteration, csv.Error):
        return None
    head = "".join(consumed)
    if not head.endswith(("\n", "\r")) or len(head) == len(text):  # (a CR at the sample's end may be a CRLF's)
        return None
    return len(bom) + len(head.encode(encoding, errors="surrogateescape")), reader.line_num + 1


def safe_cut(buf: bytes) -> int:
    """Length of the longest prefix of `buf` that ends at a line end outside quotes (0: none)."""
    quotes_after = 0
    end = len(buf)
    total = buf.count(b'"')
    pos = buf.rfind(b"\n")
    while pos >= 0:
        quotes_after += buf.count(b'"', pos, end)
        end = pos
        if (total - quotes_after) % 2 == 0:
            return pos + 1
        pos = buf.rfind(b"\n", 0, pos)
    return 0


def blocks(stream: BinaryIO, first_line: int, size: int = BLOCK) -> Iterator[tuple[int, int]]:
    """(length of a block, line number of its first line) for the rest of the stream. Read into
    one reused buffer: the parent only finds the cuts and counts lines (the workers read their
    blocks themselves), so no block is copied or made anew (three 2 MiB copies a block were
    given back to the kernel and faulted in again each time)."""
    line = first_line
    chunk = bytearray(size)
    view = memoryview(chunk)
    buf = bytearray()
    while True:
        n = stream.readinto(view)
        if not n:
            if buf:
                yield len(buf), line
            return
        buf += view[:n]
        cut = safe_cut(buf)
        if cut == 0:  # one record longer than a block: read on
            continue
        yield cut, line
        line += buf.count(b"\n", 0, cut)
        del buf[:cut]


class CutInsideCell(Exception):
    """A block ended inside a quoted cell: its cut (by quote parity, safe_cut) was wrong — a quote
    inside an unquoted cell is a character to csv, not half a pair. The block itself started at
    a row (the one before it ended clean), so the rest of the file is read from there in one go."""


# a line after a block, to see whether csv ends the block outside a quoted cell (_ends_clean): a
# line of its own when it does, the end of the last cell when the block ended inside one
_END_MARK = "\ufdd0kefu: the end of a block\ufdd0\n"


def _work(task: tuple[int, int, int, str, int | None]) -> tuple[str, Stats, object]:
    offset, length, start, out_path, end = task
    order_file, renderer, transform = _JOB
    stats = Stats()
    with open(order_file.path, "rb", buffering=0) as raw, open(out_path, "wb") as out:
        raw.seek(offset)
        stream = io.BufferedReader(_Slice(raw, length), 1 << 16)
        if end is None:  # the file's last block: it ends where the file does, as one process reads it
            records = order_file.block_records(stream, start)
        else:
            records = _ends_clean(order_file.block_records(stream, start, end_mark=_END_MARK), end)
        records = _counted(records, stats)
        if transform is not None:
            records = transform.process(records)
        write_body(records, renderer, out)
    extra = transform.take_stats() if transform is not None else None
    return out_path, stats, extra


class _Slice(io.RawIOBase):
    """The next `length` bytes of an unbuffered file, as a file of their own: a worker reads its
    block as the reader reads a file, in small pieces, never as one 2 MiB string."""

    def __init__(self, raw, length: int):
        self.raw, self.left = raw, length

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:
        if self.left <= 0:
            return 0
        n = self.raw.readinto(memoryview(b)[:min(len(b), self.left)]) or 0
        self.left -= n
        return n


def _ends_clean(records, end: int):
    """The block's records, less the end mark's own (on line `end`); CutInsideCell when the mark
    was read into the block's last cell instead."""
    held = None
    for rec in records:
        if held is not None:
            yield held
        held = rec
    if held is None or held["row"] != end:
        raise CutInsideCell(end)


def _counted(records, stats: Stats):
    count = stats.count
    for rec in records:
        count(rec)
        yield rec


STOPS = {signal.SIGINT, signal.SIGTERM, signal.SIGHUP}


def _init_worker() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C and ends the workers
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # the parent ends its workers with SIGTERM: no Stopped here
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, STOPS)  # forked with them blocked (see run)


@contextmanager
def signals_held():
    """SIGINT, SIGTERM and SIGHUP wait while the block runs (a clean-up: workers ended, temporary
    files removed), then are raised: a signal in the middle of removing a directory left it half
    removed."""
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, STOPS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def run(order_file: OrderFile, renderer, stream: BinaryIO, transform=None, jobs: int | None = None,
        merge: Callable[[object], None] | None = None) -> None:
    """Render every record of `order_file` to `stream` using worker processes.

    The parent only finds the cut points and sends (offset, length, first line) to the workers,
    which read their block themselves and write the rendered bytes to a temporary file; the
    parent copies those to `stream` in file order. Moving the data
    through the pool's pipes instead was measured 25% slower overall.
    """
    global _JOB
    n = worker_count(jobs)
    start, first_line = data_start(order_file)
    _JOB = (order_file, renderer, transform)
    stream.write(renderer.begin())
    stream.flush()
    tmp = tempfile.mkdtemp(prefix="kefu-")
    workers: list = []
    try:
        workers.extend(_start(n, _work))
        pending: deque = deque()
        try:
            with open(order_file.path, "rb") as raw:
                raw.seek(start)
                offset = start
                previous = None
                for k, (length, line) in enumerate(blocks(raw, first_line, BLOCK)):
                    if previous is not None:  # a block is sent once the next one's first line is known
                        _send(workers, pending, k - 1, previous, line)
                        while len(pending) >= 2 * n:
                            _collect(_next(pending), order_file, stream, merge)
                    previous = (offset, length, line, os.path.join(tmp, f"{k}.out"))
                    offset += length
                if previous is not None:
                    _send(workers, pending, k, previous, None)
            while pending:
                _collect(_next(pending), order_file, stream, merge)
        except _Redo as redo:  # a cut inside a quoted cell: from that block on, read here in one go
            _end(workers, None)
            offset, _length, line, path = redo.task
            _collect(_work((offset, _size(order_file.path) - offset, line, path, None)), order_file, stream, merge)
    finally:
        _JOB = None
        _end(workers, tmp)
    stream.write(renderer.end())
    stream.flush()


def _send(workers: list, pending: deque, k: int, task: tuple, end: int | None) -> None:
    """Block k to worker k mod n (each answers in the order asked), with the line after it (None:
    the file's last block)."""
    worker = workers[k % len(workers)]
    _ask(worker, (*task, end))
    pending.append((worker, task))


def _next(pending: deque):
    """The oldest block's answer; _Redo (with its task) when it ended inside a quoted cell."""
    worker, task = pending.popleft()
    try:
        return _answer(worker)
    except CutInsideCell:
        raise _Redo(task) from None


class _Redo(Exception):
    def __init__(self, task: tuple):
        super().__init__(task)
        self.task = task


def _start(n: int, do) -> list:
    """n forked worker processes doing do(task) for the tasks sent them (_serve), each with a pipe
    of its own: no lock is shared (a pool's idle worker killed by `timeout`'s SIGTERM to the group
    left the pool's task queue locked, and the run hung at its end), and a worker that dies is an
    EOF, not a task waited for forever. Started with SIGINT, SIGTERM and SIGHUP held: they reach the parent's
    main thread only (workers set their own handlers, then take signals, _init_worker)."""
    ctx = multiprocessing.get_context("fork")
    workers = []
    with signals_held():
        try:
            for _ in range(n):
                here, there = ctx.Pipe()
                proc = ctx.Process(target=_serve, args=(there, do), daemon=True)
                proc.start()
                there.close()
                # the closed end is kept until _end lets every end go, signals held: a Connection
                # freed (its __del__) while a signal waited swallowed the signal's exception, and
                # a SIGTERM to a starting run was lost (the run ended 0)
                workers.append((proc, here, there))
        except BaseException:
            _end(workers, None)
            raise
    return workers


def _end(workers: list, tmp: str | None) -> None:
    """The workers ended (SIGTERM: they wait for a task or are cut short) and the temporary files
    removed, with signals held so that neither is left half done."""
    with signals_held():
        for proc, conn, _end_closed in workers:
            if proc.is_alive():
                proc.terminate()
            conn.close()
        for proc, _conn, _end_closed in workers:
            proc.join()
        workers.clear()  # the pipes' ends freed here, signals held (see _start)
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)


def _serve(conn, do) -> None:
    """A worker: do(task) for each task its pipe brings, one at a time, each answered (True,
    result) or (False, the exception; as text when it does not pickle) on the same pipe, until
    the pipe closes."""
    _init_worker()
    while True:
        try:
            task = conn.recv()
        except EOFError:
            return
        try:
            outcome = (True, do(task))
        except Exception as exc:
            outcome = (False, exc)
        try:
            conn.send(outcome)
        except Exception:
            conn.send((False, RuntimeError(f"{type(outcome[1]).__name__}: {outcome[1]}")))


def _ask(worker: tuple, task) -> None:
    """A task to a worker; one that has ended (killed) ends the run (its pipe is not stdout: not
    a reader gone, exit 141)."""
    proc, conn, _end_closed = worker
    try:
        conn.send(task)
    except OSError:
        proc.join(1)
        raise _lost(proc) from None


def _answer(worker: tuple):
    """A worker's answer to the oldest task it was given; its exception raised here; a worker that
    ended without answering (killed) ends the run."""
    proc, conn, _end_closed = worker
    try:
        done, value = conn.recv()
    except (EOFError, OSError):
        proc.join(1)
        raise _lost(proc) from None
    if not done:
        raise value
    return value


def _lost(proc):
    from kefu_cli.errors import OutputError
    from kefu_cli.i18n import _

    code = proc.exitcode
    how = "?" if code is None else f"signal {-code}" if code < 0 else f"exit {code}"
    return OutputError(_("a worker process ended without finishing its part ({how}); nothing was "
                         "written").format(how=how),
                       _("run again with --jobs 1, or give the machine more memory"))


def _collect(result, order_file: OrderFile, stream: BinaryIO, merge) -> None:
    path, stats, extra = result
    with open(path, "rb") as fh:
        _copy(fh, stream)
    os.unlink(path)
    order_file.stats.merge(stats)
    if merge is not None and extra is not None:
        merge(extra)


def _copy(fh: BinaryIO, stream: BinaryIO) -> None:
    """A worker's rendered block onto `stream`: by sendfile(2) where the stream is a file
    descriptor (the bytes stay in the kernel: measured 0.3 s of the parent's 0.8 s CPU on
    1,000,000 rows), else through a buffer."""
    try:
        out = stream.fileno()
    except (AttributeError, OSError, ValueError):
        out = None
    if out is not None and hasattr(os, "sendfile"):
        stream.flush()
        size = os.fstat(fh.fileno()).st_size
        offset = 0
        try:
            while offset < size:
                sent = os.sendfile(out, fh.fileno(), offset, size - offset)
                if sent == 0:
                    break
                offset += sent
            return
        except OSError as exc:
            if offset or exc.errno not in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP, errno.EBADF):
                raise  # a broken pipe or a full disk is the run's, as a write's would be
        fh.seek(0)
    shutil.copyfileobj(fh, stream, 1 << 20)


# -- shares: every row of the files read by one of n workers, by order number

def shareable(order_file: OrderFile) -> bool:
    """Whether share_records can read this file: splittable, and its order number one column
    (share_of reads it before the row is converted), in a regular file each worker opens again."""
    plan = order_file.plan
    return splittable(order_file) and _size(order_file.path) > 0 and "order_id" in plan.index and (
        "order_id" not in plan.joins)


def share_records(order_file: OrderFile, k: int, n: int, pins=None) -> Iterator[dict]:
    """The records of share k of n of the file (reader.share_of: by order number, so one order's
    rows in every file fall in the same share; `pins` as share_of's), read from the header's end
    through a file descriptor of the worker's own (a forked worker must not move the parent's), with the same
    row loop and converter as the whole file, counted in the file's stats."""
    start, first_line = data_start(order_file)
    order_file.reading_starts()
    count = order_file.stats.count
    with open(order_file.path, "rb") as raw:
        raw.seek(start)
        for rec in order_file.block_records(raw, first_line, share=(k, n, pins)):
            count(rec)
            yield rec


def run_shares(work: Callable[[int, int], object], n: int) -> list:
    """work(k, n) for every share k of n, each in a forked worker of its own (which inherits what
    the parent opened and built; _start: no lock shared, a killed worker ends the run); their
    results, picklable, in share order."""
    global _JOB
    _JOB = (work, n)
    workers: list = []
    try:
        workers.extend(_start(n, _share))
        for k, worker in enumerate(workers):
            _ask(worker, k)
        return [_answer(worker) for worker in workers]
    finally:
        _JOB = None
        _end(workers, None)


def _share(k: int) -> object:
    """Share k, in a worker that lives for it: the cyclic collector stays off (a share's records
    are acyclic and what the worker holds goes at its exit; collecting walked them for ~2% of its
    time)."""
    import gc

    gc.disable()
    work, n = _JOB
    return work(k, n)


def write_merged(parts: list[tuple[str, list, list[int]]], stream: BinaryIO) -> None:
    """The records the shares rendered, onto `stream` in the order of their keys. A part is (its
    file of rendered records, their keys, their lengths), sorted by key; keys are unique across
    parts (ties cannot depend on which share a record was in)."""
    import mmap

    entries = []
    maps, views = [], []
    for p, (path, keys, lengths) in enumerate(parts):
        offset = 0
        for key, length in zip(keys, lengths):
            entries.append((key, p, offset, length))
            offset += length
        if offset:
            with open(path, "rb") as fh:
                maps.append(mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ))
            views.append(memoryview(maps[-1]))
        else:
            views.append(memoryview(b""))
    entries.sort(key=itemgetter(0))  # the parts are sorted runs: a merge
    out = []
    for _key, p, offset, length in entries:
        out.append(views[p][offset:offset + length])
        if len(out) == BATCH:  # writes of output.write_body's size
            stream.write(b"".join(out))
            out.clear()
    if out:
        stream.write(b"".join(out))
    del out  # its slices hold the maps open
    for view in views:
        view.release()
    for m in maps:
        m.close()

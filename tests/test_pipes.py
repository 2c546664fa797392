"""Behaviour only a real process shows: broken pipes, stdin left open, python -m."""

import os
import subprocess
import sys

import pytest

from conftest import EXAMPLES, taobao_row, write_csv

KEFU = [sys.executable, "-m", "kefu_cli"]


def big_file(path, rows):
    return write_csv(path, [taobao_row(str(1000 + i), 买家留言="多行\n留言" if i % 97 == 0 else "")
                            for i in range(rows)])


@pytest.mark.parametrize("rows,jobs", [(20000, "1"), (40000, "2")])  # 40000 rows > 8 MiB: the parallel path
def test_head_closes_the_pipe_quietly(tmp_path, rows, jobs):
    path = big_file(tmp_path / "big.csv", rows)
    if jobs == "2":
        assert path.stat().st_size > 8 * 1024 * 1024
    proc = subprocess.run(f"{' '.join(KEFU)} orders {path} -f jsonl --jobs {jobs} | head -1", shell=True,
                          capture_output=True, text=True, timeout=120, executable="/bin/bash")
    assert proc.stdout.count("\n") == 1 and '"order_id":"1000"' in proc.stdout
    assert proc.stderr == "", proc.stderr
    pipestatus = subprocess.run(
        f"set -o pipefail; {' '.join(KEFU)} orders {path} -f tsv --jobs {jobs} | head -1 >/dev/null; echo $?",
        shell=True, capture_output=True, text=True, timeout=120, executable="/bin/bash")
    assert pipestatus.stdout.strip() in ("0", "141") and pipestatus.stderr == ""


def test_never_reads_stdin_without_dash():
    proc = subprocess.Popen([*KEFU, "orders", str(EXAMPLES / "orders.jsonl"), "-f", "jsonl"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = proc.communicate(timeout=30)  # stdin stays open: a tool that read it would hang here
    assert proc.returncode == 0 and out.count(b"\n") == 8


def test_parallel_output_equals_sequential(tmp_path):
    path = big_file(tmp_path / "big.csv", 40000)
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(",".join(taobao_row("bad", 买家实际支付金额="x")) + "\n")
    outs = {}
    for jobs in ("1", "2"):
        proc = subprocess.run([*KEFU, "orders", str(path), "-f", "jsonl", "--jobs", jobs], capture_output=True,
                              timeout=180)
        assert proc.returncode == 0
        outs[jobs] = (proc.stdout, proc.stderr)
    assert outs["1"] == outs["2"]
    # header + 40000 rows + 413 two-line messages = 40414 lines: the appended row starts on line 40415
    assert b"1 of 40001 orders have problems (rows 40415)" in outs["1"][1]

"""The per-line length limit shared with the controller's validator: a line longer than MAX_LINE_BYTES (1 MiB) is
refused with a message naming the line, before it is decoded or parsed, and the check is linear in the line's size."""

from __future__ import annotations

import json
import time

from vpctune_trainer.validation import MAX_LINE_BYTES, validate_bytes

GOOD = json.dumps({"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello."}]}).encode()


def _best_seconds(raw: bytes) -> float:
    best = float("inf")
    for _ in range(3):
        t0 = time.perf_counter()
        validate_bytes(raw, "sft")
        best = min(best, time.perf_counter() - t0)
    return best


def test_documented_limit_is_one_mib():
    """Given the validator, then its documented line limit is 1 MiB (the controller's MAX_LINE_BYTES too)."""
    assert MAX_LINE_BYTES == 1024 * 1024


def test_line_over_the_default_limit_is_refused_quickly():
    """Given a file whose second line is 32 MiB without a newline, when it is validated with the default limit,
    then that line is refused with the exact message, promptly."""
    raw = GOOD + b"\n" + b"a" * (32 * 1024 * 1024)
    t0 = time.perf_counter()
    problems, examples = validate_bytes(raw, "sft")
    elapsed = time.perf_counter() - t0
    assert [(p.message, p.line) for p in problems] == [
        ("line 2: is longer than the limit of 1048576 bytes per line", 2),
        ("file has 1 valid example; at least 10 are required", None),
    ]
    assert len(examples) == 1
    assert elapsed < 5


def test_line_at_the_limit_with_crlf_is_judged_on_its_content():
    """Given a line of exactly MAX_LINE_BYTES bytes ending with \\r\\n, when validated, then the error is about its
    JSON, not its length."""
    problems, _ = validate_bytes(b"a" * MAX_LINE_BYTES + b"\r\n", "sft", min_examples=0)
    assert [(p.message, p.line) for p in problems] == [("line 1: is not valid JSON", 1)]


def test_four_times_the_input_takes_about_four_times_the_time():
    """Given files of 1 and 4 MiB of many valid lines, when each is validated, then the larger takes under 8x the
    time of the smaller: linear gives about 4x, quadratic 16x, and the margin absorbs a busy machine's noise (a 2x
    input with a 3x bound failed once at 3.03x on a loaded CI-class machine)."""
    line = GOOD + b"\n"
    small = line * (1024 * 1024 // len(line))
    large = small * 4
    _best_seconds(small[: len(small) // 4])
    ratio = _best_seconds(large) / _best_seconds(small)
    assert ratio < 8

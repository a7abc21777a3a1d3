"""The shared data-validation fixtures (test/fixtures/training-data): every bad file gives its exact messages, in a
plain `validate`, in a `run` (failed event, exit code 2, nothing trained), and the good files pass."""

from __future__ import annotations

import io
import json
from collections import defaultdict

import pytest
from trainer_testlib import FIXTURES, child_env, run_cli, stdout_events, write_spec

from vpctune_trainer.validation import validate_file

CASES = json.loads((FIXTURES / "cases.json").read_text())
VALID = json.loads((FIXTURES / "valid.json").read_text())


def _grouped(trainer_only: bool):
    groups = defaultdict(list)
    for c in CASES:
        if c["trainer_only"] == trainer_only:
            groups[(c["file"], c["kind"])].append(c)
    return sorted(groups.items())


def test_fixture_set_is_large_enough():
    """Given the shared fixture set, then it has at least 14 distinct bad files and the good files it names."""
    bad_files = {c["file"] for c in CASES}
    assert len(bad_files) >= 14
    for c in CASES + VALID:
        assert (FIXTURES / c["file"]).exists(), c["file"]


@pytest.mark.parametrize("key,cases", _grouped(False), ids=lambda x: x[0] if isinstance(x, tuple) else "")
def test_bad_file_gives_exact_messages(key, cases):
    """Given a bad fixture file, when it is validated, then the messages and line numbers are exactly cases.json's."""
    file, kind = key
    limit = {"max_line_bytes": cases[0]["max_line_bytes"]} if "max_line_bytes" in cases[0] else {}
    problems, _ = validate_file(str(FIXTURES / file), kind, **limit)
    assert [(p.message, p.line) for p in problems] == [(c["message"], c["line"]) for c in cases]


@pytest.mark.parametrize("v", VALID, ids=lambda v: v["file"])
def test_good_files_pass(v):
    """Given a good fixture file, when it is validated, then there is no problem and every example is kept."""
    problems, examples = validate_file(str(FIXTURES / v["file"]), v["kind"])
    assert problems == []
    assert len(examples) == v["examples"]


def test_over_context_length_is_a_data_error(tiny_llama3):
    """Given the trainer-only case (an example longer than the context length), when the trainer loads the data with
    the tiny llama3 tokenizer, then it refuses the example with the exact message instead of cutting it."""
    from vpctune_trainer.chat import load_tokenizer
    from vpctune_trainer.runner import DataError, load_data

    (case,) = [c for c in CASES if c["trainer_only"]]
    tok = load_tokenizer(tiny_llama3)
    with pytest.raises(DataError) as e:
        load_data(str(FIXTURES / case["file"]), case["kind"], tok, case["context_length"], 1024, "training_file", 10)
    assert [(p.message, p.line) for p in e.value.problems] == [(case["message"], case["line"])]


def _bad_files_for_run():
    # one case list per file; the trainer-only file runs with its context_length. Cases validated with a smaller
    # line-length limit than the documented one (to keep the fixture small) have no spec field for it: the default
    # limit is run in test_trainer_line_limit.py instead.
    return [g for g in _grouped(False) + _grouped(True) if "max_line_bytes" not in g[1][0]]


@pytest.mark.parametrize("key,cases", _bad_files_for_run(), ids=lambda x: x[0] if isinstance(x, tuple) else "")
def test_run_refuses_bad_file_with_exit_2(key, cases, tiny_llama3, tmp_path):
    """Given a job spec whose training file is a bad fixture, when the trainer runs (in process, for speed), then it
    returns exit code 2, emits one failed/invalid_data event naming training_file with every expected message, and
    writes no checkpoint or output."""
    from vpctune_trainer.runner import run

    file, kind = key
    out = tmp_path / "out"
    spec = {"base_model": tiny_llama3, "training_file": str(FIXTURES / file), "output_dir": str(out)}
    if kind == "dpo":
        spec["method"] = {"type": "dpo"}
    if cases[0]["trainer_only"]:
        spec["context_length"] = cases[0]["context_length"]
    stream = io.StringIO()
    import sys

    real = sys.stdout
    sys.stdout = stream
    try:
        code = run(str(write_spec(tmp_path / "spec.json", spec)))
    finally:
        sys.stdout = real
    events = [json.loads(l) for l in stream.getvalue().splitlines()]
    assert code == 2
    assert [e["type"] for e in events] == ["failed"]
    ev = events[0]
    assert ev["code"] == "invalid_data" and ev["param"] == "training_file"
    assert ev["message"] == "\n".join(c["message"] for c in cases)
    assert ev["errors"] == [{"message": c["message"], "line": c["line"]} for c in cases]
    assert sorted(p.name for p in out.iterdir()) == ["events.jsonl"]


def test_cli_run_bad_file_exit_code_and_stdout(tiny_llama3, tmp_path):
    """Given a spec with a wrong-role training file, when `python -m vpctune_trainer run` runs as a process, then
    stdout is exactly one failed event with the line-numbered message and the exit code is 2."""
    spec = write_spec(tmp_path / "spec.json", {"base_model": tiny_llama3, "output_dir": str(tmp_path / "o"),
                                               "training_file": str(FIXTURES / "wrong-role.jsonl")})
    proc = run_cli(["run", "--spec", str(spec)])
    assert proc.returncode == 2, proc.stderr
    (ev,) = stdout_events(proc)
    assert ev["type"] == "failed" and ev["code"] == "invalid_data"
    assert ev["message"] == 'line 3: messages[1].role is "bot"; allowed: system, user, assistant'
    assert isinstance(ev["time"], float)


def test_cli_validate(tiny_llama3):
    """Given the validate command, then a bad file prints its messages and exits 2, a good one prints ok and exits 0,
    --dpo switches the format, and --model/--context-length adds the length check."""
    bad = run_cli(["validate", str(FIXTURES / "several-errors.jsonl")], env=child_env())
    assert bad.returncode == 2
    assert bad.stdout.splitlines() == [c["message"] for c in CASES if c["file"] == "several-errors.jsonl"]
    good = run_cli(["validate", str(FIXTURES / "dpo-good.jsonl"), "--dpo"])
    assert (good.returncode, good.stdout.strip()) == (0, "ok: 20 examples")
    as_json = run_cli(["validate", str(FIXTURES / "over-context-length.jsonl"), "--model", tiny_llama3,
                       "--context-length", "64", "--json"])
    (case,) = [c for c in CASES if c["trainer_only"]]
    assert as_json.returncode == 2
    assert json.loads(as_json.stdout) == {"valid": False, "examples": 12,
                                          "errors": [{"message": case["message"], "line": 3}]}

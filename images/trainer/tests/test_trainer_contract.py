"""The trainer contract shared with the controller (test/fixtures/trainer-contract.json; the controller's side is
images/controller/src/executor/trainer-contract.ts, checked by images/controller/test/trainer-contract.test.ts): the
spec parser accepts every valid spec with the values the fixture expects ("auto" kept, checkpoint_steps), refuses
every invalid one with the exact param and message, accepts every field the controller writes, and the exit codes,
event kinds and failure codes are the trainer's own."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from vpctune_trainer import runner
from vpctune_trainer.spec import TOP_LEVEL, SpecError, parse_spec

REPO = Path(__file__).resolve().parents[3]
CONTRACT = json.loads((REPO / "test" / "fixtures" / "trainer-contract.json").read_text())
PACKAGE = Path(runner.__file__).resolve().parent


def _package_source() -> str:
    return "\n".join(p.read_text() for p in sorted(PACKAGE.glob("*.py")))


@pytest.mark.parametrize("case", CONTRACT["valid_specs"], ids=lambda c: c["about"][:60])
def test_valid_spec_parses_to_the_expected_values(case):
    """Given a valid spec of the fixture, when the trainer parses it, then every expected field has its value."""
    spec = parse_spec(case["spec"])
    assert {k: getattr(spec, k) for k in case["parsed"]} == case["parsed"]


@pytest.mark.parametrize("case", CONTRACT["invalid_specs"], ids=lambda c: c["about"][:60])
def test_invalid_spec_is_refused_with_the_exact_param_and_message(case):
    """Given an invalid spec of the fixture, when the trainer parses it, then SpecError names the param and message."""
    with pytest.raises(SpecError) as e:
        parse_spec(case["spec"])
    assert (e.value.param, e.value.message) == (case["param"], case["message"])


def test_every_field_the_controller_writes_is_a_spec_field():
    """Given the fields the controller may write, then the trainer accepts each of them at the top level."""
    assert [f for f in CONTRACT["spec_fields"] if f not in TOP_LEVEL] == []


def test_exit_codes_are_the_runners():
    """Given the fixture's exit codes, then they are the runner's constants."""
    codes = CONTRACT["exit_codes"]
    assert (runner.EXIT_OK, runner.EXIT_FAILED, runner.EXIT_INVALID, runner.EXIT_STOPPED) == (
        codes["finished"], codes["failed"], codes["invalid"], codes["stopped"])


def test_event_kinds_and_failure_codes_are_what_the_trainer_writes():
    """Given the trainer's source, then the event kinds it emits and the failure codes it reports are the fixture's."""
    source = _package_source()
    emitted = set(re.findall(r'\bemit\("([a-z_]+)"', source))
    failed = set(re.findall(r'\bfail\("([a-z_]+)"', source))
    assert emitted == set(CONTRACT["event_kinds"])
    assert failed == set(CONTRACT["failure_codes"])

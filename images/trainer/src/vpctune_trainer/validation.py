"""Training-data validation: OpenAI chat JSONL (SFT) and OpenAI preference JSONL (DPO).

The rules and messages here are a contract shared with the controller's TypeScript validator; both are tested
against test/fixtures/training-data/cases.json. Keep every message byte-identical to the README table.

Rules, in the order they are checked (the first failing rule of a line is that line's error):

* The file is split on "\\n" into lines numbered from 1; a trailing "\\r" is removed from each line. A line made
  only of spaces, tabs (and "\\r") is blank and skipped; it still counts for numbering.
* A file with no non-blank line: ``file is empty`` (the only error).
* Each non-blank line must be valid UTF-8 (``line N: is not valid UTF-8``), valid JSON (``line N: is not valid JSON``;
  NaN/Infinity are not JSON) and a JSON object (``line N: expected a JSON object, got array``).
* SFT: ``messages`` present, an array, non-empty; each element an object with ``role`` (a string, one of system,
  user, assistant) and ``content`` (a string); at least one assistant message.
* DPO: ``input`` an object whose ``messages`` follow the SFT message rules (an assistant message is not required);
  ``preferred_output`` and ``non_preferred_output`` each an array of exactly one object with role ``assistant`` and
  string content.
* A file with no valid example for the method whose lines are examples of the other format (a chat file given to a
  DPO job, or the reverse) gets one message instead of an error on every line: ``file has chat examples (messages),
  the format of method supervised; method dpo expects preference examples (input, preferred_output,
  non_preferred_output)`` (and the reverse).
* At most 20 line errors are reported; if there are more, ``and K more lines with errors`` follows.
* File level, after the line errors: ``file has N valid examples; at least 10 are required`` where N counts valid
  examples only (``1 valid example``, ``no valid examples``).

Type names used in messages are JSON's: object, array, string, number, boolean, null.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Iterator

MIN_EXAMPLES = 10
MAX_LINE_ERRORS = 20
# Longest line accepted, in bytes: several times the longest example any supported context window holds.
MAX_LINE_BYTES = 1024 * 1024
ROLES = ("system", "user", "assistant")
OTHER_KIND = {"sft": "dpo", "dpo": "sft"}
# Each format as messages name it: the method that trains on it and the fields of one example.
FORMATS = {
    "sft": ("supervised", "chat examples (messages)"),
    "dpo": ("dpo", "preference examples (input, preferred_output, non_preferred_output)"),
}


@dataclass(frozen=True)
class Problem:
    message: str
    line: int | None


@dataclass
class Example:
    line: int
    data: dict


def json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _quote(s: str) -> str:
    # Same as JavaScript's JSON.stringify for ordinary strings.
    return json.dumps(s, ensure_ascii=False)


class LineError(Exception):
    pass


def _expect(value: Any, path: str, kind: str) -> None:
    article = {"object": "an object", "array": "an array", "string": "a string"}[kind]
    if json_type(value) != kind:
        raise LineError(f"{path} must be {article}, got {json_type(value)}")


def _get(obj: dict, key: str, path: str) -> Any:
    if key not in obj:
        raise LineError(f"{path} is missing")
    return obj[key]


def _check_message(msg: Any, path: str, allowed: tuple[str, ...]) -> str:
    _expect(msg, path, "object")
    role = _get(msg, "role", f"{path}.role")
    _expect(role, f"{path}.role", "string")
    if role not in allowed:
        raise LineError(f"{path}.role is {_quote(role)}; allowed: {', '.join(allowed)}")
    content = _get(msg, "content", f"{path}.content")
    _expect(content, f"{path}.content", "string")
    return role


def _check_messages(messages: Any, path: str, need_assistant: bool) -> None:
    _expect(messages, path, "array")
    if len(messages) == 0:
        raise LineError(f"{path} is empty")
    roles = [_check_message(m, f"{path}[{i}]", ROLES) for i, m in enumerate(messages)]
    if need_assistant and "assistant" not in roles:
        raise LineError(f"{path} has no assistant message; at least one is required")


def _check_output(value: Any, path: str) -> None:
    _expect(value, path, "array")
    if len(value) != 1:
        raise LineError(f"{path} must contain exactly one message, got {len(value)}")
    _check_message(value[0], f"{path}[0]", ("assistant",))


def check_record(obj: Any, kind: str) -> None:
    """Raises LineError (without the line prefix) for the first problem of one parsed line."""
    if json_type(obj) != "object":
        raise LineError(f"expected a JSON object, got {json_type(obj)}")
    if kind == "sft":
        _check_messages(_get(obj, "messages", "messages"), "messages", need_assistant=True)
    elif kind == "dpo":
        inp = _get(obj, "input", "input")
        _expect(inp, "input", "object")
        _check_messages(_get(inp, "messages", "input.messages"), "input.messages", need_assistant=False)
        _check_output(_get(obj, "preferred_output", "preferred_output"), "preferred_output")
        _check_output(_get(obj, "non_preferred_output", "non_preferred_output"), "non_preferred_output")
    else:
        raise ValueError(f"unknown data kind {kind!r}")


def is_record_of(obj: Any, kind: str) -> bool:
    try:
        check_record(obj, kind)
        return True
    except LineError:
        return False


def too_few_message(n: int, min_examples: int) -> str:
    count = "no valid examples" if n == 0 else "1 valid example" if n == 1 else f"{n} valid examples"
    return f"file has {count}; at least {min_examples} are required"


def wrong_format_message(expected: str, got: str) -> str:
    got_method, got_examples = FORMATS[got]
    method, examples = FORMATS[expected]
    return f"file has {got_examples}, the format of method {got_method}; method {method} expects {examples}"


def _lines(raw: bytes) -> Iterator[tuple[int, bytes]]:
    for i, line in enumerate(raw.split(b"\n"), start=1):
        if line.endswith(b"\r"):
            line = line[:-1]
        yield i, line


def _is_blank(line: bytes) -> bool:
    return line.strip(b" \t\r") == b""


def line_too_long_message(max_line_bytes: int) -> str:
    return f"is longer than the limit of {max_line_bytes} bytes per line"


def validate_bytes(
    raw: bytes, kind: str, min_examples: int = MIN_EXAMPLES, max_line_bytes: int = MAX_LINE_BYTES
) -> tuple[list[Problem], list[Example]]:
    """Returns (problems, examples). examples holds the valid records with their line numbers. Linear in the size of
    ``raw``; a line longer than ``max_line_bytes`` is refused before it is decoded."""
    problems: list[Problem] = []
    examples: list[Example] = []
    non_blank = 0
    other_format = 0
    line_errors = 0
    for lineno, line in _lines(raw):
        if len(line) > max_line_bytes:
            non_blank += 1
            line_errors += 1
            if line_errors <= MAX_LINE_ERRORS:
                problems.append(Problem(f"line {lineno}: {line_too_long_message(max_line_bytes)}", lineno))
            continue
        if _is_blank(line):
            continue
        non_blank += 1
        obj: Any = None
        parsed = False
        try:
            try:
                text = line.decode("utf-8")
            except UnicodeDecodeError:
                raise LineError("is not valid UTF-8") from None
            try:
                obj = json.loads(text, parse_constant=_reject_constant)
                parsed = True
            except ValueError:
                raise LineError("is not valid JSON") from None
            check_record(obj, kind)
            examples.append(Example(lineno, obj))
        except LineError as e:
            if parsed and is_record_of(obj, OTHER_KIND[kind]):
                other_format += 1
            line_errors += 1
            if line_errors <= MAX_LINE_ERRORS:
                problems.append(Problem(f"line {lineno}: {e}", lineno))
    if non_blank == 0:
        return [Problem("file is empty", None)], []
    if not examples and other_format > 0:
        return [Problem(wrong_format_message(kind, OTHER_KIND[kind]), None)], []
    if line_errors > MAX_LINE_ERRORS:
        problems.append(Problem(f"and {line_errors - MAX_LINE_ERRORS} more lines with errors", None))
    if len(examples) < min_examples:
        problems.append(Problem(too_few_message(len(examples), min_examples), None))
    return problems, examples


def validate_file(
    path: str, kind: str, min_examples: int = MIN_EXAMPLES, max_line_bytes: int = MAX_LINE_BYTES
) -> tuple[list[Problem], list[Example]]:
    with open(path, "rb") as f:
        return validate_bytes(f.read(), kind, min_examples, max_line_bytes)


def to_conversation(example: dict, kind: str) -> dict:
    """Normalises a valid record: SFT -> {"messages"}; DPO -> {"prompt", "chosen", "rejected"} (message lists)."""
    strip = lambda m: {"role": m["role"], "content": m["content"]}  # noqa: E731
    if kind == "sft":
        return {"messages": [strip(m) for m in example["messages"]]}
    return {
        "prompt": [strip(m) for m in example["input"]["messages"]],
        "chosen": [strip(example["preferred_output"][0])],
        "rejected": [strip(example["non_preferred_output"][0])],
    }

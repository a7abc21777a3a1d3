"""Regenerates test/fixtures/training-data (the shared validation fixtures). Run from the repo root:

    .venv/bin/python images/trainer/scripts/make_fixtures.py

Messages for trainer-only cases (context length) are computed with the tiny llama3 model, so run this after
changing the tiny tokenizer, and review the diff of cases.json.
"""
import json
import os
import sys
import tempfile

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "..", "test", "fixtures", "training-data")
OUT = os.path.normpath(OUT)

WORDS = ["apple", "river", "stone", "cloud", "tiger", "piano", "lemon", "candle", "forest", "rocket",
         "garden", "silver", "window", "bottle", "castle", "dragon", "pencil", "island", "winter", "basket"]
COLORS = ["red", "blue", "green", "yellow", "purple"]


def sft(i):
    w = WORDS[i % len(WORDS)]
    c = COLORS[i % len(COLORS)]
    return {"messages": [
        {"role": "system", "content": "You are a concise assistant."},
        {"role": "user", "content": f"Describe the {w}."},
        {"role": "assistant", "content": f"The {w} is {c}. The {w} is {c}. The {w} is {c}."},
    ]}


def dpo(i):
    w = WORDS[i % len(WORDS)]
    return {
        "input": {"messages": [{"role": "user", "content": f"Say something kind about the {w}."}]},
        "preferred_output": [{"role": "assistant", "content": f"The {w} is wonderful and bright."}],
        "non_preferred_output": [{"role": "assistant", "content": "No."}],
    }


def dumps(o):
    return json.dumps(o, ensure_ascii=False)


def write(name, lines, raw=None):
    path = os.path.join(OUT, name)
    with open(path, "wb") as f:
        if raw is not None:
            f.write(raw)
        else:
            f.write(("\n".join(lines) + ("\n" if lines else "")).encode("utf-8"))


cases = []


def case(file, kind, message, line, trainer_only=False, **extra):
    cases.append({"file": file, "kind": kind, "message": message, "line": line, "trainer_only": trainer_only, **extra})


def good_sft(n=12, start=0):
    return [dumps(sft(i)) for i in range(start, start + n)]


def good_dpo(n=12):
    return [dumps(dpo(i)) for i in range(n)]


def main():
    os.makedirs(OUT, exist_ok=True)
    for f in os.listdir(OUT):
        os.remove(os.path.join(OUT, f))

    # ---- good files
    write("sft-good.jsonl", good_sft(20))
    write("sft-valid.jsonl", good_sft(10, start=20))
    blank = good_sft(12)
    blank.insert(3, "")
    blank.insert(7, "   \t ")
    write("sft-good-blank-lines.jsonl", blank)
    write("sft-good-crlf.jsonl", None, raw=("\r\n".join(good_sft(12)) + "\r\n").encode())
    write("dpo-good.jsonl", good_dpo(20))
    valid = [
        {"file": "sft-good.jsonl", "kind": "sft", "examples": 20},
        {"file": "sft-valid.jsonl", "kind": "sft", "examples": 10},
        {"file": "sft-good-blank-lines.jsonl", "kind": "sft", "examples": 12},
        {"file": "sft-good-crlf.jsonl", "kind": "sft", "examples": 12},
        {"file": "dpo-good.jsonl", "kind": "dpo", "examples": 20},
    ]

    # ---- bad SFT files
    write("empty.jsonl", [], raw=b"")
    case("empty.jsonl", "sft", "file is empty", None)

    write("only-blank-lines.jsonl", [], raw=b"\n  \n\t\n")
    case("only-blank-lines.jsonl", "sft", "file is empty", None)

    lines = good_sft(12)
    lines[2] = '{"messages": [{"role": "user", "content": "hi"}'
    write("not-json.jsonl", lines)
    case("not-json.jsonl", "sft", "line 3: is not valid JSON", 3)

    lines = good_sft(12)
    lines[4] = '{"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "yo"}], "weight": NaN}'
    write("nan-not-json.jsonl", lines)
    case("nan-not-json.jsonl", "sft", "line 5: is not valid JSON", 5)

    lines = good_sft(12)
    lines[1] = dumps(sft(1)["messages"])
    write("array-not-object.jsonl", lines)
    case("array-not-object.jsonl", "sft", "line 2: expected a JSON object, got array", 2)

    lines = good_sft(12)
    lines[3] = dumps({"prompt": "hi", "completion": "yo"})
    write("missing-messages.jsonl", lines)
    case("missing-messages.jsonl", "sft", "line 4: messages is missing", 4)

    lines = good_sft(12)
    lines[0] = dumps({"messages": {"role": "user", "content": "hi"}})
    write("messages-not-list.jsonl", lines)
    case("messages-not-list.jsonl", "sft", "line 1: messages must be an array, got object", 1)

    lines = good_sft(12)
    lines[4] = dumps({"messages": []})
    write("messages-empty.jsonl", lines)
    case("messages-empty.jsonl", "sft", "line 5: messages is empty", 5)

    lines = good_sft(12)
    lines[2] = dumps({"messages": [{"role": "user", "content": "hi"}, {"role": "bot", "content": "yo"}]})
    write("wrong-role.jsonl", lines)
    case("wrong-role.jsonl", "sft", 'line 3: messages[1].role is "bot"; allowed: system, user, assistant', 3)

    lines = good_sft(12)
    lines[1] = dumps({"messages": [{"role": None, "content": "hi"}, {"role": "assistant", "content": "yo"}]})
    write("role-not-string.jsonl", lines)
    case("role-not-string.jsonl", "sft", "line 2: messages[0].role must be a string, got null", 2)

    lines = good_sft(12)
    lines[1] = dumps({"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": 42}]})
    write("non-string-content.jsonl", lines)
    case("non-string-content.jsonl", "sft", "line 2: messages[1].content must be a string, got number", 2)

    lines = good_sft(12)
    lines[5] = dumps({"messages": [{"role": "user"}, {"role": "assistant", "content": "yo"}]})
    write("missing-content.jsonl", lines)
    case("missing-content.jsonl", "sft", "line 6: messages[0].content is missing", 6)

    lines = good_sft(12)
    lines[3] = dumps({"messages": ["hello", {"role": "assistant", "content": "yo"}]})
    write("message-not-object.jsonl", lines)
    case("message-not-object.jsonl", "sft", "line 4: messages[0] must be an object, got string", 4)

    lines = good_sft(12)
    lines[6] = dumps({"messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "hi"}]})
    write("no-assistant.jsonl", lines)
    case("no-assistant.jsonl", "sft", "line 7: messages has no assistant message; at least one is required", 7)

    write("too-few.jsonl", good_sft(4))
    case("too-few.jsonl", "sft", "file has 4 examples; at least 10 are required", None)

    lines = [l.encode() for l in good_sft(12)]
    lines[1] = b'{"messages": [{"role": "user", "content": "caf\xe9"}, {"role": "assistant", "content": "ok"}]}'
    write("invalid-utf8.jsonl", None, raw=b"\n".join(lines) + b"\n")
    case("invalid-utf8.jsonl", "sft", "line 2: is not valid UTF-8", 2)

    # several problems in one file: first error per line, all lines, then the file-level count
    lines = good_sft(6)
    lines[0] = dumps({"messages": [{"role": "user", "content": 1}, {"role": "bot", "content": "x"}]})
    lines.insert(2, "")
    lines[4] = "not json"
    write("several-errors.jsonl", lines)
    case("several-errors.jsonl", "sft", "line 1: messages[0].content must be a string, got number", 1)
    case("several-errors.jsonl", "sft", "line 5: is not valid JSON", 5)
    case("several-errors.jsonl", "sft", "file has 6 examples; at least 10 are required", None)

    lines = ["[]"] * 23
    write("too-many-errors.jsonl", lines)
    for i in range(1, 21):
        case("too-many-errors.jsonl", "sft", f"line {i}: expected a JSON object, got array", i)
    case("too-many-errors.jsonl", "sft", "and 3 more lines with errors", None)

    # ---- bad DPO files
    lines = good_dpo(12)
    d = dpo(1); del d["preferred_output"]; lines[1] = dumps(d)
    write("dpo-missing-preferred.jsonl", lines)
    case("dpo-missing-preferred.jsonl", "dpo", "line 2: preferred_output is missing", 2)

    lines = good_dpo(12)
    d = dpo(2); d["non_preferred_output"] = {"role": "assistant", "content": "No."}; lines[2] = dumps(d)
    write("dpo-non-preferred-not-list.jsonl", lines)
    case("dpo-non-preferred-not-list.jsonl", "dpo", "line 3: non_preferred_output must be an array, got object", 3)

    lines = good_dpo(12)
    d = dpo(0); d["preferred_output"] = d["preferred_output"] * 2; lines[0] = dumps(d)
    write("dpo-two-preferred.jsonl", lines)
    case("dpo-two-preferred.jsonl", "dpo", "line 1: preferred_output must contain exactly one message, got 2", 1)

    lines = good_dpo(12)
    d = dpo(3); d["preferred_output"][0]["role"] = "user"; lines[3] = dumps(d)
    write("dpo-preferred-wrong-role.jsonl", lines)
    case("dpo-preferred-wrong-role.jsonl", "dpo", 'line 4: preferred_output[0].role is "user"; allowed: assistant', 4)

    lines = good_dpo(12)
    d = dpo(5); d["non_preferred_output"][0]["content"] = None; lines[5] = dumps(d)
    write("dpo-non-preferred-null-content.jsonl", lines)
    case("dpo-non-preferred-null-content.jsonl", "dpo",
         "line 6: non_preferred_output[0].content must be a string, got null", 6)

    lines = good_dpo(12)
    d = dpo(1); d["input"] = "Say something kind."; lines[1] = dumps(d)
    write("dpo-input-not-object.jsonl", lines)
    case("dpo-input-not-object.jsonl", "dpo", "line 2: input must be an object, got string", 2)

    lines = good_dpo(12)
    d = dpo(4); d["input"] = {"prompt": "hi"}; lines[4] = dumps(d)
    write("dpo-missing-input-messages.jsonl", lines)
    case("dpo-missing-input-messages.jsonl", "dpo", "line 5: input.messages is missing", 5)

    lines = good_dpo(12)
    d = dpo(2); d["input"]["messages"][0]["role"] = "tool"; lines[2] = dumps(d)
    write("dpo-input-wrong-role.jsonl", lines)
    case("dpo-input-wrong-role.jsonl", "dpo",
         'line 3: input.messages[0].role is "tool"; allowed: system, user, assistant', 3)

    write("dpo-given-sft-data.jsonl", good_sft(10))
    for i in range(1, 11):
        case("dpo-given-sft-data.jsonl", "dpo", f"line {i}: input is missing", i)

    # ---- trainer-only: needs the tokenizer (tiny llama3 model) and the spec's context_length
    lines = good_sft(12)
    long_answer = " ".join(WORDS * 4)
    lines[2] = dumps({"messages": [{"role": "user", "content": "List many words."},
                                   {"role": "assistant", "content": long_answer}]})
    write("over-context-length.jsonl", lines)
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "src"))
    from vpctune_trainer.tiny_model import make_tiny_model
    from vpctune_trainer.chat import load_tokenizer, encode_sft
    with tempfile.TemporaryDirectory() as d:
        make_tiny_model(d, template="llama3")
        tok = load_tokenizer(d)
        n = len(encode_sft(tok, json.loads(lines[2])["messages"]).input_ids)
    case("over-context-length.jsonl", "sft", f"line 3: example has {n} tokens; the context length is 64", 3,
         trainer_only=True, context_length=64, model="make-tiny-model --template llama3")

    with open(os.path.join(OUT, "cases.json"), "w") as f:
        json.dump(cases, f, indent=1, ensure_ascii=False)
        f.write("\n")
    with open(os.path.join(OUT, "valid.json"), "w") as f:
        json.dump(valid, f, indent=1)
        f.write("\n")
    print(f"{len(cases)} cases over {len({c['file'] for c in cases})} bad files; {len(valid)} valid files")


if __name__ == "__main__":
    main()

"""Command line: ``python -m vpctune_trainer {run,validate,make-tiny-model,launch}``."""

from __future__ import annotations

import argparse
import json
import sys


def _validate(args) -> int:
    from .validation import validate_file

    kind = "dpo" if args.dpo else "sft"
    try:
        problems, examples = validate_file(args.file, kind)
    except OSError as e:
        print(f"cannot read {args.file}: {e.strerror}", file=sys.stderr)
        return 2
    if not problems and args.model:
        from .chat import load_tokenizer
        from .runner import DataError, load_data

        tok = load_tokenizer(args.model)
        from transformers import AutoConfig

        model_max = int(getattr(AutoConfig.from_pretrained(args.model), "max_position_embeddings", 10**9))
        cl = args.context_length if args.context_length is not None else "auto"
        try:
            load_data(args.file, kind, tok, cl, model_max, "training_file", 10)
        except DataError as e:
            problems = e.problems
    if args.json:
        print(json.dumps({"valid": not problems, "examples": len(examples),
                          "errors": [{"message": p.message, "line": p.line} for p in problems]}))
    else:
        for p in problems:
            print(p.message)
        if not problems:
            print(f"ok: {len(examples)} examples")
    return 2 if problems else 0


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m vpctune_trainer")
    sub = p.add_subparsers(dest="cmd", required=True)

    r = sub.add_parser("run", help="run a fine-tuning job from a spec file")
    r.add_argument("--spec", required=True)

    v = sub.add_parser("validate", help="check a data file (same messages as a run)")
    v.add_argument("file")
    v.add_argument("--dpo", action="store_true", help="the file is in OpenAI's preference (DPO) format")
    v.add_argument("--model", help="also check lengths with this model's tokenizer and chat template")
    v.add_argument("--context-length", type=int, help='with --model: the context length (default "auto")')
    v.add_argument("--json", action="store_true", help="print one JSON object instead of lines")

    t = sub.add_parser("make-tiny-model", help="build a tiny random chat model offline")
    t.add_argument("dir")
    t.add_argument("--template", choices=["llama3", "chatml"], default="llama3")

    lp = sub.add_parser("launch", help="run a job on every GPU of this node (and across nodes) through torchrun")
    lp.add_argument("--spec", required=True)
    lp.add_argument("--nproc-per-node", default=None, help="default: the number of visible GPUs, or 1")

    args = p.parse_args(argv)
    if args.cmd == "run":
        from .runner import run

        return run(args.spec)
    if args.cmd == "validate":
        return _validate(args)
    if args.cmd == "make-tiny-model":
        from .tiny_model import make_tiny_model

        make_tiny_model(args.dir, template=args.template)
        print(args.dir)
        return 0
    if args.cmd == "launch":
        from .launch import launch

        return launch(args.spec, args.nproc_per_node)
    return 2

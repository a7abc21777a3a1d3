"""The serving image's entrypoint: ``vpctune-vllm-launch CONFIG.json`` (or ``VPCTUNE_SERVING_CONFIG``, a JSON object)
checks the config, downloads the base model's weights when ``model`` is a platform storage URL (model_fetch.py), then
replaces itself with ``vllm serve …`` built by ``launch_args``, with the resolver's environment set to match."""

from __future__ import annotations

import json
import os
import shutil
import sys

from .launch_args import LaunchConfigError, checked_model, models_dir, resolver_env, vllm_args
from .model_fetch import local_model


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    try:
        if argv:
            with open(argv[0], encoding="utf-8") as f:
                config = json.load(f)
        else:
            config = json.loads(os.environ.get("VPCTUNE_SERVING_CONFIG") or "null")
        if not isinstance(config, dict):
            raise LaunchConfigError("the serving config must be a JSON object (a file argument or VPCTUNE_SERVING_CONFIG)")
        vllm_args(config)  # every field is checked before anything is downloaded
        model, served = checked_model(config)
        target = models_dir(config)
    except (OSError, ValueError) as e:
        sys.stderr.write(f"vpctune-vllm-launch: {e}\n")
        return 2
    try:
        args = vllm_args(config, local_model(model, served, target))
    except (OSError, ValueError, RuntimeError) as e:
        sys.stderr.write(f"vpctune-vllm-launch: the base model could not be fetched: {e}\n")
        return 1
    os.environ.update(resolver_env(config))
    vllm = shutil.which("vllm")
    if vllm is None:
        sys.stderr.write("vpctune-vllm-launch: the vllm command is not installed in this image\n")
        return 1
    os.execv(vllm, [vllm, *args])
    return 1  # not reached

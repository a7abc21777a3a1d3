"""What makes a downloaded adapter servable: vLLM's LoRA layout (``adapter_config.json`` + ``adapter_model.safetensors``),
a LoRA (peft ``peft_type: LORA``) trained on the base model this server serves, of a rank the server was started for.
Every refusal is an ``AdapterRejected`` whose message names the adapter, the value and what is allowed."""

from __future__ import annotations

import json
import os

ADAPTER_CONFIG = "adapter_config.json"
ADAPTER_WEIGHTS = "adapter_model.safetensors"
REQUIRED_FILES = (ADAPTER_CONFIG, ADAPTER_WEIGHTS)


class AdapterRejected(ValueError):
    """The adapter exists but cannot be served here."""


def read_adapter_config(name: str, path: str) -> dict:
    try:
        with open(path, encoding="utf-8") as f:
            config = json.load(f)
    except (OSError, ValueError) as e:
        raise AdapterRejected(f"adapter {name!r}: {ADAPTER_CONFIG} is not readable JSON ({e})") from e
    if not isinstance(config, dict):
        raise AdapterRejected(f"adapter {name!r}: {ADAPTER_CONFIG} must be a JSON object")
    return config


def check_adapter_config(name: str, config: dict, served_base_model: str, max_lora_rank: int) -> None:
    peft_type = config.get("peft_type")
    if peft_type != "LORA":
        raise AdapterRejected(f"adapter {name!r} has peft_type {peft_type!r}; allowed: 'LORA'")
    base = config.get("base_model_name_or_path")
    if base != served_base_model:
        raise AdapterRejected(f"adapter {name!r} was trained on base model {base!r}; this server serves "
                              f"{served_base_model!r}")
    rank = config.get("r")
    if not isinstance(rank, int) or isinstance(rank, bool) or rank < 1:
        raise AdapterRejected(f"adapter {name!r} has rank (r) {rank!r}; allowed: a positive integer")
    if rank > max_lora_rank:
        raise AdapterRejected(f"adapter {name!r} has rank {rank}; this server's max LoRA rank is {max_lora_rank}")


def check_adapter_dir(name: str, directory: str, served_base_model: str, max_lora_rank: int) -> dict:
    """Checks a local adapter directory; returns its config."""
    missing = [f for f in REQUIRED_FILES if not os.path.isfile(os.path.join(directory, f))]
    if missing:
        raise AdapterRejected(f"adapter {name!r} lacks {', '.join(missing)}; an adapter needs {', '.join(REQUIRED_FILES)}")
    config = read_adapter_config(name, os.path.join(directory, ADAPTER_CONFIG))
    check_adapter_config(name, config, served_base_model, max_lora_rank)
    return config

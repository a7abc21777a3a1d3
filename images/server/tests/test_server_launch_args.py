"""vLLM's launch arguments from a serving config, checked against vLLM's documented flags (fixtures/vllm-serve-flags.json,
with its sources and date). vLLM itself is not installed or run here: the flags are checked against that list."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from vpctune_lora_resolver.launch_args import ALLOWED_MAX_LORA_RANKS, LaunchConfigError, resolver_env, vllm_args

FLAGS = json.loads((Path(__file__).parent / "fixtures" / "vllm-serve-flags.json").read_text())


def test_every_emitted_flag_is_a_documented_vllm_flag():
    # GIVEN a full serving config
    config = {"model": "s3://acme/platform/models/vpctune/tiny-chat/", "servedModelName": "vpctune/tiny-chat", "maxLoras": 8,
              "maxLoraRank": 64, "maxCpuLoras": 32, "port": 8080, "maxModelLen": 4096, "tensorParallelSize": 4,
              "modelsDir": "/var/cache/vpctune/models"}
    # WHEN its vLLM arguments are built for the downloaded copy of the model
    args = vllm_args(config, "/var/cache/vpctune/models/acme%2Fplatform%2Fmodels%2Fvpctune%2Ftiny-chat%2F")
    # THEN they are exactly these (the local copy, tensor parallel over the replica's 4 GPUs), every flag is in vLLM's
    # documented list, and the rank is one of vLLM's choices
    assert args == ["serve", "/var/cache/vpctune/models/acme%2Fplatform%2Fmodels%2Fvpctune%2Ftiny-chat%2F",
                    "--served-model-name", "vpctune/tiny-chat", "--port", "8080", "--tensor-parallel-size", "4",
                    "--enable-lora", "--max-loras", "8", "--max-lora-rank", "64", "--max-cpu-loras", "32",
                    "--max-model-len", "4096"]
    assert [a for a in args if a.startswith("--") and a not in FLAGS["flags"]] == []
    assert list(ALLOWED_MAX_LORA_RANKS) == FLAGS["max_lora_rank_choices"]
    assert resolver_env(config) == {"VPCTUNE_MAX_LORA_RANK": "64"}


def test_defaults():
    # GIVEN only a model
    # WHEN its arguments are built
    # THEN it is served under its own name on 8000 on one GPU with 4 LoRAs per batch, rank 16 and 16 in CPU memory
    assert vllm_args({"model": "m"}) == ["serve", "m", "--served-model-name", "m", "--port", "8000",
                                         "--tensor-parallel-size", "1", "--enable-lora",
                                         "--max-loras", "4", "--max-lora-rank", "16", "--max-cpu-loras", "16"]


@pytest.mark.parametrize("config,message", [
    ({"model": "m", "maxLoraRank": 24}, "maxLoraRank is 24; allowed: 1, 8, 16, 32, 64, 128, 256, 320, 512"),
    ({"model": "m", "maxLoras": 8, "maxCpuLoras": 4}, "maxCpuLoras is 4; allowed: an integer >= maxLoras (8)"),
    ({"model": "m", "maxLoras": 0}, "maxLoras is 0; allowed: an integer >= 1"),
    ({"model": "m", "port": 70000}, "port is 70000; allowed: an integer >= 1 and <= 65535"),
    ({"model": ""}, "model is ''; allowed: a non-empty string (the base model's directory, id or storage URL)"),
    ({"model": "m", "maxLoRAs": 2}, "maxLoRAs is not a serving config field; allowed: model, servedModelName, maxLoras, "
                                    "maxLoraRank, maxCpuLoras, port, maxModelLen, tensorParallelSize, modelsDir"),
    ({"model": "m", "tensorParallelSize": 0}, "tensorParallelSize is 0; allowed: an integer >= 1 and <= 64"),
    ({"model": "m", "tensorParallelSize": "2"}, "tensorParallelSize is '2'; allowed: an integer >= 1 and <= 64"),
    ({"model": "m", "modelsDir": "models"}, "modelsDir is 'models'; allowed: an absolute directory path"),
    ({"model": "gs://b/models/m/"}, "servedModelName is missing; allowed: the id clients use, required when model is a "
                                    "storage URL (gs://b/models/m/)"),
])
def test_bad_configs_name_the_field_the_value_and_what_is_allowed(config, message):
    # GIVEN a config with one bad field
    # WHEN its arguments are built
    with pytest.raises(LaunchConfigError) as e:
        vllm_args(config)
    # THEN the error names the field, the value and what is allowed
    assert str(e.value) == message

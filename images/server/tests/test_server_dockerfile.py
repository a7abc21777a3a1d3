"""The serving Dockerfile cannot be built here (no network, no GPU base layers); this checks it statically."""

from __future__ import annotations

import re

from server_testlib import SERVER

DOCKERFILE = (SERVER / "Dockerfile").read_text()


def _instructions():
    text = re.sub(r"\\\n", " ", DOCKERFILE)
    return [l.strip() for l in text.splitlines() if l.strip() and not l.strip().startswith("#")]


def test_base_is_vllms_openai_server_pinned_by_tag():
    # GIVEN the Dockerfile
    froms = [i.split()[1] for i in _instructions() if i.upper().startswith("FROM ")]
    # THEN it has one FROM, vllm/vllm-openai at an exact version tag (never latest), and says how to pin its digest
    assert len(froms) == 1 and re.fullmatch(r"vllm/vllm-openai:v\d+\.\d+\.\d+(@sha256:[0-9a-f]{64})?", froms[0])
    assert "docker buildx imagetools inspect vllm/vllm-openai:v0.22.1" in DOCKERFILE


def test_installs_the_resolver_and_enables_runtime_lora_loading():
    # GIVEN the Dockerfile's instructions
    text = " ".join(_instructions())
    # THEN it installs the resolver package with the cloud SDK extras, enables runtime LoRA updates and names our plugin
    assert 'pip install --no-cache-dir "/opt/vpctune/vpctune_lora_resolver[s3,gcs,azure]"' in text
    env = dict(re.findall(r"(\w+)=(\S+)", " ".join(i for i in _instructions() if i.startswith("ENV "))))
    assert env["VLLM_ALLOW_RUNTIME_LORA_UPDATING"] == "True"
    assert env["VLLM_PLUGINS"] == "vpctune_lora_resolver"
    assert env["VPCTUNE_LORA_CACHE_DIR"] == "/var/cache/vpctune/adapters"
    assert env["VPCTUNE_LORA_CACHE_MAX_BYTES"] == str(20 * 1024**3)


def test_runs_as_non_root_with_the_launcher_and_no_credentials():
    # GIVEN the Dockerfile
    users = re.findall(r"^USER\s+(\S+)", DOCKERFILE, re.M)
    # THEN it runs as uid 10001 (created in the image), starts vpctune-vllm-launch, and bakes in no secrets
    assert users == ["10001"] and "--uid 10001" in DOCKERFILE
    assert re.search(r'^ENTRYPOINT \["vpctune-vllm-launch"\]$', DOCKERFILE, re.M)
    for i in _instructions():
        if i.upper().startswith(("ENV ", "ARG ")):
            for name in re.findall(r"([A-Za-z_][A-Za-z0-9_]*)=", i):
                assert not re.search(r"(SECRET|PASSWORD|TOKEN|ACCESS_KEY|CONNECTION_STRING|API_KEY|CREDENTIAL)", name), name

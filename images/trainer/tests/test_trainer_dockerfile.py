"""The CUDA Dockerfile cannot be built on CI machines (no GPU base layers, no network); this checks what can be
checked statically: pinned bases, pinned requirements including the GPU-only ones, non-root, no credentials,
entrypoint the package CLI, and pins that agree with the CPU environment the tests run in."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

TRAINER = Path(__file__).resolve().parents[1]
DOCKERFILE = (TRAINER / "Dockerfile").read_text()


def _instructions():
    text = re.sub(r"\\\n", " ", DOCKERFILE)
    return [l.strip() for l in text.splitlines() if l.strip() and not l.strip().startswith("#")]


def _pins(path: Path) -> dict[str, str]:
    pins = {}
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            assert re.fullmatch(r"[A-Za-z0-9_.\-\[\]]+==[A-Za-z0-9_.+\-]+", line), f"not an exact pin: {line!r}"
            name, version = line.split("==")
            pins[name.lower().replace("_", "-")] = version
    return pins


def test_base_images_are_pinned_cuda_tags():
    """Given the Dockerfile, then every FROM names an nvidia/cuda image by an exact version tag (never latest or
    an untagged name), and build and runtime stages use the same CUDA version."""
    froms = [i.split()[1] for i in _instructions() if i.upper().startswith("FROM ")]
    assert len(froms) == 2
    for image in froms:
        assert re.fullmatch(r"nvidia/cuda:\d+\.\d+\.\d+-cudnn-(devel|runtime)-ubuntu\d\d\.\d\d", image), image
        assert "latest" not in image
    assert {f.split(":")[1].split("-")[0] for f in froms} == {"12.8.1"}


def test_runs_as_non_root_with_the_cli_entrypoint():
    """Given the final stage, then the last USER is a numeric non-zero uid created in the image, and the entrypoint
    is `python -m vpctune_trainer`."""
    final = DOCKERFILE.split("FROM ")[-1]
    users = re.findall(r"^USER\s+(\S+)", final, re.M)
    assert users and users[-1].split(":")[0].isdigit() and users[-1].split(":")[0] != "0"
    assert f"--uid {users[-1].split(':')[0]}" in final
    assert re.search(r'^ENTRYPOINT \["python", "-m", "vpctune_trainer"\]$', final, re.M)


def test_no_credentials_baked_in():
    """Given the Dockerfile, then no ENV/ARG carries a key, secret, token or password, and nothing installs from
    an index URL with embedded credentials."""
    for i in _instructions():
        if i.upper().startswith(("ENV ", "ARG ")):
            for name in re.findall(r"([A-Za-z_][A-Za-z0-9_]*)=", i):
                assert not re.search(r"(SECRET|PASSWORD|TOKEN$|ACCESS_KEY|CONNECTION_STRING|API_KEY|CREDENTIAL)",
                                     name, re.I), name
    assert not re.search(r"https?://[^/\s]+:[^@\s]+@", DOCKERFILE)
    assert "latest" not in DOCKERFILE


def test_requirements_are_exact_pins_including_gpu_only_packages():
    """Given the CUDA requirements, then every line is an exact == pin, bitsandbytes and flash-attn are pinned,
    the framework pins (torch, transformers, peft, trl, accelerate, datasets, tokenizers, safetensors) equal the
    CPU environment's, and the Dockerfile installs both files."""
    cuda = _pins(TRAINER / "requirements-cuda.txt")
    flash = _pins(TRAINER / "requirements-flash-attn.txt")
    cpu = _pins(TRAINER / "requirements-cpu.txt")
    assert "bitsandbytes" in cuda and "flash-attn" in flash
    for pkg in ("transformers", "peft", "trl", "accelerate", "datasets", "tokenizers", "safetensors", "numpy"):
        assert cuda[pkg] == cpu[pkg], pkg
    assert cuda["torch"].split("+")[0] == cpu["torch"].split("+")[0]
    assert "requirements-cuda.txt" in DOCKERFILE and "requirements-flash-attn.txt" in DOCKERFILE
    assert cpu["openai"] == "3.22.1"  # the controller's end-to-end test uses the Python SDK from this venv


def test_pyproject_pins_match_requirements():
    """Given pyproject.toml, then its dependencies are exact pins equal to requirements-cpu.txt (torch without the
    local +cpu tag) and its extras pin the GPU and cloud packages like requirements-cuda.txt."""
    project = tomllib.loads((TRAINER / "pyproject.toml").read_text())["project"]
    cpu = _pins(TRAINER / "requirements-cpu.txt")
    cuda = _pins(TRAINER / "requirements-cuda.txt")
    for dep in project["dependencies"]:
        name, version = dep.split("==")
        assert cpu[name.lower().replace("_", "-")].split("+")[0] == version, dep
    extras = {d.split("==")[0]: d.split("==")[1] for v in project["optional-dependencies"].values() for d in v}
    assert extras["bitsandbytes"] == cuda["bitsandbytes"]
    assert extras["google-cloud-storage"] == cuda["google-cloud-storage"]
    assert extras["azure-storage-blob"] == cuda["azure-storage-blob"]
    assert extras["flash-attn"] == _pins(TRAINER / "requirements-flash-attn.txt")["flash-attn"]

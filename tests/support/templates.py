"""llama.cpp's collection of real chat templates, read from the llama-cpp-python sdist that
scripts/setup keeps in .venv/sdist (vendor/llama.cpp/models/templates/*.jinja)."""

import functools
import sys
import tarfile
from pathlib import Path

SDIST = Path(sys.prefix) / "sdist" / "llama_cpp_python-0.3.36.tar.gz"
FOLDER = "vendor/llama.cpp/models/templates/"


@functools.cache
def real_templates() -> dict[str, str]:
    """name (file stem) -> template text; a missing sdist fails (scripts/setup makes it)."""
    if not SDIST.exists():
        raise FileNotFoundError(f"{SDIST} is missing: run scripts/setup")
    found = {}
    with tarfile.open(SDIST) as archive:
        for member in archive.getmembers():
            name = member.name.split("/", 1)[-1]
            if name.startswith(FOLDER) and name.endswith(".jinja"):
                found[Path(name).stem] = archive.extractfile(member).read().decode("utf-8")
    return dict(sorted(found.items()))

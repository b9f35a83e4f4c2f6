"""Write a GGUF model as a Hugging Face folder (safetensors, config, tokenizer, chat template).

Run by scripts/vllm-setup with vLLM's venv: vLLM loads the folder, ponder reads its tokenizer
and chat template. transformers dequantizes the GGUF on load, but keeps a quantization_config
that save_pretrained refuses, so the weights move into a fresh model built from the config.
Usage: python scripts/gguf_to_hf.py MODEL.gguf OUT_DIR
"""

import sys
from pathlib import Path

from transformers import AutoConfig, AutoModelForCausalLM, AutoTokenizer


def main(gguf: Path, out: Path) -> None:
    kwargs = {"gguf_file": gguf.name}
    loaded = AutoModelForCausalLM.from_pretrained(gguf.parent, **kwargs)
    config = AutoConfig.from_pretrained(gguf.parent, **kwargs)
    config.__dict__.pop("quantization_config", None)
    model = AutoModelForCausalLM.from_config(config)
    model.load_state_dict(loaded.state_dict())
    model.save_pretrained(out)
    AutoTokenizer.from_pretrained(gguf.parent, **kwargs).save_pretrained(out)


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))

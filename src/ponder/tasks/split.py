"""Train and eval problems never overlap: a stable hash of the problem decides its side.

Generators draw freely and then keep only problems of the asked split, so however many
problems either side draws, no eval problem can ever appear in training data.
"""

from __future__ import annotations

import hashlib

EVAL_SHARE = 10  # one problem in ten belongs to eval


def split_of(task: str, key: tuple) -> str:
    digest = hashlib.blake2b(repr((task, key)).encode(), digest_size=8).digest()
    return "eval" if int.from_bytes(digest, "big") % EVAL_SHARE == 0 else "train"

"""A reasoning-gym dataset as an eval task: generated offline, scored by the dataset itself.

reasoning-gym's own evaluations ask for the answer between <answer> tags (its "default"
system prompt), read the last such tag, and score with the dataset's score_answer, which
may give partial credit; only a full score (1.0) counts as correct here. When a reply has no
tag but the reference answer is a number, the number the reply commits to is scored instead
(ponder.answers), so a small model that forgets the tags is not marked wrong for format
alone on arithmetic.
"""

from __future__ import annotations

from ponder.errors import InvalidOption
from ponder import answers
from ponder.eval.sources import GYM_PREFIX, EvalTask, Item


def gym_task(dataset_name: str, n: int, seed: int) -> EvalTask:
    gym = _import_gym()
    try:
        dataset = gym.create_dataset(dataset_name, size=n, seed=seed)
    except (ValueError, KeyError, TypeError) as error:
        raise InvalidOption("task", f"reasoning-gym dataset {dataset_name!r}: {error}") from None
    items = [Item(entry["question"], str(entry["answer"]), entry) for entry in dataset]

    def check(answer: str | None, item: Item) -> bool:
        try:
            return answer is not None and dataset.score_answer(answer=answer, entry=item.entry) >= 1.0
        except Exception:  # a scorer that chokes on a strange reply has been given a wrong answer
            return False

    system = gym.utils.SYSTEM_PROMPTS["default"]
    return EvalTask(GYM_PREFIX + dataset_name, items, extract_gym, check, system)


def extract_gym(content: str, item: Item) -> str | None:
    """The last <answer> tag's text, as reasoning-gym reads it; else a number, for numeric answers."""
    from reasoning_gym.utils import extract_answer

    tagged = extract_answer(content)
    if tagged is not None or answers.parse_number(item.expected) is None:
        return tagged
    return answers.extract_number(content)


def _import_gym():
    try:
        import reasoning_gym
        import reasoning_gym.utils
    except ImportError:
        raise InvalidOption("task", "gym: tasks need the reasoning-gym package: pip install 'ponder[eval]'") from None
    return reasoning_gym

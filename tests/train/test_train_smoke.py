"""`ponder train --recipe tiny`: the whole recipe, end to end, in seconds, on the real engine."""

import json

import pytest

from ponder.cli.main import main
from ponder.config import EngineConfig, TurnOptions
from ponder.runtime import Runtime
from ponder.train.recall import main as recall_main
from ponder.types import Message, Role

pytestmark = pytest.mark.model


def test_tiny_recipe_trains_exports_and_serves(tmp_path, capsys):
    out = tmp_path / "run"
    main(["train", "--recipe", "tiny", "--out", str(out), "--quiet"])
    assert "trained in" in capsys.readouterr().out
    summary = json.loads((out / "summary.json").read_text())
    assert summary["sft"]["round1"]["steps"] > 0 and summary["sft"]["round2"]["steps"] > 0
    assert summary["rl"]["steps"] == 2
    stages = [json.loads(line)["stage"] for line in (out / "train-log.jsonl").read_text().splitlines()]
    assert stages[0] == "data" and "data2" in stages and "sft" in stages
    assert stages.count("rl") == 2 and stages[-1] == "done"
    # RL checks the policy before its first step and after each, and keeps the best-checking weights
    assert stages.count("rl-check") == 3 and "rl-kept" in stages
    assert summary["rl"]["kept_step"] in (0, 1, 2) and summary["rl"]["check_problems"] == 4
    # it trains on the add and sub problems (of 4 each) it gets wrong, and checks every task,
    # each scored on its own
    records = [json.loads(line) for line in (out / "train-log.jsonl").read_text().splitlines()]
    screens = [r for r in records if r["stage"] == "rl-screen"]
    assert [(s["task"], s["screened"]) for s in screens] == [("add", 4), ("sub", 4)]
    assert all(0 <= s["wrong"] <= 4 for s in screens)
    assert set(summary["rl"]["check_tasks_kept"]) == {"add", "sub", "mul", "word"}
    assert all(set(r["tasks"]) == {"add", "sub", "mul", "word"} for r in records if r["stage"] == "rl-check")
    for name in ("ponder-reasoner-sft.gguf", "ponder-reasoner.gguf", "sft-round1.pt", "sft.pt", "rl.pt"):
        assert (out / name).stat().st_size > 0
    with Runtime.load(EngineConfig(model=str(out / "ponder-reasoner.gguf"), n_ctx=256)) as runtime:
        assert runtime.format.native and runtime.format.open == "<think>"
        result = runtime.respond([Message(Role.USER, "What is 2 + 3?")],
                                 TurnOptions(reasoning_budget=8, max_completion_tokens=16, seed=0)).collect()
    assert result.usage.completion_tokens <= 16
    recall_main([str(out / "rl.pt"), "--recipe", "tiny", "--task", "add", "--n", "2"])
    printed = capsys.readouterr().out
    assert "add, 2 problems: trace tokens" in printed and "fact digits" in printed
    # an exported reasoner trains on: its weights in place of round 1, then the further rounds,
    # and with no RL steps (as the sft-control recipe) only RL's check of them
    again = tmp_path / "again"
    main(["train", "--recipe", "tiny", "--out", str(again), "--from-gguf", str(out / "ponder-reasoner-sft.gguf"),
          "--rl-steps", "0", "--quiet"])
    continued = json.loads((again / "summary.json").read_text())
    assert continued["sft"]["from"].endswith("ponder-reasoner-sft.gguf") and "round1" not in continued["sft"]
    assert continued["sft"]["round2"]["steps"] > 0 and continued["rl"]["steps"] == 0
    assert continued["rl"]["kept_step"] == 0 and continued["rl"]["solved_first_10"] is None
    stages = [json.loads(line)["stage"] for line in (again / "train-log.jsonl").read_text().splitlines()]
    assert "rl" not in stages and stages.count("rl-check") == 1
    assert (again / "ponder-reasoner.gguf").stat().st_size > 0


def test_train_rejects_a_file_as_output_folder(tmp_path, capsys):
    target = tmp_path / "file"
    target.write_text("x")
    with pytest.raises(SystemExit) as done:
        main(["train", "--recipe", "tiny", "--out", str(target)])
    assert done.value.code != 0
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("ponder: error:")

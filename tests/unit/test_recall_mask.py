"""Which trace tokens count as digit facts for the teacher-forced recall measure; its command line."""

import pytest

from ponder.train.recall import fact_mask, main


def marked(text: str) -> str:
    chars = list(text)
    return "".join(c if f else "." for c, f in zip(chars, fact_mask(chars)))


def test_the_results_of_column_steps_are_facts():
    assert marked("868*2: 8*2=16, 16+0=16 -> 6\n") == "...........16.......16......"


def test_headers_shifts_final_lines_and_the_running_result_are_not():
    assert set(marked("868*82:\n6944*10=69440\nso 868*82=71176\n4+0: 4+0+1=5 -> 5188\n").replace("\n", "")) <= {".", "5"}
    assert marked("4+0: 4+0+1=5 -> 5188\n") == "...........5........."


def test_multi_character_tokens_count_by_where_they_start():
    assert fact_mask(["7*3", "=", "21", ",", " 21", "+1=", "22", " ->", " 2292"]) == \
        [False, False, True, False, False, False, True, False, False]


def test_a_missing_checkpoint_is_one_line_not_a_traceback(capsys, tmp_path):
    with pytest.raises(SystemExit) as exit_info:
        main([str(tmp_path / "nope.pt")])
    assert exit_info.value.code == 2
    assert f"checkpoint not found: {tmp_path / 'nope.pt'}" in capsys.readouterr().err

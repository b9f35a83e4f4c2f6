"""The in-process engine's per-token loop behind the segment contract, without an engine."""

from ponder.engine.base import Segment, Stop
from ponder.engine.cursor import SegmentCursor, Step

PIECES = {1: b"a", 2: b"</", 3: b"think", 4: b">", 5: b" b", 9: b"<end>"}
END = 9


class Pieces:
    def piece(self, token):
        return PIECES[token]

    def is_eog(self, token):
        return token == END


class Scripted:
    """A controller whose segments are given in advance; it records what it hears."""

    def __init__(self, *segments):
        self.segments, self.tokens, self.ends = list(segments), [], []

    def first_segment(self):
        return self.segments.pop(0)

    def on_token(self, token, logprobs=None):
        self.tokens.append(token)

    def on_segment_end(self, end):
        self.ends.append(end)
        return self.segments.pop(0) if self.segments else None


def feed(cursor, tokens):
    return [cursor.on_sampled(token) for token in tokens]


def test_a_token_limit_ends_the_segment_and_the_next_forces_its_tokens():
    controller = Scripted(Segment(2), Segment(5, forced=(4, 4)))
    steps = feed(SegmentCursor(controller, Pieces()), [1, 1])
    assert steps == [Step((1,)), Step((1, 4, 4))]
    assert controller.ends[0].reason is Stop.LENGTH and controller.ends[0].tokens == (1, 1)


def test_a_stop_string_split_across_tokens_is_found_and_located():
    controller = Scripted(Segment(10, stop=("</think>",)))
    cursor = SegmentCursor(controller, Pieces())
    steps = feed(cursor, [1, 5, 2, 3, 4])
    end = controller.ends[0]
    assert (end.reason, end.stop, end.stop_start, end.tokens) == (Stop.STOP, "</think>", 2, (1, 5, 2, 3, 4))
    assert steps[-1] == Step((4,), done=True)


def test_taking_back_a_stop_string_drops_the_token_just_sampled_first():
    # think_longer: the marker sampled too early is taken back (3 tokens), "a" forced instead
    controller = Scripted(Segment(10, stop=("</think>",)), Segment(10, forced=(1,), rewind=3))
    steps = feed(SegmentCursor(controller, Pieces()), [5, 2, 3, 4])
    assert steps[-1] == Step((1,), rewind=2)  # ">" never went in; "</" and "think" come out


def test_an_end_token_is_never_appended_and_min_tokens_bans_it():
    controller = Scripted(Segment(10, min_tokens=2))
    cursor = SegmentCursor(controller, Pieces())
    assert cursor.forbid_end
    assert feed(cursor, [1]) == [Step((1,), forbid_end=True)]
    assert feed(cursor, [1]) == [Step((1,), forbid_end=False)]
    assert feed(cursor, [END]) == [Step(done=True)]
    assert controller.ends[0].reason is Stop.END and controller.ends[0].tokens == (1, 1)


def test_after_an_end_token_a_segment_that_bans_it_samples_again():
    controller = Scripted(Segment(10), Segment(10, min_tokens=1))
    assert feed(SegmentCursor(controller, Pieces()), [END]) == [Step(resample=True, forbid_end=True)]


def test_a_segment_of_forced_tokens_only_hands_its_sample_to_the_next():
    controller = Scripted(Segment(0, forced=(4,)), Segment(3))
    cursor = SegmentCursor(controller, Pieces())
    assert cursor.start == (4,)
    assert feed(cursor, [1]) == [Step((1,))]
    assert controller.ends[0].tokens == () and controller.tokens == [1]  # the second segment's first token


def test_a_controller_done_before_it_starts_ends_at_the_first_sample():
    class Done(Scripted):
        def first_segment(self):
            return None

    assert feed(SegmentCursor(Done(), Pieces()), [1]) == [Step(done=True)]

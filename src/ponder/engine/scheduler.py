"""One engine step: every live sequence advances in a single llama_decode.

Running sequences contribute their one pending token first, then prompts fill what is left of
the batch in chunks, so a long prompt never stalls the streams already running. After the
decode, each sequence whose last pending token was evaluated gets a sample from its own
sampler chain, and its controller says what to append next.

Warm-ups (canonical re-prefill of a finished turn's history) are sequences without samples
that run only when nothing else has work, and give way, cells kept, as soon as a request
comes. What to run is decided by engine/planner.py; this module carries it out with
llama.cpp. Runs on the engine thread only. It knows nothing about reasoning: controllers decide
everything about content.
"""

from __future__ import annotations

import llama_cpp as ll

from ponder.engine.base import EndReason
from ponder.engine.cursor import Step
from ponder.engine.kvcache import Claim, Slot, SlotTable, spoken
from ponder.engine.llama_model import LoadedModel
from ponder.engine.logprobs import token_logprobs
from ponder.engine.sampler import Sampler
from ponder.engine.planner import plan_admission, plan_batch, preempted, superseded, to_preempt
from ponder.engine.sequence import Request, Resume, Sequence
from ponder.engine.shift import shift_out


class Scheduler:
    def __init__(self, loaded: LoadedModel, n_batch: int, n_slots: int, end_tokens: tuple[int, ...],
                 reuse: bool = True, shift_reeval: int = 0):
        self.loaded, self.n_batch, self.end_tokens = loaded, n_batch, end_tokens
        self.shift_reeval = shift_reeval
        self.n_vocab = ll.llama_vocab_n_tokens(loaded.vocab)
        self.window, self.pool = loaded.info.n_ctx, loaded.info.kv_cells
        self.memory = ll.llama_get_memory(loaded.ctx)
        self.batch = ll.llama_batch_init(n_batch, 0, 1)
        self.slots = SlotTable(n_slots, reuse)
        self.waiting: list[Request] = []
        self.live: list[Sequence] = []
        self.preemptions = 0  # sequences sent back to the queue for want of cells

    @property
    def busy(self) -> bool:
        return bool(self.live or self.waiting)

    def submit(self, request: Request) -> None:
        if request.warm:
            for old in superseded(self.waiting, request, len(self.slots.slots)):
                self.waiting.remove(old)
        self.waiting.append(request)

    def step(self) -> None:
        self._admit()
        self._end_cancelled()
        plan = self._plan()
        if plan:
            self._run(plan)

    def fail_all(self, error: str) -> None:
        """End every live sequence with an error; the engine keeps serving new requests."""
        for seq in list(self.live):
            self._end(seq, EndReason.ERROR, error)

    def close(self) -> None:
        for seq in list(self.live):
            self._end(seq, EndReason.CANCELLED)
        for request in self.waiting:
            request.controller.on_end(EndReason.CANCELLED)
        self.waiting.clear()
        ll.llama_batch_free(self.batch)

    # ---- admission and ending ----

    def _admit(self) -> None:
        def start(request: Request, claim: Claim) -> None:
            self.waiting.remove(request)
            self._start(request, claim)

        for seq in preempted(self.waiting, self.live):
            self._end(seq, EndReason.CANCELLED)  # real work first; its cells stay cached
        plan = plan_admission(self.waiting, self.live, self.slots, start, self.pool)
        for request in plan.cancelled:
            self.waiting.remove(request)
            request.controller.on_end(EndReason.CANCELLED)
        for request in plan.warm_ups:
            # A warm-up cuts the finished turn's cells in place rather than copying them: its
            # answer then lands in the freed cells, in position order, as in a cold run
            # (attention sums cells in cache order: this is what keeps re-prefill bit-exact).
            self.waiting.remove(request)  # first: a warm-up that fails is not tried again
            try:
                claim = self._refresh(request)
            except Exception:  # only an optimisation: dropped, and the turn's cells (maybe half cut) forgotten
                turn = self.slots.finished_turn(request.prompt, spoken(request.prompt, self.end_tokens))
                if turn is not None:
                    self._forget(turn)
                continue
            if claim is not None:  # a warm-up whose turn lost its cells is dropped
                self._start(request, claim)

    def _refresh(self, request: Request) -> Claim | None:
        said = spoken(request.prompt, self.end_tokens)
        cut = self._shift(request.prompt, said) if request.cut else None
        return self.slots.refresh(request.prompt, cut, said)

    def _start(self, request: Request, claim: Claim) -> None:
        """Start request in its claimed slot; a failure fails this request only, and frees the slot."""
        try:
            self._begin(request, claim)
        except Exception as error:
            why = f"starting the sequence failed: {type(error).__name__}: {error}"
            seq = next((s for s in self.live if s.request is request), None)
            if seq is not None:
                self._end(seq, EndReason.ERROR, why)
            else:
                self._forget(claim.slot)
                claim.slot.busy = False
                self._tell_end(request, EndReason.ERROR, why)

    def _begin(self, request: Request, claim: Claim) -> None:
        slot = claim.slot
        if not self.slots.reuse:  # nothing is reused: keep no cells, every prompt starts cold
            for idle in [s for s in self.slots.slots if not s.busy]:
                self._forget(idle)
        if claim.source is not None:
            ll.llama_memory_seq_rm(self.memory, slot.seq_id, -1, -1)
            ll.llama_memory_seq_cp(self.memory, claim.source.seq_id, slot.seq_id, 0, claim.copy)
            self.slots.copy(claim.source, slot, claim.copy)
        else:
            ll.llama_memory_seq_rm(self.memory, slot.seq_id, claim.keep, -1)
            self.slots.truncate(slot, claim.keep)
        if not request.warm:  # a warm-up's slot keeps its turn's history: a repeat may still replace the answer
            slot.history = request.history or len(request.prompt)
        slot.turn = 0  # until it ends, the slot holds no finished turn
        if request.resume is not None:  # preempted: its prompt is all it had; it samples on
            seq = Sequence(request, slot, request.resume.sampler, request.prompt[claim.cached :],
                           request.resume.forbid_end)
            self.live.append(seq)
            return
        sampler = None if request.warm else Sampler(request.sampling, self.n_vocab, self.end_tokens, self.loaded.vocab)
        pending = request.prompt[claim.cached :] + list(request.controller.start)
        seq = Sequence(request, slot, sampler, pending, request.controller.forbid_end)
        self.live.append(seq)
        request.controller.on_prefilled(len(request.prompt), claim.cached)
        if request.warm and not seq.pending:
            self._end(seq, EndReason.DONE)

    def _shift(self, history: list[int], said: list[int]) -> Slot | None:
        """kv_reuse="shift": cut the finished turn's reasoning out of its slot, in place; that slot."""
        slot = self.slots.finished_turn(history, said)
        if slot is None:
            return None  # evicted or reused meanwhile: the warm-up re-prefills exactly instead
        # The sequence after the slots' is the scratch (EngineConfig.scratch_sequences).
        scratch = len(self.slots.slots) if self.shift_reeval else None
        if not shift_out(self.memory, self.slots, slot, scratch, history, said, self.shift_reeval, self._decode_now):
            return None
        return slot

    def _decode_now(self, seq_id: int, tokens: list[int], start: int) -> None:
        for offset in range(0, len(tokens), self.n_batch):
            chunk = tokens[offset : offset + self.n_batch]
            for i, token in enumerate(chunk):
                self.batch.token[i], self.batch.pos[i] = token, start + offset + i
                self.batch.n_seq_id[i], self.batch.seq_id[i][0], self.batch.logits[i] = 1, seq_id, False
            self.batch.n_tokens = len(chunk)
            if ll.llama_decode(self.loaded.ctx, self.batch) != 0:
                raise RuntimeError("llama_decode failed while re-evaluating shifted answer tokens")

    def _end_cancelled(self) -> None:
        for seq in [s for s in self.live if s.request.cancelled.is_set()]:
            self._end(seq, EndReason.CANCELLED)

    def _end(self, seq: Sequence, reason: EndReason, error: str | None = None) -> None:
        self.live.remove(seq)
        if seq.sampler is not None:
            seq.sampler.free()
        if reason in (EndReason.ERROR, EndReason.CONTEXT_FULL):
            self._forget(seq.slot)  # after a failed decode its cells are not to be trusted
        elif reason is EndReason.CANCELLED and not seq.request.warm:
            self._forget(seq.slot)  # an abandoned generation frees its cells at once
        seq.slot.busy = False
        if not seq.request.warm:
            seq.slot.touch()
            if reason is EndReason.DONE:  # it holds a finished turn: its prompt, then what it generated
                seq.slot.turn = len(seq.request.prompt)
        self._tell_end(seq.request, reason, error)

    @staticmethod
    def _tell_end(request: Request, reason: EndReason, error: str | None) -> None:
        try:
            request.controller.on_end(reason, error)
        except Exception:  # a broken controller must not take the engine down (TurnLoop reports its own)
            pass

    def _preempt(self, seq: Sequence) -> None:
        """Out of cells: seq goes back to the front of the queue with everything it has (prompt
        and generated tokens), its cells freed; readmitted, it is recomputed and samples on."""
        self.live.remove(seq)
        request = seq.request
        resumed = Request(seq.slot.tokens + seq.pending, request.sampling, request.controller, request.history,
                          cancelled=request.cancelled, reserve=request.reserve,
                          resume=Resume(seq.sampler, seq.forbid_end), arrival=request.arrival)
        self._forget(seq.slot)
        seq.slot.busy = False
        self.waiting.insert(0, resumed)
        self.preemptions += 1

    # ---- one decode ----

    def _plan(self) -> list[tuple[Sequence, list[int]]]:
        """(sequence, tokens to evaluate now) for this step, within n_batch, the window and the
        pool: idle prefixes are evicted first, then the youngest sequences preempted."""
        while True:
            plan, full = plan_batch(self.live, self.n_batch, self.window)
            for seq in full:
                self._end(seq, EndReason.CONTEXT_FULL)
            needed = sum(len(chunk) for _, chunk in plan)
            for victim in self.slots.plan_evictions(needed, self.pool):
                self._forget(victim)
            shortfall = self.slots.cached_cells() + needed - self.pool
            victims = to_preempt(self.live, shortfall) if shortfall > 0 else []
            if not victims:
                return plan  # fits (or one sequence alone is over the pool: its decode says so)
            for seq in victims:
                self._preempt(seq)

    def _forget(self, slot: Slot) -> None:
        ll.llama_memory_seq_rm(self.memory, slot.seq_id, -1, -1)
        self.slots.truncate(slot, 0)

    def _run(self, plan: list[tuple[Sequence, list[int]]]) -> None:
        outputs = self._fill(plan)
        status = ll.llama_decode(self.loaded.ctx, self.batch)
        if status != 0:
            reason = EndReason.CONTEXT_FULL if status == 1 else EndReason.ERROR
            for seq, _ in plan:
                self._end(seq, reason, f"llama_decode returned {status}")
            return
        for seq, chunk in plan:
            self.slots.extend(seq.slot, chunk)
            del seq.pending[: len(chunk)]
            if seq.request.warm and not seq.pending:
                self._end(seq, EndReason.DONE)
        for seq, index in outputs:
            self._sample(seq, index)

    def _fill(self, plan: list[tuple[Sequence, list[int]]]) -> list[tuple[Sequence, int]]:
        batch, outputs, i = self.batch, [], 0
        for seq, chunk in plan:
            start = len(seq.slot.tokens)
            for offset, token in enumerate(chunk):
                batch.token[i], batch.pos[i] = token, start + offset
                batch.n_seq_id[i], batch.seq_id[i][0] = 1, seq.slot.seq_id
                last = offset == len(chunk) - 1 and len(chunk) == len(seq.pending) and not seq.request.warm
                batch.logits[i] = last
                if last:
                    outputs.append((seq, i))
                i += 1
        batch.n_tokens = i
        return outputs

    def _sample(self, seq: Sequence, index: int) -> None:
        step = Step(resample=True, forbid_end=seq.forbid_end)
        while step.resample:  # again from the same logits (an end token came where the segment bans it)
            segment = seq.request.controller.segment  # a constrained one samples under its grammar
            try:
                token = seq.sampler.sample(self.loaded.ctx, index, step.forbid_end, segment.grammar, segment)
            except ValueError as error:  # a grammar llama.cpp refuses (checked on arrival: should not come)
                self._end(seq, EndReason.ERROR, str(error))
                return
            sampling = seq.request.sampling
            try:
                logprobs = (token_logprobs(self.loaded.ctx, index, self.n_vocab, token, sampling.probe)
                            if sampling.logprobs or sampling.probe else None)
                step = seq.request.controller.on_sampled(token, logprobs)
            except Exception as error:  # report a controller bug to its caller, keep serving
                self._end(seq, EndReason.ERROR, f"{type(error).__name__}: {error}")
                return
        if step.done:
            self._end(seq, EndReason.DONE)
            return
        if step.rewind:
            self._rewind(seq, step.rewind)
        if not step.append:
            self._end(seq, EndReason.ERROR, "the segment took tokens back and appended nothing to sample from")
        else:
            seq.pending, seq.forbid_end = list(step.append), step.forbid_end

    def _rewind(self, seq: Sequence, count: int) -> None:
        """Take back the sequence's last count tokens (all evaluated: a sample comes after them)."""
        keep = len(seq.slot.tokens) - count
        assert keep >= len(seq.request.prompt), "a segment takes back only what was generated"
        ll.llama_memory_seq_rm(self.memory, seq.slot.seq_id, keep, -1)
        self.slots.truncate(seq.slot, keep)

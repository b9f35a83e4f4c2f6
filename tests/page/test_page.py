"""The page as a person uses it, in headless Chromium: a conversation whose context timeline
matches the API's numbers, stop, model output that stays text, the API key prompt, tasks,
strategies, tool steps, conversations, and the phone-width layout."""

import os
import time
from pathlib import Path

from support.browser import opened
from support.serving import API_KEY

TERMINAL = "['completed', 'incomplete', 'failed', 'cancelled']"
PAYLOAD = "<img src=x onerror=alert(1)>"
LONG = "List every number from 1 to 2000, one per line."


def settings(page, effort="minimal", max_tokens="96", strategy=""):
    page.select_option("#effort", effort)
    page.select_option("#strategy", strategy)
    page.fill("#max-tokens", max_tokens)


def long_turns(page):
    """Settings under which a turn surely runs for seconds: think_longer at effort medium keeps
    the model reasoning for at least half of 1,024 tokens (a plain answer may end at any token:
    asked for 2,000 numbers, the model once stopped after 69)."""
    settings(page, effort="medium", max_tokens="1500", strategy="think_longer")


def wait_for_reasoning(page, chars):
    """Until the newest turn has streamed more than chars characters of reasoning (the first
    turn's own short reasoning must not stand in for it: CI once waited on that for a minute)."""
    page.wait_for_function("chars => { const turns = document.querySelectorAll('article.turn'); "
                           "const text = turns.length && turns[turns.length - 1].querySelector('.reasoning-text'); "
                           "return !!text && text.textContent.length > chars; }", arg=chars, timeout=60_000)


def ask(page, text, turn):
    """Type and press Enter; wait until the turn-th turn has ended; its response id."""
    page.fill("#input", text)
    page.press("#input", "Enter")
    page.wait_for_function(f"n => {{ const t = document.querySelectorAll('article.turn')[n - 1]; "
                           f"return t && {TERMINAL}.includes(t.dataset.state); }}", arg=turn, timeout=120_000)
    return page.locator("article.turn").nth(turn - 1).get_attribute("data-response-id")


def parts(page, turn):
    """The timeline row of a turn: tokens per part in its bar, discarded blocks below it, cached band."""
    return page.evaluate("""n => {
        const row = document.querySelector(`#timeline .row[data-turn="${n}"]`);
        const bar = {};
        for (const s of row.querySelectorAll('.ctx-bar .seg')) bar[s.dataset.part] = Number(s.dataset.tokens);
        const discarded = [...row.querySelectorAll('.discarded .seg')].map(s => [Number(s.dataset.turn), Number(s.dataset.tokens)]);
        const cached = row.querySelector('.cached');
        return {bar, discarded, cached: cached ? Number(cached.dataset.tokens) : 0,
                window: Number(row.querySelector('.ctx-bar').dataset.window), label: row.querySelector('.seg').dataset.label};
    }""", turn)


def rendered(page, text):
    """The HTML the page's own renderer makes of text (markdown, sanitised)."""
    return page.evaluate("""async (text) => {
        const { renderMarkdown } = await import("/ui/render.js");
        const element = document.createElement("div");
        renderMarkdown(element, text);
        return element.innerHTML;
    }""", text)


def test_three_turns_draw_the_context_with_the_apis_numbers_and_earlier_reasoning_discarded(page, client, http):
    settings(page)
    ids = [ask(page, question, n + 1) for n, question in
           enumerate(["What is 12 + 30?", "Now add 5 to that.", "Is the result even?"])]
    responses = [client.responses.retrieve(i) for i in ids]
    for n, (rid, response) in enumerate(zip(ids, responses), start=1):
        row, usage = parts(page, n), response.usage
        context = http.get(f"/v1/responses/{rid}/context").json()
        reasoning = usage.output_tokens_details.reasoning_tokens
        print(f"turn {n}: drawn {row['bar']} cached {row['cached']} discarded {row['discarded']} | API input "
              f"{usage.input_tokens} cached {usage.input_tokens_details.cached_tokens} reasoning {reasoning} "
              f"output {usage.output_tokens}")  # shown by pytest -s
        assert reasoning > 0
        assert row["bar"].get("system", 0) + row["bar"].get("carried", 0) + row["bar"]["input"] == usage.input_tokens
        assert row["bar"]["reasoning"] == reasoning == context["reasoning"]
        assert row["bar"].get("answer", 0) == usage.output_tokens - reasoning == context["answer"]
        for part in ("system", "carried", "input", "reserve"):
            assert row["bar"].get(part, 0) == context[part], part
        assert row["cached"] == usage.input_tokens_details.cached_tokens
        assert row["window"] == context["window"] == 2048
        # every earlier turn's reasoning, hatched below the bar, at its own count
        earlier = [[k, r.usage.output_tokens_details.reasoning_tokens] for k, r in enumerate(responses[:n - 1], 1)]
        assert row["discarded"] == earlier
        header = page.locator("article.turn").nth(n - 1).locator("details.reasoning > summary").inner_text()
        assert header.startswith(f"thought for {reasoning} tokens · ") and header.endswith(" s")
        line = page.locator("article.turn").nth(n - 1).locator(".usage").inner_text()
        assert line.startswith(f"input {usage.input_tokens} · cached {usage.input_tokens_details.cached_tokens} · "
                               f"reasoning {reasoning} · output {usage.output_tokens - reasoning}")
    assert responses[1].previous_response_id == ids[0] and responses[2].previous_response_id == ids[1]
    assert parts(page, 2)["bar"]["carried"] > 0
    page.hover('#timeline .row[data-turn="3"] .seg-discarded >> nth=0')
    assert page.locator("#tip").inner_text() == f"turn 1's reasoning, discarded: {parts(page, 3)['discarded'][0][1]} tokens"


def test_stop_mid_stream_cancels_the_turn_and_frees_its_sequence(page, client, http):
    long_turns(page)
    page.fill("#input", LONG)
    page.press("#input", "Enter")
    wait_for_reasoning(page, 20)
    page.keyboard.press("Escape")
    page.wait_for_selector("article.turn[data-state=cancelled]", timeout=30_000)
    rid = page.locator("article.turn").first.get_attribute("data-response-id")
    assert client.responses.retrieve(rid).status == "cancelled"
    for _ in range(50):
        if http.get("/health").json()["live_sequences"] == 0:
            break
        time.sleep(0.1)
    assert http.get("/health").json()["live_sequences"] == 0
    assert page.locator("#send").is_enabled() and page.locator("#stop").is_disabled()


def test_model_output_with_html_renders_as_text_and_runs_nothing(browser, server, client):
    # a real model answer holding the payload: the answer is held to a schema that allows only it
    schema = {"type": "object", "properties": {"html": {"type": "string", "enum": [PAYLOAD]}}, "required": ["html"]}
    made = client.responses.create(model="smollm2", input=f"Write {PAYLOAD}", reasoning={"effort": "minimal"},
                                   text={"format": {"type": "json_schema", "name": "echo", "schema": schema}})
    assert PAYLOAD in made.output_text
    page = opened(browser, server)
    page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss()))
    page.locator(f'#conversations li[data-id="{made.id}"] button.open').click()
    page.wait_for_selector(f'article.turn[data-response-id="{made.id}"]')
    turn = page.locator("article.turn").first
    assert PAYLOAD in turn.locator(".answer").inner_text() and PAYLOAD in turn.locator(".user").inner_text()
    assert page.locator("#turns img, #conversations img").count() == 0
    # the same for what marked would turn into HTML, straight through the page's renderer
    html = page.evaluate("""async () => {
        const { renderMarkdown } = await import('/ui/render.js');
        const box = document.createElement('div');
        renderMarkdown(box, '**bold** <img src=x onerror=alert(1)> <script>alert(2)</script> [x](javascript:alert(3)) ![a](http://e/x.png)');
        return box.innerHTML;
    }""")
    assert "<strong>bold</strong>" in html and "<img" not in html and "<script" not in html
    assert "javascript:" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    page.wait_for_timeout(300)  # an onerror would have fired by now
    assert page.dialogs == [] and page.errors == []
    page.context.close()


def test_an_api_key_server_asks_for_the_key_once(browser, server):
    page = opened(browser, server, key=None)
    page.wait_for_selector("#key-dialog[open]")
    page.fill("#key", "wrong")
    page.press("#key", "Enter")
    page.wait_for_function("() => document.getElementById('key-error').textContent.includes('refused')")
    assert page.locator("#key-dialog").get_attribute("open") is not None
    page.fill("#key", API_KEY)
    page.press("#key", "Enter")
    page.wait_for_selector("body[data-ready=true]")
    assert page.locator("#key-dialog").get_attribute("open") is None
    assert "smollm2" in page.locator("#model").inner_text()
    page.reload()  # the tab keeps the key: no second prompt
    page.wait_for_selector("body[data-ready=true]")
    assert page.locator("#key-dialog").get_attribute("open") is None
    page.context.close()


def test_a_delegated_task_runs_in_the_background_and_opens_with_its_result(page, client):
    settings(page)
    page.fill("#input", "What is 7 + 8?")
    page.keyboard.press("Control+Enter")  # delegate: the chat stays free
    page.wait_for_selector("#tasks li")
    task = page.locator("#tasks li").first
    rid = client.responses.retrieve(page.evaluate("() => document.querySelector('#tasks li').dataset.id"))
    assert rid.background and rid.metadata == {"ponder_page": "task"}
    page.wait_for_selector("#tasks li[data-status=completed], #tasks li[data-status=incomplete]", timeout=60_000)
    assert " s" in task.inner_text()  # its elapsed time
    task.locator("button.open").click()
    page.wait_for_selector("article.turn[data-state=completed], article.turn[data-state=incomplete]")
    final = client.responses.retrieve(rid.id)
    assert page.locator("article.turn .answer").inner_html() == rendered(page, final.output_text)  # the whole answer
    assert parts(page, 1)["bar"]["reasoning"] == final.usage.output_tokens_details.reasoning_tokens
    # a long one, cancelled from the list by keyboard
    listings = []
    page.on("response", lambda r: listings.append(r.url) if "/v1/ponder/conversations" in r.url else None)
    long_turns(page)
    page.fill("#input", LONG)
    page.click("#delegate")
    page.wait_for_selector("#tasks li button.cancel", timeout=30_000)
    long_id = page.evaluate("() => document.querySelector('#tasks li button.cancel').closest('li').dataset.id")
    cancel = page.locator(f'#tasks li[data-id="{long_id}"] button.cancel')
    cancel.focus()
    seen = len(listings)
    for _ in range(100):  # the list refreshes every 2 s while a task runs, in place
        if len(listings) > seen + 1:
            break
        page.wait_for_timeout(100)
    assert len(listings) > seen + 1
    assert page.get_attribute(f'#tasks li[data-id="{long_id}"]', "data-status") == "in_progress"
    assert page.evaluate("() => document.activeElement.classList.contains('cancel')")  # focus kept
    page.keyboard.press("Enter")
    page.wait_for_selector(f'#tasks li[data-id="{long_id}"][data-status=cancelled]', timeout=30_000)
    assert client.responses.retrieve(long_id).status == "cancelled"


def test_a_strategy_shows_its_candidates_and_the_chosen_one(page, client):
    settings(page, strategy="vote@4")
    rid = ask(page, "What is 3 + 4?", 1)
    report = client.responses.retrieve(rid).model_extra["strategy"]
    candidates = page.locator("article.turn .candidates li.candidate")  # a candidate's markdown may hold lists
    assert candidates.count() == 4 == len(report["candidates"])
    chosen = page.locator("article.turn .candidates li.chosen")
    assert chosen.count() == 1 and "chosen" in chosen.text_content()
    assert candidates.nth(report["chosen"]).get_attribute("class") == "candidate chosen"
    assert "vote" in page.locator("article.turn .candidates summary").text_content()


def test_vote_surest_shows_which_candidates_were_sure_enough_to_vote(page, client):
    settings(page, strategy="vote@8/surest")
    rid = ask(page, "What is 3 + 4?", 1)
    report = client.responses.retrieve(rid).model_extra["strategy"]
    assert report["keep"] == 0.1 and len(report["candidates"]) == 8
    texts = page.locator("article.turn .candidates li.candidate").all_text_contents()
    silent = [i for i, text in enumerate(texts) if "less sure: no vote" in text]
    assert silent == [i for i, c in enumerate(report["candidates"]) if c["answer"] is not None and i not in report["voters"]]
    assert all("mean log-prob -" in text for text in texts)  # what the surest were ranked by


def test_tool_steps_show_inside_one_turn_and_their_reasoning_stays(browser, server, client):
    tools = [{"type": "function", "name": "lookup", "description": "Look a word up",
              "parameters": {"type": "object", "properties": {"word": {"type": "string"}}, "required": ["word"]}}]
    first = client.responses.create(model="smollm2", input="Look up the word ponder.", tools=tools,
                                    tool_choice="required", reasoning={"effort": "minimal"}, max_output_tokens=160)
    call = next(item for item in first.output if item.type == "function_call")
    # tool_choice none: the model answers now (with "auto", SmolLM2 sometimes called lookup again,
    # and the turn had one step more than this test draws)
    second = client.responses.create(model="smollm2", previous_response_id=first.id, tools=tools,
                                     tool_choice="none", reasoning={"effort": "minimal"}, max_output_tokens=96,
                                     input=[{"type": "function_call_output", "call_id": call.call_id,
                                             "output": "to think about something carefully"}])
    page = opened(browser, server)
    page.locator(f'#conversations li[data-id="{first.id}"] button.open').click()
    page.wait_for_selector(f'article.turn[data-response-id="{second.id}"]')
    assert page.locator("article.turn").count() == 1  # the tool step is inside the turn
    steps = page.locator("article.turn .work > *")
    kinds = [steps.nth(i).get_attribute("class") for i in range(steps.count())]
    assert kinds == ["reasoning", "step call", "step result", "reasoning"]
    assert "lookup(" in page.locator("article.turn .step.call").inner_text()
    assert parts(page, 2)["discarded"] == []  # no one spoke between: turn 1's reasoning is still seen
    page.context.close()


def test_conversations_reopen_rename_and_delete(page, client):
    settings(page)
    rid = ask(page, "Name a colour.", 1)
    page.click("#new-chat")
    assert page.locator("article.turn").count() == 0
    item = page.locator(f'#conversations li[data-id="{rid}"]')
    item.wait_for()
    page.once("dialog", lambda dialog: dialog.accept("Colours"))
    item.locator("button.rename").click()
    page.wait_for_function(f"() => document.querySelector('#conversations li[data-id=\"{rid}\"] .open')"
                           ".textContent.startsWith('Colours')")
    item.locator("button.open").click()
    page.wait_for_selector(f'article.turn[data-response-id="{rid}"]')
    ask(page, "Another one.", 2)  # continues the reopened conversation
    second = page.locator("article.turn").nth(1).get_attribute("data-response-id")
    assert client.responses.retrieve(second).previous_response_id == rid
    page.once("dialog", lambda dialog: dialog.accept())
    item.locator("button.delete").click()
    page.wait_for_function(f"() => !document.querySelector('#conversations li[data-id=\"{rid}\"]')")
    assert page.locator("article.turn").count() == 0


def test_phone_width_by_keyboard_alone_and_screenshots(browser, server, tmp_path):
    shots = Path(os.environ.get("PONDER_SCREENSHOTS", tmp_path))
    shots.mkdir(parents=True, exist_ok=True)
    desktop = opened(browser, server)
    settings(desktop)
    for n, question in enumerate(["What is 21 + 21?", "And 42 + 8?"], start=1):
        ask(desktop, question, n)
    desktop.locator("article.turn details.reasoning").last.evaluate("d => d.open = true")
    desktop.click("#zoom")  # small turns in a large window: draw the used part to scale
    assert desktop.get_attribute("#zoom", "aria-pressed") == "true"
    desktop.screenshot(path=str(shots / "page-desktop.png"), full_page=True)
    conversation = desktop.evaluate("() => document.querySelector('article.turn').dataset.responseId")
    desktop.context.close()

    phone = opened(browser, server, viewport={"width": 375, "height": 740})
    assert phone.evaluate("() => document.documentElement.scrollWidth") <= 375  # nothing spills sideways
    phone.keyboard.press("Tab")  # the first control takes focus: the page is usable without a pointer
    assert phone.evaluate("() => document.activeElement.id") == "toggle-side"
    phone.keyboard.press("Enter")  # opens the conversations drawer
    phone.locator(f'#conversations li[data-id="{conversation}"] button.open').focus()
    phone.keyboard.press("Enter")
    phone.wait_for_selector("article.turn >> nth=1")
    phone.focus("#input")
    phone.keyboard.type("first line")
    phone.keyboard.press("Shift+Enter")  # a line break, not a send
    phone.keyboard.type("second line")
    assert phone.input_value("#input") == "first line\nsecond line"
    phone.fill("#input", "")
    phone.click("#toggle-context")
    assert phone.locator("#timeline .row").count() == 2
    phone.click("#zoom")
    assert phone.evaluate("() => document.documentElement.scrollWidth") <= 375
    phone.screenshot(path=str(shots / "page-phone.png"), full_page=True)
    assert phone.errors == []
    phone.context.close()


def test_a_reload_mid_turn_loses_nothing_the_turn_streams_on_when_reopened(page, client):
    long_turns(page)
    page.fill("#input", LONG)
    page.press("#input", "Enter")
    wait_for_reasoning(page, 10)
    rid = page.locator("article.turn").first.get_attribute("data-response-id")
    page.reload()  # the tab goes; the turn runs on in the server
    page.wait_for_selector("body[data-ready=true]")
    page.locator(f'#conversations li[data-id="{rid}"] button.open').click()
    page.wait_for_selector("article.turn[data-state=completed], article.turn[data-state=incomplete]",
                           timeout=120_000)
    final = client.responses.retrieve(rid)
    assert page.locator("article.turn").count() == 1
    assert page.locator("article.turn .answer").inner_html() == rendered(page, final.output_text)  # the whole answer
    reasoning = final.usage.output_tokens_details.reasoning_tokens
    assert reasoning >= 512  # think_longer's floor
    assert parts(page, 1)["bar"]["reasoning"] == reasoning
    assert parts(page, 1)["bar"].get("answer", 0) == final.usage.output_tokens - reasoning


def test_deleting_the_conversation_on_screen_while_its_turn_runs_clears_it(page, client, http):
    settings(page)
    first = ask(page, "What is 2 + 2?", 1)
    long_turns(page)
    page.fill("#input", LONG)
    page.press("#input", "Enter")
    wait_for_reasoning(page, 10)
    running = page.locator("article.turn").nth(1).get_attribute("data-response-id")
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator(f'#conversations li[data-id="{first}"] button.delete').click()
    page.wait_for_function("() => !document.querySelector('article.turn') && !document.getElementById('send').disabled")
    assert page.locator("#timeline .row").count() == 0 and page.locator("#status.error").count() == 0
    assert http.get("/health").json()["live_sequences"] == 0  # the delete returned once its turn had stopped
    assert http.get(f"/v1/responses/{running}").status_code == 404
    settings(page)
    fresh = ask(page, "What is 3 + 3?", 1)  # a new conversation, not a continuation of the deleted one
    assert client.responses.retrieve(fresh).previous_response_id is None


def test_a_refused_turn_leaves_no_running_row_and_the_next_turn_is_turn_one(page, client):
    settings(page, max_tokens="999999")  # more than the window holds: the server refuses it
    page.fill("#input", "What is 1 + 1?")
    page.press("#input", "Enter")
    page.wait_for_selector("article.turn .error")
    assert "context window exceeded" in page.locator("article.turn .error").inner_text()
    page.wait_for_function("() => !document.getElementById('send').disabled")
    assert page.locator("#timeline .row").count() == 0  # no "running…" row left behind
    settings(page)
    ask(page, "What is 1 + 1?", 2)
    assert page.locator("#timeline .row").count() == 1
    assert page.locator('#timeline .row[data-turn="1"]').count() == 1

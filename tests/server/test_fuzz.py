"""A schema fuzz of the HTTP API: schemathesis reads the app's own OpenAPI document and
generates requests for every operation, valid ones and invalid ones (hypothesis drives it,
derandomized so a run repeats), sent to a real server; none may be a 5xx, and the server must
be healthy afterwards. Bounded: EXAMPLES per operation and mode, and a 256-token window keeps
the generations that do run short. (Hypothesis is driven directly: schemathesis's pytest
plugin does not run on pytest 9.)"""

import collections

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

from conftest import API_KEY, Server

EXAMPLES = 40


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory):
    running = Server(tmp_path_factory.mktemp("fuzz") / "ponder.db", ctx="256").start()
    yield running
    running.stop()


def test_no_generated_request_is_a_server_error(fuzzed):
    schema = schemathesis.openapi.from_url(fuzzed.url + "/openapi.json")
    statuses: collections.Counter = collections.Counter()
    failures: list[str] = []
    operations = [result.ok() for result in schema.get_all_operations()]
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                      suppress_health_check=list(HealthCheck))
            @given(case=operation.as_strategy(generation_mode=mode))
            def send(case):
                if mode is GenerationMode.POSITIVE and isinstance(case.body, dict) and "model" in case.body:
                    case.body["model"] = "smollm2"  # else nearly every valid body is a 404 for its model name
                response = case.call(base_url=fuzzed.url, headers={"Authorization": f"Bearer {API_KEY}"},
                                     timeout=120)
                statuses[response.status_code] += 1
                if response.status_code >= 500:
                    failures.append(f"{case.method} {case.formatted_path} {case.body!r:.300} -> "
                                    f"{response.status_code} {response.text[:300]}")

            try:
                send()
            except Unsatisfiable:  # nothing invalid to send (GET /health takes no input)
                pass
    with fuzzed.http() as http:
        assert http.get("/health").json()["status"] == "ok"
    print(f"fuzz: {len(operations)} operations, {sum(statuses.values())} requests, "
          f"{sum(n for s, n in statuses.items() if s >= 500)} 5xx; statuses {dict(sorted(statuses.items()))}")
    assert sum(statuses.values()) >= 5 * EXAMPLES  # it did run
    assert not failures, "\n".join(failures[:10])

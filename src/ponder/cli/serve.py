"""`ponder serve`: the OpenAI-compatible HTTP server (FastAPI on uvicorn).

Every option can also come from an environment variable (PONDER_HOST, PONDER_PORT, …).
"""

from __future__ import annotations

from pathlib import Path

import click

from ponder.cli.options import load_runtime
from ponder.config import ServerConfig


@click.command()
@click.option("--host", envvar="PONDER_HOST", default="127.0.0.1", show_default=True)
@click.option("--port", envvar="PONDER_PORT", type=click.IntRange(0, 65535), default=8000, show_default=True)
@click.option("--model", envvar="PONDER_MODEL", default=None, metavar="PATH|NAME",
              help="GGUF file or embedded model name (default: smollm2).")
@click.option("--ctx", "n_ctx", envvar="PONDER_CTX", type=click.IntRange(min=64), default=None,
              help="Context window of a conversation in tokens (default: the model's training context).")
@click.option("--kv-cells", "kv_cells", envvar="PONDER_KV_CELLS", type=click.IntRange(min=64), default=None,
              help="KV cells shared by all sequences (default: sized from memory, up to 8 windows).")
@click.option("--threads", "n_threads", envvar="PONDER_THREADS", type=click.IntRange(min=1), default=None)
@click.option("--api-key", envvar="PONDER_API_KEY", default=None, help="Require this bearer token on /v1.")
@click.option("--db", envvar="PONDER_DB", default=None,
              help="SQLite file for stored responses (default: ponder.db in the user's data folder; "
                   "':memory:' keeps nothing).")
@click.option("--store-days", envvar="PONDER_STORE_DAYS", type=click.FloatRange(min=0, min_open=True), default=None,
              help="Delete stored responses older than this many days (default: keep them).")
@click.option("--expose-reasoning", envvar="PONDER_EXPOSE_REASONING", is_flag=True,
              help="Return plain reasoning text in Responses output.")
@click.option("--max-queue", envvar="PONDER_MAX_QUEUE", type=click.IntRange(min=1), default=64, show_default=True,
              help="Requests admitted at once; more get 429.")
@click.option("--max-request-bytes", envvar="PONDER_MAX_REQUEST_BYTES", type=click.IntRange(min=1024),
              default=8 * 1024 * 1024, show_default=True)
@click.option("--max-samples", envvar="PONDER_MAX_SAMPLES", type=click.IntRange(min=1), default=16, show_default=True,
              help="Most sequences one request's strategy may run (vote's n).")
@click.option("--upstream", envvar="PONDER_UPSTREAM", default=None, metavar="URL",
              help="Generate on this OpenAI-compatible completions server (vLLM) instead of in process.")
@click.option("--tokenizer", envvar="PONDER_TOKENIZER", default=None, metavar="DIR",
              help="With --upstream: the model's Hugging Face folder (default: where the server loaded it).")
@click.option("--chat-template", "chat_template", envvar="PONDER_CHAT_TEMPLATE", default=None, metavar="FILE",
              help="A Jinja chat template to use instead of the model's own.")
@click.option("--log-level", envvar="PONDER_LOG_LEVEL", default="info", show_default=True,
              type=click.Choice(["debug", "info", "warning", "error"]), help="ponder's log, one line per request at info.")
@click.option("--verbose", is_flag=True, help="Show llama.cpp's log and uvicorn's access log.")
def serve(host, port, model, n_ctx, kv_cells, n_threads, api_key, db, store_days, expose_reasoning, max_queue,
          max_request_bytes, max_samples, upstream, tokenizer, chat_template, log_level, verbose):
    """Serve the model over OpenAI's Chat Completions and Responses APIs."""
    import os
    import sqlite3

    import uvicorn

    from ponder.server import logs
    from ponder.server.app import create_app
    from ponder.server.sealing import Sealer, load_key
    from ponder.server.state import ServerState
    from ponder.store.sqlite import Store

    logs.configure(log_level)
    db = db or default_db()
    config = ServerConfig(host=host, port=port, api_key=api_key, db=db, expose_reasoning=expose_reasoning,
                          secret_key=os.environ.get("PONDER_SECRET_KEY"), max_request_bytes=max_request_bytes,
                          max_queue=max_queue, max_samples=max_samples, store_days=store_days)
    key_file = None if db == ":memory:" else Path(db + ".key")
    try:
        sealer = Sealer(load_key(config.secret_key, key_file))
    except (ValueError, OSError) as error:
        raise click.UsageError(f"cannot load the sealing key: {error}") from None
    try:
        store = Store(db)
    except (sqlite3.Error, OSError) as error:
        raise click.UsageError(f"cannot open the database {db}: {error}") from None
    with load_runtime(model, n_ctx, n_threads, verbose, kv_cells, upstream, tokenizer,
                      chat_template=chat_template) as runtime:
        app = create_app(ServerState(runtime, store, sealer, config))
        info = runtime.engine.info
        click.echo(f"ponder serving {runtime.model_id} (window {info.n_ctx}, KV pool {info.kv_cells} cells) "
                   f"on http://{host}:{port}/v1, storing responses in {db}", err=True)
        uvicorn.run(app, host=host, port=port, log_level="info" if verbose else "warning",
                    access_log=verbose, timeout_graceful_shutdown=2)
    store.close()


def default_db() -> str:
    """ponder.db in the user's data folder (XDG's on Linux), never wherever the server started."""
    import platformdirs

    return str(Path(platformdirs.user_data_dir("ponder")) / "ponder.db")

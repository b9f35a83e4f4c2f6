"""`ponder eval-report`: several `ponder eval` runs shown as one table and one plot.

Nothing is run: the results.json files (or the folders that hold them) are read, checked,
combined (eval/combine.py), and the table printed; with --out the combined results.json and
scaling.png are written there too. When the runs are of more than one model, the table has a
model column, the plot one curve per model, task and strategy, and a paired table compares
models on the problems they both scored (eval/paired.py).
"""

from __future__ import annotations

from pathlib import Path

import click
from rich.console import Console

from ponder.cli.eval import TABLE_WIDTH, make_folder
from ponder.eval.combine import combine, combined_document, read_run
from ponder.eval.paired import paired_table
from ponder.eval.plot import require_matplotlib, write_plot
from ponder.eval.report import correction_table, results_table, shape_table, write_json


@click.command("eval-report")
@click.argument("paths", nargs=-1, required=True, metavar="RESULTS...",
                type=click.Path(path_type=Path))
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder for the combined results.json and scaling.png (default: print the table only).")
@click.option("--title", default=None, help="The table's and the plot's title (default: ponder eval; the plot's, "
                                             "test-time scaling and the models).")
def eval_report(paths, out, title):
    """Show the results.json of several `ponder eval` runs (files or folders) as one table and plot."""
    if out is not None:
        require_matplotlib()
    runs = [read_run(path) for path in paths]
    combined = combine(runs)
    results, models = [r.result for r in combined.rows], [r.model for r in combined.rows]
    console = Console(highlight=False)
    if not console.is_terminal:
        console.width = TABLE_WIDTH
    console.print(results_table(results, title or "ponder eval", models))
    for extra in (shape_table(results, models), correction_table(results, models), paired_table(results, models)):
        if extra is not None:
            console.print(extra)
    if any(r.partial for r in results):
        console.print("settings marked * stopped early; n counts the problems finished")
    for note in combined.notes:
        click.echo(f"ponder: note: {note}", err=True)
    if out is not None:
        make_folder(out)
        json_path = write_json(out / "results.json", combined_document(combined, runs))
        plot_title = title or f"test-time scaling: {', '.join(combined.models)}"
        plot_path = write_plot(out / "scaling.png", results, plot_title, models)
        click.echo(f"wrote {json_path} and {plot_path}")

"""``trailstrength datasets list | info NAME | fetch NAME``: public datasets from the command line (offline-safe)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

app = typer.Typer(
    help="Public datasets (PMData, Lövdal et al.): list them, read their cards, fetch a copy.",
    no_args_is_help=True,
    add_completion=False,
)
console = Console()


@app.command("list")
def list_() -> None:
    """List the registered datasets, their licence, how they download, and any local copy."""
    from trailstrength.datasets import list_datasets

    t = Table("name", "title", "licence", "download", "local copy", title="public datasets", title_justify="left")
    for r in list_datasets().itertuples():
        t.add_row(r.name, r.title, r.licence, r.download, r.local_copy or "-")
    console.print(t)


@app.command()
def info(name: Annotated[str, typer.Argument(help="Dataset name, e.g. pmdata or lovdal.")]) -> None:
    """Print a dataset's card: source, citation, licence, variables, what it can say about H1–H7."""
    from rich.markdown import Markdown  # here: markdown-it costs every other command's start-up

    from trailstrength import datasets

    try:
        text = datasets.info(name)
    except KeyError as err:
        console.print(f"[red]{err.args[0]}[/]")
        raise typer.Exit(2) from None
    console.print(Markdown(text))


@app.command()
def fetch(
    name: Annotated[str, typer.Argument(help="Dataset name, e.g. pmdata or lovdal.")],
    path: Annotated[Path | None, typer.Option(help="A copy you downloaded yourself (folder or file).")] = None,
) -> None:
    """Find (or, where a verified URL is registered, download) a dataset; print where it is or how to get it."""
    from trailstrength import datasets

    try:
        found = datasets.fetch(name, path, progress=True)
    except KeyError as err:
        console.print(f"[red]{err.args[0]}[/]")
        raise typer.Exit(2) from None
    except datasets.DatasetNotFound as err:
        console.print(str(err), markup=False, highlight=False)
        raise typer.Exit(1) from None
    console.print(f"{name}: {found}")

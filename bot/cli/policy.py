"""`canishare policy`: check or draw a policy pack."""
from __future__ import annotations

import os
import sys

import click

from policy import PackError, load_pack

from . import _fail, main


@main.group()
def policy() -> None:
    """Check or draw a policy pack."""


@policy.command("check")
@click.argument("pack", required=False)
@click.option("--all", "check_all", is_flag=True, help="Check every shipped pack.")
@click.option("--scenarios", "scenarios_from", type=click.Path(exists=True), default=None,
              help="A scenario file, or a folder of <pack id>.yaml scenario files "
                   "(default: policy/scenarios/, or ../scenarios/ beside a pack given as a file).")
def policy_check(pack: str | None, check_all: bool, scenarios_from: str | None) -> None:
    """Validate a pack and run its scenarios (default: the configured one, else hmg-2024).

    Exits 1 if the pack is not valid or any scenario's expected outcome disagrees with it;
    paths no scenario exercises are listed but do not fail the check.
    """
    from policy.pack import available_packs
    from policy.scenarios import ScenarioError, coverage, default_scenario_source

    if check_all and pack:
        _fail("give a pack or --all, not both")
    if check_all and scenarios_from and not os.path.isdir(scenarios_from):
        _fail("with --all, --scenarios must be a folder of <pack id>.yaml files")
    failed = False
    for name in available_packs() if check_all else [pack or _configured_pack()]:
        try:
            loaded = load_pack(name)
        except PackError as err:
            click.echo(f"canishare: {err}", err=True)
            failed = True
            continue
        paths = loaded.paths()
        click.echo(f"{loaded.ref}: valid — {len(loaded.nodes)} questions, {len(loaded.outcomes)} outcomes, {len(paths)} paths")
        click.echo(f"{loaded.ref}: escalates (declared by the pack) — "
                   + ", ".join(f"{o.id}: {o.escalate}" for o in loaded.outcomes.values()))
        try:
            report = coverage(loaded, scenarios_from or default_scenario_source(name))
        except ScenarioError as err:
            click.echo(f"canishare: {err}", err=True)
            failed = True
            continue
        for line in report.lines():
            click.echo(line)
        failed = failed or not report.ok
    from policy.procedures import ProcedureError, timescale_report

    try:  # the procedures' timescales: every one dated and cited, local ones marked
        for line in timescale_report():
            click.echo(line)
    except ProcedureError as err:
        click.echo(f"canishare: {err}", err=True)
        failed = True
    sys.exit(1 if failed else 0)


@policy.command("graph")
@click.argument("pack", required=False)
@click.option("--format", "fmt", type=click.Choice(["mermaid", "png"]), default="mermaid", show_default=True)
@click.option("--output", "-o", type=click.Path(dir_okay=False), default=None, help="Write to FILE instead of stdout.")
@click.option("--procedure", "procedure_key", default=None, help="Draw procedure N (1-5) instead of a pack.")
def policy_graph(pack: str | None, fmt: str, output: str | None, procedure_key: str | None) -> None:
    """Draw the pack's (or a procedure's) flowchart: Mermaid text, or a PNG image (drawn offline)."""
    if procedure_key is not None:
        from policy import procedures
        from policy.render import render_procedure_png

        try:
            proc = procedures.procedure(procedure_key)
        except KeyError:
            _fail(f"no procedure {procedure_key!r}; there are procedures 1 to 5")
        name = f"procedure {proc.number}"
        data = procedures.to_mermaid(proc).encode() if fmt == "mermaid" else render_procedure_png(proc)
    else:
        try:
            loaded = load_pack(pack or _configured_pack())
        except PackError as err:
            _fail(str(err))
        from policy.render import render

        name = loaded.ref
        data = render(loaded, fmt)
    if fmt == "mermaid" and output is None:
        click.echo(data.decode(), nl=False)
        return
    if output is not None:
        os.makedirs(os.path.dirname(os.path.abspath(output)), exist_ok=True)
        with open(output, "wb") as handle:
            handle.write(data)
        click.echo(f"{name}: wrote {output}", err=True)
        return
    if sys.stdout.isatty():
        _fail("a PNG is binary: use --output FILE, or redirect stdout to a file")
    stream = click.get_binary_stream("stdout")
    stream.write(data)
    stream.flush()


def _stored_pack() -> str | None:
    """The pack of the configuration stored in the bot's database, when there is one (never
    creating or migrating a database: this command needs none)."""
    import json

    from sqlalchemy.exc import SQLAlchemyError

    from storage.config_chain import latest_row
    from storage.db import DatabaseProblem, open_existing

    try:
        db = open_existing(migrate=False)
    except DatabaseProblem:
        return None
    try:
        with db.read_only() as s:
            row = latest_row(s)
            return json.loads(row.body).get("policy") if row is not None else None
    except (SQLAlchemyError, ValueError):
        return None
    finally:
        db.engine.dispose()


def _configured_pack() -> str:
    from ..config import DEFAULT_POLICY, ConfigError, config_path

    stored = _stored_pack()
    if stored:
        return stored
    path = config_path()
    if path is None or not path.exists():
        return DEFAULT_POLICY
    import yaml

    try:
        return str((yaml.safe_load(path.read_text()) or {}).get("policy") or DEFAULT_POLICY)
    except (yaml.YAMLError, ConfigError, AttributeError):
        return DEFAULT_POLICY

"""`canishare digest`: the last 7 days' counts, printed or posted."""
from __future__ import annotations

import json
import os
from datetime import datetime

import click

from . import _fail, _settings, _stored_settings, _workspace_data, main, workspace_option


@main.command()
@click.option("--format", "fmt", type=click.Choice(["json", "text"]), default="text", show_default=True)
@click.option("--post", is_flag=True, help="Also post it to the configured digest channel (needs SLACK_BOT_TOKEN, "
              "or, for one workspace of many, its installation and CANISHARE_TOKEN_KEY).")
@click.option("--last-slot", is_flag=True, help="Cover the 7 days ending at the most recent scheduled slot, not now.")
@workspace_option
def digest(fmt: str, post: bool, last_slot: bool, workspace: str | None) -> None:
    """The last 7 days' digest: counts only, never names or case details."""
    from datetime import timedelta, timezone

    from ..config import DigestSettings, config_path
    from ..digest_blocks import digest_text, post_digest
    from storage.digest import compute_digest, scheduled_digest_end

    from ..digest import digest_labels

    token = os.environ.get("SLACK_BOT_TOKEN")
    if post and not token and not workspace:
        _fail("--post needs SLACK_BOT_TOKEN")
    db = _workspace_data(workspace)
    if post and db.tenant is not None:
        token = _installed_bot_token(db.tenant)  # never SLACK_BOT_TOKEN: that is no workspace's of many
    elif post and not token:
        _fail("--post needs SLACK_BOT_TOKEN")
    # The stored configuration, else the YAML file (needed to post; optional to print); a
    # workspace of many has only its stored one.
    settings = _stored_settings(db)
    if settings is None and (post or config_path() is not None):
        settings = _settings(db if db.tenant is not None else None)
    schedule = settings.digest if settings is not None else DigestSettings()
    labels = digest_labels(settings) if settings is not None else None
    if post and not schedule.channel:
        _fail("--post needs digest.channel in the configuration")
    now = datetime.now(timezone.utc)
    # Up to the next whole second, so a record written a moment ago is in.
    end = scheduled_digest_end(now, schedule) if last_slot else (now + timedelta(seconds=1)).replace(microsecond=0)
    with db.read_only() as s:
        d = compute_digest(s, end, schedule.zone)
    click.echo(json.dumps(d, indent=2) if fmt == "json" else digest_text(d, labels), nl=fmt == "json")
    if post:
        from slack_sdk.errors import SlackApiError, SlackClientError

        from ..slack_messenger import make_client

        api_url = os.environ.get("SLACK_API_URL") or None
        if api_url and not api_url.endswith("/"):
            api_url += "/"
        try:
            ts = post_digest(make_client(token, api_url), schedule.channel, d, labels)
        except SlackApiError as err:
            _fail(f"Slack refused the digest: {err.response.get('error')}")
        except (SlackClientError, OSError) as err:
            _fail(f"could not reach Slack ({type(err).__name__})")
        from storage.access import cli_user, record_access

        record_access(db, "digest", cli_user(), {"channel": schedule.channel, "period_start": d["period_start"]},
                      d["total"])
        click.echo(f"canishare: digest posted to {schedule.channel} (ts {ts})", err=True)


def _installed_bot_token(tenant_id: str) -> str:
    """The bot token the workspace's installation holds (decrypted with CANISHARE_TOKEN_KEY)."""
    from storage.db import open_existing

    key = os.environ.get("CANISHARE_TOKEN_KEY")
    if not key:
        _fail(f"--post for workspace {tenant_id} needs CANISHARE_TOKEN_KEY (its bot token is stored encrypted)")
    try:
        from ..installations import TokenCipher, bot_token_for, installation_store
    except ImportError:
        _fail("--post for one workspace of many needs this version's installation store (bot.installations)")
    try:
        cipher = TokenCipher(key)
    except ValueError as err:
        _fail(str(err))
    store = installation_store(open_existing(migrate=False), cipher, os.environ.get("SLACK_CLIENT_ID"))
    token = bot_token_for(store, tenant_id)
    if not token:
        _fail(f"workspace {tenant_id} has no bot token installed (uninstalled?); reinstall the app there to post")
    return token

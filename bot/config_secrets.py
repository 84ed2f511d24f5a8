"""The secrets `canishare serve` needs, from the environment (or NAME_FILE files), checked at start-up.

One workspace (SLACK_BOT_TOKEN), or many (SLACK_CLIENT_ID and SLACK_CLIENT_SECRET: each workspace
installs the app through Bolt's OAuth flow, and its bot token is stored encrypted with
CANISHARE_TOKEN_KEY). Setting both is refused: which token answers which workspace must never
be a guess."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from .config_report import ConfigError


@dataclass(frozen=True)
class Secrets:
    bot_token: str | None  # None with many workspaces: each has its own, in the installation store
    signing_secret: str
    pseudonym_key: str
    app_token: str | None
    api_url: str | None
    client_id: str | None = None  # many workspaces (OAuth installs) when set
    client_secret: str | None = None
    token_key: str | None = None  # CANISHARE_TOKEN_KEY: Fernet key(s), newest first
    # CANISHARE_ALLOWED_WORKSPACES: the workspaces (T…) and Grid orgs (E…) that may install, e.g.
    # those with a signed data processing agreement; None: any workspace may. Not a secret, but
    # read and checked at start-up with the rest of what many workspaces need.
    allowed_tenants: frozenset[str] | None = None

    @property
    def multi_workspace(self) -> bool:
        return self.client_id is not None


TOKEN_KEY = "CANISHARE_TOKEN_KEY"
ALLOWED = "CANISHARE_ALLOWED_WORKSPACES"
KEY_FILE = ".canishare-key"  # where scripts/run keeps the pseudonym key it generated


def load_secrets(env: dict[str, str] | None = None) -> Secrets:
    from .secret_files import SecretFileError, resolve

    try:
        env = resolve(os.environ if env is None else env)  # NAME_FILE=/path gives NAME (containers, Kubernetes)
    except SecretFileError as err:
        raise ConfigError(str(err)) from None
    multi = bool(env.get("SLACK_CLIENT_ID") or env.get("SLACK_CLIENT_SECRET"))
    if multi and env.get("SLACK_BOT_TOKEN"):
        raise ConfigError("both SLACK_BOT_TOKEN (one workspace) and SLACK_CLIENT_ID/SLACK_CLIENT_SECRET (many "
                          "workspaces, installed through /slack/install) are set: unset the one you do not mean")
    needed = (("SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET", "SLACK_SIGNING_SECRET", "CANISHARE_PSEUDONYM_KEY", TOKEN_KEY)
              if multi else ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "CANISHARE_PSEUDONYM_KEY"))
    missing = [k for k in needed if not env.get(k)]
    if missing == ["CANISHARE_PSEUDONYM_KEY"] and Path(KEY_FILE).exists():
        raise ConfigError(
            f"CANISHARE_PSEUDONYM_KEY is not set, but {Path(KEY_FILE).resolve()} holds the key scripts/run made: "
            f"run with CANISHARE_PSEUDONYM_KEY_FILE={KEY_FILE} (or scripts/canishare serve); do not make a new key, "
            f"it would change every pseudonym and old records could no longer be matched")
    if missing:
        hint = f" (or {missing[0]}_FILE=/path to a file holding it)"
        if "CANISHARE_PSEUDONYM_KEY" in missing:
            hint += "; the pseudonym key must stay the same for the life of the records (scripts/run makes one)"
        if TOKEN_KEY in missing:
            hint += f"; {TOKEN_KEY} encrypts the workspaces' bot tokens (make one with `canishare tokens new-key`)"
        raise ConfigError(f"missing environment variable(s) needed to serve: {', '.join(missing)}{hint}")
    if len(env["CANISHARE_PSEUDONYM_KEY"]) < 16:
        raise ConfigError("CANISHARE_PSEUDONYM_KEY is too short: use at least 16 random characters (32+ recommended)")
    token_key = None
    if multi:
        from .installations import TokenCipher, TokenKeyError

        token_key = env[TOKEN_KEY]
        try:
            TokenCipher(token_key)
        except TokenKeyError as err:
            raise ConfigError(str(err)) from None
    allowed = _allowed_tenants(env.get(ALLOWED)) if multi else None
    api_url = env.get("SLACK_API_URL") or None
    if api_url and not api_url.endswith("/"):
        api_url += "/"
    return Secrets(
        bot_token=None if multi else env["SLACK_BOT_TOKEN"],
        signing_secret=env["SLACK_SIGNING_SECRET"],
        pseudonym_key=env["CANISHARE_PSEUDONYM_KEY"],
        app_token=env.get("SLACK_APP_TOKEN") or None,
        api_url=api_url,
        client_id=env["SLACK_CLIENT_ID"] if multi else None,
        client_secret=env["SLACK_CLIENT_SECRET"] if multi else None,
        token_key=token_key,
        allowed_tenants=allowed,
    )


def _allowed_tenants(value: str | None) -> frozenset[str] | None:
    if value is None or not value.strip():
        return None
    from storage.tenancy import TENANT_ID

    ids = [part.strip().upper() for part in value.split(",") if part.strip()]
    bad = [i for i in ids if not (TENANT_ID.match(i) and i[0] in "TE")]  # Slack's: T… workspaces, E… orgs
    if bad:
        raise ConfigError(f"{ALLOWED} holds {', '.join(repr(b) for b in bad[:3])}, which "
                          f"{'is not a Slack workspace or org id' if len(bad) == 1 else 'are not Slack workspace or org ids'}: "
                          f"give T… (workspace) or E… (Enterprise Grid org) ids, comma-separated")
    return frozenset(ids)

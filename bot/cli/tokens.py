"""`canishare tokens`: the key that encrypts the workspaces' bot tokens (many-workspace mode).

`new-key` prints a fresh key for CANISHARE_TOKEN_KEY; `check` says whether every stored token
opens with it; `rotate` re-encrypts every stored token with the newest key in CANISHARE_TOKEN_KEY
(keys comma-separated, newest first), after which the older keys can be removed
(docs/operations.md, "Token key rotation")."""
from __future__ import annotations

import os

import click

from . import _database, _fail, main


@main.group()
def tokens() -> None:
    """The encryption of the workspaces' stored bot tokens (CANISHARE_TOKEN_KEY)."""


@tokens.command("new-key")
def new_key_command() -> None:
    """Print a new key for CANISHARE_TOKEN_KEY (keep it secret; it is not stored anywhere)."""
    from ..installations import new_key

    click.echo(new_key())


@tokens.command()
def rotate() -> None:
    """Re-encrypt every stored token with the newest key of CANISHARE_TOKEN_KEY."""
    from ..installations import (TokenCipher, TokenKeyError, UndecryptableToken, installation_store,
                                 rotate_tokens)

    try:
        cipher = TokenCipher(os.environ.get("CANISHARE_TOKEN_KEY"))
    except TokenKeyError as err:
        _fail(str(err))
    db = _database()
    from ..installations import EncryptedInstallationStore

    if not EncryptedInstallationStore(db.engine, cipher, None).has_tables():
        _fail("this database holds no installations (one workspace keeps SLACK_BOT_TOKEN outside the database): "
              "nothing to rotate")
    store = installation_store(db, cipher, os.environ.get("SLACK_CLIENT_ID"))
    try:
        count = rotate_tokens(store, cipher)
    except UndecryptableToken as err:
        _fail(f"nothing was changed: {err}")
    done = f"canishare: {count} stored token{'' if count == 1 else 's'} now encrypted with the newest key"
    if cipher.key_count > 1:
        done += (f"; the other {cipher.key_count - 1} key{'' if cipher.key_count == 2 else 's'} may now be removed "
                 f"from CANISHARE_TOKEN_KEY (restart the servers after)")
    click.echo(done, err=True)


@tokens.command()
def check() -> None:
    """Exit 1 if any stored token cannot be decrypted with CANISHARE_TOKEN_KEY (before removing a key)."""
    from ..installations import EncryptedInstallationStore, TokenCipher, TokenKeyError, undecryptable

    try:
        cipher = TokenCipher(os.environ.get("CANISHARE_TOKEN_KEY"))
    except TokenKeyError as err:
        _fail(str(err))
    db = _database()
    store = EncryptedInstallationStore(db.engine, cipher, os.environ.get("SLACK_CLIENT_ID"))
    if not store.has_tables():
        _fail("this database holds no installations (one workspace keeps SLACK_BOT_TOKEN outside the database)")
    bad = undecryptable(store)
    if bad:
        _fail(f"{bad} stored token{'' if bad == 1 else 's'} cannot be decrypted with CANISHARE_TOKEN_KEY: "
              f"put back the key they were written with (after the newest), then run canishare tokens rotate")
    click.echo("canishare: every stored token opens with CANISHARE_TOKEN_KEY", err=True)

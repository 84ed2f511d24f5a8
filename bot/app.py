"""Build the Bolt app once per process: client, middleware, listeners."""
from __future__ import annotations

import logging

from slack_bolt import App, BoltResponse

from storage.db import Database

from . import workspaces
from .logs import ContextExecutor
from .config import Secrets, Settings
from .config_store import ConfigStore
from .delivery import Deliverer, make_delivery_client
from .escalation import Escalations
from .listeners import Deps, register_all
from .slack_messenger import make_client
from .slack_views import SlackViews

log = logging.getLogger("canishare.app")

LISTENER_THREADS = 32  # Bolt's lazy listener executor: each runs one click's work (bench/results.md)
BACKGROUND_THREADS = 3  # the delivery loop, the scheduler's ticker, the metrics collector


def pool_size(request_threads: int) -> int:
    """Database connections one process needs so that no thread waits for one: every lazy
    listener, every request thread (acks, /readyz) and the background threads at once."""
    return LISTENER_THREADS + request_threads + BACKGROUND_THREADS


def build_app(settings: Settings | None, secrets: Secrets, db: Database) -> App:
    """`settings`: the YAML file's, used only while the database holds no configuration
    (serve seeds it before any worker starts; bench/ builds apps on databases without one)."""
    client = make_client(secrets.bot_token, secrets.api_url)
    # Bolt's warnings quote parts of payloads; only its errors (which we reduce to types) are logged.
    bolt_logger = logging.getLogger("canishare.bolt")
    bolt_logger.setLevel(logging.ERROR)
    app = App(
        signing_secret=secrets.signing_secret,
        client=client,  # carries the token and the configured base URL
        # Every listener acks in the request thread and leaves Web API work to a lazy
        # listener, so an ack never waits behind other clicks' work (bench/results.md).
        process_before_response=True,
        listener_executor=ContextExecutor(max_workers=LISTENER_THREADS, thread_name_prefix="canishare-lazy"),
        logger=bolt_logger,
        # Requests no listener handles (events we do not use, view_closed, app_rate_limited)
        # reach the error handler, which answers 200: Slack must not retry them.
        raise_error_for_unhandled_request=True,
        # bot/server.py checks every HTTP request's signature before Bolt sees it (and Socket
        # Mode requests carry none): Bolt's own check would only repeat that work on each click.
        request_verification_enabled=False,
    )
    # Which workspace we are installed in; requests from any other are refused.
    auth = client.auth_test()
    workspace = auth.get("team_id")
    enterprise = auth.get("enterprise_id")  # an Enterprise Grid org: its other workspaces are ours too
    if workspace:
        workspaces.reinstalled(db, workspace)  # auth.test accepted the token: it works here again
    config = ConfigStore(db, fallback=settings)  # one per process: every listener reads the newest version
    escalations = Escalations(config, db, secrets.pseudonym_key, views=SlackViews())
    deliverer = Deliverer(make_delivery_client(secrets.bot_token, secrets.api_url), db, hooks=escalations)
    deps = Deps(config=config, db=db, pseudonym_key=secrets.pseudonym_key,
                escalations=escalations, workspace=workspace, deliverer=deliverer)

    @app.middleware
    def only_our_workspace(context, next) -> BoltResponse | None:  # noqa: A002 - Bolt's name
        if enterprise and context.enterprise_id == enterprise:
            return next()
        if workspace and context.team_id and context.team_id != workspace:
            log.warning("refused a request from another workspace")
            return BoltResponse(status=403, body="This app is not installed in that workspace.")
        return next()

    register_all(app, deps)
    app.canishare_deps = deps  # type: ignore[attr-defined]
    return app

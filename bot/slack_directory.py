"""bot.membership.Directory for Slack: who is in a user group or a channel, and whether a
person is deactivated, through slack_sdk. Slack's refusals become DirectoryError(code)."""
from __future__ import annotations

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from .membership import DirectoryError

PAGE = 200  # conversations.members: Slack recommends no more than 200 a page


def _code(err: SlackApiError) -> str:
    status = getattr(err.response, "status_code", 0) or 0
    return str(err.response.get("error") or ("ratelimited" if status == 429 else f"http_{status}"))


class SlackDirectory:
    def __init__(self, client: WebClient):
        self.client = client

    def usergroup_members(self, usergroup: str) -> list[str]:
        # A disabled group answers no_such_subteam, as a deleted one does: both keep the old list.
        try:
            return list(self.client.usergroups_users_list(usergroup=usergroup, include_disabled=False).get("users") or [])
        except SlackApiError as err:
            raise DirectoryError(_code(err)) from None
        except (SlackClientError, OSError):
            raise DirectoryError("unreachable") from None

    def usergroups(self) -> list[dict[str, str]]:
        """The workspace's enabled user groups as {id, name, handle}, by name: Block Kit has no
        user group picker, so a settings menu offers these (usergroups.list, usergroups:read)."""
        try:
            groups = self.client.usergroups_list(include_disabled=False, include_count=False).get("usergroups") or []
        except SlackApiError as err:
            raise DirectoryError(_code(err)) from None
        except (SlackClientError, OSError):
            raise DirectoryError("unreachable") from None
        found = [{"id": g.get("id") or "", "name": g.get("name") or "", "handle": g.get("handle") or ""} for g in groups]
        return sorted((g for g in found if g["id"]), key=lambda g: g["name"].lower())

    def channel_members(self, channel: str) -> list[str]:
        members: list[str] = []
        try:  # a SlackResponse iterates over its pages, following response_metadata.next_cursor
            for page in self.client.conversations_members(channel=channel, limit=PAGE):
                members.extend(page.get("members") or [])
        except SlackApiError as err:
            raise DirectoryError(_code(err)) from None
        except (SlackClientError, OSError):
            raise DirectoryError("unreachable") from None
        return members

    def is_deactivated(self, user_id: str) -> bool:
        """True when Slack says deleted, or knows no such user (removed from the workspace)."""
        try:
            user = self.client.users_info(user=user_id).get("user") or {}
        except SlackApiError as err:
            if _code(err) in ("user_not_found", "account_inactive"):
                return True
            raise DirectoryError(_code(err)) from None
        except (SlackClientError, OSError):
            raise DirectoryError("unreachable") from None
        return bool(user.get("deleted"))

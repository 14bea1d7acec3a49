"""Walking the demo as the administrator: the role allows importing data, linking identities
and exporting data, but that work exists only on the command line and the home page did not
say so. It now names the commands and where their documentation is."""

from __future__ import annotations

import pytest

from watchhouse.domain.roles import Role

pytestmark = pytest.mark.web


def _section(page: str) -> str:
    if 'id="command-line-work"' not in page:
        return ""
    return page.split('id="command-line-work"')[1].split("</section>")[0]


def test_the_administrators_home_page_names_the_command_line_work(client_as) -> None:
    home = client_as(Role.ADMINISTRATOR).client.get("/")
    assert home.status_code == 200
    section = _section(home.text)
    for command in (
        "watchhouse import force-export",
        "watchhouse import records",
        "watchhouse import police-uk",
        "watchhouse identity link",
        "watchhouse export parquet",
        "--as-user administrator",
    ):
        assert command in section
    for doc in ("docs/data-formats.md", "docs/identity.md", "docs/user-guide.md"):
        assert doc in section


def test_other_roles_see_only_the_command_line_work_their_role_allows(client_as) -> None:
    analyst = _section(client_as(Role.ANALYST).client.get("/").text)
    assert "watchhouse export parquet" in analyst
    assert "watchhouse import" not in analyst and "watchhouse identity" not in analyst
    assert _section(client_as(Role.DISPATCHER).client.get("/").text) == ""

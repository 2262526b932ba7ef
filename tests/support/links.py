"""The signing link in an email's text, one pattern for every folder.

A link stands on a line of its own: ``https://<site>/stis/sign/#id=<id>&token=<token>``
(the site's signing page reads both from the fragment, so they never reach a server log).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

LINK = re.compile(r"^(?P<url>https?://\S+/stis/sign/#id=(?P<id>[^&\s]+)&token=(?P<token>\S+))$", re.M)


@dataclass(frozen=True)
class Link:
    url: str
    request_id: str
    token: str


def links_in(text: str) -> list[Link]:
    """Every signing link in ``text``, in order."""
    return [Link(m["url"], m["id"], m["token"]) for m in LINK.finditer(text)]


def link_in(text: str) -> Link:
    """The first signing link in ``text``; fails the test when there is none."""
    found = links_in(text)
    assert found, f"no signing link in:\n{text}"
    return found[0]

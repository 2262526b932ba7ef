"""Email for the portal: rendering the messages (sending lives elsewhere)."""

from chalicelib.email.render import KINDS, LANGUAGES, RenderedEmail, render_email

__all__ = ["KINDS", "LANGUAGES", "RenderedEmail", "render_email"]

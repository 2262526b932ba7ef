"""Email for the portal: rendering the messages (sending lives elsewhere)."""

from chalicelib.email.render import KINDS, RenderedEmail, render_email

__all__ = ["KINDS", "RenderedEmail", "render_email"]

"""`make dev`'s entry point, as a newcomer meets it (API and mailbox; the
browser walk through the site is in test_walkthrough.py)."""

from __future__ import annotations

import json
import subprocess
import urllib.request

from infra.local.stack import port_is_free
from tests.support.bodies import submit_body
from tests.support.live import ROOT, running_api, stack_command, stack_env


def test_starting_it_twice_on_the_same_ports_fails_with_a_clear_message() -> None:
    with running_api() as live:
        ports = {
            "api": int(live.url.rsplit(":", 1)[1]),
            "mail": int(live.mail_url.rsplit(":", 1)[1]),
            "site": int(live.site_url.rsplit(":", 1)[1]),
        }
        second = subprocess.run(
            stack_command(site=False),
            cwd=ROOT,
            env=stack_env(ports),
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert second.returncode == 2
        assert "already in use" in second.stderr
        assert "make dev" in second.stderr
        assert "Traceback" not in second.stderr + second.stdout
        with urllib.request.urlopen(f"{live.url}/health", timeout=5) as response:
            assert json.load(response) == {"status": "ok"}  # the first one is unharmed


def test_stopping_it_leaves_nothing_listening() -> None:
    with running_api() as live:
        api_port = int(live.url.rsplit(":", 1)[1])
        mail_port = int(live.mail_url.rsplit(":", 1)[1])
        assert not port_is_free(api_port)
    assert port_is_free(api_port)
    assert port_is_free(mail_port)


def test_jobs_on_demand_and_the_mailbox_json_shape() -> None:
    with running_api() as live:
        assert live.run_jobs() == {"voided": 0, "reminded": 0, "emails_sent": 0}
        body = submit_body(
            request_key="5c0ffee0-0000-4000-8000-000000000001",
            language="en",
            teacher_ids=["t-lindqvist"],
            student={"first_name": "Noor", "last_name": "Haddad", "student_id": "700001", "grade": "K"},
            guardian={"name": "Samir Haddad", "email": "samir.haddad@family.example"},
            first_day="2027-03-01",
            last_day="2027-03-02",
            reason="",
        )
        request = urllib.request.Request(
            f"{live.url}/stis/requests",
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            assert response.status == 201
        messages = live.wait_for_mail(2)
        assert {m["to"] for m in messages} == {
            "samir.haddad@family.example",
            "office@madrone.alder-creek.example",
        }
        for message in messages:
            assert set(message) == {"id", "to", "subject", "text", "html", "sent_at"}
        with urllib.request.urlopen(live.mail_url + "/", timeout=10) as page:
            html = page.read().decode()
        assert "samir.haddad@family.example" in html

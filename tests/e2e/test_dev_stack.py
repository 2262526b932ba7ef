"""`make dev`'s entry point, as a newcomer meets it (API and mailbox; the
browser walk through the site is in test_walkthrough.py)."""

from __future__ import annotations

import http.client
import json
import subprocess
import threading
import urllib.request
from collections import Counter

from infra.local.stack import port_is_free
from tests.support.bodies import submit_body
from tests.support.live import ROOT, Live, running_api, stack_command, stack_env


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
        counts = live.run_jobs()
        assert counts["registers"] in (0, 2)  # 2 on a Monday: one per school office
        assert {k: v for k, v in counts.items() if k != "registers"} == {
            "voided": 0,
            "reminded": 0,
            "evaluations_begun": 0,
            "evaluations_reminded": 0,
            "emails_sent": 0,
        }
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
        live.wait_for_mail(1)
        live.run_jobs()  # anything still waiting in the outbox goes out now
        messages = live.mailbox()
        # Until the guardian signs, only the guardian hears, with nothing typed into the form.
        assert [m["to"] for m in messages] == ["samir.haddad@family.example"]
        for message in messages:
            assert set(message) == {"id", "to", "subject", "text", "html", "sent_at", "attachments"}
            assert "Noor" not in message["subject"] + message["text"]
        with urllib.request.urlopen(live.mail_url + "/", timeout=10) as page:
            html = page.read().decode()
        assert "samir.haddad@family.example" in html


def _ports(live: Live) -> dict[str, int]:
    return {
        name: int(url.rsplit(":", 1)[1])
        for name, url in (("api", live.url), ("mail", live.mail_url), ("site", live.site_url))
    }


def test_two_hundred_clients_at_once_all_get_answers() -> None:
    """A crowd of plain HTTP clients, each connecting when released (no
    connection opened beforehand, no retry): none is refused or reset."""
    calls: list[tuple[str, str, bytes | None]] = [
        ("GET", "/schools?lang=es", None),
        ("POST", "/stis/quote", json.dumps({"first_day": "2027-03-01", "last_day": "2027-03-05"}).encode()),
        ("GET", "/health", None),
        ("GET", "/schools", None),
    ] * 50
    with running_api() as live:
        host, port = live.url.removeprefix("http://").split(":")
        barrier = threading.Barrier(len(calls))
        answers: list[int | str] = ["no answer"] * len(calls)

        def client(index: int) -> None:
            method, path, body = calls[index]
            barrier.wait()
            connection = http.client.HTTPConnection(host, int(port), timeout=60)
            try:
                connection.request(method, path, body=body, headers={"Content-Type": "application/json"})
                response = connection.getresponse()
                response.read()
                answers[index] = response.status
            except OSError as error:
                answers[index] = f"{type(error).__name__}: {error}"
            finally:
                connection.close()

        threads = [threading.Thread(target=client, args=(i,)) for i in range(len(calls))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
    assert len(answers) == 200
    assert Counter(answers) == {200: 200}, Counter(answers).most_common(5)


def test_it_starts_again_on_the_same_ports_right_after_stopping() -> None:
    """Ctrl-C then `make dev` again: the connections just closed (TIME_WAIT
    on the server's side) do not make the ports look busy."""
    with running_api() as live:
        ports = _ports(live)
        for _ in range(5):  # connections the server closes first leave TIME_WAIT behind
            with urllib.request.urlopen(f"{live.url}/health", timeout=5) as response:
                response.read()
            with urllib.request.urlopen(f"{live.mail_url}/messages.json", timeout=5) as response:
                response.read()
    # Launched at once (well within a second of the first one exiting): it must
    # start, not stop at "already in use" (running_api raises with its output).
    with (
        running_api(ports=ports) as again,
        urllib.request.urlopen(f"{again.url}/health", timeout=5) as response,
    ):
        assert json.load(response) == {"status": "ok"}

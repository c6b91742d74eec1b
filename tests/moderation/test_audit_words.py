"""The audit log in German words: actions, what they concern, their details; people are
found by name, not by an account number nobody knows."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.accounts.models import AccountState, Role
from app.audit.labels import ACTION_LABELS, describe_details
from app.membership import domains
from tests import factories

APP = Path(__file__).resolve().parent.parent.parent / "app"
# Actions built at run time, which the source scan cannot read.
BUILT_AT_RUN_TIME = {"thread_locked", "thread_unlocked"}


def _strings(node: ast.AST) -> set[str]:
    """The literal strings an expression can be (either branch of a conditional)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}
    if isinstance(node, ast.IfExp):
        return _strings(node.body) | _strings(node.orelse)
    return set()


def _call_name(node: ast.Call) -> str:
    func = node.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def _recorded_actions() -> set[str]:
    """Every action an audit.record() call in the code can write: its literal action, the
    actions the withdrawal helpers pass on, and the decision table of applications."""
    found: set[str] = set()
    for path in APP.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "audit"
                and node.func.attr == "record"
                and node.args[1:]
            ):
                found |= _strings(node.args[1])
            if isinstance(node, ast.Call) and "withdraw" in _call_name(node):
                for keyword in node.keywords:
                    if keyword.arg == "action":
                        found |= _strings(keyword.value)
            if isinstance(node, ast.FunctionDef) and node.name == "withdraw":
                for argument, default in zip(
                    node.args.kwonlyargs, node.args.kw_defaults, strict=True
                ):
                    if argument.arg == "action" and default is not None:
                        found |= _strings(default)
            if isinstance(node, ast.Dict):
                found |= {
                    value
                    for entry in node.values
                    for value in _strings(entry)
                    if value.startswith("application_")
                }
    return found


def test_every_recorded_action_has_german_words() -> None:
    actions = _recorded_actions() | BUILT_AT_RUN_TIME
    assert {"application_approved", "dev_login", "publication_withdrawn_by_moderator"} <= actions
    missing = sorted(action for action in actions if action not in ACTION_LABELS)
    assert missing == []


@pytest.mark.parametrize(
    ("details", "shown"),
    [
        ({"domain_verified": False}, [("Domain für die Kommune bestätigt", "nein")]),
        ({"email_verified": True}, [("Adresse vom Identitätsdienst bestätigt", "ja")]),
        (
            {"from_stage": "idee", "to_stage": "pilot"},
            [("Von Phase", "Idee"), ("Zu Phase", "Pilot")],
        ),
        (
            {"previous": "member", "role": "moderator"},
            [("Vorher", "Mitglied"), ("Rolle", "Moderation")],
        ),
        ({"domain": None}, [("Domain", "–")]),
        ({"endpoints_disabled": [3, 4]}, [("Abgeschaltete Webhooks", "3, 4")]),
        ({"unbekannt_neu": "x"}, [("unbekannt_neu", "x")]),
    ],
)
def test_details_are_words(details: dict[str, object], shown: list[tuple[str, str]]) -> None:
    assert describe_details(details) == shown


@pytest.fixture
def moderator(client: TestClient, db: Session) -> factories.Account:
    person = factories.account(db, "Mara Moser", role=Role.MODERATOR)
    factories.login(client, db, person)
    return person


def test_the_log_speaks_german_and_finds_people_by_name(
    client: TestClient, db: Session, moderator: factories.Account
) -> None:
    applicant = factories.account(db, "Ann Antrag", state=AccountState.PENDING)
    application = factories.application(db, applicant)
    token = factories.csrf_token(client, "/moderation")
    client.post(
        f"/moderation/applications/{application.id}",
        data={"csrf_token": token, "decision": "approve", "reason": ""},
    )
    log = client.get("/moderation/audit").text
    table = log.split("<tbody>")[1].split("</tbody>")[0]
    assert "Antrag freigeschaltet" in table and "application_approved" not in table
    assert (
        f'<a href="/moderation/applications/{application.id}">Antrag Nr. {application.id}</a>'
        in table
    )
    assert "Domain für die Kommune bestätigt: nein" in table
    assert "domain_verified" not in table and "False" not in table
    form = log.split('action="/moderation/audit"')[1].split("</form>")[0]
    assert "Konto-Nr." not in form
    assert '<option value="application_approved">Antrag freigeschaltet</option>' in form

    by_name = client.get("/moderation/audit?actor=Mara").text.split("<tbody>")[1]
    assert "Antrag freigeschaltet" in by_name
    nobody = client.get("/moderation/audit?actor=Niemand+Bekanntes").text
    assert "Antrag freigeschaltet" not in nobody.split("<tbody>")[1]
    assert "Keine Person gefunden" in nobody
    subject = client.get(f"/moderation/audit?subject={applicant.id}").text.split("<tbody>")[1]
    assert "Antrag freigeschaltet" in subject


def test_domain_changes_name_the_municipality(
    client: TestClient, db: Session, moderator: factories.Account
) -> None:

    town = factories.municipality(db, "Domänenstadt, Stadt")
    entry = domains.add(db, moderator, town.ags, "domaenenstadt.example")
    domains.remove(db, moderator, entry.id)
    table = client.get("/moderation/audit").text.split("<tbody>")[1].split("</tbody>")[0]
    assert table.count(f'<a href="/kommunen/{town.ags}">Domänenstadt, Stadt</a>') == 2
    assert "E-Mail-Domain entfernt" in table and "E-Mail-Domain bestätigt" in table

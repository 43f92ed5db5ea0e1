"""A release's budget: exact Decimal totals per currency (never added across currencies) and
per category, the editions' manufacturing cost as computed lines, refused input that saves
nothing (service, page and API, in the one error shape), and who may see money: owners and
managers; a member gets 403 and no link; another workspace a 404."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from releases.models import Expense, PhysicalEdition
from releases.selectors_budget import budget_summary
from releases.services import budget
from releases.services.budget import amount_parse

from ..conftest import assert_error_shape
from ..factories import PersonFactory, ReleaseFactory

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture
def release(workspace):
    workspace.default_currency = "EUR"
    workspace.save()
    return ReleaseFactory(workspace=workspace, title="Glasshouse")


def add(release, **kw):
    fields = {"category": "mixing", "description": "Mix", "currency": "EUR", **kw}
    return budget.expense_create(release=release, **fields)


def page(release, tail=""):
    return f"/w/{release.workspace.slug}/releases/{release.pk}/budget/{tail}"


def api_url(release, tail=""):
    return f"/api/workspaces/{release.workspace.slug}/releases/{release.pk}/expenses/{tail}"


# --- Amounts -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("1250.5", D("1250.50")), ("0", D("0.00")), (" 7 ", D("7.00")), (12, D("12.00")),
     (D("1.500"), D("1.50")), ("", None), (None, None)],
)  # fmt: skip
def test_amounts_are_read_exactly(raw, expected):
    assert amount_parse(raw) == expected


@pytest.mark.parametrize(
    ("raw", "words"),
    [("-1", "negative"), ("1.005", "more than two decimals"), ("abc", "not a number"),
     ("12,50", "comma"), ("NaN", "not a number"), ("Infinity", "not a number"),
     (0.1, "floating-point"), ("1e13", "too large"), ("1e999999999", "too large")],
)  # fmt: skip
def test_bad_amounts_are_refused_in_words(raw, words):
    with pytest.raises(ValidationError) as exc:
        amount_parse(raw)
    assert words in " ".join(exc.value.messages)


# --- Totals ------------------------------------------------------------------------------------


def test_totals_are_exact_decimals_per_category_and_never_mix_currencies(release):
    # 0.1 + 0.2 is 0.30000000000000004 in floats; three of them in cents must be 0.60 exactly.
    for _ in range(3):
        add(release, category="mixing", planned="0.10", actual="0.20")
    add(release, category="mastering", planned="300", actual="350.55", recoupable=True)
    add(release, category="artwork", actual="99.99")  # an invoice nobody planned
    add(release, category="promotion", currency="GBP", planned="500")
    summary = budget_summary(release=release)

    assert [c.currency for c in summary.currencies] == ["EUR", "GBP"]  # the workspace's first
    eur, gbp = summary.currencies
    assert (eur.planned, eur.actual) == (D("300.30"), D("451.14"))
    assert eur.difference == D("150.84")
    assert eur.forecast == D("451.14")
    assert (eur.recoupable.planned, eur.recoupable.actual) == (D("300.00"), D("350.55"))
    by_cat = {c.category: c for c in eur.categories}
    assert (by_cat["mixing"].planned, by_cat["mixing"].actual) == (D("0.30"), D("0.60"))
    assert by_cat["mixing"].difference == D("0.30")
    assert by_cat["artwork"].planned == D("0") and by_cat["artwork"].actual == D("99.99")
    assert all(isinstance(v, Decimal) for v in (eur.planned, eur.actual, eur.difference))
    # GBP stands alone: 500 planned, nothing of it in the EUR sums.
    assert (gbp.planned, gbp.actual, gbp.forecast) == (D("500.00"), D("0"), D("500.00"))
    assert [c.category for c in gbp.categories] == ["promotion"]
    assert summary.mixed_currencies and "never added together" in summary.note


def test_editions_are_manufacturing_lines_computed_not_copied(release):
    vinyl = PhysicalEdition.objects.create(
        release=release, format="vinyl", vinyl="12-33", quantity=300, unit_cost=D("4.3333"),
        currency="EUR", manufacturer="Pressing Plant Oy",
    )  # fmt: skip
    PhysicalEdition.objects.create(release=release, format="cd", quantity=0, unit_cost=D("1"))
    add(release, category="manufacturing", actual="1300.00", description="Plant invoice")
    summary = budget_summary(release=release)
    (eur,) = summary.currencies
    (manufacturing,) = eur.categories
    lines = manufacturing.lines
    assert [ln.kind for ln in lines] == ["edition", "expense"]  # an empty edition costs nothing
    assert lines[0].planned == D("1299.99") == vinyl.manufacturing_cost
    assert lines[0].payee == "Pressing Plant Oy" and "× 300" in lines[0].description
    assert (manufacturing.planned, manufacturing.actual) == (D("1299.99"), D("1300.00"))
    assert Expense.objects.filter(release=release).count() == 1  # nothing synced into rows
    vinyl.quantity = 500
    vinyl.save()
    assert budget_summary(release=release).currencies[0].planned == D("2166.65")


def test_summary_query_count_does_not_grow_with_lines(release, django_assert_num_queries):
    person = PersonFactory(workspace=release.workspace)
    add(release, planned="1", payee=person)
    PhysicalEdition.objects.create(release=release, format="cd", quantity=10, unit_cost=D("1"))
    with CaptureQueriesContext(connection) as few:
        budget_summary(release=release)
    for i in range(10):
        add(release, planned=str(i), payee=PersonFactory(workspace=release.workspace))
        PhysicalEdition.objects.create(release=release, format="cd", quantity=5, unit_cost=D(1))
    with CaptureQueriesContext(connection) as many:
        budget_summary(release=release)
    assert len(many) == len(few) == 2


# --- Refusals save nothing ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [({"currency": "XYZ", "planned": "10"}, "currency", "ISO 4217"),
     ({"planned": "-5"}, "planned", "negative"),
     ({"actual": "1.005"}, "actual", "more than two decimals"),
     ({"planned": "ten"}, "planned", "not a number"),
     ({}, "planned", "planned amount, an actual amount, or both"),
     ({"currency": "JPY", "planned": "100.50"}, "planned", "no cents")],
)  # fmt: skip
def test_service_refuses_bad_input_and_saves_nothing(release, fields, field, words):
    with pytest.raises(ValidationError) as exc:
        add(release, **fields)
    assert words in " ".join(exc.value.message_dict[field])
    assert not Expense.objects.exists()


def test_a_refused_update_leaves_the_row_as_it_was(release):
    expense = add(release, planned="100", actual="90")
    with pytest.raises(ValidationError):
        budget.expense_update(expense=expense, description="Changed", actual="-1")
    expense.refresh_from_db()
    assert (expense.description, expense.actual) == ("Mix", D("90.00"))
    updated = budget.expense_update(expense=expense, actual="", planned="120")
    assert (updated.planned, updated.actual) == (D("120.00"), None)


def test_payee_from_another_workspace_is_refused(release, other_workspace):
    with pytest.raises(ValidationError) as exc:
        add(release, planned="1", payee=PersonFactory(workspace=other_workspace))
    assert "payee" in exc.value.message_dict and not Expense.objects.exists()


# --- Pages -------------------------------------------------------------------------------------


def test_owner_adds_through_the_page_and_sees_the_totals(client, owner, release):
    client.force_login(owner)
    r = client.post(
        page(release),
        {
            "category": "mastering",
            "description": "Master",
            "currency": "EUR",
            "planned": "250.00",
            "actual": "275.5",
        },
    )
    assert r.status_code == 302
    r = client.get(page(release))
    text = r.content.decode()
    assert r.status_code == 200 and "Master" in text and "275.50" in text and "25.50" in text


@pytest.mark.parametrize(
    ("data", "words"),
    [({"currency": "XYZ", "planned": "10"}, "is not an ISO 4217 currency code"),
     ({"currency": "EUR", "planned": "-10"}, "cannot be negative"),
     ({"currency": "EUR", "planned": "1.005"}, "more than two decimals")],
)  # fmt: skip
def test_page_shows_the_message_next_to_the_field_and_saves_nothing(
    client, owner, release, data, words
):
    client.force_login(owner)
    r = client.post(page(release), {"category": "mixing", "description": "Mix", **data})
    assert r.status_code == 400
    assert words in r.content.decode().replace("&#x27;", "'")
    assert b'class="error"' in r.content and not Expense.objects.exists()


def test_edit_and_delete_through_the_page(client, manager, release):
    expense = add(release, planned="10")
    client.force_login(manager)
    r = client.post(
        page(release, f"{expense.pk}/"),
        {"category": "video", "description": "Clip", "currency": "EUR", "actual": "12"},
    )
    assert r.status_code == 302
    expense.refresh_from_db()
    assert (expense.category, expense.planned, expense.actual) == ("video", None, D("12.00"))
    assert client.post(page(release, f"{expense.pk}/delete/")).status_code == 302
    assert not Expense.objects.exists()


def test_a_member_gets_403_and_no_budget_link(client, member, owner, release):
    add(release, planned="10")
    client.force_login(member)
    assert client.get(page(release)).status_code == 403
    r = client.post(
        page(release), {"category": "mixing", "description": "x", "currency": "EUR", "planned": "1"}
    )
    assert r.status_code == 403 and Expense.objects.count() == 1
    overview = client.get(f"/w/{release.workspace.slug}/releases/{release.pk}/")
    assert overview.status_code == 200 and page(release).encode() not in overview.content
    client.force_login(owner)
    overview = client.get(f"/w/{release.workspace.slug}/releases/{release.pk}/")
    assert page(release).encode() in overview.content


def test_another_workspace_gets_404_page(client, outsider, release):
    expense = add(release, planned="10")
    client.force_login(outsider)
    assert client.get(page(release)).status_code == 404
    assert client.post(page(release, f"{expense.pk}/delete/")).status_code == 404
    assert Expense.objects.count() == 1


# --- API ---------------------------------------------------------------------------------------


def test_api_crud_and_totals(api, manager, release):
    client = api(manager)
    r = client.post(
        api_url(release),
        {
            "category": "recording",
            "description": "Studio",
            "currency": "eur",
            "planned": "1000.00",
            "actual": 999.5,
            "recoupable": True,
        },
        format="json",
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert (body["currency"], body["planned"], body["actual"]) == ("EUR", "1000.00", "999.50")
    pk = body["id"]
    r = client.patch(api_url(release, f"{pk}/"), {"actual": "1010"}, format="json")
    assert r.status_code == 200 and r.json()["actual"] == "1010.00"
    totals = client.get(api_url(release, "totals/")).json()
    (eur,) = totals["currencies"]
    assert (eur["planned"], eur["actual"], eur["difference"]) == ("1000.00", "1010.00", "10.00")
    assert eur["recoupable"]["actual"] == "1010.00"
    assert eur["categories"][0]["lines"][0]["expense"] == pk
    assert [e["id"] for e in client.get(api_url(release)).json()] == [pk]
    assert client.delete(api_url(release, f"{pk}/")).status_code == 204
    assert not Expense.objects.exists()


@pytest.mark.parametrize(
    ("data", "field"),
    [({"currency": "XYZ", "planned": "10"}, "currency"),
     ({"currency": "EUR", "planned": "-10"}, "planned"),
     ({"currency": "EUR", "planned": "1.005"}, "planned"),
     ({"currency": "EUR", "planned": 1.005}, "planned"),
     ({"currency": "EUR"}, "planned")],
)  # fmt: skip
def test_api_refuses_in_the_error_shape_and_saves_nothing(api, owner, release, data, field):
    r = api(owner).post(
        api_url(release), {"category": "mixing", "description": "Mix", **data}, format="json"
    )
    body = assert_error_shape(r, 400)
    assert field in body["fields"] and not Expense.objects.exists()


def test_api_refused_patch_changes_nothing(api, owner, release):
    expense = add(release, planned="10")
    r = api(owner).patch(
        api_url(release, f"{expense.pk}/"),
        {"description": "Changed", "planned": "-1"},
        format="json",
    )
    assert_error_shape(r, 400)
    expense.refresh_from_db()
    assert (expense.description, expense.planned) == ("Mix", D("10.00"))


def test_api_member_403_and_stranger_404(api, member, outsider, release):
    expense = add(release, planned="10")
    for url in (api_url(release), api_url(release, "totals/"), api_url(release, f"{expense.pk}/")):
        assert_error_shape(api(member).get(url), 403, "permission_denied")
        assert_error_shape(api(outsider).get(url), 404, "not_found")
    r = api(member).post(
        api_url(release),
        {"category": "mixing", "description": "x", "currency": "EUR", "planned": "1"},
        format="json",
    )
    assert_error_shape(r, 403)
    assert_error_shape(api(outsider).delete(api_url(release, f"{expense.pk}/")), 404)
    assert Expense.objects.count() == 1


def test_api_list_query_count_is_flat(api, owner, release):
    client = api(owner)
    add(release, planned="1", payee=PersonFactory(workspace=release.workspace))
    with CaptureQueriesContext(connection) as few:
        assert client.get(api_url(release)).status_code == 200
        assert client.get(api_url(release, "totals/")).status_code == 200
    for i in range(8):
        add(release, planned=str(i), payee=PersonFactory(workspace=release.workspace))
    with CaptureQueriesContext(connection) as many:
        client.get(api_url(release))
        client.get(api_url(release, "totals/"))
    assert len(many) == len(few)


def test_budget_page_query_count_is_flat(client, owner, release):
    client.force_login(owner)
    add(release, planned="1", payee=PersonFactory(workspace=release.workspace))
    client.get(page(release))
    with CaptureQueriesContext(connection) as few:
        assert client.get(page(release)).status_code == 200
    for i in range(8):
        add(release, planned=str(i), payee=PersonFactory(workspace=release.workspace),
            currency="GBP" if i % 2 else "EUR")  # fmt: skip
        PhysicalEdition.objects.create(release=release, format="cd", quantity=5, unit_cost=D(1))
    with CaptureQueriesContext(connection) as many:
        r = client.get(page(release))
    assert r.status_code == 200 and b"Lines in GBP" in r.content
    assert len(many) == len(few)

"""validate_provider: each rule, errors apart from warnings, one message per field."""

from __future__ import annotations

import copy

import pytest

from lace_tui.catalog.loader import load_catalog
from lace_tui.catalog.models import Model, Provider
from lace_tui.catalog.validation import (
    FieldIssue,
    ValidationReport,
    check_provider_id,
    validate_provider,
)
from lace_tui.errors import BadInputError
from lace_tui.paths import resolve_paths

GOOD: dict[str, object] = {
    "id": "my-server",
    "name": "My server",
    "type": "openai-compat",
    "api_key": "$MY_SERVER_KEY",
    "api_endpoint": "http://localhost:8000/v1",
    "default_large_model_id": "big",
    "default_small_model_id": "small",
    "models": [
        {
            "id": "big",
            "name": "Big",
            "cost_per_1m_in": 1.5,
            "cost_per_1m_out": 6,
            "context_window": 128000,
            "default_max_tokens": 8192,
            "can_reason": True,
            "reasoning_levels": ["low", "high"],
        },
        {"id": "small"},
    ],
}


def good() -> dict[str, object]:
    return copy.deepcopy(GOOD)


def model(data: dict[str, object], index: int) -> dict[str, object]:
    models = data["models"]
    assert isinstance(models, list)
    entry = models[index]
    assert isinstance(entry, dict)
    return entry


def fields(issues: list[FieldIssue]) -> list[str]:
    return [issue.field for issue in issues]


def test_a_complete_provider_has_no_issues() -> None:
    report = validate_provider(good())
    assert report == ValidationReport()
    assert report.ok


def test_a_provider_object_is_checked_like_its_json() -> None:
    report = validate_provider(Provider.model_validate(good()))
    assert report.ok and not report.warnings


@pytest.mark.parametrize("field", ["id", "name", "type"])
@pytest.mark.parametrize("value", [None, "", "   "])
def test_id_name_and_type_are_required(field: str, value: object) -> None:
    data = good()
    if value is None:
        del data[field]
    else:
        data[field] = value
    report = validate_provider(data)
    assert report.errors == [FieldIssue(field=field, message="required")]


def test_a_model_id_is_required_and_named_by_position() -> None:
    data = good()
    del model(data, 1)["id"]
    report = validate_provider(data)
    # The missing model also leaves default_small_model_id pointing at nothing.
    assert fields(report.errors) == ["models[1].id", "default_small_model_id"]
    assert report.errors[0].message == "required"


@pytest.mark.parametrize("provider_id", ["My-Server", "-lead", "a b", "x" * 64, "caf\u00e9"])
def test_a_malformed_provider_id_is_an_error(provider_id: str) -> None:
    data = good()
    data["id"] = provider_id
    report = validate_provider(data)
    assert fields(report.errors) == ["id"]
    assert "lowercase letters" in report.errors[0].message
    with pytest.raises(BadInputError, match="invalid provider id"):
        check_provider_id(provider_id)


@pytest.mark.parametrize("provider_id", ["a", "my.server_2-x", "0" + "x" * 62])
def test_well_formed_provider_ids_pass(provider_id: str) -> None:
    data = good()
    data["id"] = provider_id
    assert validate_provider(data).ok
    check_provider_id(provider_id)


def test_duplicate_model_ids_name_both_positions() -> None:
    data = good()
    models = data["models"]
    assert isinstance(models, list)
    models.append({"id": "big", "name": "Big again"})
    report = validate_provider(data)
    assert report.errors == [
        FieldIssue(field="models[2].id", message="duplicate model id 'big' (also models[0])")
    ]


@pytest.mark.parametrize("field", ["default_large_model_id", "default_small_model_id"])
def test_a_default_model_not_in_the_list_is_an_error(field: str) -> None:
    data = good()
    data[field] = "gone"
    report = validate_provider(data)
    assert report.errors == [
        FieldIssue(field=field, message="'gone' is not one of the provider's models")
    ]


@pytest.mark.parametrize("field", ["context_window", "default_max_tokens"])
@pytest.mark.parametrize("value", [0, -5])
def test_token_counts_must_be_positive(field: str, value: int) -> None:
    data = good()
    model(data, 0)[field] = value
    report = validate_provider(data)
    assert fields(report.errors) == [f"models[0].{field}"]
    assert "positive number of tokens" in report.errors[0].message
    assert f"(got {value})" in report.errors[0].message


def test_token_counts_must_be_whole_numbers() -> None:
    data = good()
    model(data, 0)["context_window"] = "lots"
    model(data, 1)["default_max_tokens"] = 12.5
    report = validate_provider(data)
    assert fields(report.errors) == ["models[0].context_window", "models[1].default_max_tokens"]
    assert report.errors[0].message == "must be a whole number of tokens, got text"


def test_unknown_token_counts_and_prices_are_fine() -> None:
    data = good()
    model(data, 0)["context_window"] = None
    model(data, 0)["cost_per_1m_in"] = None
    assert validate_provider(data).ok


@pytest.mark.parametrize(
    "field",
    ["cost_per_1m_in", "cost_per_1m_out", "cost_per_1m_in_cached", "cost_per_1m_out_cached"],
)
def test_negative_prices_are_errors(field: str) -> None:
    data = good()
    model(data, 1)[field] = -0.5
    report = validate_provider(data)
    assert report.errors == [
        FieldIssue(field=f"models[1].{field}", message="must not be negative (got -0.5)")
    ]


def test_a_price_that_is_not_a_number_is_an_error() -> None:
    data = good()
    model(data, 0)["cost_per_1m_out"] = "$6"
    model(data, 1)["cost_per_1m_in"] = True
    report = validate_provider(data)
    assert fields(report.errors) == ["models[0].cost_per_1m_out", "models[1].cost_per_1m_in"]
    assert "must be a number (USD per million tokens)" in report.errors[0].message


def test_prices_over_1000_per_million_are_warnings_not_errors() -> None:
    data = good()
    model(data, 0)["cost_per_1m_out"] = 1500
    model(data, 1)["cost_per_1m_in"] = 1000  # the limit itself is fine
    report = validate_provider(data)
    assert report.ok
    assert fields(report.warnings) == ["models[0].cost_per_1m_out"]
    assert "$1,500.00 per million tokens is unusually high" in report.warnings[0].message


def test_max_tokens_above_the_context_window_is_a_warning() -> None:
    data = good()
    model(data, 0)["default_max_tokens"] = 200000
    report = validate_provider(data)
    assert report.ok
    assert report.warnings == [
        FieldIssue(
            field="models[0].default_max_tokens",
            message="200,000 is more than the context window (128,000)",
        )
    ]


def test_a_type_without_a_chat_client_is_a_warning() -> None:
    data = good()
    data["type"] = "made-up"
    report = validate_provider(data)
    assert report.ok
    assert fields(report.warnings) == ["type"]
    assert "no chat client for type 'made-up'" in report.warnings[0].message


def test_a_literal_api_key_is_a_warning_that_does_not_repeat_it() -> None:
    data = good()
    data["api_key"] = "sk-secret-123456"
    report = validate_provider(data)
    assert report.ok
    assert fields(report.warnings) == ["api_key"]
    assert "sk-secret" not in str(report.warnings[0])


@pytest.mark.parametrize("endpoint", ["localhost:8000", "ftp://host/x", "http://", "$"])
def test_an_endpoint_must_be_a_url_or_a_variable(endpoint: str) -> None:
    data = good()
    data["api_endpoint"] = endpoint
    report = validate_provider(data)
    assert fields(report.errors) == ["api_endpoint"]


@pytest.mark.parametrize("endpoint", ["", "$MY_ENDPOINT", "https://example.com/v1"])
def test_endpoints_that_pass(endpoint: str) -> None:
    data = good()
    data["api_endpoint"] = endpoint
    assert validate_provider(data).ok


def test_wrong_types_are_named_per_field() -> None:
    data = good()
    data["models"] = {"big": {}}
    data["default_headers"] = {"X-Team": 7}
    report = validate_provider(data)
    assert fields(report.errors) == ["default_headers.X-Team", "models"]
    assert report.errors[1].message == "must be a list of models, got an object"


def test_model_flags_and_lists_are_type_checked() -> None:
    data = good()
    model(data, 0)["can_reason"] = "yes"
    model(data, 0)["reasoning_levels"] = "low"
    model(data, 1)["options"] = []
    models = data["models"]
    assert isinstance(models, list)
    models.append("gpt-5")
    report = validate_provider(data)
    assert fields(report.errors) == [
        "models[0].can_reason",
        "models[0].reasoning_levels",
        "models[1].options",
        "models[2]",
    ]


def test_unknown_keys_are_kept_and_allowed() -> None:
    data = good()
    data["x_note"] = "mine"
    model(data, 0)["temperature"] = 0.2
    assert validate_provider(data).ok


def test_raise_for_errors_names_the_first_issues_and_counts_the_rest() -> None:
    data = good()
    for index in range(2):
        model(data, index)["cost_per_1m_in"] = -1
        model(data, index)["context_window"] = 0
    report = validate_provider(data)
    with pytest.raises(BadInputError) as caught:
        report.raise_for_errors("cannot save provider 'my-server'")
    message = str(caught.value)
    assert message.startswith("cannot save provider 'my-server': models[0].cost_per_1m_in:")
    assert message.endswith("(and 1 more)")
    assert "\n" not in message
    assert caught.value.exit_code == 2


def test_a_model_object_with_an_explicit_zero_context_is_flagged() -> None:
    provider = Provider(
        id="p", name="P", type="openai", models=[Model(id="m", context_window=0), Model(id="n")]
    )
    report = validate_provider(provider)
    # An unset context window is unknown; one set to 0 is a mistake.
    assert fields(report.errors) == ["models[0].context_window"]


def test_every_shipped_provider_validates_without_errors(tmp_path) -> None:
    catalog = load_catalog(resolve_paths(tmp_path))
    failing = {
        provider.id: validate_provider(provider).errors
        for provider in catalog.providers.values()
        if not validate_provider(provider).ok
    }
    assert failing == {}
    assert len(catalog.providers) > 40

"""`Settings.resolve`: an explicit value beats the environment, which beats the default;
bad values are one-line `SettingsError`s naming the variable and what to do."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from evidence import EvidenceError, Settings, SettingsError


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for field in dataclasses.fields(Settings):
        monkeypatch.delenv(f"EVIDENCE_{field.name.upper()}", raising=False)
    monkeypatch.delenv("EVIDENCE_INDEX", raising=False)


def test_precedence_is_argument_then_environment_then_default(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert Settings.resolve().port == 5000
    monkeypatch.setenv("EVIDENCE_PORT", "5055")
    assert Settings.resolve().port == 5055
    assert Settings.resolve({"port": 6000}).port == 6000
    assert Settings.resolve(port=7000).port == 7000
    assert Settings.resolve({"port": 6000}, port=7000).port == 7000


def test_a_settings_object_is_kept_as_given_not_mixed_with_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    given = Settings(port=6100)
    monkeypatch.setenv("EVIDENCE_PORT", "5055")
    monkeypatch.setenv("EVIDENCE_HOST", "127.0.0.2")
    resolved = Settings.resolve(given, batch_size=4)
    assert (resolved.port, resolved.host, resolved.batch_size) == (6100, "127.0.0.1", 4)


def test_values_are_coerced_from_strings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("EVIDENCE_INDEX", str(tmp_path / "ix"))
    monkeypatch.setenv("EVIDENCE_CORPUS", f"{tmp_path / 'a.bib'}:{tmp_path / 'b'}")
    monkeypatch.setenv("EVIDENCE_WEIGHT_LEXICAL", "0.5")
    monkeypatch.setenv("EVIDENCE_RETRIEVERS", "bm25, dense")
    settings = Settings.resolve()
    assert settings.index_dir == tmp_path / "ix"
    assert settings.corpus == (tmp_path / "a.bib", tmp_path / "b")
    assert settings.weight_lexical == 0.5 and settings.retrievers == ("bm25", "dense")


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"port": "http"}, "setting port must be a whole number, not 'http'"),
        ({"retrievers": "bm25,colbert"}, "retrievers must be a `,`-separated list of bm25"),
        ({"colour": "red"}, "unknown setting.*colour; the settings are: index_dir"),
    ],
)
def test_bad_values_raise_a_settings_error(overrides: dict, message: str) -> None:  # type: ignore[type-arg]
    with pytest.raises(SettingsError, match=message) as caught:
        Settings.resolve(overrides)
    assert isinstance(caught.value, EvidenceError) and isinstance(caught.value, ValueError)


def test_secrets_never_show_in_the_settings_repr(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EVIDENCE_TOKEN", "a-very-secret-token-123")
    monkeypatch.setenv("EVIDENCE_SECRET_KEY", "another-secret")
    settings = Settings.resolve()
    assert settings.token == "a-very-secret-token-123"
    assert "secret" not in repr(settings)

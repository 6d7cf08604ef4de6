"""The `telemetry` setting: when false, nothing is appended to telemetry.jsonl."""

from nudge.session import Session
from nudge.settings import Settings
from nudge.telemetry import Telemetry


def test_telemetry_setting_defaults_on():
    assert Settings().telemetry is True


def test_disabled_telemetry_appends_nothing(tmp_path):
    path = tmp_path / "telemetry.jsonl"
    Telemetry(path, enabled=False).record("opened", words=3)
    assert not path.exists()
    Telemetry(path).record("opened", words=3)
    assert path.read_text().count("\n") == 1


def test_session_follows_the_telemetry_setting(tmp_path):
    path = tmp_path / "telemetry.jsonl"
    session = Session(None, tmp_path / "cache", telemetry=Telemetry(path))
    session.reload_settings({"telemetry": False})
    session.open("file:///a.md", "At the end of the day we left.\n", "markdown", 1)
    assert not path.exists()
    session.reload_settings({"telemetry": True})
    session.open("file:///b.md", "At the end of the day we left.\n", "markdown", 1)
    assert path.exists()


def test_team_file_turns_telemetry_off(tmp_path):
    (tmp_path / ".nudge.toml").write_text("telemetry = false\n")
    path = tmp_path / "telemetry.jsonl"
    session = Session(tmp_path, tmp_path / "cache", telemetry=Telemetry(path))
    session.open("file:///a.md", "At the end of the day we left.\n", "markdown", 1)
    assert not path.exists()

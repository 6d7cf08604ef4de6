import pytest

from nudge.settings import Settings, add_ignored_phrase, apply_settings, is_excluded, load_settings


@pytest.mark.parametrize(
    ("values", "field", "expected"),
    [
        ({"minConfidence": 0.7}, "min_confidence", 0.7),
        ({"min_confidence": 0.7}, "min_confidence", 0.7),
        ({"debounceMs": 100}, "debounce_ms", 100),
        ({"trigger": "manual"}, "trigger", "manual"),
        ({"categoryMinConfidence": {"clarity": 0.9}}, "category_min_confidence", {"clarity": 0.9}),
        (
            {"severity": {"cliche": "warning"}},
            "severity",
            {**Settings().severity, "cliche": "warning"},
        ),
    ],
)
def test_valid_settings_apply(values, field, expected):
    settings, problems = apply_settings(Settings(), values, "test")
    assert problems == []
    assert getattr(settings, field) == expected


@pytest.mark.parametrize(
    ("values", "key"),
    [
        ({"minConfidence": "high"}, "minConfidence"),
        ({"minConfidence": 1.5}, "minConfidence"),
        ({"debounceMs": 1.5}, "debounceMs"),
        ({"debounceMs": True}, "debounceMs"),
        ({"trigger": "always"}, "trigger"),
        ({"languages": "markdown"}, "languages"),
        ({"enabledCategories": ["cliche", "typos"]}, "enabledCategories"),
        ({"severity": {"cliche": "loud"}}, "severity"),
        ({"categoryMinConfidence": {"spelling": 0.5}}, "categoryMinConfidence"),
        ({"noSuchSetting": 1}, "noSuchSetting"),
    ],
)
def test_invalid_setting_falls_back_alone_and_names_the_key(values, key):
    settings, problems = apply_settings(Settings(), {**values, "debounce_ms": 123}, "test")
    assert [p.key for p in problems] == [key]
    assert settings.debounce_ms == 123 or key == "debounceMs"
    assert settings.min_confidence == Settings().min_confidence


def test_team_file_problem_names_key_and_line(tmp_path):
    (tmp_path / ".nudge.toml").write_text(
        '# team\n[nudge]\nmin_confidence = "x"\ntrigger = "onSave"\n'
    )
    settings, problems = load_settings(tmp_path)
    assert settings.trigger == "onSave"
    assert len(problems) == 1 and problems[0].line == 3
    assert ".nudge.toml:3: setting 'min_confidence'" in str(problems[0])


def test_invalid_toml_is_reported_and_defaults_used(tmp_path):
    (tmp_path / ".nudge.toml").write_text("min_confidence = = 3\n")
    settings, problems = load_settings(tmp_path)
    assert settings == Settings()
    assert problems and problems[0].line == 1


def test_editor_overrides_team_file(tmp_path):
    (tmp_path / ".nudge.toml").write_text("min_confidence = 0.9\n")
    settings, _ = load_settings(tmp_path, {"minConfidence": 0.2})
    assert settings.min_confidence == 0.2


def test_add_ignored_phrase_keeps_comments(tmp_path):
    path = tmp_path / ".nudge.toml"
    path.write_text("# our team settings\nmin_confidence = 0.6\n")
    add_ignored_phrase(tmp_path, 'say "hi"')
    add_ignored_phrase(tmp_path, "in order to")
    add_ignored_phrase(tmp_path, "in order to")
    text = path.read_text()
    assert "# our team settings" in text
    settings, problems = load_settings(tmp_path)
    assert problems == []
    assert settings.ignored_phrases == ['say "hi"', "in order to"]
    assert settings.min_confidence == 0.6


@pytest.mark.parametrize(
    ("path", "patterns", "expected"),
    [
        ("docs/a.md", ["*.md"], True),
        ("docs/a.md", ["docs/*"], True),
        ("docs/sub/a.md", ["docs/*"], False),
        ("docs/sub/a.md", ["docs/**"], True),
        ("x/CHANGELOG.md", ["**/CHANGELOG.md"], True),
        ("CHANGELOG.md", ["**/CHANGELOG.md"], True),
        ("notes.txt", ["*.md"], False),
    ],
)
def test_exclude_globs(path, patterns, expected):
    assert is_excluded(path, patterns) is expected

import os

import pytest

from nudge.exclude import is_excluded
from nudge.settings import Settings, apply_settings, load_settings
from nudge.team_file import add_ignored_phrase, add_ignored_rule


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


def test_add_ignored_rule_writes_the_key_visible_findings_honours(tmp_path):
    from nudge.engine import visible_findings
    from nudge.model import Finding

    path = tmp_path / ".nudge.toml"
    path.write_text('# team\n[nudge]\nignored_phrases = ["x"]  # why\n')
    add_ignored_rule(tmp_path, "wordy:basically")
    add_ignored_rule(tmp_path, "wordy:basically")
    assert "# why" in path.read_text()
    settings, problems = load_settings(tmp_path)
    assert problems == [] and settings.ignored_phrases == ["x"]
    assert settings.ignored_rules == ["wordy:basically"]
    kept = Finding(0, 5, "truly", "wordiness", "m", "", 0.99, "wordy:truly")
    gone = Finding(6, 15, "basically", "wordiness", "m", "", 0.99, "wordy:basically")
    assert visible_findings([kept, gone], [], settings) == [kept]


@pytest.mark.parametrize(
    ("path", "patterns", "expected"),
    [
        ("docs/a.md", ["*.md"], True),
        ("docs/a.md", ["docs/*"], True),
        ("docs/sub/a.md", ["docs/*"], True),  # docs/sub matches, so all inside it does
        ("docs/sub/a.md", ["docs/**"], True),
        ("x/CHANGELOG.md", ["**/CHANGELOG.md"], True),
        ("CHANGELOG.md", ["**/CHANGELOG.md"], True),
        ("notes.txt", ["*.md"], False),
    ],
)
def test_exclude_globs(path, patterns, expected):
    assert is_excluded(path, patterns) is expected


# Hostile team files and values ------------------------------------------------
HUGE = "1" + "0" * 400


@pytest.mark.parametrize("kind", ["device", "fifo", "folder"])
def test_team_file_that_is_not_a_regular_file_is_refused(tmp_path, kind):
    team = tmp_path / ".nudge.toml"
    if kind == "device":
        team.symlink_to("/dev/zero")
    elif kind == "fifo":
        os.mkfifo(tmp_path / "pipe")
        team.symlink_to(tmp_path / "pipe")
    else:
        team.mkdir()
    settings, problems = load_settings(tmp_path)
    assert settings == Settings()
    assert problems and ("regular file" in str(problems[0]) or "outside" in str(problems[0]))


def workspace_linked_outside(tmp_path, text):
    """Return a workspace whose .nudge.toml links to a file outside it, and that file."""
    outside = tmp_path / "elsewhere.toml"
    outside.write_text(text)
    root = tmp_path / "ws"
    root.mkdir()
    (root / ".nudge.toml").symlink_to(outside)
    return root, outside


def test_team_file_linked_outside_the_workspace_is_not_read(tmp_path):
    root, _ = workspace_linked_outside(tmp_path, "min_confidence = 0.9\n")
    settings, problems = load_settings(root)
    assert settings.min_confidence == Settings().min_confidence
    assert problems and "outside the workspace" in str(problems[0])


def test_oversized_team_file_is_refused(tmp_path):
    (tmp_path / ".nudge.toml").write_text("# " + "x" * 2_000_000 + "\n")
    settings, problems = load_settings(tmp_path)
    assert settings == Settings() and problems


def test_team_file_with_a_bom_is_read(tmp_path):
    (tmp_path / ".nudge.toml").write_bytes(b"\xef\xbb\xbfmin_confidence = 0.9\n")
    settings, problems = load_settings(tmp_path)
    assert problems == [] and settings.min_confidence == 0.9


@pytest.mark.parametrize(
    ("toml", "key"),
    [
        (f"debounce_ms = {HUGE}\n", "debounce_ms"),
        (f"min_confidence = {HUGE}\n", "min_confidence"),
        ("min_confidence = nan\n", "min_confidence"),
        ("daily_cost_budget_usd = inf\n", "daily_cost_budget_usd"),
        ("[category_min_confidence]\nclarity = nan\n", "category_min_confidence"),
    ],
)
def test_team_file_bad_number_falls_back_alone(tmp_path, toml, key):
    (tmp_path / ".nudge.toml").write_text('trigger = "onSave"\n' + toml)
    settings, problems = load_settings(tmp_path)
    assert [p.key for p in problems] == [key]
    assert settings.trigger == "onSave"
    assert getattr(settings, key) == getattr(Settings(), key)


@pytest.mark.parametrize(
    "values",
    [
        {"debounceMs": int(HUGE)},
        {"minConfidence": float("nan")},
        {"dailyCostBudgetUsd": float("nan")},
        {"dailyTokenBudget": float("inf")},
        {"maxDocumentSize": 1e300},
        {"categoryMinConfidence": {"clarity": float("nan")}},
    ],
)
def test_editor_bad_number_falls_back_alone(values):
    settings, problems = apply_settings(Settings(), {**values, "trigger": "manual"}, "editor")
    assert [p.key for p in problems] == list(values)
    assert settings.trigger == "manual"
    name = next(iter(values))
    assert settings == apply_settings(Settings(), {"trigger": "manual"}, "editor")[0], name


# Ignore everywhere: writing the team file ---------------------------------------
@pytest.mark.parametrize(
    "original",
    [
        'ignored_phrases = ["a ] b"]\nmin_confidence = 0.6\n',  # `]` inside a phrase
        "# see [nudge] below\nmin_confidence = 0.6\n",  # `[nudge]` in a comment
        '  ignored_phrases = ["x"]\nmin_confidence = 0.6\n',  # indented
        'nudge.ignored_phrases = ["x"]\nmin_confidence = 0.6\n',  # dotted
        'ignoredPhrases = ["x"]\nmin_confidence = 0.6\n',  # camelCase
        'min_confidence = 0.6\n[other]\nignored_phrases = ["not ours"]\n',  # other table
        '[nudge]\nmin_confidence = 0.6\nignored_phrases = ["x"]\n[severity]\ncliche = "hint"\n',
        'ignored_phrases = [\n  "x", # why x\n  # more to come\n]\nmin_confidence = 0.6\n',
        "min_confidence = 0.6\r\n# crlf\r\n",
        "\ufeffmin_confidence = 0.6\n",
        "",
    ],
)
@pytest.mark.parametrize("phrase", ["in order to", 'say "hi" ] [nudge]', "bell\x07 and\ttab"])
def test_ignore_phrase_edits_the_key_nudge_reads(tmp_path, original, phrase):
    path = tmp_path / ".nudge.toml"
    if original:
        path.write_bytes(original.encode())
    before, known = load_settings(tmp_path)
    add_ignored_phrase(tmp_path, phrase)
    after, problems = load_settings(tmp_path)
    assert [p.key for p in problems] == [p.key for p in known]  # e.g. the unknown [other]
    assert after.ignored_phrases == [*before.ignored_phrases, phrase]
    assert after.min_confidence == before.min_confidence
    text = path.read_bytes().decode()
    for line in original.splitlines():
        if line.lstrip().startswith("#"):
            assert line in text
    assert ("\r\n" in original) == ("\r\n" in text)
    if "\r\n" in original:
        assert "\n" not in text.replace("\r\n", "")
    assert text.startswith("\ufeff") == original.startswith("\ufeff")


def test_ignore_phrase_does_not_follow_a_planted_temporary_link(tmp_path):
    outside = tmp_path / "victim.txt"
    outside.write_text("precious")
    root = tmp_path / "ws"
    root.mkdir()
    (root / ".nudge.toml").write_text("min_confidence = 0.6\n")
    (root / ".nudge.toml.tmp").symlink_to(outside)
    add_ignored_phrase(root, "in order to")
    assert outside.read_text() == "precious"
    assert not (root / ".nudge.toml").is_symlink()
    assert load_settings(root)[0].ignored_phrases == ["in order to"]


def test_ignore_phrase_refuses_a_team_file_linked_outside(tmp_path):
    root, outside = workspace_linked_outside(tmp_path, "min_confidence = 0.6\n")
    with pytest.raises(OSError):
        add_ignored_phrase(root, "in order to")
    assert outside.read_text() == "min_confidence = 0.6\n"


def test_ignore_phrase_writes_through_a_link_inside_the_workspace(tmp_path):
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "nudge.toml").write_text("min_confidence = 0.6\n")
    (tmp_path / ".nudge.toml").symlink_to(tmp_path / "config" / "nudge.toml")
    add_ignored_phrase(tmp_path, "in order to")
    assert (tmp_path / ".nudge.toml").is_symlink()
    assert load_settings(tmp_path)[0].ignored_phrases == ["in order to"]


# Exclusions -----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("path", "patterns", "expected"),
    [
        ("drafts/a.md", ["drafts/"], True),
        ("x/drafts/deep/a.md", ["drafts/"], True),
        ("notes/a.md", ["notes"], True),
        ("docs/notes/a.md", ["notes"], True),
        ("notes.md", ["notes"], False),
        ("private/a.md", ["private/**", "!private/ok.md"], True),
        ("private/ok.md", ["private/**", "!private/ok.md"], False),
        ("abs.md", ["/abs.md"], True),
        ("sub/abs.md", ["/abs.md"], False),
    ],
)
def test_exclude_follows_gitignore(path, patterns, expected):
    assert is_excluded(path, patterns) is expected


@pytest.mark.parametrize(
    ("pattern", "path"),
    [("**/" * 10 + "x.md", "a/" * 60 + "b.md"), ("*a*a*a*a*a*a*b", "a" * 80)],
)
def test_exclude_patterns_cannot_stall(pattern, path):
    import time

    started = time.perf_counter()
    for _ in range(100):
        is_excluded(path, [pattern])
    assert time.perf_counter() - started < 1.0  # 3.8 s to 33 s for one match before


def test_editor_exclusions_add_to_the_team_ones(tmp_path):
    (tmp_path / ".nudge.toml").write_text('exclude = ["private/"]\n')
    settings, problems = load_settings(tmp_path, {"exclude": ["drafts/", "!private/a.md"]})
    assert is_excluded("private/a.md", settings.exclude)
    assert is_excluded("drafts/b.md", settings.exclude)
    assert [p.key for p in problems] == ["exclude"]


def test_invalid_exclude_pattern_falls_back_alone():
    settings, problems = apply_settings(Settings(), {"exclude": ["a/**b/[", "ok"]}, "editor")
    assert settings.exclude in ([], ["a/**b/[", "ok"])
    assert all(p.key == "exclude" for p in problems)


def test_every_category_reaches_the_problems_panel_by_default():
    from nudge.settings import Settings

    assert set(Settings().severity.values()) == {"information"}  # hint hides clarity

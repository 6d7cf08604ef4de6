"""`.nudge.toml` changed outside the editor: watched, re-read and re-published."""

from __future__ import annotations

from lsprotocol import types

from .conftest import nudge_server, open_and_wait, wait_for_publish

TEXT = "We stayed home due to the fact that it rained.\n"


async def test_team_file_changed_outside_the_editor_is_reread(workspace, tmp_path):
    registrations: list[types.Registration] = []

    def record(client):
        @client.feature(types.CLIENT_REGISTER_CAPABILITY)
        def register(params: types.RegistrationParams) -> None:
            registrations.extend(params.registrations)

    uri = (workspace / "f.md").as_uri()
    async with nudge_server(workspace, tmp_path / "cache", before_initialize=record) as client:
        before = await open_and_wait(client, uri, TEXT)
        assert before
        watched = [r for r in registrations if r.method == types.WORKSPACE_DID_CHANGE_WATCHED_FILES]
        assert len(watched) == 1
        patterns = [w["globPattern"] for w in watched[0].register_options["watchers"]]
        assert patterns == ["**/.nudge.toml"]
        team = workspace / ".nudge.toml"  # a git pull writes it; the editor never saves it
        team.write_text('ignored_phrases = ["due to the fact that"]\n')
        event = types.FileEvent(uri=team.as_uri(), type=types.FileChangeType.Created)
        after = await wait_for_publish(
            client,
            uri,
            lambda: client.workspace_did_change_watched_files(
                types.DidChangeWatchedFilesParams(changes=[event])
            ),
        )
    assert len(after) == len(before) - 1

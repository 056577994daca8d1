"""LinkedIn "Get a copy of your data" archive (zip, folder or one CSV): messages, invitations, connections."""

from __future__ import annotations

import shutil
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

import polars as pl

from socialsell import identity
from socialsell.config import Rep
from socialsell.sources import Context, ImportError_, Parsed
from socialsell.sources import linkedin_messages as messages
from socialsell.sources import linkedin_network as network
from socialsell.sources.linkedin_messages import Owner
from socialsell.sources.linkedin_read import Member, Table, header_names, profile_url, read_member

__all__ = ["NAME", "matches", "parse"]

NAME = "linkedin"

# File names (case-insensitive) → what they hold. The AI-coach chats share the messages header; they
# are imported with exclusion 'ai_coach' so they are visible but never count as selling.
_FILE_KINDS = {
    "messages.csv": "messages",
    "connections.csv": "connections",
    "invitations.csv": "invitations",
    "profile.csv": "profile",
    "guide_messages.csv": "coach",
    "learning_role_play_messages.csv": "coach",
    "coach_messages.csv": "coach",
    "learning_coach_messages.csv": "coach",
}
_ARCHIVE_MARKERS = {"messages.csv", "connections.csv", "invitations.csv"}


def matches(path: Path) -> bool:
    """A LinkedIn zip or folder (has messages/Connections/Invitations.csv), or one such CSV by its header."""
    try:
        if path.is_dir():
            return bool(_folder_files(path).keys() & _ARCHIVE_MARKERS)
        if path.suffix.lower() == ".zip":
            if not zipfile.is_zipfile(path):
                return False
            with zipfile.ZipFile(path) as archive:
                return bool(_zip_files(archive).keys() & _ARCHIVE_MARKERS)
        if path.suffix.lower() in (".csv", ".txt", ".tsv"):
            return _csv_kind(path) is not None
    except OSError:
        return False
    return False


def _owned(frame: pl.DataFrame, rep_id: str) -> pl.DataFrame:
    """Prefix ids with the archive owner: two reps' archives may hold the same row (a shared
    connection on the same day, an internal chat) and each rep's copy is that rep's touch."""
    return frame.with_columns(source_id=pl.lit(f"{rep_id}:") + pl.col("source_id"))


def parse(path: Path, context: Context) -> Parsed:
    """Read every LinkedIn file of the archive into touches, contact records and (if new) reps.

    Raises:
        ImportError_: nothing LinkedIn in it, a file missing required columns, or no way to tell
            whose archive it is (then pass --rep).
    """
    with _members(path) as members:
        if not any(m.kind != "profile" for m in members):
            raise ImportError_(f"{path.name}: no messages.csv, Connections.csv or Invitations.csv in it")
        read = _read_all(members, context)
    owner, reps = _owner(path, context, read)
    return _assemble(read, owner, reps, context)


@dataclass
class _Read:
    profile: str | None = None
    chats: list[tuple[Table, pl.DataFrame, list]] = field(default_factory=list)  # table, standardised, bad
    invitations: Table | None = None
    connections: Table | None = None

    def tables(self) -> list[Table]:
        return [t for t, _, _ in self.chats] + [
            t for t in (self.invitations, self.connections) if t is not None
        ]


def _read_all(members: list[Member], context: Context) -> _Read:
    read = _Read()
    for done, member in enumerate(members, start=1):
        if member.kind in ("messages", "coach"):
            table = messages.read_messages(member, header_names(member.path) or set())
            std, bad = messages.standardise(table)
            # Only the standardised rows are read from here on; the raw columns' memory is let go.
            table = replace(table, frame=table.frame.select("_line"))
            read.chats.append((table, std, bad))
        elif member.kind == "invitations":
            read.invitations = read_member(member, network.INVITATIONS, network.INVITATIONS_OPTIONAL)
        elif member.kind == "connections":
            read.connections = read_member(member, network.CONNECTIONS, network.CONNECTIONS_OPTIONAL)
        elif member.kind == "profile":
            read.profile = network.profile_name(read_member(member, network.PROFILE))
        if context.progress:
            context.progress(done, len(members) + 1)
    return read


def _owner(path: Path, context: Context, read: _Read) -> tuple[Owner, pl.DataFrame | None]:
    """The archive owner: --rep, else Profile.csv / the invitations / 2018 Direction, else the person
    present in the most conversations; then matched to a configured rep by profile URL or name."""
    names: set[str] = set()
    urls: set[str] = set()
    display = read.profile
    if display:
        names.add(identity.slug(display))
    if read.invitations is not None:
        found_names, found_urls, top = network.invitation_owner(read.invitations)
        names, urls, display = names | found_names, urls | found_urls, display or top
    for _, std, _ in read.chats:
        outgoing = std.filter(pl.col("outgoing").fill_null(False))["sender_name"].drop_nulls()
        if len(outgoing):
            display = display or outgoing.mode().sort()[0]
            names |= set(identity.slugs(outgoing).drop_nulls().to_list())
    configured = _configured_rep(context)
    if configured:
        names |= {identity.slug(n) for n in (configured.display_name, *configured.identities.get("name", ()))}
        urls |= set(profile_url(pl.Series(configured.identities.get("linkedin_url", ()), dtype=pl.String)))
    chats = [std for table, std, _ in read.chats if table.member.kind == "messages"]
    if not names and not urls and (chats or not context.rep):
        names, urls, display = _infer_owner(path, chats, context)
    names, urls = _learn_identities(chats, names, urls)
    rep_id, reps = _rep_for(context, configured, names, urls, display)
    return Owner(rep_id, frozenset(names), frozenset(urls)), reps


def _configured_rep(context: Context) -> Rep | None:
    """The configured rep --rep names, by rep id or by any identity (name, e-mail, URL…)."""
    if not context.rep:
        return None
    if rep := context.config.rep(context.rep):
        return rep
    resolved = context.config.resolve_reps(pl.Series([context.rep])).filter("from_config")
    return context.config.rep(resolved["rep_id"][0]) if resolved.height else None


def _infer_owner(
    path: Path, chats: list[pl.DataFrame], context: Context
) -> tuple[set[str], set[str], str | None]:
    """The person present in the most conversations; a tie (or too little to go on) needs --rep."""
    candidates = [messages.owner_candidates(std) for std in chats]
    seen = pl.concat(candidates) if candidates else pl.DataFrame()
    ask = (
        f"add --rep {context.rep}'s LinkedIn profile URL to the config or include Profile.csv"
        if context.rep
        else "pass --rep to say whose archive it is"
    )
    if not seen.height:
        raise ImportError_(f"{path.name}: cannot tell whose LinkedIn archive this is (no Profile.csv); {ask}")
    counts = (
        seen.group_by("identity")
        .agg(n=pl.col("conversation").n_unique(), name=pl.col("name").drop_nulls().mode().sort().first())
        .sort(["n", "identity"], descending=[True, False])
    )
    conversations = seen["conversation"].n_unique()
    top = counts.row(0, named=True)
    if conversations < 2 or (counts.height > 1 and counts["n"][1] == top["n"]):
        rivals = " and ".join(counts["identity"].head(2).to_list())
        raise ImportError_(
            f"{path.name}: cannot tell whose LinkedIn archive this is (no Profile.csv; {rivals} appear in "
            f"{top['n']} of {conversations} conversations each); {ask}"
        )
    if top["identity"].startswith("name:"):
        return {top["identity"].removeprefix("name:")}, set(), top["name"]
    names = {identity.slug(top["name"])} if top["name"] else set()
    return names, {top["identity"]}, top["name"]


def _learn_identities(
    chats: list[pl.DataFrame], names: set[str], urls: set[str]
) -> tuple[set[str], set[str]]:
    """Complete the owner's identities from the messages: their URL as sender/recipient, their name."""
    names, urls = set(names), set(urls)
    for std in chats:
        to_slug = identity.slugs(std["to_names"])
        by_name = std.filter(pl.col("sender_slug").is_in(list(names)))["sender_url"]
        as_recipient = std.filter(to_slug.is_in(list(names)) & (pl.col("recipient_urls").list.len() == 1))
        by_url = std.filter(pl.col("sender_url").is_in(list(urls)))["sender_slug"]
        urls |= set(by_name.drop_nulls().to_list()) | set(
            as_recipient["recipient_urls"].list.first().to_list()
        )
        names |= set(by_url.drop_nulls().to_list())
    urls.discard(None)
    return names, urls


def _rep_for(
    context: Context, configured: Rep | None, names: set[str], urls: set[str], display: str | None
) -> tuple[str, pl.DataFrame | None]:
    """The rep id: --rep, else a configured rep known by one of the owner's URLs or names, else a new rep."""
    config = context.config
    if configured:
        return configured.rep_id, None
    if not context.rep:
        for kind, values in (("linkedin_url", urls), ("name", names)):
            if values:
                found = config.resolve_reps(pl.Series(sorted(values)), kinds=(kind,)).filter("from_config")
                if found.height:
                    return found["rep_id"].sort()[0], None
    raw = context.rep or display or sorted(urls or names)[0]
    resolved = config.resolve_reps(pl.Series([raw])).row(0, named=True)
    if resolved["from_config"]:
        return resolved["rep_id"], None
    reps = pl.DataFrame(
        {"rep_id": [resolved["rep_id"]], "display_name": [resolved["display_name"]], "team": [None]},
        schema={"rep_id": pl.String, "display_name": pl.String, "team": pl.String},
    ).with_columns(from_config=pl.lit(False))
    return resolved["rep_id"], reps


def _assemble(read: _Read, owner: Owner, reps: pl.DataFrame | None, context: Context) -> Parsed:
    touches: list[pl.DataFrame] = []
    records: list[pl.DataFrame] = []
    quarantined = [q for table in read.tables() for q in table.quarantined]
    invitation_touches = None
    if read.invitations is not None:
        invitation_touches, bad = network.invitations(
            read.invitations, owner.rep_id, context.keep_message_text
        )
        touches.append(invitation_touches)
        quarantined += bad
    for table, std, bad in read.chats:
        touches.append(messages.touches(std, owner, table.member, context.keep_message_text))
        quarantined += bad
    if read.connections is not None:
        connection_touches, contacts, bad = network.connections(
            read.connections, owner.rep_id, invitation_touches
        )
        touches.append(connection_touches)
        records.append(contacts.with_columns(rep_id=pl.lit(owner.rep_id)))
        quarantined += bad
    tables = {"touches": _owned(pl.concat(touches, how="diagonal_relaxed"), owner.rep_id)}
    if records:
        tables["contact_records"] = _owned(pl.concat(records, how="diagonal_relaxed"), owner.rep_id)
    if reps is not None:
        tables["reps"] = reps
    tables_read = read.tables()
    blank = sum(t.blank for t in tables_read)
    rows_read = sum(t.frame.height + len(t.quarantined) + t.blank for t in tables_read)
    if context.progress:
        context.progress(1, 1)
    return Parsed(NAME, tables, rows_read, quarantined, {"blank line": blank} if blank else {}, owner.rep_id)


def _csv_kind(path: Path) -> str | None:
    header = header_names(path)
    if not header:
        return None
    kind = messages.header_kind(header) or network.header_kind(header)
    if kind == "messages" and _FILE_KINDS.get(path.name.lower()) == "coach":
        return "coach"
    return kind


def _folder_files(folder: Path) -> dict[str, Path]:
    """LinkedIn files at the folder's root, or inside its only subfolder (an unpacked zip's wrapper
    folder), by lower-case name. A folder of mixed exports is not an archive: it gets walked."""
    entries = [e for e in folder.iterdir() if not e.name.startswith((".", "__MACOSX"))]
    found = {e.name.lower(): e for e in sorted(entries) if e.is_file() and e.name.lower() in _FILE_KINDS}
    if not found and len(entries) == 1 and entries[0].is_dir():
        return _folder_files(entries[0])
    return found


def _zip_files(archive: zipfile.ZipFile) -> dict[str, str]:
    """Like `_folder_files` for zip members: lower-case file name → member name."""
    found: dict[str, str] = {}
    for info in sorted(archive.infolist(), key=lambda i: (i.filename.count("/"), i.filename)):
        name = info.filename.rsplit("/", 1)[-1].lower()
        if info.is_dir() or info.filename.startswith("__MACOSX/") or info.filename.count("/") > 1:
            continue
        if name in _FILE_KINDS and name not in found:
            found[name] = info.filename
    return found


@contextmanager
def _members(path: Path) -> Iterator[list[Member]]:
    """The archive's LinkedIn files as paths on disk; zip members are extracted to a temporary folder."""
    if path.is_dir():
        files = _folder_files(path)
        yield [
            Member(_FILE_KINDS[n], p, f"{path.name}/{p.relative_to(path).as_posix()}")
            for n, p in files.items()
        ]
    elif path.suffix.lower() == ".zip":
        try:
            with zipfile.ZipFile(path) as archive, tempfile.TemporaryDirectory(prefix="socialsell-") as tmp:
                members = []
                for index, (name, member) in enumerate(_zip_files(archive).items()):
                    target = Path(tmp) / f"{index}_{name}"
                    with archive.open(member) as source, open(target, "wb") as sink:
                        shutil.copyfileobj(source, sink)
                    members.append(Member(_FILE_KINDS[name], target, f"{path.name}!{member}"))
                yield members
        except zipfile.BadZipFile as exc:
            raise ImportError_(f"{path.name}: not a readable zip file ({exc})") from exc
    else:
        kind = _csv_kind(path)
        if kind is None:
            raise ImportError_(f"{path.name}: not a LinkedIn messages, Connections or Invitations CSV")
        yield [Member(kind, path, path.name)]

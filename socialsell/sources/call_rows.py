"""Call-log rows as SQL over the file: the fields, skipped rows, instants, durations, the checks
that quarantine a row, and the touches columns (calls.py runs it and makes the lookups).

One SELECT per step, each naming only columns of the step below, so DuckDB reads and checks every
value once. Values the SQL cannot read exactly (see call_values) come from lookups made once per
distinct value; so do outcomes, contacts and reps.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from socialsell.sources import call_presets
from socialsell.sources.call_presets import FOOTER, IF_HUMAN, Preset
from socialsell.sources.call_values import duration_factor, sql_direction, sql_instant, sql_seconds
from socialsell.sources.csv_scan import CsvScan, sql_string, sql_trimmed

__all__ = ["CONTACT_FIELDS", "DATE_FIELDS", "DURATION_FIELDS", "OUTCOME_FIELDS", "TOUCH_COLUMNS", "CallRows"]

DATE_FIELDS = ("occurred_at", "date", "created_at")
DURATION_FIELDS = ("duration", "talk_duration")
OUTCOME_FIELDS = ("outcome", "status", "tags", "answered", "reason")
CONTACT_FIELDS = ("contact", "contact_name", "contact_email", "contact_company")
_DATE_WORDS = "not a date/time in the expected format"
# The touches columns a call log fills, in the order `CallRows.touches` yields them.
TOUCH_COLUMNS = (
    "rep_id", "channel", "kind", "direction", "occurred_at", "source_tz", "duration_s", "outcome", "raw_outcome",
    "contact_key", "contact_name", "contact_phone", "contact_email", "contact_company", "session_id", "source",
    "source_id", "source_file", "source_row",
)  # fmt: skip


def _select(source: str, columns: dict[str, str]) -> str:
    if not columns:
        return source
    return f"(SELECT *, {', '.join(f'{sql} AS {name}' for name, sql in columns.items())} FROM {source})"


@dataclass
class CallRows:
    """The SQL of one call log. `formats` (date field → formats, usual first), the fallback and
    map lookups are filled in by calls.py between the scans."""

    scan: CsvScan
    preset: Preset
    cols: dict[str, str]  # field → header name
    zone: str  # the zone of times without an offset
    day_zone: str  # the zone of bare dates
    source: str
    formats: dict[str, tuple[str, ...]] = field(default_factory=dict)
    words: dict[str, str] = field(default_factory=dict)  # date field → the formats in words
    fallbacks: set[str] = field(default_factory=set)  # fields with a `_fb_<field>` lookup
    padded: set[str] | None = None  # fields with blanks around a value or blank ones (None: any)
    rep: str | None = None  # --rep
    ids_missing: bool = False  # some calls have no id of their own
    unique_ids: bool = False  # every record has its own id: records are numbered by joining on it

    def has(self, *names: str) -> bool:
        return all(n in self.cols for n in names)

    def index(self, name: str) -> int:
        """The column number of a field."""
        return self.scan.layout.header.index(self.cols[name])

    # --- step 1: fields, direction, phone choice, rep key, why a row is skipped ---------------------

    def fields(self, lines: str | int | None = None, rejects: str | None = None) -> str:
        """Every record's fields as `f_<field>` (trimmed where the file pads them), the date texts
        `t_<field>`, direction `_dir`, the phone `_phone` and owner `_rep` as written, `_footer`."""
        trimmed = {
            f"f_{name}": sql_trimmed(f"c{self.index(name)}")
            if self.padded is None or name in self.padded
            else f"c{self.index(name)}"
            for name in self.cols
        }
        derived = {"_dir": sql_direction("f_direction") if self.has("direction") else "NULL::VARCHAR"}
        if self.has("date"):
            derived["t_date"] = "f_date" if not self.has("time") else "concat_ws(' ', f_date, f_time)"
        derived.update({f"t_{n}": f"f_{n}" for n in ("occurred_at", "created_at") if self.has(n)})
        derived["_rep"] = self._rep_key()
        derived["_footer"] = self._footer()
        # The second scan (with `lines`) joins records to their numbers by their own ids if it can.
        ids = ", ".join(trimmed[f"f_{n}"] for n in self._id_fields())
        key = f"coalesce({ids})" if self.unique_ids and lines is not None else None
        sql = _select(_select(self.scan.records(rejects, lines, key), trimmed), derived)
        return _select(sql, {"_phone": self._phone()})

    def _phone(self) -> str:
        """The other party's number as written: the `to` side of outbound calls, `from` of inbound."""
        phone = "f_to_number" if self.has("to_number") else "NULL::VARCHAR"
        if self.has("from_number"):
            phone = f"(CASE WHEN _dir = 'inbound' THEN f_from_number ELSE {phone} END)"
        return f"coalesce(f_contact_phone, {phone})" if self.has("contact_phone") else phone

    def _rep_key(self) -> str:
        rep = "f_rep" if self.has("rep") else "NULL::VARCHAR"
        return f"coalesce({rep}, 'ext:' || f_rep_ext)" if self.has("rep_ext") else rep

    def _footer(self) -> str:
        """A Salesforce footer padded to the full width: the first field says so, the others are empty."""
        if not self.preset.footer:
            return "false"
        width = len(self.scan.layout.header)
        rest = " AND ".join(f"c{i} IS NULL" for i in range(1, width)) or "true"
        pattern = sql_string("(?i)" + FOOTER.pattern)
        return f"coalesce(regexp_matches(trim(c0), {pattern}) AND {rest}, false)"

    def skip(self) -> str:
        """Why a row is recognised and left out (NULL: it is a call): the first reason that applies."""
        cases = ["WHEN _footer THEN 'Salesforce report footer'"]
        if self.has("subtype"):
            call = "(lower(f_subtype) = 'call' OR _dir IS NOT NULL)"
            cases.append(f"WHEN NOT {call} THEN 'not a call (Task Subtype is not Call, no Call Type)'")
        elif self.preset.calls_only and self.has("direction"):
            cases.append("WHEN _dir IS NULL THEN 'not a call (no Call Type)'")
        if self.has("type"):
            cases.append(
                "WHEN NOT lower(f_type) IN ('voice', 'call', 'anruf') THEN 'not a voice call (fax, sms)'"
            )
        return f"(CASE {' '.join(cases)} END)"

    # --- step 2: instants and durations as far as SQL reads them ---------------------------------

    def rows(self, lines: str | int | None = None, rejects: str | None = None) -> str:
        """Every record with `_skip`, the SQL readings `_at_<field>` and `_dur_<field>`."""
        sql = _select(self.fields(lines, rejects), {"_skip": self.skip()})
        levels: list[dict[str, str]] = []
        readings = {}
        for name in (n for n in DATE_FIELDS if self.has(n)):
            zone_levels, readings[f"_at_{name}"] = sql_instant(
                f"t_{name}", self.formats[name], self.zone, self.day_zone, f"_r_{name}"
            )
            for depth, columns in enumerate(zone_levels):
                if depth == len(levels):
                    levels.append({})
                levels[depth].update(columns)
        for columns in levels:
            sql = _select(sql, columns)
        for name in (n for n in DURATION_FIELDS if self.has(n)):
            factor = duration_factor(self.cols[name], self.preset.duration_unit)
            readings[f"_dur_{name}"] = sql_seconds(f"f_{name}", factor, self.preset.decimal_comma)
        readings["_id"] = self._id()
        readings["_contact"] = f"hash({', '.join(self.contact_keys())})"
        return _select(sql, readings)

    def contact_keys(self) -> list[str]:
        """The raw fields a contact is read from (one lookup row per distinct combination)."""
        return ["_phone", *(f"f_{f}" for f in CONTACT_FIELDS if self.has(f))]

    def _id_fields(self) -> list[str]:
        first, second = ("session_id", "call_id") if self.preset.sessions else ("call_id", "session_id")
        return [n for n in (first, second) if self.has(n)]

    def _id(self) -> str:
        """The export's own id of a record (its session's, where legs share one)."""
        ids = [f"f_{n}" for n in self._id_fields()]
        return f"coalesce({', '.join(ids)})" if ids else "NULL::VARCHAR"

    def at(self, value) -> str:
        """The call's instant from occurred_at, or date, or created_at when it falls on that date."""
        if self.has("occurred_at"):
            return value("occurred_at")
        if self.has("date", "created_at"):
            z = sql_string(self.day_zone)
            date, created = value("date"), value("created_at")
            same_day = f"timezone({z}, {created})::DATE = timezone({z}, {date})::DATE"
            return (
                f"coalesce(CASE WHEN coalesce({same_day}, false) THEN {created} ELSE {date} END, {created})"
            )
        return (
            value("date") if self.has("date") else value("created_at") if self.has("created_at") else "NULL"
        )

    def unsure(self) -> str:
        """Rows the SQL cannot vouch for: a value it did not read, or no instant at all."""
        doubts = [f"(t_{n} IS NOT NULL AND _at_{n} IS NULL)" for n in DATE_FIELDS if self.has(n)]
        doubts += [f"(f_{n} IS NOT NULL AND _dur_{n} IS NULL)" for n in DURATION_FIELDS if self.has(n)]
        doubts.append(f"({self.at(lambda n: f'_at_{n}')}) IS NULL")
        return f"(_skip IS NULL AND ({' OR '.join(doubts)}))"

    # --- step 3: with the fallbacks, the checks that quarantine a row -----------------------------

    def timed(self, lines: str | int | None = None) -> str:
        """Rows that are calls, with `_at`, `duration_s` and the readings they come from (`at_*`,
        `gap_*`, `dur_*`), the fallback lookups joined."""
        joins, columns = [], {}
        for name in (n for n in DATE_FIELDS if self.has(n)):
            at, gap = f"_at_{name}", "false"
            if name in self.fallbacks:
                joins.append(f"LEFT JOIN _fb_{name} ON _fb_{name}.text = r.t_{name}")
                at, gap = f"coalesce(_at_{name}, _fb_{name}.at)", f"coalesce(_fb_{name}.gap, false)"
            columns[f"at_{name}"], columns[f"gap_{name}"] = at, gap
        for name in (n for n in DURATION_FIELDS if self.has(n)):
            value = f"_dur_{name}"
            if name in self.fallbacks:
                joins.append(f"LEFT JOIN _fb_{name} ON _fb_{name}.text = r.f_{name}")
                value = f"coalesce(_dur_{name}, _fb_{name}.seconds)"
            columns[f"dur_{name}"] = value
        listed = ", ".join(f"{sql} AS {name}" for name, sql in columns.items())
        base = f"(SELECT r.*, {listed} FROM {self.rows(lines)} r {' '.join(joins)} WHERE r._skip IS NULL)"
        durations = [f"dur_{n}" for n in reversed(DURATION_FIELDS) if self.has(n)]
        duration = f"coalesce({', '.join(durations)})" if durations else "NULL::INTEGER"
        return _select(base, {"_at": self.at(lambda n: f"at_{n}"), "duration_s": duration})

    def checked(self, lines: str | int | None = None) -> str:
        """`timed` with the first failed check as `_reason` and `_column` (NULL: the call is fine)."""
        checks = self._checks()
        reason = " ".join(f"WHEN {mask} THEN {sql_string(text)}" for _, mask, text in checks)
        column = " ".join(f"WHEN {mask} THEN {sql_string(header)}" for header, mask, _ in checks)
        return _select(
            self.timed(lines), {"_reason": f"(CASE {reason} END)", "_column": f"(CASE {column} END)"}
        )

    def _checks(self) -> list[tuple[str, str, str]]:
        """(column, mask, reason), in the order that names a row's reason."""
        checks, time_masks = [], []
        for name in (n for n in DATE_FIELDS if self.has(n)):
            header, bad = self.cols[name], f"(t_{name} IS NOT NULL AND at_{name} IS NULL)"
            checks.append(
                (header, f"({bad} AND NOT gap_{name})", f"{header}: {_DATE_WORDS} {self.words[name]}")
            )
            checks.append(
                (
                    header,
                    f"gap_{name}",
                    f"{header}: the time does not exist in {self.zone} (daylight-saving gap)",
                )
            )
            time_masks += [f"({bad} AND NOT gap_{name})", f"gap_{name}"]
        named = " / ".join(self.cols[n] for n in DATE_FIELDS if self.has(n))
        missing = " AND ".join(["_at IS NULL", *(f"NOT {m}" for m in time_masks)])
        checks.append((named, f"({missing})", f"no call date ({named} empty)"))
        for name in (n for n in DURATION_FIELDS if self.has(n)):
            header = self.cols[name]
            factor = duration_factor(header, self.preset.duration_unit)
            unit = {0.001: "milliseconds", 1.0: "seconds", 60.0: "minutes"}[factor]
            mask = f"(f_{name} IS NOT NULL AND (dur_{name} IS NULL OR dur_{name} < 0))"
            checks.append((header, mask, f"{header}: not a duration in {unit} (or h:mm:ss)"))
        return checks

    def raw(self) -> str:
        """A row's fields as written, joined by the delimiter (for quarantine)."""
        names = [i for i, h in enumerate(self.scan.layout.header) if not h.startswith("_")]
        parts = ", ".join(f"coalesce(c{i}, '')" for i in names)
        return f"concat_ws({sql_string(self.scan.layout.delimiter)}, {parts})" if names else "NULL"

    def sample(self, size: int) -> str:
        """The date texts of the first calls (to find the usual format)."""
        texts = ", ".join(f"t_{n}" for n in DATE_FIELDS if self.has(n))
        return f"SELECT {texts} FROM {_select(self.fields(), {'_skip': self.skip()})} WHERE _skip IS NULL LIMIT {size}"

    def kept_before_sessions(self, lines: str | int | None = None) -> str:
        """Calls passing every check (all of `checked`: for counting)."""
        return f"(SELECT * FROM {self.checked(lines)} WHERE _reason IS NULL)"

    def kept(self, lines: str | int | None = None, bad: str | None = None) -> str:
        """Calls with `_at` and `duration_s`, without the records listed in the `bad` lookup (`_i`,
        found by `checked`); one row per session where legs of a call share one."""
        joins = f"ANTI JOIN {bad} USING (_i)" if bad else ""
        sql = f"(SELECT r.* FROM {self.timed(lines)} r {joins})"
        if not self.preset.sessions or not self.has("session_id"):
            return sql
        order = "_line" if lines is not None else "_i"
        return f"""(SELECT * REPLACE (
                CASE WHEN f_session_id IS NULL THEN _at ELSE min(_at) OVER (PARTITION BY f_session_id) END AS _at)
            FROM {sql}
            QUALIFY f_session_id IS NULL OR row_number() OVER (
                PARTITION BY f_session_id ORDER BY duration_s DESC NULLS LAST, {order}) = 1)"""

    # --- step 4: the touches ------------------------------------------------------------------

    def touches(self, lookups: dict[str, list[str]], lines: str | int, bad: str | None = None) -> str:
        """The touches columns; `lookups` names the key columns of `_outcomes`, `_contacts`, `_reps`
        (lookup column `k<key>` matches row column `<key>`)."""
        joins = [
            f"LEFT JOIN {table} ON "
            + (" AND ".join(f"{table}.k{k} IS NOT DISTINCT FROM r.{k}" for k in keys) or "true")
            for table, keys in lookups.items()
        ]
        rep = sql_string(self.rep) if self.rep else "_reps.rep_id"
        mapped = f"""(SELECT r.*, {self._outcome()} AS outcome, _outcomes.raw_outcome, {rep} AS rep_id,
                   _contacts.contact_phone, _contacts.contact_name, _contacts.contact_email,
                   _contacts.contact_company, _contacts.contact_key
            FROM {self.kept(lines, bad)} r {" ".join(joins)})"""
        ids = self._source_ids(mapped)
        session = "coalesce(f_session_id, source_id)" if self.has("session_id") else "source_id"
        zone = self.zone
        return f"""SELECT rep_id, 'phone' AS channel, 'call' AS kind, _dir AS direction, _at AS occurred_at,
                {sql_string(zone)} AS source_tz, duration_s, outcome, raw_outcome, contact_key, contact_name,
                contact_phone, contact_email, contact_company, {session} AS session_id,
                {sql_string(self.source)} AS source, source_id, {sql_string(str(self.scan.layout.path))} AS source_file,
                _line::INTEGER AS source_row
            FROM {ids}"""

    def _outcome(self) -> str:
        if self.preset.outcome_rule != "result":
            return "_outcomes.outcome"
        reason = "f_reason" if self.has("reason") else "NULL::VARCHAR"
        human = (
            f"coalesce(lower({reason}) = 'accepted' OR ({reason} IS NULL AND duration_s >= "
            f"{call_presets.CONNECT_THRESHOLD_S}), false)"
        )
        return (
            f"(CASE WHEN _outcomes.outcome = {sql_string(IF_HUMAN)} THEN "
            f"(CASE WHEN {human} THEN 'connected' ELSE 'other' END) ELSE coalesce(_outcomes.outcome, 'other') END)"
        )

    def _source_ids(self, mapped: str) -> str:
        """The export's id; else md5 of the row's content (+ `-n` for the n-th identical row)."""
        if not self.ids_missing:
            return _select(mapped, {"source_id": "_id"})
        parts = [
            "coalesce(strftime(timezone('UTC', _at), '%Y-%m-%dT%H:%M:%SZ'), '')",
            "coalesce(contact_phone, '')",
        ]
        parts += [
            f"coalesce({'_dir' if c == 'direction' else 'outcome' if c == 'outcome' else 'f_' + c}, '')"
            for c in ("rep", "direction", "duration", "talk_duration", "outcome", "tags")
            if c == "outcome" or self.has(c)
        ]
        content = f"(CASE WHEN _id IS NULL THEN concat_ws(chr(31), {', '.join(parts)}) END)"
        nth = "row_number() OVER (PARTITION BY _content ORDER BY _line)"
        return _select(
            _select(mapped, {"_content": content}),
            {
                "source_id": f"coalesce(_id, md5(_content) || CASE WHEN {nth} > 1 THEN '-' || {nth} ELSE '' END)"
            },
        )

"""Reading applicant CSV into records and candidates; writing safe result cells."""

from __future__ import annotations

import csv
import io

import pytest

from eligibility import InputError
from eligibility.csvio import (
    FIELDS,
    ApplicantReader,
    ResultWriter,
    build_candidate,
    escape_cell,
    load_mapping,
    read_records,
)

HEADER = ",".join(FIELDS)


def write(tmp_path, name: str, text: str, *, bom: bool = False, crlf: bool = False):
    path = tmp_path / name
    data = text.replace("\n", "\r\n") if crlf else text
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data.encode("utf-8"))
    return path


def row(**cells) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerow([cells.get(f, "") for f in FIELDS])
    return buf.getvalue()


def outcome(record):
    try:
        return build_candidate(record)
    except InputError as exc:
        return str(exc)


# ------------------------------------------------------------------ escaping

@pytest.mark.parametrize("value,expected", [
    ("=1+1", "'=1+1"), ("+1", "'+1"), ("-1", "'-1"), ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"), ("\rx", "'\rx"),
    ("plain", "plain"), ("a=b", "a=b"), ("", ""), (None, ""), (12.5, "12.5"),
])
def test_escape_cell(value, expected):
    assert escape_cell(value) == expected


def test_result_writer_escapes_every_cell():
    buf = io.StringIO()
    ResultWriter(buf).write(("=id", "-name", "la-1213", "qualified", "", "", "+reason", "", "1"))
    assert buf.getvalue().splitlines()[1] == "'=id,'-name,la-1213,qualified,,,'+reason,,1"


# ------------------------------------------------------------------ shapes and line numbers

@pytest.mark.parametrize("bom,crlf", [(False, False), (True, False), (False, True), (True, True)])
def test_bom_and_line_ends(tmp_path, bom, crlf):
    path = write(tmp_path, "a.csv", HEADER + "\n" + row(id="A-1", name="Ann", employer="Acme", start="2020-01"),
                 bom=bom, crlf=crlf)
    (rec,) = list(read_records(path))
    cand = build_candidate(rec)
    assert (cand.id, cand.name, cand.employment[0].employer) == ("A-1", "Ann", "Acme")


def test_headers_match_without_case_or_spaces(tmp_path):
    path = write(tmp_path, "a.csv", " ID , Name ,EMPLOYER\nA-1,Ann,Acme\n")
    (rec,) = list(read_records(path))
    assert build_candidate(rec).employment[0].employer == "Acme"


def test_line_numbers_count_quoted_newlines_and_blank_lines(tmp_path):
    text = (HEADER + "\n" + row(id="A-1", employer="Acme", duties="line one\nline two") + "\n\n"
            + row(id="A-2", employer="Acme", start="2020-13-01"))
    records = list(read_records(write(tmp_path, "a.csv", text)))
    assert [r.where for r in records] == ["a.csv lines 2–3", "a.csv line 6"]  # every line of the row
    assert "a.csv line 6: column 'start' has value '2020-13-01'" in outcome(records[1])


def test_candidate_cells_on_the_first_row_or_repeated(tmp_path):
    text = HEADER + "\n" + "".join([
        row(id="A-1", name="Ann", education="high_school; bachelor:Business", employer="One", start="2020-01"),
        row(id="A-1", employer="Two", start="2021-01"),
        row(id="B-1", name="Bo", training="Basic Bookkeeping:45", employer="Three"),
        row(id="B-1", name="Bo", training="Basic Bookkeeping:45", employer="Four"),
    ])
    a, b = (build_candidate(r) for r in read_records(write(tmp_path, "a.csv", text)))
    assert [j.employer for j in a.employment] == ["One", "Two"]
    assert [(e.level, e.field) for e in a.education] == [("high_school", None), ("bachelor", "Business")]
    assert [j.employer for j in b.employment] == ["Three", "Four"]
    assert [(t.subject, t.hours) for t in b.training] == [("Basic Bookkeeping", 45)]


def test_rows_without_id_continue_the_applicant_above(tmp_path):
    text = HEADER + "\n" + "".join([
        row(id="A-1", name="Ann", employer="One"),
        row(employer="Two"),                      # no id, no other candidate cells: Ann's second job
        row(name="Someone Else", employer="Three"),  # no id but another name: a new applicant without an id
    ])
    first, second = read_records(write(tmp_path, "a.csv", text))
    assert [j.employer for j in build_candidate(first).employment] == ["One", "Two"]
    assert outcome(second) == "Record (no id), a.csv line 4: column 'id' is empty; every applicant needs an id."


def test_applicant_without_jobs(tmp_path):
    (rec,) = read_records(write(tmp_path, "a.csv", HEADER + "\n" + row(id="A-1", education="ged")))
    cand = build_candidate(rec)
    assert cand.employment == [] and cand.education[0].level == "ged"


def test_multi_valued_cells(tmp_path):
    text = HEADER + "\n" + row(
        id="A-1", education="college_units:Accounting:45 quarter; associate; college_units::30",
        training="Excel: Advanced:16; First Aid", licenses="driver:CA:C; other", employer="Acme",
        experience="customer service; billing", paid="Volunteer")
    (rec,) = read_records(write(tmp_path, "a.csv", text))
    cand = build_candidate(rec)
    assert [(e.level, e.field, e.units, e.unit_system) for e in cand.education] == [
        ("college_units", "Accounting", 45, "quarter"), ("associate", None, None, "semester"),
        ("college_units", None, 30, "semester")]
    assert [(t.subject, t.hours) for t in cand.training] == [("Excel: Advanced", 16), ("First Aid", None)]
    assert [(lic.kind, lic.state, lic.class_) for lic in cand.licenses] == [("driver", "CA", "C"),
                                                                           ("other", None, None)]
    assert cand.employment[0].experience == ["customer service", "billing"]
    assert cand.employment[0].paid is False


def test_two_files_in_any_order(tmp_path):
    apps = write(tmp_path, "apps.csv", "id,name\nA-1,Ann\nA-2,Bo\nA-3,Cy\n")
    jobs = write(tmp_path, "jobs.csv", "id,employer,start\nA-3,Three,2020-01\nA-1,One,2020-01\nA-3,Four,2021-01\n")
    with ApplicantReader(apps, jobs) as reader:
        records = list(reader)
        assert reader.position == reader.size
    got = {r.id: [j.employer for j in build_candidate(r).employment] for r in records}
    assert got == {"A-1": ["One"], "A-2": [], "A-3": ["Three", "Four"]}
    assert records[2].where == "apps.csv line 4; jobs.csv lines 2, 4"


def test_mapping(tmp_path):
    mapping = write(tmp_path, "map.yaml", "id: Applicant No.\nemployer: Employer Name\nstart: From\n")
    export = write(tmp_path, "export.csv", "Email,Applicant No.,Employer Name,From\nx@example.com,A-1,Acme,2020-13\n")
    (rec,) = read_records(export, mapping=load_mapping(mapping))
    assert outcome(rec) == ("Record A-1, export.csv line 2: column 'From' has value '2020-13': '2020-13' is not a "
                            "real date: month 13 does not exist.")


# ------------------------------------------------------------------ files that cannot be used at all

@pytest.mark.parametrize("text,message", [
    ("", "a.csv: the file is empty (no header line)."),
    ("name,employer\nAnn,Acme\n", "a.csv: no 'id' column for the applicant id (the columns are 'name', 'employer')."),
])
def test_unusable_files(tmp_path, text, message):
    with pytest.raises(InputError, match="^" + message.replace("(", r"\(").replace(")", r"\)") + "$"):
        ApplicantReader(write(tmp_path, "a.csv", text))


def test_mapped_column_missing(tmp_path):
    path = write(tmp_path, "a.csv", "Applicant,Employer\nA-1,Acme\n")
    with pytest.raises(InputError, match=r"a.csv: the mapped column\(s\) 'Working Title' \(for title\) are not in"):
        ApplicantReader(path, mapping={"id": "Applicant", "title": "Working Title"})


@pytest.mark.parametrize("text,message", [
    ("id: [a, b]\n", "the column header for 'id' must be text"),
    ("identifier: Applicant\n", "'identifier' is not a field"),
    ("- id\n", "a column mapping must be a YAML mapping"),
    ("id: [unclosed\n", "not valid YAML"),
])
def test_bad_mapping_files(tmp_path, text, message):
    with pytest.raises(InputError, match=message):
        load_mapping(write(tmp_path, "map.yaml", text))


# ------------------------------------------------------------------ broken rows inside a usable file

def test_unclosed_quote_is_reported_not_swallowed(tmp_path):
    """Only the line with the quote is lost (reported under the id read from it); the lines after it are
    read again on their own."""
    text = "id,name,employer,title\nA-0,Al,Acme,Clerk\nA-1,Ann,Acme,\"Clerk\nA-2,Bo,Acme,Clerk\nA-3,Cy,Acme,Clerk\n"
    good, broken, after, last = read_records(write(tmp_path, "a.csv", text))
    assert build_candidate(good).id == "A-0"
    assert outcome(broken) == ("Record A-1, a.csv line 3 cannot be read as CSV: a quote on it is not closed, so the "
                               "row runs on to line 5 (unexpected end of data).")
    assert [build_candidate(r).id for r in (after, last)] == ["A-2", "A-3"]


@pytest.mark.parametrize("second", ['A-2,Bo,Acme,"Greets, files"', 'A-2,Bo,Acme,Greets, files",x'])
def test_unclosed_quote_closed_by_a_later_quote(tmp_path, second):
    """A stray quote closed by a quote further down (which makes a row that is not CSV, or one with the wrong
    number of cells): only the line of the stray quote is lost."""
    text = f'id,name,employer,duties\nA-1,Ann,Acme,"Files\n{second}\nA-2,Bo,Acme,Types\nA-3,Cy,Acme,Types\n'
    records = list(read_records(write(tmp_path, "a.csv", text)))
    assert [r.id for r in records] == ["A-1", "A-2", "A-3"]
    assert outcome(records[0]).startswith("Record A-1, a.csv line 2 cannot be read as CSV: a quote on it is not "
                                          "closed, so the row runs on to line 3")
    if second.endswith('"'):
        assert [j.duties for j in build_candidate(records[1]).employment] == ["Greets, files", "Types"]
    else:  # read again on its own, the line has the wrong number of cells too
        assert "line 3 has 6 cells but the header has 4 columns (it follows a line that cannot" in outcome(records[1])
    assert records[1].where == "a.csv lines 3–4"


@pytest.mark.parametrize("column", ["department", "duties"])
def test_two_stray_quotes_in_one_column_do_not_merge_applicants(tmp_path, column):
    """Two stray quotes in the same empty column make a row of the right width that holds the rows between
    them: a line break is only taken as text in duties, and never around as many commas as a whole row."""
    cells = [dict(id=f"A-{k}", name=f"N{k}", employer="Acme", title="Clerk", start="2020-01") for k in range(4)]
    text = HEADER + "\n" + "".join(row(**c) for c in cells)
    lines = text.splitlines(keepends=True)
    at = FIELDS.index(column)
    for n in (1, 3):  # stray quotes at the start of the empty cell on A-0's and A-2's lines
        parts = lines[n].split(",")
        parts[at] = '"'
        lines[n] = ",".join(parts)
    records = list(read_records(write(tmp_path, "a.csv", "".join(lines))))
    assert [r.id for r in records] == ["A-0", "A-1", "A-2", "A-3"]
    assert outcome(records[0]).startswith("Record A-0, a.csv line 2 cannot be read as CSV: a quote on it is not "
                                          "closed, so the row runs on to line 4")
    assert build_candidate(records[1]).employment[0].employer == "Acme"
    assert build_candidate(records[3]).id == "A-3"


def test_a_line_break_in_duties_is_text(tmp_path):
    text = HEADER + "\n" + row(id="A-1", employer="Acme", duties="Files, types,\nanswers the phone")
    (rec,) = read_records(write(tmp_path, "a.csv", text))
    assert build_candidate(rec).employment[0].duties == "Files, types,\nanswers the phone"


def test_stray_quote_is_reported(tmp_path):
    text = 'id,name,employer,title\nA-1,Ann,Acme,"Clerk" II\nA-2,Bo,Acme,Clerk\n'
    broken, good = read_records(write(tmp_path, "a.csv", text))
    assert outcome(broken).startswith("Record A-1, a.csv line 2 cannot be read as CSV (',' expected after '\"')")
    assert build_candidate(good).id == "A-2"


@pytest.mark.parametrize("text,ids", [
    # a junk line among one applicant's rows is theirs: they are not screened without it, nor split in two
    ("A-1,Acme,2020-01\n\x00\nA-1,Acme,2021-01\nB-1,Acme,2020-01\n", ["A-1", "B-1"]),
    ("A-1,Acme,2020-01\nA-1,Acme\nA-1,Acme,2021-01\nB-1,Acme,2020-01\n", ["A-1", "B-1"]),
    # a row cut short at the end of the file
    ("A-1,Acme,2020-01\nB-1,Acme,2020-01\nB-1,Ac", ["A-1", "B-1"]),
])
def test_rows_with_the_wrong_number_of_cells_are_errors_of_their_applicant(tmp_path, text, ids):
    records = list(read_records(write(tmp_path, "a.csv", "id,employer,start\n" + text)))
    assert [r.id for r in records] == ids
    bad = records[0] if "A-1,Acme\n" in text or "\x00" in text else records[1]
    assert "cells but the header has 3 columns" in outcome(bad)
    assert [r for r in records if r is not bad and isinstance(outcome(r), str)] == []


def test_rows_of_one_id_that_are_not_together_are_all_errors(tmp_path):
    """Found by a first pass, so that neither part is screened on part of the rows."""
    text = "id,name,employer\nA-1,Ann,One\nB-1,Bo,Two\nA-1,Ann,Three\n"
    records = list(read_records(write(tmp_path, "a.csv", text)))
    assert [r.id for r in records] == ["A-1", "B-1", "A-1"]
    assert outcome(records[0]) == ("Record A-1, a.csv line 2: id 'A-1' is used by rows that are not together "
                                   "(a.csv lines 2, 4); each applicant needs one id, with all of their rows together.")
    assert outcome(records[2]).startswith("Record A-1, a.csv line 4: id 'A-1' is used by rows that are not together")
    assert build_candidate(records[1]).id == "B-1"


def test_a_row_without_id_that_names_someone_starts_another_applicant(tmp_path):
    """A row without an id continues the applicant above only if it gives no applicant cell they lack."""
    text = "id,name,employer\nA-1,,One\n,Bo,Two\n"
    first, second = read_records(write(tmp_path, "a.csv", text))
    assert [j.employer for j in build_candidate(first).employment] == ["One"]
    assert outcome(second).startswith("Record (no id), a.csv line 3: column 'id' is empty")


def test_a_line_that_is_not_csv(tmp_path):
    huge = "x" * (csv.field_size_limit() + 10)
    text = f"id,employer,duties\nA-1,Acme,ok\nA-1,Acme,{huge}\nA-1,Acme,ok\nB-1,Acme,ok\n"
    records = list(read_records(write(tmp_path, "a.csv", text)))
    # the unreadable line sat among A-1's rows, so A-1 is not screened without it
    assert [r.id for r in records] == ["A-1", "B-1"]
    assert "a.csv line 3 cannot be read as CSV (field larger than field limit" in outcome(records[0])
    assert build_candidate(records[1]).id == "B-1"


def test_undecodable_byte_is_replaced_and_reported(tmp_path):
    path = tmp_path / "a.csv"
    path.write_bytes(b"id,name,employer\nA-1,Ann \xff,Acme\n")
    (rec,) = read_records(path)
    assert rec.name == "Ann \ufffd"
    assert outcome(rec) == "Record A-1, a.csv line 2: column 'name' is not valid UTF-8 text."


@pytest.mark.parametrize("data,message", [
    ("id,name\nA-1,Ann\n".encode("utf-16"), "a.csv: is UTF-16 text; save it as UTF-8"),
    (b"id,n\xe4me\nA-1,Ann\n", "a.csv: the header line is not UTF-8 text"),
])
def test_files_that_are_not_utf8(tmp_path, data, message):
    path = tmp_path / "a.csv"
    path.write_bytes(data)
    with pytest.raises(InputError, match=message):
        ApplicantReader(path)

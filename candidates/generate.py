#!/usr/bin/env python3
"""Generate realistic synthetic applicants as CSV, for load tests and the benchmark.

Each applicant has 1–8 jobs drawn from career ladders that the five seed
classes care about (City of Los Angeles and Portland utility customer service,
meter reading, billing and collections, clerical work, retail and warehouse
work that does not count), with part-time hours, concurrent jobs, gaps,
volunteer work, declared or undeclared kinds of experience, education,
training and licences.  The same seed always gives the same file.

    python candidates/generate.py --n 1000 --seed 7 --out /tmp/applicants.csv
    python candidates/generate.py --n 1000 --seed 7 --out /tmp/a.csv --employment /tmp/e.csv
    python candidates/generate.py --n 1000 --seed 7 --out /tmp/a.csv --invalid 0.02

--invalid R makes about a fraction R of the applicants broken in one of the
ways a real export is broken (impossible date, end before start, 200 hours a
week, unknown education level, missing id, an id used twice).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import random
import sys

PERSON = ["id", "name", "education", "training", "licenses"]
JOB = ["employer", "department", "title", "class_code", "start", "end", "hours_per_week", "paid", "appointment",
       "duties", "experience", "supervision"]

FIRST = ["Maria", "James", "Linh", "Robert", "Aisha", "Daniel", "Emily", "Carlos", "Sarah", "Michael", "Patricia",
         "Thomas", "Jennifer", "Kevin", "Angela", "Brian", "Lisa", "Steven", "Michelle", "David", "Karen", "José",
         "Nancy", "Mark", "Sandra", "Paul", "Laura", "Kenneth", "Donna", "George", "Betty", "Edward", "Ruth", "Omar",
         "Mei", "Priya", "Tuan", "Fatima", "Grace", "Hector", "Ines", "Jamal", "Keiko", "Luis", "Nadia", "Óscar"]
LAST = ["Gonzalez", "Whitfield", "Tran", "Kim", "Mohammed", "Okafor", "Chen", "Rivera", "Johnson", "Brown",
        "Nguyen", "Anderson", "Lee", "O'Brien", "Davis", "Wilson", "Martinez", "Clark", "Robinson", "Lewis",
        "Walker", "Hernandez", "Hall", "Young", "King", "Wright", "Lopez", "Hill", "Scott", "Green", "Adams",
        "Baker", "Nelson", "Patel", "Singh", "Yamamoto", "Haddad", "Kowalski", "Müller", "Ramírez", "Abebe"]

# (employer, department or "", weight)
LA = [("City of Los Angeles", "Department of Water and Power"), ("LADWP", ""), ("City of Los Angeles", "Office of Finance"),
      ("City of Los Angeles", "Personnel Department"), ("LA Sanitation", ""), ("Los Angeles World Airports", ""),
      ("City of LA", "Department of Water and Power")]
PDX = [("Portland Water Bureau", ""), ("City of Portland", "Bureau of Environmental Services"),
       ("City of Portland", "Water Bureau")]
UTILITY = ["Southern California Gas Company", "Southern California Edison", "Portland General Electric",
           "NW Natural", "Sacramento County Utilities", "Riverside Public Utilities", "Pasadena Water and Power",
           "Comcast", "Spectrum", "AT&T"]
PUBLIC = ["County of Los Angeles", "County of Orange", "Multnomah County", "State of Oregon", "City of Glendale",
          "Los Angeles Unified School District", "County Recorder"]
PRIVATE = ["Kaiser Permanente", "Wells Fargo", "Bank of America", "Target", "Fred Meyer", "Ralphs", "Macy's",
           "Acme Insurance", "Acme Logistics", "UPS", "Amazon", "Starbucks", "Providence Health", "Home Depot"]
NONPROFIT = ["LA Regional Food Bank", "Oregon Food Bank", "Habitat for Humanity", "American Red Cross",
             "St. Vincent de Paul"]

# title, class code, declared kinds, duties, supervision, where it occurs
ROLES = {
    "la_csr": [("Customer Service Representative", "1230", "customer service; billing",
                "Answers customer inquiries on water and power bills; sets up payment arrangements.", "none"),
               ("Customer Service Rep", "1230", "", "Handles customer calls about billing and service requests.", "none"),
               ("Commercial Field Representative", "1600", "field service; collections",
                "Investigates delinquent accounts in the field; shut off and turn on service.", "none"),
               ("Sr. Commercial Field Rep", "1602", "field service; collections", "", "lead"),
               ("Electric Service Representative", "", "customer service",
                "Processes service orders and customer requests for electric service.", "none"),
               ("Water Service Representative", "", "customer service; billing", "", "none")],
    "la_clerical": [("Senior Clerk Typist", "1368", "office clerical", "Typing, filing and data entry for the division.", "none"),
                    ("Clerk Typist", "1358", "", "Data entry, filing and answering the public counter.", "none"),
                    ("Office Assistant", "", "office clerical; public contact", "", "none"),
                    ("Information Clerk", "", "public contact", "Answers questions from the public at the information desk.", "none"),
                    ("Commercial Service Representative", "", "billing; customer service", "", "none")],
    "pdx": [("Customer Service Representative", "30000440", "customer service; billing", "", "none"),
            ("Customer Service Lead", "", "customer service", "Leads a team of call center representatives.", "lead"),
            ("Meter Reader", "", "meter reading", "Reads meters on assigned routes.", "none"),
            ("Meter Reader Lead", "", "meter reading", "", "lead"),
            ("Utility Billing Specialist", "", "billing", "Researches and adjusts utility accounts.", "none"),
            ("Customer Service Supervisor", "30000445", "customer service; billing; collections", "", "supervisor")],
    "utility": [("Customer Service Representative", "", "customer contact; customer service; automated systems; complex coding",
                 "Resolves billing questions using the customer information system; codes account adjustments.", "none"),
                ("Billing Specialist", "", "billing; automated systems; complex coding", "", "none"),
                ("Collections Representative", "", "collections; customer contact", "Works past due accounts by phone.", "none"),
                ("Call Center Agent", "", "", "Answers customer inquiries in a call center; uses a computerized billing system.", "none"),
                ("Customer Service Lead", "", "customer service; customer contact", "", "lead"),
                ("Billing Supervisor", "", "customer contact; automated systems; complex coding; billing", "", "supervisor"),
                ("Collections Supervisor", "", "collections; customer contact", "", "supervisor"),
                ("Meter Reader", "", "meter reading", "", "none")],
    "public": [("Customer Services Clerk II", "", "clerical; public contact", "", "none"),
               ("Records Clerk", "", "", "Files records and serves the public at the front counter.", "none"),
               ("Account Clerk", "", "clerical accounting; bookkeeping", "Posts payments to ledgers and reconciles accounts.", "none"),
               ("Receptionist", "", "clerical; public contact", "", "none"),
               ("Office Assistant", "", "", "Data entry and filing; greets the public at the front desk.", "none"),
               ("Eligibility Worker", "", "public contact", "", "none")],
    "private": [("Cashier", "", "", "Rings up purchases and handles customer returns.", "none"),
                ("Sales Associate", "", "retail sales", "", "none"),
                ("Bank Teller", "", "customer contact; bookkeeping", "", "none"),
                ("Warehouse Lead", "", "", "Loads trucks and directs a crew of four.", "lead"),
                ("File Clerk", "", "clerical", "Maintains paper and electronic files.", "none"),
                ("Customer Service Manager", "", "customer contact; automated systems", "", "supervisor"),
                ("Barista", "", "", "Prepares drinks and serves customers.", "none"),
                ("Data Entry Clerk", "", "clerical; automated systems", "", "none")],
    "volunteer": [("Volunteer Receptionist", "", "public contact", "", "none"),
                  ("Volunteer Coordinator", "", "", "Schedules volunteers and answers the phone.", "lead"),
                  ("Customer Service Volunteer", "", "customer service", "", "none")],
}
APPOINTMENTS = ["civil service", "civil service", "civil service", "exempt", "temporary", "as needed"]


def _employer(track: str, rnd: random.Random) -> tuple[str, str]:
    if track in ("la_csr", "la_clerical"):
        return rnd.choice(LA)
    if track == "pdx":
        return rnd.choice(PDX)
    if track == "utility":
        return rnd.choice(UTILITY), ""
    if track == "public":
        return rnd.choice(PUBLIC), rnd.choice(["", "", "Treasurer-Tax Collector", "Public Works"])
    if track == "volunteer":
        return rnd.choice(NONPROFIT), ""
    return rnd.choice(PRIVATE), ""


def _month(day: dt.date, rnd: random.Random) -> str:
    """A date as applicants write it: mostly whole dates, some only the month."""
    return day.strftime("%Y-%m") if rnd.random() < 0.3 else day.isoformat()


def _jobs(rnd: random.Random, today: dt.date) -> list[dict[str, str]]:
    n = min(8, max(1, int(rnd.triangular(1, 9, 3))))
    tracks = rnd.choices(["la_csr", "la_clerical", "pdx", "utility", "public", "private", "volunteer"],
                         weights=[14, 12, 12, 20, 14, 22, 6], k=1)
    main = tracks[0]
    start = today - dt.timedelta(days=rnd.randint(200, 365 * 18))
    jobs = []
    for i in range(n):
        track = main if rnd.random() < 0.6 else rnd.choice(list(ROLES))
        title, code, kinds, duties, sup = rnd.choice(ROLES[track])
        employer, department = _employer(track, rnd)
        length = dt.timedelta(days=rnd.randint(60, 365 * 5))
        end = start + length
        last = i == n - 1
        current = last and rnd.random() < 0.7 or end >= today
        hours = rnd.choices(["40", "40", "40", "", "20", "24", "30", "32", "16"], k=1)[0]
        paid = "no" if track == "volunteer" else rnd.choices(["", "yes", "yes", "no"], weights=[6, 3, 3, 0.2])[0]
        if track == "volunteer":
            hours = rnd.choice(["4", "8", "10"])
        job = {
            "employer": employer, "department": department, "title": title,
            "class_code": code if rnd.random() < 0.5 else "",
            "start": _month(start, rnd), "end": "" if current else _month(min(end, today), rnd),
            "hours_per_week": hours, "paid": paid,
            "appointment": rnd.choice(APPOINTMENTS) if track.startswith(("la", "pdx")) else "",
            "duties": duties, "experience": kinds if rnd.random() < 0.65 else "", "supervision": sup,
        }
        jobs.append(job)
        if current:
            break
        # the next job: usually after a gap, sometimes overlapping (a second part-time job)
        if rnd.random() < 0.15:
            start = start + length / 2
        else:
            start = end + dt.timedelta(days=rnd.choice([1, 1, 15, 30, 90, 200, 400]))
        if start >= today:
            break
    return jobs


def _education(rnd: random.Random) -> str:
    items = []
    top = rnd.choices(["", "high_school", "ged", "associate", "bachelor", "master", "college_units"],
                      weights=[6, 45, 8, 15, 18, 3, 5])[0]
    if top and top not in ("high_school", "ged"):
        items.append("high_school")
    if top == "college_units":
        items.append(f"college_units:{rnd.choice(['Business', 'Accounting', 'General Studies'])}:"
                     f"{rnd.choice([12, 15, 24, 30, 45])} {rnd.choice(['semester', 'quarter'])}")
    elif top in ("associate", "bachelor", "master"):
        items.append(f"{top}:{rnd.choice(['Business Administration', 'Accounting', 'Communications', 'Psychology', 'Liberal Arts'])}")
    elif top:
        items.append(top)
    return "; ".join(items)


def _training(rnd: random.Random) -> str:
    courses = [("Basic Bookkeeping", 45), ("Accounting I", 48), ("Customer Service Excellence", 8),
               ("Excel for Business", 16), ("Accounts Receivable", 24), ("Supervisory Skills", 20)]
    k = rnd.choices([0, 1, 2], weights=[6, 3, 1])[0]
    return "; ".join(f"{s}:{h}" for s, h in rnd.sample(courses, k))


def _licenses(rnd: random.Random) -> str:
    return rnd.choices(["", "driver:CA:C", "driver:OR", "driver:CA:C; other:CA"], weights=[5, 4, 2, 0.3])[0]


BREAKS = ("date", "order", "hours", "level", "missing_id", "duplicate")


def _break(kind: str, person: dict, jobs: list[dict], used: list[str]) -> None:
    job = jobs[0]
    if kind == "date":
        job["start"] = "2020-13-45"
    elif kind == "order":
        job["start"], job["end"] = "2021-06-01", "2019-02-28"
    elif kind == "hours":
        job["hours_per_week"] = "200"
    elif kind == "level":
        person["education"] = "phd:Physics"
    elif kind == "missing_id":
        person["id"] = ""
    elif kind == "duplicate" and used:
        person["id"] = used[len(used) // 2]


def generate(n: int, seed: int, out, employment=None, invalid: float = 0.0, today: dt.date | None = None) -> None:
    """Write ``n`` applicants to ``out`` (long format), or to ``out`` and ``employment`` (two files)."""
    rnd = random.Random(seed)
    today = today or dt.date(2024, 6, 30)
    main = csv.writer(out, lineterminator="\n")
    jobs_out = csv.writer(employment, lineterminator="\n") if employment else None
    if jobs_out:
        main.writerow(PERSON)
        jobs_out.writerow(["id"] + JOB)
    else:
        main.writerow(PERSON + JOB)
    used: list[str] = []
    for i in range(n):
        pid = f"G{seed}-{i + 1:06d}"
        person = {"id": pid, "name": f"{rnd.choice(FIRST)} {rnd.choice(LAST)}", "education": _education(rnd),
                  "training": _training(rnd), "licenses": _licenses(rnd)}
        jobs = _jobs(rnd, today) if rnd.random() > 0.02 else []
        if invalid and rnd.random() < invalid:
            _break(rnd.choice(BREAKS), person, jobs or [dict.fromkeys(JOB, "")], used)
        if len(used) < 1000:
            used.append(pid)
        if jobs_out:
            main.writerow([person[k] for k in PERSON])
            for job in jobs:
                jobs_out.writerow([person["id"]] + [job[k] for k in JOB])
            continue
        repeat = rnd.random() < 0.3  # some exports repeat the candidate cells on every row
        for k, job in enumerate(jobs or [dict.fromkeys(JOB, "")]):
            cells = [person[c] if (k == 0 or repeat or c == "id") else "" for c in PERSON]
            main.writerow(cells + [job[c] for c in JOB])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, required=True, help="number of applicants")
    parser.add_argument("--seed", type=int, default=1, help="random seed (the same seed gives the same file)")
    parser.add_argument("--out", required=True, help="CSV to write (- for standard output)")
    parser.add_argument("--employment", help="write jobs to this second file (two-file format)")
    parser.add_argument("--invalid", type=float, default=0.0, help="fraction of applicants to break (0–1)")
    parser.add_argument("--as-of", default="2024-06-30", help="the 'today' of the histories (YYYY-MM-DD)")
    args = parser.parse_args(argv)
    today = dt.date.fromisoformat(args.as_of)
    out = sys.stdout if args.out == "-" else open(args.out, "w", encoding="utf-8", newline="")
    employment = open(args.employment, "w", encoding="utf-8", newline="") if args.employment else None
    try:
        generate(args.n, args.seed, out, employment, args.invalid, today)
    finally:
        if out is not sys.stdout:
            out.close()
        if employment:
            employment.close()


if __name__ == "__main__":
    main()

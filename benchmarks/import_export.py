"""Throughput and peak memory of ``servicepolicy import zendesk`` on a synthetic export.

Writes a Zendesk export of about SIZE megabytes (tickets and users as list pages, audits as
JSON Lines of pages of 100 audits, each ticket with 4-8 audits of Create, Comment and Change
events, comment bodies of a few hundred characters, as the API returns them), then runs the
import in a child process and reports wall time, megabytes and tickets per second, and the
child's peak resident memory.

    python benchmarks/import_export.py [--size-mb 1024] [--dir /tmp/zendesk-export] [--keep]

The same seed writes the same bytes; the export is written once and reused when its folder
already holds it (``--keep``).
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

START = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
AGENTS = range(9001, 9021)
PAGE = 100
WORDS = [
    "invoice",
    "order",
    "refund",
    "login",
    "password",
    "export",
    "report",
    "delivery",
    "account",
    "payment",
    "error",
    "screen",
    "button",
    "settings",
    "update",
    "please",
    "thanks",
    "urgent",
    "again",
    "still",
    "cannot",
    "works",
]


def _text(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _comment(rng: random.Random, event_id: int, author: int, public: bool) -> dict:
    body = _text(rng, rng.randint(30, 90))
    return {
        "id": event_id,
        "type": "Comment",
        "author_id": author,
        "body": body,
        "html_body": f"<p>{body}</p>",
        "plain_body": body,
        "public": public,
        "attachments": [],
    }


def _ticket_and_audits(rng: random.Random, number: int) -> tuple[dict, list[dict]]:
    ticket_id = 100_000 + number
    requester = 500_000 + number % 50_000
    created = START + timedelta(minutes=7 * number)
    priority = rng.choice(["urgent", "high", "normal", "low"])
    ticket = {
        "id": ticket_id,
        "url": f"https://example.zendesk.com/api/v2/tickets/{ticket_id}.json",
        "created_at": _stamp(created),
        "updated_at": _stamp(created + timedelta(days=2)),
        "type": "question",
        "subject": _text(rng, 6),
        "status": "solved",
        "priority": priority,
        "requester_id": requester,
        "submitter_id": requester,
        "assignee_id": rng.choice(AGENTS),
        "group_id": 20001,
        "tags": [rng.choice(["vip", "billing", "web"])],
        "via": {"channel": "email", "source": {"from": {}, "to": {}, "rel": None}},
        "custom_fields": [{"id": 360005551, "value": "billing"}],
    }
    audit_id = ticket_id * 100
    at = created
    audits = [
        {
            "id": audit_id,
            "ticket_id": ticket_id,
            "created_at": _stamp(at),
            "author_id": requester,
            "via": {"channel": "email"},
            "metadata": {"system": {"client": "Mozilla/5.0"}, "custom": {}},
            "events": [
                {"id": audit_id * 10 + 1, "type": "Create", "field_name": "status", "value": "new"},
                {
                    "id": audit_id * 10 + 2,
                    "type": "Create",
                    "field_name": "priority",
                    "value": priority,
                },
                _comment(rng, audit_id * 10 + 3, requester, True),
            ],
        }
    ]
    for step in range(1, rng.randint(4, 8)):
        at += timedelta(minutes=rng.randint(10, 600))
        agent = step % 2 == 1
        author = rng.choice(AGENTS) if agent else requester
        events = [_comment(rng, (audit_id + step) * 10 + 1, author, rng.random() > 0.1)]
        if agent:
            status = "pending" if step < 5 else "solved"
            events.append(
                {
                    "id": (audit_id + step) * 10 + 2,
                    "type": "Change",
                    "field_name": "status",
                    "value": status,
                    "previous_value": "open",
                }
            )
        audits.append(
            {
                "id": audit_id + step,
                "ticket_id": ticket_id,
                "created_at": _stamp(at),
                "author_id": author,
                "via": {"channel": "web"},
                "metadata": {"system": {"client": "Mozilla/5.0"}, "custom": {}},
                "events": events,
            }
        )
    return ticket, audits


def write_export(folder: Path, size_mb: int, seed: int = 1) -> tuple[list[Path], int]:
    """Write the export; returns its files and the number of tickets."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    users = [{"id": a, "name": f"Agent {a}", "role": "agent"} for a in AGENTS]
    users += [
        {"id": 500_000 + n, "name": f"Customer {n}", "role": "end-user"} for n in range(50_000)
    ]
    (folder / "users.json").write_text(json.dumps({"users": users}))
    tickets_path, audits_path = folder / "tickets.jsonl", folder / "audits.jsonl"
    limit = size_mb * 1024 * 1024
    written = count = 0
    with tickets_path.open("w") as tickets_file, audits_path.open("w") as audits_file:
        while written < limit:
            tickets, audits = [], []
            for _ in range(PAGE):
                ticket, ticket_audits = _ticket_and_audits(rng, count)
                tickets.append(ticket)
                audits += ticket_audits
                count += 1
            lines = [json.dumps({"tickets": tickets}) + "\n"]
            lines += [
                json.dumps({"audits": audits[i : i + PAGE]}) + "\n"
                for i in range(0, len(audits), PAGE)
            ]
            tickets_file.write(lines[0])
            audits_file.writelines(lines[1:])
            written += sum(len(line) for line in lines)
    (folder / "count").write_text(str(count))
    return [tickets_path, folder / "users.json", audits_path], count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=int, default=1024)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/zendesk-export"))
    parser.add_argument("--keep", action="store_true", help="reuse an export already written")
    args = parser.parse_args()
    files = [args.dir / "tickets.jsonl", args.dir / "users.json", args.dir / "audits.jsonl"]
    if args.keep and (args.dir / "count").exists():
        count = int((args.dir / "count").read_text())
    else:
        began = time.perf_counter()
        files, count = write_export(args.dir, args.size_mb)
        print(f"wrote {count} tickets in {time.perf_counter() - began:.1f} s")
    size = sum(f.stat().st_size for f in files) / 1024 / 1024
    command = [sys.executable, "-m", "servicepolicy", "import", "zendesk", *map(str, files)]
    command += ["-o", str(args.dir / "imported.jsonl")]
    began = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - began
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(done.stderr.strip().splitlines()[-1] if done.stderr.strip() else "(no summary)")
    print(
        f"import zendesk: {size:.0f} MB, {count} tickets in {wall:.1f} s: "
        f"{size / wall:.1f} MB/s, {count / wall:.0f} tickets/s; peak memory {peak_mb:.0f} MB"
    )


if __name__ == "__main__":
    main()
